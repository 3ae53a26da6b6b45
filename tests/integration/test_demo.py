"""The demo county: loaded through the real services, consistent, deterministic, and rich enough
for every screen (the 1,200-person target roughly met, with gaps)."""

import csv
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from importlib import resources

import pytest
from sqlalchemy import func, select

from inventory import clock, demo
from inventory.auth.services import authenticate
from inventory.catalogue.models import Item
from inventory.db import db
from inventory.geo.models import Area, Depot
from inventory.stock import domain
from inventory.stock.ledger import verify_ledger
from inventory.stock.models import Lot, Movement
from inventory.stock.services import balances
from inventory.transfers.models import Transfer


@pytest.fixture
def county(app):
    summary = demo.seed(db.session)
    return summary


def _snapshot(session) -> list[tuple]:
    """What a user sees of the demo, without recording times and hashes."""
    rows = session.execute(
        select(Depot.code, Item.code, Lot.code, Lot.quantity, Lot.expires_on, Lot.status)
        .join(Lot.depot).join(Lot.item).order_by(Depot.code, Item.code, Lot.code))
    return [tuple(row) for row in rows]


def test_the_demo_ledger_verifies_and_balances_equal_it(county):
    report = verify_ledger(db.session)
    assert report.ok, report.problems
    assert report.lots_checked == county["lots"] > 400
    assert report.movements_checked == county["movements"]
    sums = dict(db.session.execute(
        select(Movement.lot_id, func.sum(Movement.quantity)).group_by(Movement.lot_id)).all())
    for lot_id, quantity in db.session.execute(select(Lot.id, Lot.quantity)):
        assert sums.get(lot_id, 0) == quantity


def test_three_tiers_of_the_county(county):
    levels = Counter(db.session.scalars(select(Area.level)))
    assert levels["county"] == 1 and levels["township"] == 13
    for town in db.session.scalars(select(Area).where(Area.level == "township")):
        assert 3 <= len(town.children) <= 6
        assert len([d for d in town.depots if d.kind != "shelter"]) == 1
    depots = db.session.scalars(select(Depot)).all()
    tiers = Counter(depot.tier for depot in depots if depot.kind != "shelter")
    assert tiers["township"] == 13 and tiers["village"] == levels["village"]
    warehouse = db.session.scalar(select(Depot).where(Depot.code == "XZ-01"))
    assert warehouse.tier == "county" and warehouse.kind == "government"
    assert warehouse.capacity_m3 == Decimal(5200)
    assert {depot.kind for depot in depots} == {"government", "enterprise", "community",
                                                "shelter"}
    assert county["items"] == len(db.session.scalars(select(Item)).all()) >= 45


def test_the_printed_demo_logins_work(county):
    for username, password, role in [
        ("admin", "demo-admin", "admin"), ("bureau", "demo-bureau", "bureau"),
        ("planner", "demo-planner", "planner"), ("auditor", "demo-auditor", "auditor"),
        ("keeper01", "demo-keeper", "keeper"), ("keeper-t01", "demo-keeper", "keeper"),
    ]:
        user = authenticate(db.session, username, password)
        assert user is not None and user.role == role, username
    keeper = authenticate(db.session, "keeper01", "demo-keeper")
    assert {depot.code for depot in keeper.depots} == {"XZ-01", "DC-01"}
    township = authenticate(db.session, "keeper-t01", "demo-keeper")
    codes = {depot.code for depot in township.depots}
    assert "TS-01" in codes and all(c == "TS-01" or c.startswith(("VL-01-", "BN-01-"))
                                    for c in codes)
    assert {"BN-01-01", "BN-01-02"} <= codes  # the township's shelters receive their supplies


def test_a_year_of_history_of_every_kind(county):
    today = clock.today()
    kinds = Counter(db.session.scalars(select(Movement.kind)))
    for kind in ("receipt", "issue", "rotation_out", "transfer_out", "transfer_in",
                 "adjustment", "write_off", "reversal"):
        assert kinds[kind] >= 1, kind
    first, last = db.session.execute(
        select(func.min(Movement.occurred_at), func.max(Movement.occurred_at))).one()
    assert clock.local_date(first) == today - timedelta(days=365)
    assert today - timedelta(days=2) <= clock.local_date(last) < today
    assert db.session.scalar(select(func.count()).where(Movement.reference == "期初")) > 400
    # The reversal names the duplicated receipt; the flood drill went to a township team.
    reversal = db.session.scalar(select(Movement).where(Movement.kind == "reversal"))
    original = db.session.get(Movement, reversal.reverses_id)
    assert original.kind == "receipt" and original.quantity == -reversal.quantity
    assert db.session.scalar(
        select(func.count()).where(Movement.reason.like("%防汛应急演练%"))) >= 1


