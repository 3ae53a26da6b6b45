"""Bulk operations at the scale of real counts, on PostgreSQL.

    scripts/bench bulk [--lots 5000] [--rows 20000] [--variance-share 0.25] [--seed 2026]

In a fresh database (dropped afterwards):
- stocktake: one depot with --lots lots, received through the stock service (``receive_many``,
  which receives as ``receive`` does, a delivery at a time, in a few statements); a stocktake
  started, every lot counted and the count submitted through the stocktake service (a share
  of the lots with a variance, a few counted to zero); then the approval is timed through
  ``POST /api/v1/stocktakes/<id>/approve``. Floor: under 5 s.
- opening stock: a workbook of --rows rows (openpyxl) over 20 depots and 200 items, some
  rows without a lot code, some topping up a lot of an earlier row; timed through
  ``POST /api/v1/imports/opening_stock/preview`` and ``POST /api/v1/imports/opening_stock``,
  as the import page does (preview, then commit). Floor: under 30 s for the two together.
  The same file sent again must find every row already imported.
Afterwards ``flask verify-ledger`` must find the ledger consistent and every lot must hold
what was counted or imported. Results go to bench-results/bulk-<time>.json.
"""

import argparse
import io
import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_adequacy import make_app  # noqa: E402
from bench_ledger import admin, database_url  # noqa: E402

FLOORS = {"approve": 5.0, "import": 30.0}
DEPOT = "BULK-01"
IMPORT_DEPOTS = [f"OP-{n:02d}" for n in range(1, 21)]
ITEMS = [f"BULK-{n:03d}" for n in range(1, 201)]


def seed(session) -> dict:
    """A county with the stocktake's depot and the import's depots, the items and the users;
    return the API tokens."""
    from inventory.auth.services import create_token, create_user
    from inventory.catalogue.models import Item
    from inventory.geo.models import Area, Depot

    county = Area(code="BULK", name="基准县", level="county")
    session.add(county)
    for code in [DEPOT, *IMPORT_DEPOTS]:
        session.add(Depot(code=code, name=f"储备库 {code}", area=county, kind="government",
                          active=True))
    for n, code in enumerate(ITEMS):
        session.add(Item(code=code, name_zh=f"物资{n}", name_en=f"Item {n}", category="生活类",
                         unit="件", shelf_life_days=730 if n % 2 else None))
    session.commit()
    for name in ("keeper", "bureau", "admin"):
        create_user(session, name, "bench-password", name,
                    depots=[DEPOT] if name == "keeper" else [])
    return {name: create_token(session, name) for name in ("bureau", "admin")}


def stock_the_depot(session, keeper, lots: int, rng: random.Random) -> list[int]:
    """Receive the lots of the stocktake's depot through the stock service (many at once)."""
    from sqlalchemy import select

    from inventory.stock.bulk import Delivery, receive_many
    from inventory.stock.models import Lot

    today = date.today()
    receive_many(session, keeper, [
        Delivery(depot=DEPOT, item=ITEMS[n % len(ITEMS)], quantity=rng.randint(1, 500),
                 lot_code=f"ST-{n:05d}",
                 expires_on=today + timedelta(days=rng.randint(30, 900)) if n % 3 else None)
        for n in range(lots)])
    return list(session.scalars(select(Lot.id).where(Lot.code.like("ST-%")).order_by(Lot.id)))


def count_everything(session, keeper, lot_ids: list[int], share: float,
                     rng: random.Random) -> tuple[int, dict[int, int]]:
    """Start a stocktake and count every lot through the service; return it and the counts."""
    from inventory.stock.models import Lot
    from inventory.stocktake import services

    stocktake = services.start(session, keeper, depot=DEPOT, note="全库盘点")
    on_hand = dict(session.query(Lot.id, Lot.quantity).filter(Lot.id.in_(lot_ids)).all())
    counted = {}
    for lot_id in lot_ids:
        found = on_hand[lot_id]
        if rng.random() < share:
            found = 0 if rng.random() < 0.05 else max(0, found + rng.choice([-3, -2, -1, 1, 2, 5]))
        services.count(session, keeper, stocktake.id, lot=lot_id, counted=found)
        counted[lot_id] = found
    services.submit(session, keeper, stocktake.id)
    return stocktake.id, counted


