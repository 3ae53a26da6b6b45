"""How fast the period reports read a large ledger, on PostgreSQL.

    scripts/bench reports [--lots 200000] [--rows-per-lot 10] [--runs 5]

A city in a fresh database, dropped afterwards: 10 counties × 13 townships × 10 villages with
a depot in each (1,440), 200 items in 8 categories, each depot stocking some of them (a county
warehouse 150, a township point 40, a village point 10: about 19,700 depot-and-item lines),
200,000 lots (one in fifty without a unit cost) and 2 million ledger rows of every kind over
the 13 months to today, written with COPY. The rows' hash chains are not valid (a placeholder
hash): the reports never read them, and chaining 2 million rows would only slow the load.

Times, medians of --runs: the year's stock summary (1 January to 31 December of this year)
computed by ``inventory.reports.queries.stock_summary`` (the SQL and the grouping every page,
download and JSON answer starts from) — the floor is 2 s — and, beside it, the same summary as
the JSON answer of ``GET /api/v1/reports/stock-summary``, one county's depots, and stock on hand
at the middle of the year. Results go to bench-results/reports-<time>.json.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_adequacy import make_app  # noqa: E402
from bench_ledger import admin, database_url  # noqa: E402

FLOOR = 2.0
CATEGORIES = ["生活类", "食品饮水", "防汛抗旱", "医疗防疫", "森林防灭火", "消防", "通信照明",
              "矿山救援"]
#: items a depot of each tier stocks
STOCKED = {"county": 150, "township": 40, "village": 10}
PLACEHOLDER_HASH = "0" * 64


def _geography(cur, rng) -> list[tuple[int, str]]:
    """Write areas and a depot in each; return (depot id, tier)."""
    areas = []
    for c in range(10):
        county = len(areas) + 1
        areas.append((county, f"64{c:02d}00", f"县{c}", "county", None))
        for t in range(13):
            town = len(areas) + 1
            areas.append((town, f"64{c:02d}{t:02d}0", f"镇{c}-{t}", "township", county))
            for v in range(10):
                areas.append((len(areas) + 1, f"64{c:02d}{t:02d}{v + 1:02d}", f"村{c}-{t}-{v}",
                              "village", town))
    with cur.copy("COPY areas (id, code, name, level, parent_id) FROM STDIN") as copy:
        for row in areas:
            copy.write_row(row)
    with cur.copy("COPY depots (id, code, name, area_id, kind, handling_hours, active) "
                  "FROM STDIN") as copy:
        for area_id, code, name, level, _parent in areas:
            copy.write_row((area_id, f"D{code}", f"{name}储备点", area_id,
                            "community" if level == "village" else "government", 1, True))
    cur.execute("SELECT setval('areas_id_seq', %s), setval('depots_id_seq', %s)",
                (len(areas), len(areas)))
    with cur.copy("COPY items (id, code, name_zh, name_en, category, unit, active) FROM STDIN") \
            as copy:
        for i in range(1, 201):
            copy.write_row((i, f"IT-{i:03d}", f"物资{i}", f"Item {i}", CATEGORIES[i % 8], "件",
                            True))
    cur.execute("SELECT setval('items_id_seq', 200)")
    return [(area_id, level) for area_id, _code, _name, level, _parent in areas]


def _lot_rows(lot_id: int, rows: int, start: datetime, span: float, seed: int) -> list[tuple]:
    """One lot's ledger: a receipt (or a transfer in), then movements of every kind; the same
    rows every time for the same lot and seed."""
    rng = random.Random(seed * 1_000_003 + lot_id)
    balance, when, out = 0, start, []
    for seq in range(1, rows + 1):
        when += timedelta(seconds=rng.uniform(0, span / rows))
        if seq == 1:
            kind, quantity = rng.choice(["receipt"] * 9 + ["transfer_in"]), rng.randint(200, 900)
        else:
            kind = rng.choices(["receipt", "issue", "transfer_out", "transfer_in", "adjustment",
                                "write_off", "rotation_out", "reversal"],
                               [10, 40, 10, 8, 10, 6, 8, 8])[0]
            if kind in ("receipt", "transfer_in"):
                quantity = rng.randint(10, 200)
            elif kind == "adjustment" or kind == "reversal":
                quantity = rng.choice([-1, 1]) * rng.randint(1, 5)
            else:
                quantity = -rng.randint(1, 20)
            if balance + quantity < 0:
                kind, quantity = "receipt", rng.randint(10, 200)
        balance += quantity
        out.append((lot_id, seq, kind, quantity, balance, when))
    return out


def load_city(url: str, lots: int, rows_per_lot: int, seed: int) -> dict:
    """Write the city and its ledger with COPY; return what was written."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    start = now - timedelta(days=396)  # thirteen months: some history before 1 January
    span = (now - start).total_seconds()
    began = time.perf_counter()
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        cur = conn.cursor()
        cur.execute("INSERT INTO users (username, role, password_hash, active, created_at) "
                    "VALUES ('bench', 'admin', 'x', true, now()) RETURNING id")
        actor = cur.fetchone()[0]
        depots = _geography(cur, rng)
        lines = [(depot, item) for depot, tier in depots
                 for item in rng.sample(range(1, 201), STOCKED[tier])]
        # One COPY at a time on a connection: the lots first (each needs its final balance),
        # then their ledgers, each lot's drawn again from the same seed.
        with cur.copy("COPY lots (id, item_id, depot_id, code, received_on, source, status, "
                      "unit_cost, quantity, seq, head_hash, created_at) FROM STDIN") as copy:
            for lot_id in range(1, lots + 1):
                depot, item = lines[lot_id % len(lines)]
                ledger = _lot_rows(lot_id, rows_per_lot, start, span, seed)
                cost = None if lot_id % 50 == 0 else Decimal(rng.randint(100, 500000)) / 100
                copy.write_row((lot_id, item, depot, f"L{lot_id}", start.date(), "purchase",
                                "available", cost, ledger[-1][4], rows_per_lot,
                                PLACEHOLDER_HASH, now))
        rows = 0
        with cur.copy("COPY stock_movements (lot_id, seq, depot_id, item_id, kind, quantity, "
                      "balance_after, occurred_at, recorded_at, actor_id, prev_hash, hash) "
                      "FROM STDIN") as copy:
            for lot_id in range(1, lots + 1):
                depot, item = lines[lot_id % len(lines)]
                for _lot, seq, kind, quantity, balance, when in _lot_rows(
                        lot_id, rows_per_lot, start, span, seed):
                    copy.write_row((lot_id, seq, depot, item, kind, quantity, balance, when,
                                    when, actor, PLACEHOLDER_HASH, PLACEHOLDER_HASH))
                    rows += 1
        cur.execute("SELECT setval('lots_id_seq', %s)", (lots,))
        conn.commit()
        conn.autocommit = True
        cur.execute("VACUUM ANALYZE")
    return {"depots": len(depots), "items": 200, "lines": len(set(lines)), "lots": lots,
            "ledger_rows": rows, "load_seconds": round(time.perf_counter() - began, 1)}


