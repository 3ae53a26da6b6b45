"""Contract settlements for a period, figured by hand: call-offs called, received and settled
before, in and after the period, one cancelled, one agreement without a tender price."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from factories import make_world
from sqlalchemy import create_engine, select, text, update
from test_migrations import migrate

from inventory import clock
from inventory.contracts import services as contracts
from inventory.contracts.models import CallOff
from inventory.db import db
from inventory.errors import Forbidden
from inventory.reports import scope
from inventory.reports.settlements import settlements
from inventory.stock.models import Movement

REVISION = "f0011900eaf0"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request, shared_apps):
    apps = (shared_apps.sqlite() if request.param == "sqlite"
            else shared_apps.postgres(request.getfixturevalue("postgres_url")))
    next(apps)
    yield make_world(db.session)
    next(apps, None)


def days_ago(days: int, hour: int = 10):
    return clock.start_of_day(clock.today() - timedelta(days=days)) + timedelta(hours=hour)


class Calls:
    """Call-offs made, received, settled or cancelled at given days before today."""

    def __init__(self, world):
        self.bureau, self.keeper = world.users["bureau"], world.users["keeper"]
        today = clock.today()
        self.agreements = {}
        for number, item, price in (("XY-W", "FW-WATER-5L", 4.5), ("XY-B", "FW-BISCUIT", None),
                                    ("XY-T", "SH-TENT-12", 950)):
            self.agreements[number] = contracts.create_agreement(
                db.session, self.bureau, number=number, supplier=f"供应商 {number}", item=item,
                committed_quantity=5000, response_hours=4, unit_price=price,
                valid_from=today - timedelta(days=100), valid_until=today + timedelta(days=100))

    def make(self, number, quantity, called, received=None, received_quantity=None,
             settled=None, cancelled=False) -> CallOff:
        row = contracts.call_off(db.session, self.bureau, agreement_id=self.agreements[number].id,
                                quantity=quantity, depot="XZ-01")
        if cancelled:
            contracts.cancel_call_off(db.session, self.bureau, call_off_id=row.id, reason="不需要")
        if received is not None:
            contracts.receive_call_off(db.session, self.keeper, call_off_id=row.id,
                                      quantity=received_quantity, occurred_at=days_ago(received))
        if settled is not None:
            contracts.settle(db.session, self.bureau, call_off_id=row.id, reference=f"JS-{row.id}")
            db.session.execute(update(CallOff).where(CallOff.id == row.id)
                               .values(settled_at=days_ago(settled)))
        # The call was made that day (the service stamps the present moment).
        db.session.execute(update(CallOff).where(CallOff.id == row.id)
                           .values(called_at=days_ago(called, 8)))
        db.session.commit()
        return row


@pytest.fixture
def calls(world) -> Calls:
    calls = Calls(world)
    calls.make("XY-W", 100, called=40, received=35, settled=32)        # all before
    calls.make("XY-W", 200, called=40, received=20, settled=15)        # received, settled in
    calls.make("XY-W", 300, called=15, received=12, received_quantity=290)  # short, unsettled
    calls.make("XY-W", 100, called=14, cancelled=True)
    calls.make("XY-W", 50, called=13, received=5)                      # received after
    calls.make("XY-W", 80, called=40, received=35, settled=3)          # settled after
    calls.make("XY-B", 40, called=20, received=18)                     # no tender price
    calls.make("XY-T", 10, called=50, received=45, settled=41)         # all before
    return calls


def period():
    return scope.period(clock.today() - timedelta(days=30), clock.today() - timedelta(days=10))


def test_each_agreement_shows_what_was_called_received_owed_and_settled_in_the_period(calls):
    report = settlements(db.session, period())
    assert [a.number for a in report.agreements] == ["XY-B", "XY-W"]  # the tents: all before
    water = report.agreements[1]
    assert (water.called, water.cancelled, water.received) == (300 + 50, 100, 200 + 290)
    assert water.owed == Decimal("2205.00")  # 490 × 4.50
    assert water.settled == Decimal("900.00")  # 200 × 4.50, settled in the period
    # Received by the end and not settled by then: the short delivery and the one settled
    # after the period.
    assert water.unsettled == Decimal("1305.00") + Decimal("360.00")
    assert water.unit_price == Decimal("4.50")
    assert len(water.call_offs) == 5


def test_an_agreement_without_a_tender_price_owes_an_unknown_amount_not_nothing(calls):
    report = settlements(db.session, period())
    biscuits = report.agreements[0]
    assert biscuits.received == 40 and biscuits.called == 40
    assert biscuits.owed is None and biscuits.unsettled is None
    assert report.total("owed") is None
    assert report.total("received") == 530 and report.total("settled") == Decimal("900.00")


def test_a_call_off_received_records_when_its_receipt_happened(world):
    calls = Calls(world)
    row = calls.make("XY-W", 60, called=3, received=2)
    receipt = db.session.scalar(select(Movement.occurred_at).where(
        Movement.lot_id == row.lot_id, Movement.kind == "receipt"))
    assert row.received_at == receipt == days_ago(2)


def test_a_keeper_may_not_read_what_suppliers_are_owed(world):
    with pytest.raises(Forbidden):
        scope.ensure_can_read_settlements(world.users["keeper"])
    for role in ("admin", "bureau", "planner", "auditor"):
        scope.ensure_can_read_settlements(world.users[role])


def test_the_migration_gives_call_offs_received_before_it_the_time_of_their_receipt(
        tmp_path):
    from apps import _config

    from inventory import create_app

    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    migrate(url, "head")
    app = create_app(_config(url, tmp_path))
    with app.app_context():
        calls = Calls(make_world(db.session))
        received = calls.make("XY-W", 60, called=3, received=2)
        expected = calls.make("XY-W", 70, called=1)
        ids = received.id, expected.id
        db.session.remove()
        db.engine.dispose()
    migrate(url, f"{REVISION}-1", "downgrade")
    migrate(url, "head")
    engine = create_engine(url)
    with engine.connect() as conn:
        found = dict(conn.execute(text("SELECT id, received_at FROM call_offs")).all())
    engine.dispose()
    assert found[ids[1]] is None
    assert datetime.fromisoformat(found[ids[0]]).replace(tzinfo=UTC) == days_ago(2)
