"""A mixed workload under faults: exactly once, transfers conserved, recovery time.

    scripts/bench load [--seconds 40] [--clients 6] [--phones 2] [--workers 2] [--threads 4]
                       [--fault none|kill-server|kill-workers|restart-db|stop-start-db]

Starts gunicorn (gthread) and a jobs consumer (``flask jobs-worker``) on a fresh PostgreSQL
database holding the demo county, then for a bounded time drives at once:

- keepers (``--clients``, one process each) receiving new lots of one item of their own,
  issuing from them (some more than a lot holds: refused), sending some bad bodies
  (refused), and transferring between their two depots: a draft, its dispatch, its receipt
  later (some left in transit);
- phones (``--phones``) that hold receipts and issues dated two or three days back and
  replay them late, shuffled, a share twice (an answer lost on the way);
- a planner starting solves of the demo's dispatch scenario (run by the jobs consumer);
- an auditor downloading the ledger as CSV.

Every request carries an Idempotency-Key. A request without an answer (connection error,
timeout, 5xx) is sent again with the same key and body until it is answered (2xx: its
movement ids are kept; 4xx: refused). ``--fault`` strikes once, at 40% of the time:
kill-server sends SIGKILL to gunicorn's master and workers and starts a new server;
kill-workers sends SIGKILL to the workers only (the master starts others); restart-db restarts
the PostgreSQL cluster (``pg_ctlcluster 15 main restart -m fast``); stop-start-db stops it,
waits ``--down`` seconds and starts it. The cluster is shared: other engineers' PostgreSQL
tests lose their connections for that moment.

Afterwards: ``flask verify-ledger`` passes; every acknowledged movement is in the ledger
exactly once under its key; no refused request left a row; every lot's balance equals its
ledger; every transfer has its stock at the source, in transit or at the destination (the
dispatched quantity out, and in only once received, in full); the item's stock in lots and
in transit equals what was received less what was issued. Printed: requests, movements,
errors by kind, lost, duplicated, recovery time (from the fault to the first request sent
after it that succeeded; for the database faults also from the database's return).
Results go to bench-results/load-<time>.json; docs/benchmarks.md has the figures.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SERVER = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
ITEM = "LOAD-ITEM"
#: the demo's keepers with the two depots each moves stock between
KEEPERS = [("keeper01", "XZ-01", "DC-01")] + [
    (f"keeper-t{n:02d}", f"TS-{n:02d}", f"VL-{n:02d}-01") for n in range(1, 9)]
FAULTS = ("none", "kill-server", "kill-workers", "restart-db", "stop-start-db")
#: how long a client keeps retrying a request without an answer after the run's end
GRACE = 120


def admin(sql: str) -> None:
    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute(sql)


def database_url(name: str) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def prepare(url: str, clients: int, phones: int, *, county: bool = True) -> dict:
    """Migrate, load the demo county (or, without ``county``, only the depots and users the
    load needs, and no planner), add the load's item; return tokens and the scenario."""
    sys.path.insert(0, str(ROOT))
    from alembic import command
    from sqlalchemy import select

    from inventory import create_app, demo
    from inventory.auth.services import create_token
    from inventory.catalogue.models import Item
    from inventory.cli import alembic_config
    from inventory.db import db
    from inventory.planning.models import Scenario

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "LABEL_SECRET": "bench"})
    with app.app_context():
        config = alembic_config(url)
        config.attributes["configure_logging"] = False
        command.upgrade(config, "head")
        if county:
            demo.seed(db.session)
        else:
            _small_world(db.session, clients, phones)
        db.session.add(Item(code=ITEM, name_zh="负载测试物资", name_en="Load item",
                            category="生活类", unit="个"))
        db.session.commit()
        world = {"keepers": [], "phones": []}
        for n in range(clients):
            user, a, b = KEEPERS[n % len(KEEPERS)]
            world["keepers"].append({"token": create_token(db.session, user, f"load-{n}"),
                                     "depots": [a, b]})
        for n in range(phones):
            # a village store of a township the keepers' clients do not use
            township = 13 - n % 4
            world["phones"].append({
                "token": create_token(db.session, f"keeper-t{township:02d}", f"phone-{n}"),
                "depot": f"VL-{township:02d}-02"})
        world["auditor"] = create_token(db.session, "auditor", "load")
        world["planner"] = create_token(db.session, "planner", "load") if county else None
        world["scenario"] = db.session.scalar(
            select(Scenario.id).where(Scenario.kind == "dispatch").order_by(Scenario.id))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return world


