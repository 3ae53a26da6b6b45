"""How fast the ledger exports stream a million rows, on PostgreSQL, beside COPY.

    scripts/bench export [--lots 100000] [--rows-per-lot 10] [--formats csv,xlsx] [--rounds 3]
                         [--verify]

The city of ``scripts/bench reports`` (1,440 depots, 200 items) in a fresh database, dropped
afterwards, with 100,000 lots of 10 ledger rows each: one million rows, written with COPY.

In the same run, for the whole ledger: PostgreSQL's own ``COPY (SELECT …) TO STDOUT (FORMAT
csv)`` of the export's query (the same joins, columns and order), read by psycopg; then each
export format as ``GET /api/v1/ledger/export.<format>`` through the application (Flask test
client, response streamed), each in a fresh process so that its peak memory (maximum resident
set size) is its own; COPY and the formats take turns over --rounds, and the medians are
reported: rows per second, seconds to the first byte, peak memory and
its rise over the process before the request (the application alone, before any request, holds
about 190 MB: the optimizer's solvers, reportlab, openpyxl). Floors: CSV at least a quarter of
COPY's rate, memory taken by the export under 200 MB, first byte under 1 s. Results go to
bench-results/export-<time>.json.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_adequacy import make_app  # noqa: E402
from bench_ledger import admin, database_url  # noqa: E402
from bench_reports import load_city  # noqa: E402

RATE_SHARE = 0.25
MEMORY_MB = 200
FIRST_BYTE_SECONDS = 1.0


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_copy(app, url: str) -> dict:
    """COPY of the export's query to STDOUT, read to the end by psycopg."""
    from sqlalchemy.dialects import postgresql

    from inventory.exports import queries
    from inventory.stock.models import Movement

    with app.app_context():
        stmt = queries._select(queries.LedgerFilter()).order_by(Movement.id)
        sql = str(stmt.compile(dialect=postgresql.dialect(),
                               compile_kwargs={"literal_binds": True}))
    began = time.perf_counter()
    first = None
    size = 0
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        with conn.cursor().copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
            for block in copy:
                if first is None:
                    first = time.perf_counter() - began
                size += len(block)
    seconds = time.perf_counter() - began
    return {"seconds": round(seconds, 2), "first_byte_seconds": round(first or 0, 3),
            "megabytes": round(size / 1e6, 1)}


def measure_export(url: str, fmt: str) -> dict:
    """One export through the application, in this (fresh) process."""
    from inventory import create_app
    from inventory.auth.services import create_token
    from inventory.db import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "LABEL_SECRET": "bench"})
    with app.app_context():
        token = create_token(db.session, "bench")
        db.session.commit()
    client = app.test_client()
    before = _rss_mb()
    began = time.perf_counter()
    response = client.get(f"/api/v1/ledger/export.{fmt}", buffered=False,
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.status_code
    first, size = None, 0
    for chunk in response.response:
        if first is None:
            first = time.perf_counter() - began
        size += len(chunk)
    response.close()
    seconds = time.perf_counter() - began
    return {"seconds": round(seconds, 2), "first_byte_seconds": round(first, 3),
            "megabytes": round(size / 1e6, 1), "peak_mb": round(_rss_mb(), 1),
            "rise_mb": round(_rss_mb() - before, 1)}


def measure_verify(url: str, workdir: Path) -> dict:
    """``export-ledger`` of the whole ledger as CSV to a file, then ``verify-export`` of it."""

    from inventory import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "LABEL_SECRET": "bench"})
    runner = app.test_cli_runner()
    out = workdir / "ledger.csv"
    with app.app_context():  # as `flask --app inventory …` pushes it
        began = time.perf_counter()
        result = runner.invoke(args=["export-ledger", "--format", "csv", "--out", str(out)])
        assert result.exit_code == 0, result.output
        exported = time.perf_counter() - began
        began = time.perf_counter()
        result = runner.invoke(args=["verify-export", str(out)])
        assert result.exit_code == 0, result.output
    return {"export_seconds": round(exported, 1),
            "verify_seconds": round(time.perf_counter() - began, 1),
            "megabytes": round(out.stat().st_size / 1e6, 1), "peak_mb": round(_rss_mb(), 1)}


