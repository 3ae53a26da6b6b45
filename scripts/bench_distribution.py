"""A distribution day at scale: 2,000 households served from one shelter by 4 phones at once.

    scripts/bench distribution [--households 2000] [--phones 4] [--workers 2] [--threads 4]
                               [--duplicates 0.15]

Starts gunicorn on a fresh PostgreSQL database holding one shelter's store (water and
biscuits in several lots of different expiry, with a 72-hour norm on both), four keepers and
their tokens. Each phone serves a quarter of the households, each distribution a POST
/api/v1/distributions with a signature PNG, the household's ID number and its own
Idempotency-Key. Half of the phones have no signal: they serve their households while the
others send, keep the requests (with the device time of each handover), and replay them once
the online phones are done: out of order, a share of them twice (an answer lost on the way),
some of those twice at once from two connections. Then every distribution must be recorded
exactly once (one record per key and per household, replays answered with the first answer's
number), the issue rows must add up to what was handed out, and ``flask verify-ledger`` must
find every balance equal to its ledger.
Results go to bench-results/distribution-<time>.json; docs/benchmarks.md has the figures.
"""

import argparse
import base64
import http.client
import json
import multiprocessing
import os
import random
import signal
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SERVER = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
DEPOT = "BN-01"
WANT = {"FW-WATER-5L": 2, "FW-BISCUIT": 3}
#: lots per item and the days to their expiry: first-expiry-first-out crosses them in the day
LOTS = {"FW-WATER-5L": [60, 120, 240, 480], "FW-BISCUIT": [90, 365, 730]}


def admin(sql: str) -> None:
    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute(sql)


def database_url(name: str) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def prepare(url: str, households: int, phones: int) -> list[str]:
    """Migrate; create the shelter's store, its stock in lots, the norms, the keepers."""
    sys.path.insert(0, str(ROOT))
    from alembic import command

    from inventory import create_app
    from inventory.auth.services import create_token, create_user
    from inventory.catalogue.models import Item
    from inventory.cli import alembic_config
    from inventory.db import db
    from inventory.geo.models import Area, Depot
    from inventory.readiness.models import Norm
    from inventory.stock import services

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "LABEL_SECRET": "bench"})
    with app.app_context():
        config = alembic_config(url)
        config.attributes["configure_logging"] = False
        command.upgrade(config, "head")
        area = Area(code="BENCH", name="基准县", level="village")
        db.session.add(area)
        db.session.add(Depot(code=DEPOT, name="凤城镇中学避难场所", area=area, kind="shelter",
                             active=True))
        for code, name, unit in (("FW-WATER-5L", "桶装饮用水 5L", "桶"),
                                 ("FW-BISCUIT", "压缩饼干", "包")):
            item = Item(code=code, name_zh=name, name_en=code, category="食品类", unit=unit)
            db.session.add(item)
            db.session.flush()
            db.session.add(Norm(item_id=item.id, per_person=1, duration_hours=72, season="all"))
        db.session.commit()
        tokens = []
        for n in range(phones):
            user = create_user(db.session, f"phone{n}", "bench-password", "keeper",
                               depots=[DEPOT])
            tokens.append(create_token(db.session, f"phone{n}"))
        for code, days in LOTS.items():
            share = -(-households * WANT[code] // len(days)) + 10
            for n, expires in enumerate(days):
                services.receive(db.session, user, depot=DEPOT, item=code, quantity=share,
                                 lot_code=f"{code}-{n}",
                                 expires_on=date.today() + timedelta(days=expires))
        db.session.remove()
        db.engine.dispose()
    return tokens


def id_number(serial: int) -> str:
    """A well-formed ID number (right check character), one per household."""
    from inventory.distribution.domain import id_check_character

    first17 = f"6401{serial // 1000 % 100:02d}1980{serial % 12 + 1:02d}{serial % 28 + 1:02d}" \
              f"{serial % 1000:03d}"
    return first17 + id_check_character(first17)


def signature() -> str:
    """A small PNG, as the screen's canvas sends it."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (340, 150), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(20, 90), (120, 40), (200, 110), (320, 50)], fill="black",
                               width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def now_iso() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def request_for(serial: int, image: str) -> dict:
    return {"key": uuid.uuid4().hex, "body": {
        "depot": DEPOT, "name": f"户主{serial:04d}", "household_size": 1 + serial % 6,
        "phone": f"138{serial:08d}", "id_number": id_number(serial),
        "items": [{"item": code, "quantity": q} for code, q in WANT.items()],
        "confirmation": {"kind": "signature", "image": image}}}


class Phone:
    """One phone's keep-alive connection to the server."""

    def __init__(self, port: int, token: str):
        self.port, self.token = port, token
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def send(self, action: dict) -> tuple[int, float, str | None, bool]:
        """POST one distribution; return status, seconds, its number, whether replayed."""
        body = json.dumps(action["body"]).encode()
        began = time.perf_counter()
        for attempt in range(3):
            try:
                self.conn.request("POST", "/api/v1/distributions", body=body, headers={
                    "Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
                    "Idempotency-Key": action["key"]})
                response = self.conn.getresponse()
                data = response.read()
                break
            except (ConnectionError, http.client.HTTPException):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        elapsed = time.perf_counter() - began
        number = json.loads(data).get("number") if response.status == 201 else None
        return (response.status, elapsed, number,
                response.getheader("Idempotent-Replayed") == "true")


def online_phone(args) -> dict:
    """Serve households and send each distribution at once."""
    port, token, serials, image = args
    phone, results = Phone(port, token), []
    for serial in serials:
        action = request_for(serial, image)
        action["body"]["occurred_at"] = now_iso()
        status, elapsed, number, replayed = phone.send(action)
        results.append({"key": action["key"], "serial": serial, "status": status,
                        "seconds": elapsed, "number": number, "replayed": replayed})
    return {"results": results}


def offline_phone(args) -> dict:
    """Serve households without signal (a handover every few milliseconds, kept with its
    device time); the queue is replayed later by ``replay``."""
    _port, _token, serials, image, pace, _seed = args
    queue = []
    for serial in serials:
        action = request_for(serial, image)
        action["body"]["occurred_at"] = now_iso()
        queue.append(action | {"serial": serial})
        time.sleep(pace)
    return {"queue": queue}


def replay(args) -> dict:
    """Send a phone's queue once the signal is back: out of order, a share twice."""
    port, token, queue, duplicates, seed = args
    rng = random.Random(seed)
    order = queue[:]
    rng.shuffle(order)
    doubled = rng.sample(order, int(len(order) * duplicates))
    # An answer lost on the way: the phone sends the same request again later.
    sends = order + doubled
    rng.shuffle(sends)
    phone, results = Phone(port, token), []
    began = time.perf_counter()
    for action in sends:
        status, elapsed, number, replayed = phone.send(action)
        results.append({"key": action["key"], "serial": action["serial"], "status": status,
                        "seconds": elapsed, "number": number, "replayed": replayed})
    return {"results": results, "seconds": time.perf_counter() - began}


def racing(args) -> dict:
    """The same queued request from two connections at once (a retry racing the original)."""
    port, token, actions = args
    phone, results = Phone(port, token), []
    for action in actions:
        status, elapsed, number, replayed = phone.send(action)
        results.append({"key": action["key"], "serial": action["serial"], "status": status,
                        "seconds": elapsed, "number": number, "replayed": replayed})
    return {"results": results}


def summary(results: list[dict], seconds: float) -> dict:
    latencies = sorted(r["seconds"] for r in results)
    statuses: dict = {}
    for r in results:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    return {"requests": len(results), "seconds": round(seconds, 2),
            "requests_per_second": round(len(results) / seconds, 1),
            "p50_ms": round(1000 * statistics.median(latencies), 1),
            "p95_ms": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 1),
            "max_ms": round(1000 * latencies[-1], 1), "statuses": statuses,
            "replayed_answers": sum(r["replayed"] for r in results)}


