"""How fast the bureau learns whether the reserves meet a target, on PostgreSQL.

    scripts/bench adequacy [--lots 200000] [--rows-per-lot 10] [--runs 5]

Two data sets, each in a fresh database that is dropped afterwards:
- the demo county (平罗县, loaded through the services);
- a city: 10 counties × 13 townships × 10 villages, a depot in every area, 200 items,
  200,000 lots and 2 million ledger rows with valid hash chains (written with COPY),
  agreements and capacity reserves, and a target per county.
Times the adequacy of one whole-county target (median of --runs) and the dashboard page.
Floors: under 300 ms per target on the demo county, under 2 s on the city.
Results go to bench-results/adequacy-<time>.json.
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

from bench_ledger import admin, database_url  # noqa: E402

FLOORS = {"demo": 0.3, "city": 2.0}


def make_app(url: str, **settings):
    from alembic import command

    from inventory import create_app
    from inventory.cli import alembic_config

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "LABEL_SECRET": "bench", "WTF_CSRF_ENABLED": False, **settings})
    config = alembic_config(url)
    config.attributes["configure_logging"] = False
    command.upgrade(config, "head")
    return app


def load_city(url: str, lots: int, rows_per_lot: int, seed: int) -> dict:
    """Write the city with COPY: areas, depots, items, lots, ledger rows, reserves, targets."""
    rng = random.Random(seed)
    today = date.today()
    began = time.perf_counter()
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        cur = conn.cursor()
        cur.execute("INSERT INTO users (username, role, password_hash, active, created_at) "
                    "VALUES ('bench', 'admin', 'x', true, now()) RETURNING id")
        actor = cur.fetchone()[0]
        areas, depots = _copy_areas_and_depots(cur, rng)
        _copy_items_and_norms(cur, rng)
        now = datetime.now(UTC)
        _copy_lots_and_ledger(cur, rng, depots, actor, lots, rows_per_lot, today, now)
        _copy_reserves_and_targets(cur, rng, areas, today, now)
        conn.commit()
        cur.execute("ANALYZE")
    return {"areas": len(areas), "depots": len(depots), "items": 200, "lots": lots,
            "ledger_rows": lots * rows_per_lot, "load_seconds": round(time.perf_counter() - began,
                                                                        1)}


def _copy_areas_and_depots(cur, rng: random.Random) -> tuple[list[tuple], list[int]]:
    """Ten counties of thirteen townships of ten villages, and a depot in every area."""
    areas, depots = [], []  # (id, code, level, lat, lon, parent)
    next_area = 0

    def area(code, name, level, parent, lat, lon):
        nonlocal next_area
        next_area += 1
        areas.append((next_area, code, name, level, parent, lat, lon))
        return next_area

    for c in range(10):
        lat, lon = 38 + c * 0.3, 106 + c * 0.3
        county = area(f"64{c:02d}00", f"县{c}", "county", None, lat, lon)
        for t in range(13):
            t_lat, t_lon = lat + rng.uniform(-0.2, 0.2), lon + rng.uniform(-0.2, 0.2)
            town = area(f"64{c:02d}{t:02d}0", f"镇{c}-{t}", "township", county, t_lat, t_lon)
            for v in range(10):
                area(f"64{c:02d}{t:02d}{v + 1:02d}", f"村{c}-{t}-{v}", "village", town,
                     t_lat + rng.uniform(-0.05, 0.05), t_lon + rng.uniform(-0.05, 0.05))
    with cur.copy("COPY areas (id, code, name, level, parent_id, latitude, longitude) "
                  "FROM STDIN") as copy:
        for row in areas:
            copy.write_row(row)
    kinds = {"county": ("government", 5000), "township": ("government", 120),
             "village": ("community", 20)}
    with cur.copy("COPY depots (id, code, name, area_id, kind, capacity_m3, latitude, "
                  "longitude, handling_hours, active) FROM STDIN") as copy:
        for area_id, code, name, level, _parent, lat, lon in areas:
            kind, capacity = kinds[level]
            depots.append(area_id)
            copy.write_row((area_id, f"D{code}", f"{name}储备点", area_id, kind, capacity,
                            lat, lon, 1.0 if level == "county" else 0.5, True))
    cur.execute("SELECT setval('areas_id_seq', %s), setval('depots_id_seq', %s)",
                (len(areas), len(areas)))
    return areas, depots


def _copy_items_and_norms(cur, rng: random.Random) -> None:
    """Two hundred items, the first thirty with a per-person norm."""
    with cur.copy("COPY items (id, code, name_zh, name_en, category, unit, shelf_life_days, "
                  "unit_volume_m3, unit_weight_kg, active) FROM STDIN") as copy:
        for i in range(1, 201):
            copy.write_row((i, f"IT-{i:03d}", f"物资{i}", f"Item {i}",
                            rng.choice(["生活类", "食品饮水", "防汛抗旱", "医疗防疫"]), "件",
                            rng.choice([None, 365, 730, 1095]), Decimal("0.01"),
                            Decimal("1"), True))
    cur.execute("SELECT setval('items_id_seq', 200)")
    with cur.copy("COPY norms (item_id, per_person, duration_hours, season) FROM STDIN") \
            as copy:
        for i in range(1, 31):
            copy.write_row((i, Decimal(rng.choice(["0.02", "0.25", "1", "1.8", "3"])), 72,
                            "all"))


def _copy_lots_and_ledger(cur, rng: random.Random, depots: list[int], actor: int, lots: int,
                          rows_per_lot: int, today: date, now: datetime) -> None:
    """Lots in random depots, each with a hash-chained ledger of one receipt and its issues."""
    from inventory.stock.domain import GENESIS_HASH, HASHED_FIELDS, chain_hash

    start = now - timedelta(days=365)
    with cur.copy("COPY lots (id, item_id, depot_id, code, received_on, expires_on, source, "
                  "status, quantity, seq, head_hash, created_at) FROM STDIN") as lot_copy:
        ledger = []
        for lot_id in range(1, lots + 1):
            depot = rng.choice(depots)
            item = rng.randint(1, 200)
            balance, prev, when = 0, GENESIS_HASH, start + timedelta(minutes=lot_id % 9000)
            for seq in range(1, rows_per_lot + 1):
                quantity = rng.randint(50, 500) if seq == 1 else (
                    -rng.randint(1, max(1, balance // 20)) if balance > 1 else 1)
                balance += quantity
                when += timedelta(hours=rng.randint(1, 48))
                row = {"lot_id": lot_id, "seq": seq, "depot_id": depot, "item_id": item,
                       "kind": "receipt" if quantity > 0 else "issue", "quantity": quantity,
                       "balance_after": balance, "occurred_at": when, "recorded_at": when,
                       "actor_id": actor, "reason": None, "recipient": None,
                       "reference": None, "idempotency_key": None, "transfer_id": None,
                       "reverses_id": None}
                digest = chain_hash(prev, {k: row[k] for k in HASHED_FIELDS})
                ledger.append((*row.values(), prev, digest))
                prev = digest
            expires = today + timedelta(days=rng.randint(-30, 900))
            lot_copy.write_row((lot_id, item, depot, f"L{lot_id}", start.date(), expires,
                                "purchase", rng.choice(["available"] * 19 + ["quarantined"]),
                                balance, rows_per_lot, prev, now))
    cur.execute("SELECT setval('lots_id_seq', %s)", (lots,))
    with cur.copy("COPY stock_movements (lot_id, seq, depot_id, item_id, kind, quantity, "
                  "balance_after, occurred_at, recorded_at, actor_id, reason, recipient, "
                  "reference, idempotency_key, transfer_id, reverses_id, prev_hash, hash) "
                  "FROM STDIN") as copy:
        for row in ledger:
            copy.write_row(row)


def _copy_reserves_and_targets(cur, rng: random.Random, areas: list[tuple], today: date,
                               now: datetime) -> None:
    """Agreements, capacity reserves, a target per county and the minimum stock per tier."""
    with cur.copy("COPY agreements (number, supplier, item_id, committed_quantity, "
                  "response_hours, response_to, valid_from, valid_until, status, created_at) "
                  "FROM STDIN") as copy:
        for n in range(500):
            copy.write_row((f"XY-{n:04d}", f"供应商{n}", rng.randint(1, 30),
                            rng.randint(100, 5000), rng.choice([2, 4, 8, 12]),
                            rng.choice(["county", "site"]), today - timedelta(days=100),
                            today + timedelta(days=200), "active", now))
    with cur.copy("COPY capacity_reserves (enterprise, item_id, rate_per_hour, ramp_hours, "
                  "max_quantity, area_id, valid_from, valid_until) FROM STDIN") as copy:
        for n in range(200):
            copy.write_row((f"企业{n}", rng.randint(1, 30), rng.randint(20, 500),
                            rng.choice([2, 3, 4, 6]), rng.randint(500, 5000),
                            rng.choice([a[0] for a in areas if a[3] == "county"]),
                            today - timedelta(days=10), today + timedelta(days=300)))
    for c in range(10):
        cur.execute("INSERT INTO targets (name, area_id, people, deadline_hours, season, "
                    "active) SELECT %s, id, 1200, 10, 'all', true FROM areas WHERE code = %s",
                    (f"县{c} 1200 人", f"64{c:02d}00"))
    # Minimum stock per tier: every township point for 50 people, every village point for
    # 10 (by the norms), every county warehouse 200 of the first item.
    cur.execute("INSERT INTO stock_minimums (level, people, season, active) VALUES "
                "('township', 50, 'all', true), ('village', 10, 'all', true)")
    cur.execute("INSERT INTO stock_minimums (level, season, item_id, quantity, active) "
                "VALUES ('county', 'all', 1, 200, true)")


def measure(app, runs: int) -> dict:
    """Median seconds for one county target's adequacy, and for the dashboard page."""
    from sqlalchemy import select

    from inventory.auth.models import User
    from inventory.db import db
    from inventory.readiness import queries as readiness_queries
    from inventory.readiness.models import Target

    with app.app_context():
        target = db.session.scalars(select(Target).where(Target.people == 1200)
                                    .order_by(Target.id)).first()
        times = []
        for _ in range(runs):
            db.session.expire_all()
            began = time.perf_counter()
            result = readiness_queries.assess_target(db.session, target)
            times.append(time.perf_counter() - began)
        targets = db.session.scalar(select(db.func.count(Target.id)))
        began = time.perf_counter()
        readiness_queries.minimum_compliance(db.session)
        minimum_seconds = round(time.perf_counter() - began, 3)
        username = db.session.scalar(select(User.username).where(User.role == "admin"))
    client = app.test_client()
    with client.session_transaction() as session:
        with app.app_context():
            session["_user_id"] = str(db.session.scalar(
                select(User.id).where(User.username == username)))
            session["_fresh"] = True
    page_times = []
    for _ in range(max(1, runs // 2)):
        began = time.perf_counter()
        response = client.get("/readiness/")
        page_times.append(time.perf_counter() - began)
        assert response.status_code == 200, response.status_code
    return {"target_seconds": round(statistics.median(times), 4),
            "people_supplied": result.people_supplied, "items": len(result.items),
            "dashboard_seconds": round(statistics.median(page_times), 3),
            "dashboard_targets": targets, "minimums_seconds": minimum_seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lots", type=int, default=200_000)
    parser.add_argument("--rows-per-lot", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    results: dict = {"started": datetime.now(UTC).isoformat(), "config": vars(args),
                     "floors_seconds": FLOORS}
    for name in ("demo", "city"):
        database = f"bench_adequacy_{name}_{os.getpid()}"
        admin(f'CREATE DATABASE "{database}"')
        try:
            url = database_url(database)
            app = make_app(url)
            if name == "demo":
                from inventory import demo
                from inventory.db import db

                with app.app_context():
                    began = time.perf_counter()
                    loaded = demo.seed(db.session) | {
                        "load_seconds": round(time.perf_counter() - began, 1)}
            else:
                loaded = load_city(url, args.lots, args.rows_per_lot, args.seed)
            figures = measure(app, args.runs)
            with app.app_context():
                from inventory.db import db
                db.session.remove()
                db.engine.dispose()
            passed = figures["target_seconds"] < FLOORS[name]
            results[name] = {"data": loaded, **figures, "passed": passed}
            print(f"{name:5} {loaded}\n      one target {1000 * figures['target_seconds']:.0f} ms "
                  f"(floor {1000 * FLOORS[name]:.0f} ms) -> {'PASS' if passed else 'FAIL'}; "
                  f"dashboard ({figures['dashboard_targets']} targets) "
                  f"{1000 * figures['dashboard_seconds']:.0f} ms, of which minimum stock at every "
                  f"depot {1000 * figures['minimums_seconds']:.0f} ms", flush=True)
        finally:
            admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    path = out / f"adequacy-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    print(f"results: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
