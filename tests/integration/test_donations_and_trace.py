"""Donations and the trace on the real database: receipts go through the ledger and roll back
whole; the disclosure counts a period's rows by the bureau's calendar, less reversals; a lot's
trace follows its own line of descent and not its siblings'."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from inventory import clock
from inventory.db import db, utcnow
from inventory.donations import services as donations
from inventory.donations.disclosure import disclosure
from inventory.donations.models import DonationReceipt
from inventory.errors import StateConflict
from inventory.reports.scope import Period
from inventory.shelters import services as shelters
from inventory.stock import services as stock
from inventory.stock.models import Lot, Movement
from inventory.trace import queries as trace
from inventory.transfers import services as transfers

WORDS = {"anonymous_name": "匿名捐赠人", "no_purpose": "未指定用途",
         "unregistered": "未登记捐赠方"}


@pytest.fixture
def pledge(world):
    bureau = world.users["bureau"]
    donor = donations.create_donor(db.session, bureau, name="某公司", kind="organisation")
    return donations.create_pledge(db.session, bureau, donor=donor.id, purpose="过冬",
                                   lines=[{"item": "SH-TENT-12", "quantity": 50},
                                          {"item": "FW-WATER-5L", "quantity": 20}])


def _lines(pledge, tents=10, water=None, **extra):
    found = [{"line": pledge.lines[0].id, "quantity": tents, **extra}]
    if water:
        found.append({"line": pledge.lines[1].id, "quantity": water})
    return found


def test_a_receipt_writes_one_keyed_ledger_row_per_line(world, pledge):
    receipt = donations.receive_goods(db.session, world.users["keeper"], pledge.id,
                                      depot="XZ-01", lines=_lines(pledge, 10, 20), key="k-1")
    rows = db.session.scalars(select(Movement).where(Movement.reference == receipt.number)
                              .order_by(Movement.id)).all()
    assert [(m.kind, m.quantity, m.idempotency_key) for m in rows] == [
        ("receipt", 10, "k-1:1#1"), ("receipt", 20, "k-1:2#1")]
    assert [line.movement_id for line in receipt.lines] == [m.id for m in rows]
    assert all(line.lot.source == "donation" for line in receipt.lines)


def test_a_refused_line_rolls_the_whole_receipt_back(world, pledge):
    stock.receive(db.session, world.users["admin"], depot="XZ-01", item="FW-WATER-5L",
                  quantity=1, lot_code="TAKEN")
    counts = (db.session.scalar(select(func.count(Lot.id))),
              db.session.scalar(select(func.count(Movement.id))))
    with pytest.raises(StateConflict):
        donations.receive_goods(db.session, world.users["keeper"], pledge.id, depot="XZ-01",
                                lines=[*_lines(pledge, 10), {"line": pledge.lines[1].id,
                                                             "quantity": 1,
                                                             "lot_code": "TAKEN"}])
    assert (db.session.scalar(select(func.count(Lot.id))),
            db.session.scalar(select(func.count(Movement.id)))) == counts
    assert db.session.scalar(select(func.count(DonationReceipt.id))) == 0


def test_two_receipts_may_not_together_exceed_the_pledge(world, pledge):
    donations.receive_goods(db.session, world.users["keeper"], pledge.id, depot="XZ-01",
                            lines=_lines(pledge, 45))
    with pytest.raises(Exception) as refused:
        donations.receive_goods(db.session, world.users["keeper"], pledge.id, depot="XZ-01",
                                lines=_lines(pledge, 6))
    assert "5 still to come" in str(refused.value.errors)


def test_the_disclosure_counts_the_period_by_the_bureaus_calendar_less_reversals(
        world, pledge):
    keeper, admin = world.users["keeper"], world.users["admin"]
    # Received at 23:30 local two days ago: in a period that ends that day, not the next.
    two_days_ago = clock.today() - timedelta(days=2)
    late = clock.start_of_day(two_days_ago) + timedelta(hours=23, minutes=30)
    receipt = donations.receive_goods(db.session, keeper, pledge.id, depot="XZ-01",
                                      lines=_lines(pledge, 30), occurred_at=late)
    lot = receipt.lines[0].lot_id
    wrong = stock.issue(db.session, keeper, lot=lot, quantity=5, reference="FF-1")
    stock.reverse(db.session, keeper, movement=wrong[0].id, reason="录错")
    stock.issue(db.session, keeper, lot=lot, quantity=7, reference="FF-2")
    stock.issue(db.session, admin, lot=lot, quantity=2, kind="rotation_out")  # not a use
    that_day = disclosure(db.session, Period(two_days_ago, two_days_ago), **WORDS)
    assert that_day.received_by_item() == {"SH-TENT-12": 30} and that_day.used == []
    next_day = disclosure(db.session, Period(two_days_ago + timedelta(days=1), clock.today()),
                          **WORDS)
    assert next_day.received == [] and next_day.used_by_item() == {"SH-TENT-12": 7}
    [used] = next_day.used
    assert (used.purpose, used.place) == ("过冬", "县级救灾物资储备库")
    # A reversed receipt counts for nothing.
    again = donations.receive_goods(db.session, keeper, pledge.id, depot="XZ-01",
                                    lines=_lines(pledge, water=None, tents=3))
    stock.reverse(db.session, keeper, movement=again.lines[0].movement_id, reason="重复登记")
    today = disclosure(db.session, Period(clock.today(), clock.today()), **WORDS)
    assert today.received == []


def test_a_lots_trace_follows_its_own_line_and_not_its_siblings(world, pledge):
    bureau, keeper, admin = world.users["bureau"], world.users["keeper"], world.users["admin"]
    shelters.create_shelter(db.session, bureau, code="BN-01", name="凤城镇中学体育馆",
                            shelter_class="II", capacity_people=400, area="140522100")
    receipt = donations.receive_goods(db.session, keeper, pledge.id, depot="XZ-01",
                                      lines=_lines(pledge, 40))
    county = receipt.lines[0].lot_id

    def send(source_lot, source, target, quantity):
        order = transfers.create(db.session, admin, from_depot=source, to_depot=target,
                                 lines=[{"lot": source_lot, "quantity": quantity}])
        transfers.dispatch(db.session, admin, order.id)
        transfers.receive(db.session, admin, order.id)
        db.session.refresh(order)
        return order, order.lines[0].received_lot_id

    to_town, town = send(county, "XZ-01", "TS-01", 20)
    to_shelter, shelter = send(county, "XZ-01", "BN-01", 10)
    to_village, village = send(town, "TS-01", "VL-01", 5)
    stock.issue(db.session, admin, lot=village, quantity=2, reference="FF-V")
    stock.issue(db.session, admin, lot=shelter, quantity=4, reference="FF-S")

    found = trace.lot_trace(db.session, village)
    assert [lot.id for lot in found.ancestors] == [county, town] and found.first.id == county
    assert [leg.transfer.number for leg in found.legs] == [to_town.number, to_village.number]
    assert {step.movement.reference for step in found.handed_out} == {"FF-V"}
    assert [step.kind for step in found.steps] == [
        "receipt", "transfer_out", "transfer_in", "transfer_out", "transfer_in", "issue"]
    everything = trace.lot_trace(db.session, county)
    assert {leg.transfer.number for leg in everything.legs} == {
        to_town.number, to_shelter.number, to_village.number}
    assert everything.handed_out_total() == 6
    at_shelter = trace.shelter_trace(db.session, "BN-01")
    assert [a.transfer.number for a in at_shelter.arrivals] == [to_shelter.number]
    assert [(item.code, arrived, out) for item, arrived, out in at_shelter.totals] == [
        ("SH-TENT-12", 10, 4)]


def test_money_received_is_kept_to_the_fen_and_stocks_nothing(world, pledge):
    before = db.session.scalar(select(func.count(Movement.id)))
    receipt = donations.receive_money(db.session, world.users["bureau"], pledge.id,
                                      amount="1234.5", received_at=utcnow())
    assert str(receipt.amount) == "1234.50" and receipt.depot_id is None
    assert db.session.scalar(select(func.count(Movement.id))) == before