def test_transfers_in_every_state_including_a_discrepancy(county):
    transfers = db.session.scalars(select(Transfer)).all()
    statuses = Counter(transfer.status for transfer in transfers)
    assert statuses["received"] >= 6 and statuses["dispatched"] == 1 and statuses["draft"] == 1
    short = [line for transfer in transfers if transfer.status == "received"
             for line in transfer.lines if line.quantity_received < line.quantity]
    assert len(short) == 1 and short[0].quantity - short[0].quantity_received == 2
    in_transit = next(t for t in transfers if t.status == "dispatched")
    rows = balances(db.session, depot=in_transit.to_depot.code)
    assert sum(row.get("in_transit", 0) for row in rows) == sum(
        line.quantity for line in in_transit.lines)


def test_lots_that_need_attention(county):
    today = clock.today()
    lots = db.session.scalars(select(Lot)).all()
    statuses = Counter(domain.effective_status(lot, today) for lot in lots)
    assert statuses["quarantined"] == 1
    assert statuses["written_off"] >= 2
    assert statuses["expired"] >= 1
    soon = [lot for lot in lots if lot.expires_on and lot.status == "available"
            and today <= lot.expires_on <= today + timedelta(days=30) and lot.quantity]
    within_90 = [lot for lot in lots if lot.expires_on and lot.status == "available"
                 and today <= lot.expires_on <= today + timedelta(days=90) and lot.quantity]
    assert len(soon) >= 2 and len(within_90) > len(soon)


def test_stock_roughly_covers_the_1200_person_target_with_gaps(county):
    text = resources.files("inventory.catalogue").joinpath("data/norms.csv").read_text("utf-8")
    norms = {row["item_code"]: float(row["per_person"]) for row in csv.DictReader(
        text.splitlines()) if row["season"] == "all"}
    totals = Counter()
    for row in balances(db.session):
        totals[row["item"]] += row["quantity"]
    coverage = {item: totals[item] / (per_person * 1200) for item, per_person in norms.items()}
    covered = [item for item, ratio in coverage.items() if ratio >= 1]
    gaps = [item for item, ratio in coverage.items() if ratio < 1]
    assert {"SH-QUILT", "FW-WATER-5L"} <= set(covered)
    assert {"SH-BED", "SH-TOILET"} <= set(gaps)
    assert all(ratio >= 0.4 for ratio in coverage.values()), coverage


@pytest.mark.slow  # seeds the demo county twice
def test_the_demo_is_deterministic(sqlite_template, tmp_path):
    from apps import sqlite_app

    snapshots = []
    for name in ("first", "second"):
        (tmp_path / name).mkdir()
        app = sqlite_app(sqlite_template, tmp_path / name)
        next(app)
        demo.seed(db.session, seed=7)
        snapshots.append(_snapshot(db.session))
        app.close()
    assert len(snapshots[0]) > 400 and snapshots[0] == snapshots[1]


