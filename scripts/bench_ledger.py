"""Stock movements per second through a real server, beside pgbench's TPC-B on the same server.

    scripts/bench ledger [--clients 1,8,16] [--seconds 15] [--rounds 3] [--workers 2]
                         [--threads 4] [--worker-class gthread|sync]

Starts gunicorn (gthread, --reuse-port so that connections spread over the workers) on a
fresh PostgreSQL database, drives ``POST /api/v1/issues`` from concurrent clients (one process
each, keep-alive connections, a new Idempotency-Key per request) and reports movements per
second with p50/p95 latency; two variants: clients spread over their own lots, and all
clients on one hot lot (row-lock contention). Alternating with those runs, pgbench's TPC-B runs
on the same server at the same client counts: one stock movement is at heart one TPC-B
transaction (read and update a balance, append a history row). Medians over the rounds.
Floor: 20% of pgbench's tps at 8 clients (spread variant). Afterwards the ledger is verified
and the rows are counted.
Results go to bench-results/ledger-<time>.json.

Current figures, with the command behind each: docs/benchmarks.md.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
FLOOR = 0.20


def admin(sql: str) -> None:
    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute(sql)


def database_url(name: str) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def prepare(url: str, lots: int) -> tuple[str, list[int]]:
    """Migrate, then create a depot, an item, a keeper with a token and big lots."""
    sys.path.insert(0, str(ROOT))
    from alembic import command

    from inventory import create_app
    from inventory.auth.services import create_token, create_user
    from inventory.catalogue.models import Item
    from inventory.cli import alembic_config
    from inventory.db import db
    from inventory.geo.models import Area, Depot
    from inventory.stock import services

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "LABEL_SECRET": "bench"})
    with app.app_context():
        config = alembic_config(url)
        config.attributes["configure_logging"] = False
        command.upgrade(config, "head")
        area = Area(code="BENCH", name="基准县", level="county")
        db.session.add(area)
        db.session.add(Depot(code="B-01", name="基准库", area=area, kind="government",
                             active=True))
        db.session.add(Item(code="B-ITEM", name_zh="基准物资", name_en="Bench item",
                            category="生活类", unit="个"))
        db.session.commit()
        keeper = create_user(db.session, "bench", "bench-password", "keeper", depots=["B-01"])
        token = create_token(db.session, "bench")
        ids = []
        for n in range(lots):
            lot, _ = services.receive(db.session, keeper, depot="B-01", item="B-ITEM",
                                      quantity=1_000_000_000, lot_code=f"BENCH-{n:03d}")
            ids.append(lot.id)
        db.session.remove()
        db.engine.dispose()
    return token, ids


def wait_until_up(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not come up")


class RawHttp:
    """A minimal keep-alive HTTP/1.1 client: the load generator should cost the server's
    two cores as little as it can (http.client costs about three times as much)."""

    def __init__(self, port: int):
        self.port = port
        self.sock = None

    def _connect(self) -> None:
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def post(self, head: bytes, body: bytes) -> int:
        if self.sock is None:
            self._connect()
        self.sock.sendall(head + body)
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        header, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status = int(header[9:12])
        length = int(re.search(rb"(?i)\r\ncontent-length: *(\d+)", header).group(1))
        while len(self.buffer) < length:
            self._fill()
        self.buffer = self.buffer[length:]
        if re.search(rb"(?i)\r\nconnection: *close", header):  # e.g. gunicorn's sync workers
            self.close()
        return status

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        # Acknowledge at once (Linux): a delayed ACK would hold up the server's next write.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buffer += chunk

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def client(args) -> dict:
    """One client: issue 1 unit at a time from its lot until the end time."""
    port, token, lot, start_at, warm_until, stop_at = args
    conn = RawHttp(port)
    body = json.dumps({"lot": lot, "quantity": 1, "reason": "bench"}).encode()
    head = (f"POST /api/v1/issues HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nIdempotency-Key: ")
    latencies, statuses, counted = [], {}, 0
    while time.time() < start_at:
        time.sleep(0.001)
    while (now := time.time()) < stop_at:
        began = time.perf_counter()
        status = conn.post(f"{head}{uuid.uuid4().hex}\r\n\r\n".encode(), body)
        elapsed = time.perf_counter() - began
        statuses[status] = statuses.get(status, 0) + 1
        if now >= warm_until:
            latencies.append(elapsed)
            if status == 201:
                counted += 1
    conn.close()
    return {"latencies": latencies, "statuses": statuses, "counted": counted}


def drive(port: int, token: str, lots: list[int], clients: int, seconds: float,
          warm: float) -> dict:
    start_at = time.time() + 1.0
    jobs = [(port, token, lots[i % len(lots)], start_at, start_at + warm,
             start_at + warm + seconds) for i in range(clients)]
    with multiprocessing.get_context("fork").Pool(clients) as pool:
        results = pool.map(client, jobs)
    latencies = sorted(x for r in results for x in r["latencies"])
    statuses: dict = {}
    for r in results:
        for status, n in r["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n
    counted = sum(r["counted"] for r in results)
    return {
        "clients": clients,
        "movements_per_second": round(counted / seconds, 1),
        "p50_ms": round(1000 * statistics.median(latencies), 2) if latencies else None,
        "p95_ms": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 2)
        if latencies else None,
        "statuses": statuses,
    }


def median_run(variant: str, clients: int, found: list[dict]) -> dict:
    """The run with the median throughput, standing for its rounds."""
    ordered = sorted(found, key=lambda r: r["movements_per_second"])
    return ordered[(len(ordered) - 1) // 2] | {"variant": variant, "clients": clients}


def pgbench(name: str, clients: int, seconds: int) -> float:
    out = subprocess.run(
        ["pgbench", "-h", "127.0.0.1", "-U", "postgres", "-n", "-c", str(clients),
         "-j", str(min(clients, 2)), "-T", str(seconds), name],
        check=True, capture_output=True, text=True).stdout
    match = re.search(r"tps = ([\d.]+) \((?:without initial connection time|excluding)", out)
    if not match:
        match = re.search(r"tps = ([\d.]+)", out)
    return float(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="1,8,16")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--warm", type=float, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"])
    parser.add_argument("--port", type=int, default=5099)
    args = parser.parse_args()
    counts = [int(c) for c in args.clients.split(",")]
    suffix = f"{os.getpid()}_{int(time.time())}"
    ledger_db, tpcb_db = f"bench_ledger_{suffix}", f"bench_tpcb_{suffix}"
    url = database_url(ledger_db)
    server = None
    result: dict = {"started": datetime.now(UTC).isoformat(), "config": vars(args)}
    admin(f'CREATE DATABASE "{ledger_db}"')
    admin(f'CREATE DATABASE "{tpcb_db}"')
    try:
        token, lots = prepare(url, max(counts))
        env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench", LABEL_SECRET="bench")
        server = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{args.port}",
             "--workers", str(args.workers), "--worker-class", args.worker_class, "--reuse-port",
             "--threads", str(args.threads), "--log-level", "warning", "inventory:create_app()"],
            cwd=ROOT, env=env, start_new_session=True)
        wait_until_up(args.port)
        subprocess.run(["pgbench", "-h", "127.0.0.1", "-U", "postgres", "-i", "-s", "10", "-q",
                        tpcb_db], check=True, capture_output=True)
        # Rounds alternate our runs with pgbench's, so that a passing disturbance on the
        # machine weighs on both figures alike; the medians are reported.
        runs: dict = {}
        tpcb_runs: dict = {c: [] for c in counts}
        for round_ in range(1, args.rounds + 1):
            for variant, lot_set in (("spread", lots), ("hot lot", lots[:1])):
                for clients in counts:
                    row = drive(args.port, token, lot_set, clients, args.seconds, args.warm)
                    runs.setdefault((variant, clients), []).append(row)
                    print(f"round {round_}  {variant:8} {clients:3} clients: "
                          f"{row['movements_per_second']:8.1f} movements/s  "
                          f"p50 {row['p50_ms']} ms  p95 {row['p95_ms']} ms  {row['statuses']}",
                          flush=True)
            for clients in counts:
                tpcb_runs[clients].append(pgbench(tpcb_db, clients, int(args.seconds)))
                print(f"round {round_}  pgbench TPC-B {clients:3} clients: "
                      f"{tpcb_runs[clients][-1]:8.1f} tps", flush=True)
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        server = None
        rows = [median_run(variant, clients, found) for (variant, clients), found in runs.items()]
        tpcb = {clients: statistics.median(found) for clients, found in tpcb_runs.items()}
        print("\nmedians:")
        for row in rows:
            print(f"{row['variant']:8} {row['clients']:3} clients: "
                  f"{row['movements_per_second']:8.1f} movements/s  p50 {row['p50_ms']} ms  "
                  f"p95 {row['p95_ms']} ms")
        for clients in counts:
            print(f"pgbench TPC-B {clients:3} clients: {tpcb[clients]:8.1f} tps")

        verify = subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), "--app", "inventory",
                                 "verify-ledger"], cwd=ROOT, env=env, capture_output=True,
                                text=True)
        with psycopg.connect(url.replace("+psycopg", "")) as conn:
            issued = conn.execute(
                "SELECT count(*) FROM stock_movements WHERE kind = 'issue'").fetchone()[0]
        created = sum(r["statuses"].get(201, 0) for found in runs.values() for r in found)
        spread8 = next((r for r in rows if r["variant"] == "spread" and r["clients"] == 8), None)
        ratio = spread8["movements_per_second"] / tpcb[8] if spread8 and 8 in tpcb else None
        result.update({
            "movements": rows, "pgbench_tps": tpcb, "pgbench_runs": tpcb_runs,
            "runs": [{"variant": v, "clients": c, "movements_per_second":
                      [r["movements_per_second"] for r in found]}
                     for (v, c), found in runs.items()],
            "ratio_at_8_clients": round(ratio, 3) if ratio is not None else None,
            "floor": FLOOR, "passed": ratio is not None and ratio >= FLOOR,
            "ledger_verified": verify.returncode == 0, "verify_output": verify.stdout.strip(),
            "issue_rows": issued, "successful_responses": created,
            "rows_match_responses": issued == created,
        })
        print(f"\nratio at 8 clients: {ratio:.1%} of pgbench (floor {FLOOR:.0%}) -> "
              f"{'PASS' if result['passed'] else 'FAIL'}"
              if ratio is not None else "no 8-client run")
        print(f"ledger: {verify.stdout.strip() or verify.stderr.strip()}")
        print(f"issue rows {issued}, 201 responses {created}: "
              f"{'match' if issued == created else 'MISMATCH'}")
        out = ROOT / "bench-results"
        out.mkdir(exist_ok=True)
        path = out / f"ledger-{datetime.now():%Y%m%d-%H%M%S}.json"
        path.write_text(json.dumps(result, indent=2, ensure_ascii=False))
        print(f"results: {path.relative_to(ROOT)}")
        if not result["ledger_verified"] or not result["rows_match_responses"]:
            sys.exit(1)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        admin(f'DROP DATABASE IF EXISTS "{ledger_db}" WITH (FORCE)')
        admin(f'DROP DATABASE IF EXISTS "{tpcb_db}" WITH (FORCE)')


if __name__ == "__main__":
    main()
