"""The stock pages' reads without HTTP, and the usable-lot rule in SQL agreeing with the
rule in Python (``domain.effective_status``) on every lot and day."""

from datetime import timedelta

from sqlalchemy import select

from inventory import clock
from inventory.db import db
from inventory.stock import domain, queries
from inventory.stock import services as stock
from inventory.stock.models import Lot


def _lots(world):
    admin = world.users["admin"]
    today = clock.today()
    made = {}
    for code, expires, item in [("NEVER", None, "SH-TENT-12"),
                                ("TODAY", today, "FW-WATER-5L"),
                                ("YESTERDAY", today - timedelta(days=1), "FW-WATER-5L"),
                                ("NEXT-WEEK", today + timedelta(days=7), "FW-WATER-5L")]:
        made[code], _ = stock.receive(db.session, admin, depot="XZ-01", item=item, quantity=5,
                                      lot_code=code, expires_on=expires,
                                      accept_expired=code == "YESTERDAY")
    stock.set_lot_status(db.session, admin, lot=made["NEXT-WEEK"].id, status="quarantined",
                         reason="待检")
    db.session.commit()
    return made


def test_the_usable_rule_reads_the_same_in_sql_and_in_python(app, world):
    _lots(world)
    lots = db.session.scalars(select(Lot)).all()
    for shift in (-2, -1, 0, 1, 8):
        day = clock.today() + timedelta(days=shift)
        in_sql = set(db.session.scalars(select(Lot.id).where(queries.usable_on(day))))
        in_python = {lot.id for lot in lots if domain.effective_status(lot, day) == "available"}
        assert in_sql == in_python, day
        expired = set(db.session.scalars(select(Lot.id).where(queries.expired_on(day))))
        assert expired == {lot.id for lot in lots
                           if domain.effective_status(lot, day) == "expired"}, day


def test_the_lot_list_filters_by_the_status_a_lot_has_today(app, world):
    made = _lots(world)
    today = clock.today()
    available = db.session.scalars(queries.lots(status="available", today=today)).all()
    assert {lot.code for lot in available} == {"NEVER", "TODAY"}
    expired = db.session.scalars(queries.lots(status="expired", today=today)).all()
    assert [lot.code for lot in expired] == ["YESTERDAY"]
    water = db.session.scalars(queries.lots(item_id=made["TODAY"].item_id, in_stock=True)).all()
    assert {lot.code for lot in water} == {"TODAY", "YESTERDAY", "NEXT-WEEK"}


def test_a_depots_page_adds_up_its_lots_by_item(app, world):
    _lots(world)
    page = queries.depot_page(db.session, "XZ-01", clock.today())
    water = next(row for row in page.by_item if row.item.code == "FW-WATER-5L")
    assert (water.quantity, water.usable, water.lots) == (15, 5, 3)
    assert [lot.code for lot in page.expiring] == ["YESTERDAY", "TODAY", "NEXT-WEEK"]
    assert len(page.movements) == 4
    assert queries.depot_page(db.session, "NO-SUCH", clock.today()) is None
    assert queries.depot_page(db.session, "XZ-01", clock.today(), item_code="NOPE") is None
    narrowed = queries.depot_page(db.session, "XZ-01", clock.today(), item_code="SH-TENT-12")
    assert [row.item.code for row in narrowed.by_item] == ["SH-TENT-12"]


def test_a_lots_page_holds_its_ledger_and_status_events(app, world):
    made = _lots(world)
    page = queries.lot_page(db.session, made["NEXT-WEEK"].id, clock.today())
    assert page.status == "quarantined" and [m.kind for m in page.movements] == ["receipt"]
    assert [event.action for event in page.events] == ["lot.status"]
    assert queries.lot_page(db.session, 999999, clock.today()) is None
    overview = queries.overview(db.session, clock.today())
    depot = next(d for d in overview.depots if d.code == "XZ-01")
    assert overview.totals[depot.id] == 20 and overview.expiring[depot.id] == 3
