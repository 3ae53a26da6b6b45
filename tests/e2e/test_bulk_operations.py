"""Stock changes in bulk over HTTP: a stocktake of hundreds of lots and an opening-stock file of
a thousand rows leave every balance equal to its ledger, and a refusal writes nothing."""

import io
import random
from datetime import date, timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from inventory.db import db
from inventory.errors import StateConflict
from inventory.stock import bulk, services
from inventory.stock.ledger import verify_ledger
from inventory.stock.models import Lot, Movement
from inventory.stocktake import services as stocktakes

ITEMS = ["SH-TENT-12", "FW-WATER-5L", "FW-BISCUIT"]


def ledger_sums() -> dict[int, int]:
    return dict(db.session.execute(select(Movement.lot_id, func.sum(Movement.quantity))
                                   .group_by(Movement.lot_id)).all())


def on_hand() -> dict[int, int]:
    db.session.expire_all()
    return dict(db.session.execute(select(Lot.id, Lot.quantity)).all())


def assert_ledger_whole():
    report = verify_ledger(db.session)
    assert report.ok, report.problems[:5]
    assert on_hand() == ledger_sums()  # every lot here was made by a receipt


def counted_depot(world, lots: int, rng: random.Random):
    """Lots at XZ-01 with some history each, and a stocktake counting them all (unsubmitted)."""
    keeper = world.users["keeper"]
    ids = []
    for n in range(lots):
        lot, _ = services.receive(db.session, keeper, depot="XZ-01", item=ITEMS[n % 3],
                                  quantity=rng.randint(5, 60), lot_code=f"B-{n:04d}")
        if n % 4 == 0:
            services.issue(db.session, keeper, lot=lot.id, quantity=rng.randint(1, 5))
        ids.append(lot.id)
    stocktake = stocktakes.start(db.session, keeper, depot="XZ-01")
    quantities = on_hand()
    counted = {}
    for lot_id in ids:
        found = quantities[lot_id]
        if rng.random() < 0.4:
            found = 0 if rng.random() < 0.1 else max(0, found + rng.choice([-4, -1, 1, 3]))
        stocktakes.count(db.session, keeper, stocktake.id, lot=lot_id, counted=found)
        counted[lot_id] = found
    return stocktake.id, ids, counted


@pytest.mark.slow  # 200 lots received, counted and adjusted one by one
def test_approving_a_count_of_hundreds_of_lots_adjusts_each_lot_to_what_was_found(client, world):
    rng = random.Random(7)
    stocktake_id, ids, counted = counted_depot(world, 200, rng)
    # Stock that leaves a lot after its count is neither lost nor counted twice.
    moved = {ids[1]: 2, ids[2]: 1}
    for lot_id, quantity in moved.items():
        services.issue(db.session, world.users["keeper"], lot=lot_id, quantity=quantity)
    stocktakes.submit(db.session, world.users["keeper"], stocktake_id)
    before = on_hand()
    expected_at_count = {lot: before[lot] + moved.get(lot, 0) for lot in ids}
    differing = sorted(lot for lot in ids if counted[lot] != expected_at_count[lot])
    assert len(differing) > 40

    response = client.post(f"/api/v1/stocktakes/{stocktake_id}/approve", json={},
                           headers=world.headers("bureau", **{"Idempotency-Key": "big-count"}))

    assert response.status_code == 200, response.json
    rows = response.json["movements"]
    assert [row["lot"] for row in rows] == differing
    assert all(row["kind"] == "adjustment" for row in rows)
    after = on_hand()
    for row in rows:
        lot = row["lot"]
        assert row["quantity"] == counted[lot] - expected_at_count[lot]
        assert row["balance_after"] == after[lot] == counted[lot] - moved.get(lot, 0)
    assert {lot: after[lot] for lot in ids if lot not in differing} == \
        {lot: before[lot] for lot in ids if lot not in differing}
    keys = db.session.scalars(select(Movement.idempotency_key)
                              .where(Movement.kind == "adjustment").order_by(Movement.id)).all()
    bureau = world.users["bureau"].id  # keys are each user's own
    assert keys == [f"{bureau}:big-count#{n}" for n in range(1, len(differing) + 1)]
    assert_ledger_whole()


def test_an_approval_that_would_drive_one_lot_below_zero_writes_no_adjustment(client, world):
    stocktake_id, ids, counted = counted_depot(world, 60, random.Random(3))
    short = next(lot for lot in ids[30:] if 0 < counted[lot] and on_hand()[lot] > 2)
    # counted short by one, and then everything left the lot: the adjustment cannot be made
    stocktakes.count(db.session, world.users["keeper"], stocktake_id, lot=short,
                     counted=on_hand()[short] - 1)
    services.issue(db.session, world.users["keeper"], lot=short, quantity=on_hand()[short])
    stocktakes.submit(db.session, world.users["keeper"], stocktake_id)
    rows, before = db.session.scalar(select(func.count(Movement.id))), on_hand()

    response = client.post(f"/api/v1/stocktakes/{stocktake_id}/approve", json={},
                           headers=world.headers("bureau"))

    assert response.status_code == 409 and response.json["code"] == "insufficient_stock"
    assert f"B-{ids.index(short):04d}" in response.json["message"]
    assert db.session.scalar(select(func.count(Movement.id))) == rows
    assert on_hand() == before
    assert stocktakes.get_stocktake(db.session, stocktake_id).status == "submitted"
    assert_ledger_whole()


HEADER = ["储备库编号", "物资编码", "数量", "批次号", "生产日期", "有效期至", "单价（元）"]