def opening_workbook(rows: int, rng: random.Random) -> tuple[bytes, dict]:
    """An opening-stock file as a bureau fills it in: most rows a lot of their own, some
    without a lot code, some a second delivery into a lot of an earlier row."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("期初库存")
    sheet.append(["储备库编号", "物资编码", "数量", "批次号", "生产日期", "有效期至", "单价（元）"])
    totals: dict[tuple[str, str], int] = {}
    earlier: list[list] = []
    made = date.today() - timedelta(days=200)
    for n in range(rows):
        quantity = rng.randint(1, 2000)
        if earlier and n % 50 == 0:
            row = list(earlier[rng.randrange(len(earlier))])
            row[2] = quantity + 2000  # another quantity, so not a repeat of the earlier row
        else:
            depot, item = rng.choice(IMPORT_DEPOTS), rng.choice(ITEMS)
            code = f"OP{n:06d}" if n % 10 else None
            manufactured = made + timedelta(days=rng.randint(0, 150)) if n % 4 == 0 else None
            expires = made + timedelta(days=rng.randint(400, 1200)) if n % 3 == 0 else None
            cost = round(rng.uniform(1, 900), 2) if n % 2 else None
            row = [depot, item, quantity, code, manufactured, expires, cost]
            if code is not None:
                earlier.append(row)
        sheet.append(row)
        totals[(row[0], row[1])] = totals.get((row[0], row[1]), 0) + row[2]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), totals


def user(session, username: str):
    from sqlalchemy import select

    from inventory.auth.models import User

    return session.scalar(select(User).where(User.username == username))


def api_post(client, token: str, path: str, headers: dict | None = None, **kwargs):
    return client.post(f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"}
                       | (headers or {}), **kwargs)


def upload(client, token: str, path: str, data: bytes) -> tuple[float, dict]:
    began = time.perf_counter()
    response = api_post(client, token, path, content_type="multipart/form-data",
                        data={"file": (io.BytesIO(data), "期初库存.xlsx")})
    elapsed = time.perf_counter() - began
    assert response.status_code in (200, 201), (response.status_code, response.json)
    return elapsed, response.json


def bench_stocktake(app, client, tokens, args, rng) -> dict:
    from sqlalchemy import func, select

    from inventory.db import db
    from inventory.stock.models import Lot, Movement

    with app.app_context():
        keeper = user(db.session, "keeper")
        began = time.perf_counter()
        lot_ids = stock_the_depot(db.session, keeper, args.lots, rng)
        received = time.perf_counter() - began
        began = time.perf_counter()
        stocktake_id, counted = count_everything(db.session, keeper, lot_ids,
                                                 args.variance_share, rng)
        counting = time.perf_counter() - began
        expected = {lot: qty for lot, qty in db.session.execute(
            select(Lot.id, Lot.quantity).where(Lot.id.in_(lot_ids)))}
        db.session.remove()
    variances = sum(1 for lot, qty in counted.items() if qty != expected[lot])
    began = time.perf_counter()
    response = api_post(client, tokens["bureau"],
                        f"/stocktakes/{stocktake_id}/approve", json={"note": "同意"},
                        headers={"Idempotency-Key": f"bench-approve-{stocktake_id}"})
    approve_seconds = time.perf_counter() - began
    assert response.status_code == 200, (response.status_code, response.json)
    written = response.json["movements"]
    assert len(written) == variances, (len(written), variances)
    with app.app_context():
        now = {lot: qty for lot, qty in db.session.execute(
            select(Lot.id, Lot.quantity).where(Lot.id.in_(lot_ids)))}
        assert now == counted, "a lot does not hold what was counted"
        adjustments = db.session.scalar(select(func.count(Movement.id))
                                        .where(Movement.kind == "adjustment"))
        assert adjustments == variances
        db.session.remove()
    return {"lots": len(lot_ids), "variances": variances, "receive_seconds": round(received, 1),
            "count_seconds": round(counting, 1), "approve_seconds": round(approve_seconds, 2),
            "floor_seconds": FLOORS["approve"], "passed": approve_seconds < FLOORS["approve"]}


def bench_import(app, client, tokens, args, rng) -> dict:
    from sqlalchemy import func, select

    from inventory.db import db
    from inventory.geo.models import Depot
    from inventory.stock.models import Lot, Movement

    began = time.perf_counter()
    data, totals = opening_workbook(args.rows, rng)
    written = time.perf_counter() - began
    token = tokens["admin"]
    preview_seconds, checked = upload(client, token, "/imports/opening_stock/preview", data)
    assert checked["errors"] == [] and checked["actions"] == {"create": args.rows}, checked
    commit_seconds, done = upload(client, token, "/imports/opening_stock", data)
    assert done["actions"] == {"create": args.rows}, done["actions"]
    again_seconds, again = upload(client, token, "/imports/opening_stock", data)
    assert again["actions"] == {"already imported": args.rows}, again["actions"]
    with app.app_context():
        from inventory.catalogue.models import Item

        held = {(d, i): int(q) for d, i, q in db.session.execute(
            select(Depot.code, Item.code, func.sum(Lot.quantity))
            .join(Depot, Depot.id == Lot.depot_id).join(Item, Item.id == Lot.item_id)
            .where(Depot.code.in_(IMPORT_DEPOTS)).group_by(Depot.code, Item.code))}
        assert held == totals, "the depots do not hold what the file says"
        rows = db.session.scalar(select(func.count(Movement.id))
                                 .where(Movement.reference == "期初"))
        assert rows == args.rows, (rows, args.rows)
        lots = db.session.scalar(select(func.count(Lot.id)).where(Lot.source == "opening"))
        db.session.remove()
    total = preview_seconds + commit_seconds
    return {"rows": args.rows, "lots_created": lots, "file_bytes": len(data),
            "write_file_seconds": round(written, 1), "preview_seconds": round(preview_seconds, 2),
            "commit_seconds": round(commit_seconds, 2), "total_seconds": round(total, 2),
            "again_seconds": round(again_seconds, 2), "floor_seconds": FLOORS["import"],
            "passed": total < FLOORS["import"]}


def verify(url: str) -> tuple[float, str, bool]:
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench", LABEL_SECRET="bench")
    began = time.perf_counter()
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), "--app", "inventory",
                           "verify-ledger"], cwd=ROOT, env=env, capture_output=True, text=True)
    return time.perf_counter() - began, (done.stdout or done.stderr).strip(), done.returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lots", type=int, default=5000)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--variance-share", type=float, default=0.25,
                        help="share of the lots counted other than their balance")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    result: dict = {"started": datetime.now(UTC).isoformat(), "config": vars(args),
                    "load_average_at_start": os.getloadavg()[0]}
    database = f"bench_bulk_{os.getpid()}"
    admin(f'CREATE DATABASE "{database}"')
    try:
        url = database_url(database)
        app = make_app(url)
        from inventory.db import db

        with app.app_context():
            tokens = seed(db.session)
            db.session.remove()
        client = app.test_client()
        result["stocktake"] = bench_stocktake(app, client, tokens, args, rng)
        result["import"] = bench_import(app, client, tokens, args, rng)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        seconds, said, consistent = verify(url)
        result["verify"] = {"seconds": round(seconds, 1), "output": said, "ok": consistent}
    finally:
        admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    result["load_average_at_end"] = os.getloadavg()[0]
    print_table(result)
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    path = out / f"bulk-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"results: {path.relative_to(ROOT)}")
    if not (result["verify"]["ok"] and result["stocktake"]["passed"]
            and result["import"]["passed"]):
        sys.exit(1)


def print_table(result: dict) -> None:
    count, load, check = result["stocktake"], result["import"], result["verify"]

    def verdict(passed: bool) -> str:
        return "PASS" if passed else "FAIL"

    rows = [
        (f"stocktake of {count['lots']:,} lots: receive them (setup)", count["receive_seconds"],
         "", ""),
        ("  count every lot through the service (setup)", count["count_seconds"], "", ""),
        (f"  approve ({count['variances']:,} adjustments)", count["approve_seconds"],
         count["floor_seconds"], verdict(count["passed"])),
        (f"opening stock, {load['rows']:,} rows ({load['lots_created']:,} lots): preview",
         load["preview_seconds"], "", ""),
        ("  commit", load["commit_seconds"], "", ""),
        ("  preview + commit", load["total_seconds"], load["floor_seconds"],
         verdict(load["passed"])),
        ("  the same file again (every row already imported)", load["again_seconds"], "", ""),
        ("verify-ledger", check["seconds"], "", "consistent" if check["ok"] else "PROBLEMS"),
    ]
    print(f"\n{'':58} {'seconds':>8} {'floor':>6}")
    for name, seconds, floor, outcome in rows:
        print(f"{name:58} {seconds:8.2f} {floor:>6} {outcome}")
    print(f"load average {result['load_average_at_start']:.1f} at the start, "
          f"{result['load_average_at_end']:.1f} at the end\n{check['output']}")


if __name__ == "__main__":
    main()