def _median(runs: int, action) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        began = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - began)
    return round(statistics.median(times), 3), result


def measure(app, runs: int) -> dict:
    """Median seconds of the year's summary, its JSON answer, one county, stock on hand."""
    from sqlalchemy import select

    from inventory.auth.models import User
    from inventory.auth.services import create_token
    from inventory.db import db
    from inventory.reports import queries, scope
    from inventory.stock.models import Movement

    today = date.today()
    year = scope.Period(date(today.year, 1, 1), date(today.year, 12, 31))
    with app.app_context():
        token = create_token(db.session, "bench")
        db.session.commit()
        summary_seconds, report = _median(runs, lambda: queries.stock_summary(db.session, year))
        assert not report.unbalanced, "a line fails the check"
        bench = db.session.scalar(select(User).where(User.username == "bench"))
        depot = scope.scope(db.session, bench, depot="D640000")  # the first county warehouse
        one_depot_seconds, _ = _median(runs, lambda: queries.stock_summary(db.session, year,
                                                                           depot))
        middle = datetime(today.year, 7, 1, tzinfo=UTC)
        on_hand_seconds, on_hand = _median(runs, lambda: queries.stock_on_hand(db.session,
                                                                               middle))
        lines = len(report.lines)
        rows = db.session.scalar(select(db.func.count()).select_from(Movement))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    json_seconds, answer = _median(max(1, runs // 2), lambda: client.get(
        f"/api/v1/reports/stock-summary?from={year.first}&to={year.last}", headers=headers))
    assert answer.status_code == 200, answer.status_code
    return {"summary_seconds": summary_seconds, "summary_lines": lines, "summary_rows": rows,
            "one_depot_seconds": one_depot_seconds, "on_hand_seconds": on_hand_seconds,
            "on_hand_lines": len(on_hand.lines), "json_seconds": json_seconds,
            "json_megabytes": round(len(answer.data) / 1e6, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lots", type=int, default=200_000)
    parser.add_argument("--rows-per-lot", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--database", help="measure this database, loaded and kept before")
    args = parser.parse_args()
    database = args.database or f"bench_reports_{os.getpid()}"
    if not args.database:
        admin(f'CREATE DATABASE "{database}"')
    try:
        url = database_url(database)
        app = make_app(url)
        loaded = (load_city(url, args.lots, args.rows_per_lot, args.seed) if not args.database
                  else {"database": database})
        print(f"loaded {loaded}", flush=True)
        load = [round(os.getloadavg()[0], 1)]
        figures = measure(app, args.runs)
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
    passed = figures["summary_seconds"] < FLOOR
    print(f"the year's stock summary over {figures['summary_rows']:,} ledger rows: "
          f"{figures['summary_seconds']:.2f} s for {figures['summary_lines']:,} lines "
          f"(floor {FLOOR:.0f} s) -> {'PASS' if passed else 'FAIL'}; load average {load[0]} "
          f"at the start, {load[1]} at the end\n"
          f"  as JSON (GET /api/v1/reports/stock-summary): {figures['json_seconds']:.2f} s, "
          f"{figures['json_megabytes']} MB\n"
          f"  one county warehouse: {figures['one_depot_seconds']:.3f} s; stock on hand on "
          f"1 July: {figures['on_hand_seconds']:.2f} s", flush=True)
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    path = out / f"reports-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps({"started": datetime.now(UTC).isoformat(), "config": vars(args),
                                "floor_seconds": FLOOR, "data": loaded, **figures,
                                "load_average": load, "passed": passed},
                               indent=2, ensure_ascii=False))
    print(f"results: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