def test_seed_demo_command_loads_once(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    depots = db.session.scalar(select(func.count(Depot.id)))
    assert f"depots {depots}," in result.output and depots > 60
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0 and "not loaded" in again.output
    assert db.session.scalar(select(func.count(Depot.id))) == depots


@pytest.mark.slow  # the whole demo county, a year of history, over the network
@pytest.mark.postgres
def test_the_demo_loads_on_postgresql(pg_app):
    summary = demo.seed(db.session)
    report = verify_ledger(db.session)
    assert report.ok, report.problems
    assert report.movements_checked == summary["movements"]


def test_the_plan_targets_are_assessed_with_all_three_reserve_modes(county):
    from inventory.contracts.models import CallOff
    from inventory.readiness import queries as readiness_queries
    from inventory.readiness.models import Target

    targets = {t.name: t for t in db.session.scalars(select(Target))}
    assert {(t.people, float(t.deadline_hours)) for t in targets.values()} >= {
        (1200, 10.0), (1200, 6.0)}
    result = readiness_queries.assess_target(db.session, targets["全县集中安置 1200 人"])
    modes = {(item.need.code, source.source) for item in result.items
             for source in item.sources}
    assert ("FW-WATER-5L", "contract") in modes and ("FW-BISCUIT", "capacity") in modes
    # Beds, toilets and hygiene kits fall short on purpose: the target is not met.
    assert 0 < result.people_supplied < 1200 and result.limiting_items
    # The water call-off was received into the county warehouse and settled at 4.50 a unit.
    [called] = db.session.scalars(select(CallOff)).all()
    assert called.status == "received" and called.lot.source == "contract"
    assert called.settled_amount == 500 * 4.5


def test_the_demo_tiers_have_minimums_that_some_depots_miss(county):
    from inventory.readiness import queries as readiness_queries

    county_tents, kit, tents = readiness_queries.minimum_compliance(db.session)  # county first
    assert county_tents.minimum.level == "county" and county_tents.met == 1
    # No township point holds a full kit for 20 people (toilets, lights and hygiene kits are
    # kept at the county), while some hold their tents: both colours on the screen.
    assert kit.minimum.people == 20 and len(kit.depots) == 13 and kit.met == 0
    assert {need.code for need, _held, _short in kit.depots[0].shortfalls} >= {"SH-TOILET"}
    assert tents.minimum.item.code == "SH-TENT-12" and 0 < tents.met < len(tents.depots)


def test_the_county_and_township_depots_were_counted_at_year_end_and_villages_were_not(county):
    from inventory.readiness import queries as readiness_queries
    from inventory.stocktake.models import Stocktake

    sheets = db.session.scalars(select(Stocktake)).all()
    statuses = {sheet.depot.code: sheet.status for sheet in sheets}
    assert statuses["XZ-01"] == statuses["DC-01"] == statuses["TS-13"] == "approved"
    assert statuses["VL-01-01"] == "submitted"
    # The counts agreed with the books, so approving them wrote no ledger row.
    assert all(row.variance == 0 for sheet in sheets for row in sheet.counts)
    assert sum(len(sheet.counts) for sheet in sheets) > 100
    overdue = {row["depot"] for row in readiness_queries.flags(db.session).depots_without_stocktake}
    villages = {code for code in db.session.scalars(select(Depot.code)) if code.startswith("VL-")}
    assert overdue == villages


def test_the_dashboard_has_a_target_on_every_tier(county):
    from inventory.readiness.models import Target

    levels = {target.area.level for target in db.session.scalars(select(Target))}
    assert levels == {"county", "township", "village"}


def test_the_county_has_shelters_for_more_than_the_plans_1200_people(county):
    from inventory.shelters import queries
    from inventory.shelters.models import Shelter

    shelters = db.session.scalars(select(Shelter)).all()
    assert county["shelters"] == len(shelters) >= 5
    assert sum(s.capacity_people for s in shelters) > 1200
    seat = next(s for s in shelters if s.name == "平罗县县城综合应急避难场所")
    assert seat.shelter_class == "I" and seat.area.name == "城关镇"
    assert len({s.area_id for s in shelters}) >= 5  # several townships
    for shelter in shelters:
        # Each has its receiving point: a depot of kind shelter with its code, in its area.
        assert (shelter.depot.code, shelter.depot.kind, shelter.depot.area_id) == (
            shelter.code, "shelter", shelter.area_id)
        assert shelter.latitude is not None and shelter.contact_phone
        routes = queries.routes_to(db.session, shelter)
        assert routes and all(r.hours is not None for r in routes)
    warehouse = {r.shelter_code: r for s in shelters for r in queries.routes_to(db.session, s)
                 if r.depot_code == "XZ-01"}
    assert (warehouse["BN-01-01"].hours, warehouse["BN-01-01"].basis) == (0.25, "survey")
    assert warehouse["BN-02-01"].basis == "estimate" and 0 < warehouse["BN-02-01"].hours < 1


def test_the_county_seat_shelter_received_its_store_by_transfer(county):
    from inventory.shelters import queries, services

    seat = services.get_shelter(db.session, "BN-01-01")
    held = {s.code: s.on_hand for s in queries.supplies_at(db.session, seat)}
    assert held == {"SH-QUILT": 100, "FW-WATER-5L": 60, "SH-BED": 40}
    moved = db.session.scalars(select(Transfer).where(Transfer.to_depot_id == seat.depot_id))
    assert [t.status for t in moved] == ["received"]


def test_the_county_rotates_to_outlets_of_every_kind_for_perishable_items(county):
    from inventory.audit import AuditEvent
    from inventory.outlets.queries import list_outlets

    outlets = list_outlets(db.session, active=True)
    assert county["outlets"] == len(outlets) >= 5
    assert {o.kind for o in outlets} == {"canteen", "drill", "market", "other"}
    assert all(o.item.shelf_life_days for o in outlets)  # durable goods need no rotation
    assert "平罗县第一中学食堂" in {o.name for o in outlets}
    logged = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "outlet.create"))
    assert len(logged.all()) == len(outlets)
