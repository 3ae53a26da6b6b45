"""The stock summary and stock on hand on a small ledger built by hand with every kind of
movement, checked figure by figure, on SQLite and PostgreSQL."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from factories import make_world

from inventory import clock
from inventory.db import db
from inventory.errors import Forbidden, InvalidInput, NotFound
from inventory.reports import queries, scope
from inventory.stock import services as stock
from inventory.transfers import services as transfers


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request, shared_apps):
    apps = (shared_apps.sqlite() if request.param == "sqlite"
            else shared_apps.postgres(request.getfixturevalue("postgres_url")))
    next(apps)
    built = make_world(db.session)
    built.items["FW-WATER-5L"].category = built.items["FW-BISCUIT"].category = "食品饮水"
    db.session.commit()
    yield built
    next(apps, None)


@dataclass
class Ledger:
    period: scope.Period
    first_moment: object
    end: object


def at(day: date, hour: int = 9, second: int = 0):
    """A moment on a day in the bureau's time zone."""
    return clock.start_of_day(day) + timedelta(hours=hour, seconds=second)


def transfer(world, quantity: int, dispatched, received):
    admin = world.users["admin"]
    draft = transfers.create(db.session, admin, from_depot="XZ-01", to_depot="TS-01",
                             lines=[{"item": "SH-TENT-12", "quantity": quantity}])
    transfers.dispatch(db.session, admin, draft.id, occurred_at=dispatched)
    transfers.receive(db.session, admin, draft.id, occurred_at=received)


@pytest.fixture
def ledger(world) -> Ledger:
    """Tents at the county warehouse with every kind of movement; water without a unit cost
    at the township point; biscuits untouched in the period at the village point."""
    today = clock.today()
    period = scope.period(today - timedelta(days=30), today - timedelta(days=10))
    first, end = period.starts_at, period.ends_before
    keeper, admin = world.users["keeper"], world.users["admin"]

    def receive(depot, item, quantity, when, code, cost):
        lot, [row] = stock.receive(db.session, admin, depot=depot, item=item, quantity=quantity,
                                   lot_code=code, unit_cost=cost, occurred_at=when)
        return lot, row

    # Before the period: the opening stock, the last of it a second before midnight.
    tents, _ = receive("XZ-01", "SH-TENT-12", 100, first - timedelta(days=5), "A", "950.00")
    receive("VL-01", "FW-BISCUIT", 30, first - timedelta(seconds=1), "BIS", "6.35")
    # In the period, the first at midnight exactly.
    receive("XZ-01", "SH-TENT-12", 20, first, "A", "950.00")
    [issued] = stock.issue(db.session, keeper, lot=tents.id, quantity=5,
                           occurred_at=at(period.first + timedelta(days=1)))
    transfer(world, 10, at(period.first + timedelta(days=2)), at(period.first + timedelta(days=3)))
    stock.adjust(db.session, keeper, lot=tents.id, counted_quantity=103, reason="盘点",
                 occurred_at=at(period.first + timedelta(days=4)))
    stock.write_off(db.session, keeper, lot=tents.id, quantity=3, reason="霉变",
                    occurred_at=at(period.first + timedelta(days=5)))
    stock.issue(db.session, keeper, lot=tents.id, quantity=4, kind="rotation_out",
                occurred_at=at(period.first + timedelta(days=6)))
    stock.reverse(db.session, keeper, movement=issued.id, reason="错发",
                  occurred_at=at(period.first + timedelta(days=7)))
    _, twice = receive("XZ-01", "SH-TENT-12", 8, at(period.first + timedelta(days=8)), "B",
                       "960.00")
    stock.reverse(db.session, keeper, movement=twice.id, reason="重复入库",
                  occurred_at=at(period.first + timedelta(days=9)))
    water, _ = receive("TS-01", "FW-WATER-5L", 50, at(period.first + timedelta(days=2)), "W",
                       None)
    stock.issue(db.session, admin, lot=water.id, quantity=10,
                occurred_at=at(period.first + timedelta(days=3)))
    # Sent on the last evening, received two days after the period: in transit at its end.
    transfer(world, 7, at(period.last, 23), at(period.last + timedelta(days=2)))
    # After the period, the first at midnight exactly.
    stock.issue(db.session, keeper, lot=tents.id, quantity=1, occurred_at=end)
    receive("XZ-01", "SH-TENT-12", 40, end + timedelta(days=1), "C", "950.00")
    db.session.commit()
    return Ledger(period, first, end)