def _medians(runs: list[dict]) -> dict:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def _judge_formats(formats: list[str], figures: dict, copy_rate: int) -> bool:
    """Print each format's figures against the floors; return whether all of them pass."""
    passed = True
    for fmt in formats:
        got = figures[fmt]
        if "first_byte_seconds" not in got:
            continue
        checks = [got["rise_mb"] < MEMORY_MB, got["first_byte_seconds"] < FIRST_BYTE_SECONDS]
        if fmt == "csv":
            checks.append(got["rows_per_second"] >= RATE_SHARE * copy_rate)
        passed = passed and all(checks)
        print(f"  {fmt}: {got['rows_per_second']:,} rows/s ({got['seconds']} s, "
              f"{got['megabytes']} MB; {got['rows_per_second'] / copy_rate:.0%} of COPY), "
              f"first byte {got['first_byte_seconds']} s, peak memory {got['peak_mb']} MB "
              f"(+{got['rise_mb']} MB during the export) -> {'PASS' if all(checks) else 'FAIL'}")
    return passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lots", type=int, default=100_000)
    parser.add_argument("--rows-per-lot", type=int, default=10)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--rounds", type=int, default=3,
                        help="COPY and the formats in turn, this many times (medians)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--database", help="measure this database, loaded and kept before")
    parser.add_argument("--verify", action="store_true",
                        help="also export-ledger to a file and verify-export it")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a child process measuring a format
    args = parser.parse_args()
    if args.one == "verify":
        with tempfile.TemporaryDirectory() as workdir:
            print(json.dumps(measure_verify(database_url(args.database), Path(workdir))))
        return
    if args.one:
        print(json.dumps(measure_export(database_url(args.database), args.one)))
        return
    database = args.database or f"bench_export_{os.getpid()}"
    if not args.database:
        admin(f'CREATE DATABASE "{database}"')
    figures: dict = {}
    try:
        url = database_url(database)
        app = make_app(url)
        loaded = (load_city(url, args.lots, args.rows_per_lot, args.seed) if not args.database
                  else {"database": database})
        print(f"loaded {loaded}", flush=True)
        with psycopg.connect(url.replace("+psycopg", "")) as conn:
            rows = conn.execute("SELECT count(*) FROM stock_movements").fetchone()[0]
        load = [round(os.getloadavg()[0], 1)]
        runs: dict[str, list[dict]] = {}
        for _ in range(args.rounds):
            runs.setdefault("copy", []).append(measure_copy(app, url))
            for fmt in args.formats.split(","):
                child = subprocess.run([sys.executable, __file__, "--database", database,
                                        "--one", fmt], capture_output=True, text=True,
                                       check=True)
                runs.setdefault(fmt, []).append(
                    json.loads(child.stdout.strip().splitlines()[-1]))
        figures = {name: _medians(found) for name, found in runs.items()}
        if args.verify:
            child = subprocess.run([sys.executable, __file__, "--database", database,
                                    "--one", "verify"], capture_output=True, text=True,
                                   check=True)
            verified = json.loads(child.stdout.strip().splitlines()[-1])
        load.append(round(os.getloadavg()[0], 1))
        with app.app_context():
            from inventory.db import db

            db.session.remove()
            db.engine.dispose()
    finally:
        if args.keep or args.database:
            print(f"kept the database {database}")
        else:
            admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    for got in figures.values():
        got["rows_per_second"] = round(rows / got["seconds"])
    if args.verify:
        figures["verify"] = verified
        print(f"  export-ledger --format csv: {verified['export_seconds']} s; verify-export of "
              f"that file ({verified['megabytes']} MB): {verified['verify_seconds']} s, peak "
              f"memory {verified['peak_mb']} MB")
    copy_rate = figures["copy"]["rows_per_second"]
    print(f"{rows:,} ledger rows; load average {load[0]} at the start, {load[1]} at the end")
    print(f"  COPY (SELECT …) TO STDOUT: {copy_rate:,} rows/s ({figures['copy']['seconds']} s, "
          f"{figures['copy']['megabytes']} MB, first byte {figures['copy']['first_byte_seconds']}"
          " s)")
    passed = _judge_formats(args.formats.split(","), figures, copy_rate)
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    path = out / f"export-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps({"started": datetime.now(UTC).isoformat(), "config": vars(args),
                                "rows": rows, **figures, "load_average": load,
                                "floors": {"csv_share_of_copy": RATE_SHARE,
                                           "peak_mb": MEMORY_MB,
                                           "first_byte_seconds": FIRST_BYTE_SECONDS},
                                "passed": passed}, indent=2, ensure_ascii=False))
    print(f"results: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