def _small_world(session, clients: int, phones: int) -> None:
    """The demo's depot codes and keepers' names for the load's users, and nothing else."""
    from inventory.auth.services import create_user
    from inventory.geo.models import Area, Depot

    area = Area(code="LOAD", name="负载测试县", level="county")
    session.add(area)
    owned: dict[str, list[str]] = {}
    for n in range(clients):
        user, a, b = KEEPERS[n % len(KEEPERS)]
        owned.setdefault(user, []).extend([a, b])
    for n in range(phones):
        township = 13 - n % 4
        owned.setdefault(f"keeper-t{township:02d}", []).append(f"VL-{township:02d}-02")
    for codes in owned.values():
        for code in codes:
            session.add(Depot(code=code, name=f"负载测试库 {code}", area=area,
                              kind="government", active=True))
    session.flush()
    for user, codes in owned.items():
        create_user(session, user, "load-password", "keeper", depots=codes)
    create_user(session, "auditor", "load-password", "auditor")


def wait_until_up(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.1)
    raise SystemExit("the server did not come up")


class Client:
    """One user's keep-alive connection; sends a request until it is answered."""

    def __init__(self, port: int, token: str, name: str, fault_at: float, stop_at: float):
        self.port, self.token, self.name = port, token, name
        self.fault_at, self.give_up = fault_at, stop_at + GRACE
        self.conn = None
        self.last_used = 0.0
        self.records: list[dict] = []
        self.errors: dict[str, int] = {}
        self.attempts = 0
        #: (sent, answered) of the successful requests sent from the fault's time on
        self.successes: list[tuple[float, float]] = []
        #: when the last request without an answer (connection error, 5xx) ended
        self.failed_at = 0.0
        #: the refusals' messages, counted by request kind
        self.refusals: dict[str, int] = {}
        self.serial = 0

    def key(self) -> str:
        self.serial += 1
        return f"L-{self.name}-{self.serial}-{uuid.uuid4().hex[:8]}"

    def _once(self, method: str, path: str, body: bytes | None, key: str | None):
        if self.conn is not None and time.monotonic() - self.last_used > 1.5:
            # gunicorn closes a connection idle for 2 s; a request sent as it does so would
            # count as a connection error that is no fault's doing.
            self.conn.close()
            self.conn = None
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Authorization": f"Bearer {self.token}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if key is not None:
            headers["Idempotency-Key"] = key
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        self.last_used = time.monotonic()
        return response.status, data

    def call(self, method: str, path: str, payload=None, key: str | None = None,
             op: str = "") -> tuple[int | None, bytes | None]:
        """Send until answered (2xx or 4xx); record a keyed request's outcome."""
        body = None if payload is None else json.dumps(payload).encode()
        pause = 0.05
        while True:
            sent = time.time()
            self.attempts += 1
            try:
                status, data = self._once(method, path, body, key)
            except (OSError, http.client.HTTPException) as error:
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                status, data = None, None
                kind = f"connection: {type(error).__name__}"
            else:
                kind = f"HTTP {status}"
            if status is not None and status < 500:
                if status < 300 and sent >= self.fault_at and len(self.successes) < 5000:
                    self.successes.append((sent, time.time()))
                break
            self.errors[kind] = self.errors.get(kind, 0) + 1
            if sent >= self.fault_at:
                self.failed_at = max(self.failed_at, time.time())
            if time.time() > self.give_up:
                break
            time.sleep(pause)
            pause = min(pause * 2, 0.5)
        if status is not None and status >= 400:
            message = json.loads(data).get("message", "") if data else ""
            # One count per reason: lot codes, numbers and times left out.
            message = re.sub(r"[0-9A-Za-z][0-9A-Za-z:. -]*", "…", message)[:40]
            refusal = f"{op or path} {status} {message}"
            self.refusals[refusal] = self.refusals.get(refusal, 0) + 1
        if key is not None:
            answer = json.loads(data) if status is not None and status < 300 else {}
            self.records.append({
                "key": key, "op": op, "status": status,
                "movements": sorted(m["id"] for m in answer.get("movements", []))})
        return status, data

    def result(self) -> dict:
        if self.conn is not None:
            self.conn.close()
        return {"records": self.records, "errors": self.errors, "attempts": self.attempts,
                "successes": self.successes, "refusals": self.refusals,
                "failed_at": self.failed_at}