def opening_rows(rows: int, rng: random.Random) -> tuple[list[list], dict]:
    """Rows over two depots: lots of their own, rows without a lot code, second deliveries
    into lots of earlier rows and into a lot that was already in stock."""
    table, totals, earlier = [HEADER], {}, []
    for n in range(rows):
        if n % 25 == 24:
            row = list(rng.choice(earlier))
            row[2] += 1000 + n
        elif n == 10:
            row = ["XZ-01", "SH-TENT-12", 7, "IN-STOCK", None, None, None]
        else:
            made = date(2026, 1, 1) + timedelta(days=n % 90)
            row = [rng.choice(["XZ-01", "TS-01"]), ITEMS[n % 3], rng.randint(1, 900),
                   f"O-{n:05d}" if n % 7 else None, made if n % 2 else None,
                   made + timedelta(days=800) if n % 3 == 0 else None, 2.5 if n % 5 else None]
            if row[3] is not None:
                earlier.append(row)
        table.append(row)
        totals[row[0], row[1]] = totals.get((row[0], row[1]), 0) + row[2]
    return table, totals


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, world, path, content):
    return client.post(f"/api/v1/imports/opening_stock{path}", headers=world.headers("admin"),
                       data={"file": (io.BytesIO(content), "期初.xlsx")},
                       content_type="multipart/form-data")


def depot_item_totals() -> dict[tuple, int]:
    from inventory.catalogue.models import Item
    from inventory.geo.models import Depot

    return {(d, i): int(q) for d, i, q in db.session.execute(
        select(Depot.code, Item.code, func.sum(Lot.quantity))
        .join(Depot, Depot.id == Lot.depot_id).join(Item, Item.id == Lot.item_id)
        .group_by(Depot.code, Item.code)) if q}


def test_an_opening_stock_file_of_a_thousand_rows_lands_in_full_and_only_once(client, world):
    services.receive(db.session, world.users["admin"], depot="XZ-01", item="SH-TENT-12",
                     quantity=5, lot_code="IN-STOCK")
    rows, totals = opening_rows(1000, random.Random(11))
    content = xlsx(rows)
    totals["XZ-01", "SH-TENT-12"] += 5

    preview = upload(client, world, "/preview", content)
    assert preview.json["errors"] == [] and preview.json["actions"] == {"create": 1000}
    done = upload(client, world, "", content)

    assert done.status_code == 201, done.json
    assert depot_item_totals() == totals
    assert db.session.scalar(select(func.count(Movement.id))
                             .where(Movement.reference == "期初")) == 1000
    in_stock = db.session.scalar(select(Lot).where(Lot.code == "IN-STOCK"))
    assert (in_stock.quantity, in_stock.seq, in_stock.source) == (12, 2, "purchase")
    # A lot two rows delivered into holds both, in the order of the rows.
    topped = db.session.scalar(select(Lot.id).where(Lot.seq == 2, Lot.code != "IN-STOCK"))
    first, second = db.session.scalars(select(Movement.reason).where(Movement.lot_id == topped)
                                       .order_by(Movement.seq)).all()
    assert int(first.split("第 ")[1].split(" ")[0]) < int(second.split("第 ")[1].split(" ")[0])
    assert_ledger_whole()

    again = upload(client, world, "", content)
    assert again.status_code == 201 and again.json["actions"] == {"already imported": 1000}
    assert depot_item_totals() == totals
    assert_ledger_whole()


def test_an_opening_stock_row_that_clashes_with_a_lot_in_stock_refuses_the_whole_file(
        client, world):
    lot, _ = services.receive(db.session, world.users["admin"], depot="XZ-01", item="FW-BISCUIT",
                              quantity=9, lot_code="KEEP", expires_on=date(2027, 5, 1))
    rows, _ = opening_rows(300, random.Random(5))
    rows.insert(200, ["XZ-01", "FW-BISCUIT", 4, "KEEP", None, date(2028, 1, 1), None])

    assert upload(client, world, "/preview", xlsx(rows)).json["errors"] == []
    refused = upload(client, world, "", xlsx(rows))

    assert refused.status_code == 409, refused.json
    assert refused.json["message"] == (
        "批次号 KEEP 已在本库使用，有效期为 2027-05-01，与本次 2028-01-01 不同；请使用新批次号。")
    assert db.session.scalar(select(func.count(Movement.id))) == 1
    assert on_hand() == {lot.id: 9}


@pytest.mark.parametrize("status, expiry, words", [
    ("written_off", None, "报废"),
    ("available", date(2030, 1, 1), "有效期"),
])
def test_receiving_many_refuses_a_top_up_as_receiving_one_does(world, status, expiry, words):
    admin = world.users["admin"]
    lot, _ = services.receive(db.session, admin, depot="TS-01", item="SH-TENT-12", quantity=3,
                              lot_code="OLD", expires_on=date(2027, 1, 1))
    if status == "written_off":
        services.write_off(db.session, admin, lot=lot.id, reason="破损")
    deliveries = [bulk.Delivery("TS-01", "SH-TENT-12", 10, f"NEW-{n}") for n in range(40)]
    deliveries.insert(20, bulk.Delivery("TS-01", "SH-TENT-12", 2, "OLD", expires_on=expiry))
    rows = db.session.scalar(select(func.count(Movement.id)))

    with pytest.raises(StateConflict) as one:
        services.receive(db.session, admin, depot="TS-01", item="SH-TENT-12", quantity=2,
                         lot_code="OLD", expires_on=expiry)
    with pytest.raises(StateConflict) as many:
        bulk.receive_many(db.session, admin, deliveries)

    assert words in many.value.message("zh") and many.value.message("zh") == \
        one.value.message("zh")
    assert db.session.scalar(select(func.count(Movement.id))) == rows
    assert db.session.scalar(select(func.count(Lot.id))) == 1