def figures(report, depot, item):
    [line] = [line for line in report.lines if (line.depot.code, line.item.code) == (depot, item)]
    return line.figures


def quantities(found) -> list[int]:
    return [found.quantity[column] for column in queries.SUMMARY_COLUMNS]


def values(found) -> list[str]:
    return [f"{found.value(column):.2f}" for column in queries.SUMMARY_COLUMNS]


def test_the_county_warehouses_tents_show_every_kind_of_movement_figure_by_figure(ledger):
    report = queries.stock_summary(db.session, ledger.period)
    tents = figures(report, "XZ-01", "SH-TENT-12")
    # opening, receipt, issue, transfer in, transfer out, adjustment, write-off, rotation,
    # reversal, closing
    assert quantities(tents) == [100, 28, -5, 0, -17, -2, -3, -4, -3, 94]
    assert values(tents) == ["95000.00", "26680.00", "-4750.00", "0.00", "-16150.00",
                             "-1900.00", "-2850.00", "-3800.00", "-2930.00", "89300.00"]
    assert tents.quantity_difference == 0 and tents.value_difference == 0 and tents.balanced
    assert (tents.lots, tents.unpriced_lots, tents.unpriced_quantity) == (2, 0, 0)


def test_the_township_receives_a_transfer_in_the_period_and_not_the_one_still_in_transit(
        ledger):
    report = queries.stock_summary(db.session, ledger.period)
    tents = figures(report, "TS-01", "SH-TENT-12")
    assert quantities(tents) == [0, 0, 0, 10, 0, 0, 0, 0, 0, 10]
    assert tents.value("transfer_in") == tents.value("closing") == Decimal("9500.00")


def test_a_lot_without_a_unit_cost_counts_in_quantities_and_is_counted_apart_from_values(
        ledger):
    report = queries.stock_summary(db.session, ledger.period)
    water = figures(report, "TS-01", "FW-WATER-5L")
    assert quantities(water) == [0, 50, -10, 0, 0, 0, 0, 0, 0, 40]
    assert set(values(water)) == {"0.00"}
    assert (water.lots, water.unpriced_lots, water.unpriced_quantity) == (1, 1, 40)
    assert report.totals.unpriced_lots == 1 and report.totals.unpriced_quantity == 40


def test_a_line_without_movement_in_the_period_carries_its_opening_to_its_closing(ledger):
    report = queries.stock_summary(db.session, ledger.period)
    biscuits = figures(report, "VL-01", "FW-BISCUIT")
    assert quantities(biscuits) == [30, 0, 0, 0, 0, 0, 0, 0, 0, 30]
    assert biscuits.value("opening") == biscuits.value("closing") == Decimal("190.50")


def test_lines_are_grouped_by_tier_then_category_with_totals_at_each_level(ledger):
    report = queries.stock_summary(db.session, ledger.period)
    shape = [(tier.tier, [(c.category, [(line.depot.code, line.item.code) for line in c.lines])
                          for c in tier.categories]) for tier in report.groups]
    assert shape == [
        ("county", [("生活类", [("XZ-01", "SH-TENT-12")])]),
        ("township", [("生活类", [("TS-01", "SH-TENT-12")]),
                      ("食品饮水", [("TS-01", "FW-WATER-5L")])]),
        ("village", [("食品饮水", [("VL-01", "FW-BISCUIT")])]),
    ]
    township = report.groups[1]
    assert township.totals.value("closing") == Decimal("9500.00")
    assert township.totals.quantity["closing"] == 50
    assert report.totals.value("closing") == Decimal("89300.00") + Decimal("9500.00") + \
        Decimal("190.50")
    assert report.totals.value("opening") == Decimal("95000.00") + Decimal("190.50")
    assert report.totals.balanced and report.unbalanced == []