def keeper(args) -> dict:
    """Receive, issue and transfer between two depots until the end of the run."""
    port, spec, n, fault_at, stop_at = args
    rng = random.Random(n)
    c = Client(port, spec["token"], f"k{n}", fault_at, stop_at)
    lots: list[tuple[int, str]] = []
    in_transit: list[tuple[int, str]] = []
    a, b = spec["depots"]
    while time.time() < stop_at:
        roll = rng.random()
        if roll < 0.2 or not lots:
            depot = rng.choice([a, b])
            status, data = c.call("POST", "/api/v1/receipts", {
                "depot": depot, "item": ITEM, "quantity": rng.randint(20, 100),
                "lot_code": f"K{n}-{c.serial}"}, c.key(), "receipt")
            if status == 201:
                lots.append((json.loads(data)["lot"]["id"], depot))
        elif roll < 0.6:
            lot, _depot = rng.choice(lots)
            c.call("POST", "/api/v1/issues", {"lot": lot, "quantity": rng.randint(1, 30),
                                              "reason": "load"}, c.key(), "issue")
        elif roll < 0.64:
            lot, _depot = rng.choice(lots)  # refused: a bad body changes nothing
            c.call("POST", "/api/v1/issues", {"lot": lot, "quantity": 0}, c.key(), "bad issue")
        elif roll < 0.82:
            lot, depot = rng.choice(lots)
            other = b if depot == a else a
            status, data = c.call("POST", "/api/v1/transfers", {
                "from_depot": depot, "to_depot": other,
                "lines": [{"lot": lot, "quantity": rng.randint(1, 10)}]}, c.key(), "draft")
            if status == 201:
                transfer = json.loads(data)["id"]
                status, _ = c.call("POST", f"/api/v1/transfers/{transfer}/dispatch", {},
                                   c.key(), "dispatch")
                if status == 200:
                    in_transit.append((transfer, other))
        elif in_transit:
            transfer, depot = in_transit.pop(rng.randrange(len(in_transit)))
            status, data = c.call("POST", f"/api/v1/transfers/{transfer}/receive", {},
                                  c.key(), "receive")
            if status == 200:
                lots += [(m["lot"], depot) for m in json.loads(data)["movements"]]
    return c.result()