def check(url: str, households: int, results: list[dict], env: dict) -> dict:
    """Every distribution recorded once; the issue rows add up; the ledger verifies."""
    numbers: dict = {}
    for r in results:
        if r["status"] == 201:
            numbers.setdefault(r["key"], set()).add(r["number"])
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        one = conn.execute
        records, keys, homes = one(
            "SELECT count(*), count(DISTINCT idempotency_key), count(DISTINCT household_key) "
            "FROM distributions").fetchone()
        issued = dict(one("SELECT i.code, -sum(m.quantity) FROM stock_movements m JOIN items i "
                          "ON i.id = m.item_id WHERE m.kind = 'issue' GROUP BY i.code"))
        lined = dict(one("SELECT i.code, sum(l.quantity) FROM distribution_lines l JOIN items i "
                         "ON i.id = l.item_id GROUP BY i.code"))
        unreferenced = one("SELECT count(*) FROM stock_movements m WHERE m.kind = 'issue' AND "
                           "NOT EXISTS (SELECT 1 FROM distributions d WHERE d.number = "
                           "m.reference)").fetchone()[0]
        redated = dict(one(
            "SELECT u.username, count(*) FROM distribution_lines l JOIN distributions d ON "
            "d.id = l.distribution_id JOIN stock_movements m ON m.id = l.movement_id JOIN users "
            "u ON u.id = d.keeper_id WHERE m.occurred_at <> d.occurred_at GROUP BY u.username"))
        balances = one("SELECT count(*) FROM lots l WHERE l.quantity <> (SELECT coalesce("
                       "sum(m.quantity), 0) FROM stock_movements m WHERE m.lot_id = l.id)"
                       ).fetchone()[0]
        stored = {row[0] for row in one("SELECT number FROM distributions")}
        full_ids = one("SELECT count(*) FROM distributions WHERE id_masked NOT LIKE '%*%'"
                       ).fetchone()[0]
    verify = subprocess.run([str(BIN / "flask"), "--app", "inventory", "verify-ledger"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    expected = {code: households * q for code, q in WANT.items()}
    return {
        "distributions": records, "distinct_keys": keys, "distinct_households": homes,
        "every_key_one_number": all(len(found) == 1 for found in numbers.values()),
        "answered_numbers_are_stored": set().union(*numbers.values()) == stored,
        "issued": issued, "expected": expected, "lines": lined,
        "issue_rows_without_a_distribution": unreferenced,
        "rows_dated_at_recording_by_phone": redated, "lots_off_their_ledger": balances,
        "ids_stored_in_clear": full_ids,
        "ledger_verified": verify.returncode == 0, "verify_output": verify.stdout.strip(),
        "exactly_once": records == keys == homes == households and issued == expected
        and lined == expected and unreferenced == 0 and balances == 0
        and verify.returncode == 0,
    }


def main() -> None:  # noqa: C901 - a script's steps in order
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--phones", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--duplicates", type=float, default=0.15)
    parser.add_argument("--port", type=int, default=5098)
    args = parser.parse_args()
    name = f"bench_distribution_{os.getpid()}_{int(time.time())}"
    url = database_url(name)
    admin(f'CREATE DATABASE "{name}"')
    server = None
    result: dict = {"started": datetime.now(UTC).isoformat(), "config": vars(args)}
    try:
        tokens = prepare(url, args.households, args.phones)
        env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench", LABEL_SECRET="bench")
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{args.port}", "--workers",
             str(args.workers), "--worker-class", "gthread", "--threads", str(args.threads),
             "--reuse-port", "--log-level", "warning", "inventory:create_app()"],
            cwd=ROOT, env=env, start_new_session=True)
        sys.path.insert(0, str(ROOT / "scripts"))
        from bench_ledger import wait_until_up

        wait_until_up(args.port)
        image = signature()
        shares = [list(range(n, args.households, args.phones)) for n in range(args.phones)]
        online = list(range(args.phones // 2))
        offline = list(range(args.phones // 2, args.phones))
        context = multiprocessing.get_context("fork")
        # The day: the online phones send as they serve; the others serve as fast, offline.
        began = time.perf_counter()
        with context.Pool(args.phones) as pool:
            sent = pool.map_async(online_phone, [(args.port, tokens[n], shares[n], image)
                                                 for n in online])
            held = pool.map_async(offline_phone, [(args.port, tokens[n], shares[n], image,
                                                   0.002, n) for n in offline])
            online_results = [r for found in sent.get() for r in found["results"]]
            online_seconds = time.perf_counter() - began
            queues = [found["queue"] for found in held.get()]
        print(f"online: {len(online_results)} distributions in {online_seconds:.1f} s "
              f"while {sum(map(len, queues))} waited offline", flush=True)
        # Signal again: each offline phone replays its queue out of order, some twice, and a
        # few of its requests race their own retry from a second connection.
        rng = random.Random(1)
        began = time.perf_counter()
        with context.Pool(2 * len(offline)) as pool:
            jobs = [pool.apply_async(replay, ((args.port, tokens[n], queue, args.duplicates,
                                               n),))
                    for n, queue in zip(offline, queues, strict=True)]
            jobs += [pool.apply_async(racing, ((args.port, tokens[n],
                                                rng.sample(queue, len(queue) // 20)),))
                     for n, queue in zip(offline, queues, strict=True)]
            replay_results = [r for job in jobs for r in job.get()["results"]]
        replay_seconds = time.perf_counter() - began
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        server = None
        result["online"] = summary(online_results, online_seconds)
        result["replay"] = summary(replay_results, replay_seconds)
        everything = online_results + replay_results
        result["day"] = {"households": args.households, "phones": args.phones,
                         "seconds": round(online_seconds + replay_seconds, 2),
                         "distributions_per_second": round(
                             args.households / (online_seconds + replay_seconds), 1)}
        result["check"] = check(url, args.households, everything, env)
        for phase in ("online", "replay"):
            row = result[phase]
            print(f"{phase:7} {row['requests']:5} requests in {row['seconds']:6.1f} s: "
                  f"{row['requests_per_second']:6.1f}/s  p50 {row['p50_ms']} ms  "
                  f"p95 {row['p95_ms']} ms  max {row['max_ms']} ms  {row['statuses']}  "
                  f"replayed answers {row['replayed_answers']}")
        print(f"day: {args.households} households in {result['day']['seconds']} s "
              f"({result['day']['distributions_per_second']} distributions/s)")
        print(json.dumps(result["check"], ensure_ascii=False, indent=1))
        print("exactly once and balances equal the ledger: "
              + ("PASS" if result["check"]["exactly_once"] else "FAIL"))
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    path = out / f"distribution-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    print(f"results: {path}")
    sys.exit(0 if result.get("check", {}).get("exactly_once") else 1)


if __name__ == "__main__":
    main()