def test_the_closing_balance_leaves_out_what_happened_from_the_next_midnight_on(ledger):
    report = queries.stock_summary(db.session, ledger.period)
    live = {(row["depot"], row["item"]): row["quantity"]
            for row in stock.balances(db.session, as_of=ledger.end - timedelta(microseconds=1))}
    assert {(line.depot.code, line.item.code): line.figures.quantity["closing"]
            for line in report.lines} == live
    today = stock.balances(db.session, depot="XZ-01", item="SH-TENT-12")
    assert today[0]["quantity"] == 94 - 1 + 40  # the issue at midnight and a later receipt


def test_a_period_of_one_day_counts_the_movement_at_its_first_midnight(ledger):
    first_day = scope.Period(ledger.period.first, ledger.period.first)
    report = queries.stock_summary(db.session, first_day)
    tents = figures(report, "XZ-01", "SH-TENT-12")
    assert quantities(tents) == [100, 20, 0, 0, 0, 0, 0, 0, 0, 120]
    biscuits = figures(report, "VL-01", "FW-BISCUIT")
    assert biscuits.quantity["opening"] == 30  # a second before midnight: the day before


def test_stock_on_hand_at_a_moment_is_the_ledger_up_to_and_including_it(ledger):
    moment = at(ledger.period.first + timedelta(days=5))  # the write-off's own moment
    report = queries.stock_on_hand(db.session, moment)
    tents = figures(report, "XZ-01", "SH-TENT-12")
    assert tents.quantity["on_hand"] == 100 + 20 - 5 - 10 - 2 - 3
    assert tents.value("on_hand") == Decimal(100) * 950
    assert report.columns == ("on_hand",)
    rebuilt = {(line.depot.code, line.item.code): line.figures.quantity["on_hand"]
               for line in report.lines}
    assert rebuilt == {(row["depot"], row["item"]): row["quantity"]
                       for row in stock.balances(db.session, as_of=moment) if row["quantity"]}


def test_stock_on_hand_at_the_end_of_the_period_equals_its_closing(ledger):
    summary = queries.stock_summary(db.session, ledger.period)
    on_hand = queries.stock_on_hand(db.session, scope.moment(ledger.period.last))
    assert [(line.depot.code, line.item.code, line.figures.quantity["on_hand"],
             line.figures.cents["on_hand"]) for line in on_hand.lines] == [
        (line.depot.code, line.item.code, line.figures.quantity["closing"],
         line.figures.cents["closing"]) for line in summary.lines]


def test_filters_narrow_the_report_to_a_depot_an_item_a_tier_or_a_category(world, ledger):
    auditor = world.users["auditor"]

    def lines(**filters):
        chosen = scope.scope(db.session, auditor, **filters)
        return {(line.depot.code, line.item.code)
                for line in queries.stock_summary(db.session, ledger.period, chosen).lines}

    assert lines(depot="TS-01") == {("TS-01", "SH-TENT-12"), ("TS-01", "FW-WATER-5L")}
    assert lines(item="SH-TENT-12") == {("XZ-01", "SH-TENT-12"), ("TS-01", "SH-TENT-12")}
    assert lines(tier="village") == {("VL-01", "FW-BISCUIT")}
    assert lines(category="食品饮水") == {("TS-01", "FW-WATER-5L"), ("VL-01", "FW-BISCUIT")}
    assert lines(tier="township", category="生活类") == {("TS-01", "SH-TENT-12")}
    assert lines(category="没有这类") == set()


def test_a_keeper_reads_only_their_own_depots_and_is_refused_another(world, ledger):
    keeper = world.users["keeper2"]  # TS-01
    own = scope.scope(db.session, keeper)
    report = queries.stock_summary(db.session, ledger.period, own)
    assert {line.depot.code for line in report.lines} == {"TS-01"}
    with pytest.raises(Forbidden):
        scope.scope(db.session, keeper, depot="XZ-01")
    assert scope.scope(db.session, keeper, depot="TS-01").depot_ids == (
        world.depots["TS-01"].id,)


def test_unknown_depots_items_and_tiers_are_refused_by_name(world):
    auditor = world.users["auditor"]
    with pytest.raises(NotFound):
        scope.scope(db.session, auditor, depot="NOPE")
    with pytest.raises(NotFound):
        scope.scope(db.session, auditor, item="NOPE")
    with pytest.raises(InvalidInput):
        scope.scope(db.session, auditor, tier="province")