def phone(args) -> dict:
    """Hold receipts and issues dated days back; replay them late, shuffled, a share twice."""
    port, spec, n, fault_at, stop_at, start_at = args
    rng = random.Random(1000 + n)
    c = Client(port, spec["token"], f"p{n}", fault_at, stop_at)
    seconds = stop_at - start_at
    for batch, replay_at in enumerate((start_at + 0.3 * seconds, start_at + 0.7 * seconds)):
        queue = []
        # Device times in the order things happened, three days back (the second batch two),
        # one every five minutes; the replay reorders them.
        first = datetime.now(UTC) - timedelta(days=3 - batch)
        for index in range(40):
            late = first + timedelta(minutes=5 * index)
            if rng.random() < 0.3:
                action = ("/api/v1/receipts", {
                    "depot": spec["depot"], "item": ITEM, "quantity": rng.randint(10, 40),
                    "lot_code": f"P{n}-{len(queue)}-{uuid.uuid4().hex[:6]}",
                    "occurred_at": late.isoformat()}, "phone receipt")
            else:
                action = ("/api/v1/issues", {"depot": spec["depot"], "item": ITEM,
                                             "quantity": rng.randint(1, 8),
                                             "occurred_at": late.isoformat()}, "phone issue")
            queue.append((c.key(), action))
        while time.time() < replay_at:
            time.sleep(0.05)
        sends = queue + rng.sample(queue, len(queue) // 5)
        rng.shuffle(sends)
        for key, (path, payload, op) in sends:
            c.call("POST", path, payload, key, op)
    return c.result()


def planner(args) -> dict:
    """Start solves of the dispatch scenario one after another and watch them."""
    port, token, scenario, fault_at, stop_at = args
    c = Client(port, token, "planner", fault_at, stop_at)
    runs = {"started": 0, "finished": 0, "failed": 0, "other": 0}
    while time.time() < stop_at:
        status, data = c.call("POST", f"/api/v1/scenarios/{scenario}/runs", None, c.key(),
                              "solve")
        if status != 202:
            time.sleep(1)
            continue
        runs["started"] += 1
        run = json.loads(data)["id"]
        while time.time() < stop_at + 10:
            time.sleep(0.5)
            status, data = c.call("GET", f"/api/v1/runs/{run}")
            state = json.loads(data)["status"] if status == 200 else "?"
            if state in ("finished", "failed", "cancelled"):
                runs["finished" if state == "finished" else "failed"] += 1
                break
        else:
            runs["other"] += 1
            runs.setdefault("unfinished", []).append([run, state])
    return c.result() | {"runs": runs}


def auditor(args) -> dict:
    """Download the whole ledger as CSV every few seconds."""
    port, token, fault_at, stop_at = args
    c = Client(port, token, "auditor", fault_at, stop_at)
    exports = {"count": 0, "rows": 0, "bytes": 0}
    while time.time() < stop_at:
        status, data = c.call("GET", "/api/v1/ledger/export.csv")
        if status == 200:
            exports["count"] += 1
            exports["rows"] = data.count(b"\n")
            exports["bytes"] = len(data)
        time.sleep(2)
    return c.result() | {"exports": exports}


class Servers:
    """gunicorn and the jobs consumer, started again after a kill."""

    def __init__(self, env: dict, port: int, workers: int, threads: int, logs: Path):
        self.env, self.port, self.workers, self.threads = env, port, workers, threads
        self.logs = logs
        self.server = self.consumer = None

    def start_server(self) -> None:
        with (self.logs / "server.log").open("a") as log:
            self.server = self._start_server(log)
        wait_until_up(self.port)

    def _start_server(self, log) -> subprocess.Popen:
        return subprocess.Popen(
            [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{self.port}", "--workers",
             str(self.workers), "--worker-class", "gthread", "--threads", str(self.threads),
             "--reuse-port", "--log-level", "warning", "inventory:create_app()"],
            cwd=ROOT, env=self.env, start_new_session=True, stdout=subprocess.DEVNULL,
            stderr=log)

    def start_consumer(self) -> None:
        with (self.logs / "consumer.log").open("a") as log:
            self.consumer = subprocess.Popen(
                [str(BIN / "flask"), "--app", "inventory", "jobs-worker", "--workers", "1"],
                cwd=ROOT, env=self.env, start_new_session=True, stdout=subprocess.DEVNULL,
                stderr=log)

    def workers_of_server(self) -> list[int]:
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.server.pid:
                found.append(int(stat.parent.name))
        return found

    def stop(self) -> None:
        for process in (self.server, self.consumer):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def strike(fault: str, servers: Servers, down: float) -> dict:
    """Do the fault; return when the service was back (server up, database up)."""
    began = time.time()
    event: dict = {"fault": fault, "began": began}
    if fault == "kill-server":
        os.killpg(servers.server.pid, signal.SIGKILL)
        event["struck"] = time.time()
        servers.server.wait()
        servers.start_server()
    elif fault == "kill-workers":
        killed = servers.workers_of_server()
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        event["struck"] = time.time()
        event["workers_killed"] = len(killed)
    elif fault == "restart-db":
        event["struck"] = began  # connections drop as the fast shutdown begins
        subprocess.run(["pg_ctlcluster", "15", "main", "restart", "-m", "fast"], check=True)
    elif fault == "stop-start-db":
        event["struck"] = began
        subprocess.run(["pg_ctlcluster", "15", "main", "stop", "-m", "fast"], check=True)
        event["stopped"] = time.time()
        time.sleep(down)
        subprocess.run(["pg_ctlcluster", "15", "main", "start"], check=True)
    event["back"] = time.time()
    return event


def check(url: str, env: dict, records: list[dict]) -> dict:
    """Exactly once, nothing refused written, balances, transfers conserved, ledger verified."""
    by_key: dict[str, list[dict]] = {}
    for record in records:
        by_key.setdefault(record["key"], []).append(record)
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        one = conn.execute
        written: dict[str, set[int]] = {}
        # Keys are stored scoped by user (``<user id>:<key>``), one row of a key per ``#n``.
        for key, movement in one("SELECT regexp_replace(split_part(idempotency_key, '#', 1), "
                                 "'^[0-9]+:', ''), id FROM stock_movements "
                                 "WHERE idempotency_key ~ '^([0-9]+:)?L-'"):
            written.setdefault(key, set()).add(movement)
        item = one("SELECT id FROM items WHERE code = %s", (ITEM,)).fetchone()[0]
        unkeyed = one("SELECT count(*) FROM stock_movements WHERE item_id = %s AND "
                      "idempotency_key IS NULL", (item,)).fetchone()[0]
        off_ledger = one("SELECT count(*) FROM lots l WHERE l.quantity <> (SELECT coalesce("
                         "sum(m.quantity), 0) FROM stock_movements m WHERE m.lot_id = l.id)"
                         ).fetchone()[0]
        transfers = one(
            "SELECT t.id, t.status, (SELECT coalesce(sum(quantity), 0) FROM transfer_lines "
            "WHERE transfer_id = t.id), "
            "(SELECT coalesce(-sum(quantity), 0) FROM stock_movements WHERE transfer_id = t.id "
            "AND kind = 'transfer_out'), "
            "(SELECT coalesce(sum(quantity), 0) FROM stock_movements WHERE transfer_id = t.id "
            "AND kind = 'transfer_in') FROM transfers t JOIN transfer_lines l ON "
            "l.transfer_id = t.id AND l.item_id = %s GROUP BY t.id", (item,)).fetchall()
        stock = one("SELECT coalesce(sum(quantity), 0) FROM lots WHERE item_id = %s",
                    (item,)).fetchone()[0]
        flows = dict(one("SELECT kind, sum(quantity) FROM stock_movements WHERE item_id = %s "
                         "GROUP BY kind", (item,)).fetchall())
        movements = one("SELECT count(*) FROM stock_movements WHERE item_id = %s",
                        (item,)).fetchone()[0]
        jobs = dict(one("SELECT status, count(*) FROM jobs GROUP BY status").fetchall())
    lost = duplicated = refused_written = unanswered = inconsistent = 0
    for key, sends in by_key.items():
        acked = [r for r in sends if r["status"] is not None and r["status"] < 300]
        found = written.get(key, set())
        if acked:
            answered = set(acked[0]["movements"])
            inconsistent += sum(set(r["movements"]) != answered for r in acked)
            lost += len(answered - found)
            duplicated += len(found - answered)
        elif any(r["status"] is not None for r in sends):
            refused_written += len(found)
        else:
            unanswered += 1
    strangers = sum(len(ids) for key, ids in written.items() if key not in by_key)
    in_transit = 0
    broken = []
    for transfer, status, lined, out, into in transfers:
        if status == "dispatched":
            in_transit += out
        fine = {"draft": out == into == 0, "cancelled": out == into == 0,
                "dispatched": out == lined and into == 0,
                "received": out == lined and into == out}[status]
        if not fine:
            broken.append({"transfer": transfer, "status": status, "lines": lined, "out": out,
                           "in": into})
    verify = subprocess.run([str(BIN / "flask"), "--app", "inventory", "verify-ledger"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    statuses = {s: sum(1 for t in transfers if t[1] == s) for s in
                ("draft", "dispatched", "received")}
    result = {
        "keyed_requests": len(by_key), "movements": movements, "lost": lost,
        "duplicated": duplicated, "refused_but_written": refused_written,
        "answers_differing_for_one_key": inconsistent, "unanswered": unanswered,
        "rows_of_unknown_keys": strangers, "rows_without_key": unkeyed,
        "lots_off_their_ledger": off_ledger, "transfers": statuses,
        "transfers_broken": broken, "jobs": jobs, "stock": stock, "in_transit": in_transit,
        "received": flows.get("receipt", 0), "issued": -flows.get("issue", 0),
        "ledger_verified": verify.returncode == 0, "verify_output": verify.stdout.strip()
        or verify.stderr.strip()[-500:],
    }
    result["conserved"] = stock + in_transit == result["received"] - result["issued"]
    result["passed"] = (lost == duplicated == refused_written == inconsistent == unanswered
                        == strangers == unkeyed == off_ledger == 0 and not broken
                        and result["conserved"] and result["ledger_verified"])
    return result


def run_load(url: str, world: dict, env: dict, *, port: int, seconds: float, fault: str,
             workers: int, threads: int, logs: Path, down: float = 3.0) -> dict:
    """Serve, drive the load with the fault at 40% of the time, stop, and check; the server's
    and the consumer's logs go to the folder ``logs``."""
    began = time.monotonic()
    servers = Servers(env, port, workers, threads, logs)
    servers.start_server()
    servers.start_consumer()
    timings = {"server_start": round(time.monotonic() - began, 1)}
    try:
        start_at = time.time() + 1
        stop_at = start_at + seconds
        fault_at = start_at + 0.4 * seconds if fault != "none" else float("inf")
        keepers = [(port, spec, n, fault_at, stop_at) for n, spec in enumerate(world["keepers"])]
        phones = [(port, spec, n, fault_at, stop_at, start_at)
                  for n, spec in enumerate(world["phones"])]
        context = multiprocessing.get_context("fork")
        with context.Pool(len(keepers) + len(phones) + 2) as pool:
            jobs = [pool.map_async(keeper, keepers)]
            if phones:
                jobs.append(pool.map_async(phone, phones))
            if world["planner"]:
                jobs.append(pool.map_async(planner, [(port, world["planner"],
                                                      world["scenario"], fault_at, stop_at)]))
            jobs.append(pool.map_async(auditor, [(port, world["auditor"], fault_at, stop_at)]))
            event = None
            if fault != "none":
                while time.time() < fault_at:
                    time.sleep(0.01)
                event = strike(fault, servers, down)
                if fault in ("restart-db", "stop-start-db") and (
                        servers.consumer.poll() is not None):
                    servers.start_consumer()  # as its service manager would
            results = [r for job in jobs for r in job.get()]
        timings["load_with_retries"] = round(time.time() - start_at, 1)
        load_load = os.getloadavg()
    finally:
        servers.stop()
    records = [r for found in results for r in found["records"]]
    errors: dict[str, int] = {}
    refusals: dict[str, int] = {}
    for found in results:
        for kind, n in found["errors"].items():
            errors[kind] = errors.get(kind, 0) + n
        for kind, n in found["refusals"].items():
            refusals[kind] = refusals.get(kind, 0) + n
    outcome = {"acknowledged": 0, "refused": 0, "unanswered": 0}
    by_op: dict[str, dict[str, int]] = {}
    for r in records:
        outcome["unanswered" if r["status"] is None else
                "acknowledged" if r["status"] < 300 else "refused"] += 1
        found = by_op.setdefault(r["op"], {})
        found[str(r["status"])] = found.get(str(r["status"]), 0) + 1
    result = {
        "fault": fault, "seconds": seconds, "load_average": [round(x, 2) for x in load_load],
        "http_requests": sum(r["attempts"] for r in results), "keyed_sends": len(records),
        "outcomes": outcome, "statuses_by_request": by_op, "errors": errors,
        "refusals": dict(sorted(refusals.items(), key=lambda kv: -kv[1])),
        "solves": next((r["runs"] for r in results if "runs" in r), None),
        "exports": next(r["exports"] for r in results if "exports" in r),
    }
    if event is not None:
        # Recovered: the first success among the requests sent after the last failure
        # (a pooled connection the restart broke may fail long after the database is back).
        last_failure = max([event["struck"]] + [r["failed_at"] for r in results])
        recovered = [answered for r in results for sent, answered in r["successes"]
                     if sent >= last_failure]
        result["last_failure_seconds"] = round(last_failure - event["struck"], 2)
        first = min(recovered) if recovered else None
        result["fault_event"] = {k: round(v - event["began"], 2) if isinstance(v, float)
                                 else v for k, v in event.items() if k != "began"}
        result["recovery_seconds"] = round(first - event["struck"], 2) if first else None
        result["recovery_after_back_seconds"] = (round(first - event["back"], 2)
                                                 if first else None)
    began = time.monotonic()
    result["check"] = check(url, env, records)
    timings["check"] = round(time.monotonic() - began, 1)
    result["timings"] = timings
    return result


def report(result: dict) -> None:
    row = result["check"]
    print(f"fault {result['fault']}: {result['seconds']} s, load average "
          f"{result['load_average']}")
    print(f"HTTP requests {result['http_requests']}, keyed sends {result['keyed_sends']} "
          f"{result['outcomes']}, movements of the load's item {row['movements']}")
    print(f"answers by request: {result['statuses_by_request']}")
    print(f"errors by kind: {result['errors'] or 'none'}")
    print("refusals: " + "; ".join(f"{n} x {kind}" for kind, n in result["refusals"].items()))
    print(f"solves {result['solves']}, exports {result['exports']}")
    if "recovery_seconds" in result:
        print(f"fault {result['fault_event']} (seconds from its start); last failed request "
              f"{result['last_failure_seconds']} s after it struck; recovered (the first "
              f"success after that) {result['recovery_seconds']} s after it struck, "
              f"{result['recovery_after_back_seconds']} s after the server or database "
              f"was back")
    print(f"lost {row['lost']}, duplicated {row['duplicated']}, refused but written "
          f"{row['refused_but_written']}, unanswered {row['unanswered']}, rows of unknown "
          f"keys {row['rows_of_unknown_keys']}, lots off their ledger "
          f"{row['lots_off_their_ledger']}")
    print(f"transfers {row['transfers']}, broken {row['transfers_broken'] or 'none'}; "
          f"stock {row['stock']} + in transit {row['in_transit']} = received "
          f"{row['received']} - issued {row['issued']}: "
          f"{'conserved' if row['conserved'] else 'NOT CONSERVED'}")
    print(f"jobs by status at the end: {row['jobs']}")
    print(f"ledger: {row['verify_output']}")
    print("exactly once, conserved, verified: " + ("PASS" if row["passed"] else "FAIL"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--phones", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--fault", default="none", choices=FAULTS)
    parser.add_argument("--down", type=float, default=3.0,
                        help="seconds the database stays stopped (stop-start-db)")
    parser.add_argument("--port", type=int, default=5097)
    args = parser.parse_args()
    name = f"bench_load_{os.getpid()}_{int(time.time())}"
    logs = ROOT / "bench-results" / name
    logs.mkdir(parents=True)
    url = database_url(name)
    admin(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory() as folder:
            world = prepare(url, args.clients, args.phones)
            env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench", LABEL_SECRET="bench",
                       JOBS_URL=f"sqlite:///{folder}/jobs.sqlite3", JOBS_NAME=name)
            env.pop("JOBS_IMMEDIATE", None)
            result = run_load(url, world, env, port=args.port, seconds=args.seconds,
                              fault=args.fault, workers=args.workers, threads=args.threads,
                              down=args.down, logs=logs)
        result["config"] = vars(args)
        report(result)
    finally:
        for _ in range(30):  # the database may still be starting after a fault
            try:
                admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                break
            except psycopg.OperationalError:
                time.sleep(1)
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    path = out / f"load-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    print(f"results: {path}")
    sys.exit(0 if result["check"]["passed"] else 1)


if __name__ == "__main__":
    main()
