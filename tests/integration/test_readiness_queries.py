"""The readiness dashboard's reads without HTTP."""

from datetime import date, timedelta
from decimal import Decimal

from inventory import clock
from inventory.db import db
from inventory.readiness import queries
from inventory.readiness import services as readiness
from inventory.stock import services as stock


def _first_of_next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def test_expiring_stock_is_summed_by_month_over_the_coming_year_only_when_usable(app, world):
    admin = world.users["admin"]
    today = clock.today()
    next_month = _first_of_next_month(today)
    fourth = _first_of_next_month(_first_of_next_month(_first_of_next_month(next_month)))
    lots = [("NEXT", next_month, 5), ("NEXT-2", next_month.replace(day=20), 2),
            ("FOURTH", fourth, 7), ("FAR", today + timedelta(days=800), 9),
            ("HELD", fourth.replace(day=2), 4)]
    for code, expires, quantity in lots:
        lot, _ = stock.receive(db.session, admin, depot="XZ-01", item="FW-WATER-5L",
                               quantity=quantity, lot_code=code, expires_on=expires)
        if code == "HELD":
            stock.set_lot_status(db.session, admin, lot=lot.id, status="quarantined",
                                 reason="待检")
    months = queries.expiring_by_month(db.session, today=today)
    assert len(months) == 12 and months[0][0] == f"{today.year}-{today.month:02d}"
    assert months[1] == (f"{next_month.year}-{next_month.month:02d}", 7)
    assert months[4] == (f"{fourth.year}-{fourth.month:02d}", 7)
    assert sum(quantity for _, quantity in months) == 14  # not the far lot, nor the held one


def test_targets_come_county_first_each_with_its_assessment(app, world):
    admin = world.users["admin"]
    readiness.load_norms(db.session, [
        readiness.NormRow("SH-TENT-12", Decimal("0.292"), 72, "all", "", ""),
        readiness.NormRow("FW-WATER-5L", Decimal("1.8"), 72, "all", "", "")])
    stock.receive(db.session, admin, depot="XZ-01", item="SH-TENT-12", quantity=10)
    town = readiness.create_target(db.session, admin, name="镇", area="140522100", people=20)
    county = readiness.create_target(db.session, admin, name="县", area="140522", people=50)
    ended = readiness.create_target(db.session, admin, name="停用", area="140522", people=5)
    readiness.end_target(db.session, admin, ended.id)
    rows = queries.targets_by_tier(db.session)
    assert [target.id for target, _ in rows] == [county.id, town.id]
    for target, result in rows:
        assert result.people == target.people
        assert result == queries.assess_target(db.session, target, on=clock.today())
    by_category = queries.coverage_by_category(rows)
    assert by_category and all(0 <= ratio <= 1 for _, ratio in by_category)
    assert [name for name, _ in by_category] == sorted(name for name, _ in by_category)
