"""The period reports on the demo county's year of history: opening + movements = closing for
every depot and item, and the closing equals the live balances."""

from datetime import date, timedelta

import pytest
from crawl import DEMO_USERS, logged_in

from inventory import clock, demo
from inventory.auth.models import User
from inventory.db import db
from inventory.reports import queries, scope


def lines_of(report: dict) -> dict:
    return {(line["depot"], line["item"]): line for tier in report["groups"]
            for category in tier["categories"] for line in category["lines"]}


def live_balances(client) -> dict:
    """On hand now by depot and item, from GET /api/v1/balances (stock in transit apart)."""
    return {(row["depot"], row["item"]): row["quantity"]
            for row in client.get("/api/v1/balances").get_json() if row["quantity"]}


def check_the_year(client) -> dict:
    first = clock.today() - timedelta(days=400)  # before the demo's opening stock
    report = client.get(f"/api/v1/reports/stock-summary?from={first}").get_json()
    lines = lines_of(report)
    assert len(lines) > 300
    assert report["unbalanced_lines"] == 0
    for key, line in lines.items():
        movements = sum(line["quantity"][column] for column in queries.MOVEMENT_COLUMNS)
        assert line["quantity"]["opening"] + movements == line["quantity"]["closing"], key
        assert line["check"] == {"quantity": 0, "value": "0.00", "balanced": True}, key
    assert {key: line["quantity"]["closing"] for key, line in lines.items()
            if line["quantity"]["closing"]} == live_balances(client)
    return report


def test_every_line_of_the_demo_years_summary_balances_and_closes_at_the_live_balances(
        demo_app):
    client = logged_in(demo_app, *DEMO_USERS["auditor"])
    report = check_the_year(client)
    totals = report["totals"]["quantity"]
    # The year's history holds every kind of movement the ledger knows.
    assert all(totals[column] for column in queries.MOVEMENT_COLUMNS)
    assert totals["opening"] == 0 and totals["reversal"] < 0 and totals["issue"] < 0


def test_the_quarters_chain_each_closing_to_the_next_opening_and_add_up_to_the_year(demo_app):
    auditor = db.session.scalar(db.select(User).filter_by(username="auditor"))
    reads = scope.scope(db.session, auditor)
    last = clock.today()
    starts = [last - timedelta(days=days) for days in (360, 270, 180, 90)]
    quarters = [queries.stock_summary(db.session, scope.Period(start, end - timedelta(days=1)),
                                      reads)
                for start, end in zip(starts, [*starts[1:], last + timedelta(days=1)],
                                      strict=True)]
    year = queries.stock_summary(db.session, scope.Period(starts[0], last), reads)

    def by_line(report, column):
        return {(line.depot.code, line.item.code): (line.figures.quantity[column],
                                                    line.figures.cents[column])
                for line in report.lines}

    for before, after in zip(quarters, quarters[1:], strict=False):
        closing, opening = by_line(before, "closing"), by_line(after, "opening")
        assert {k: v for k, v in closing.items() if v != (0, 0)} == {
            k: v for k, v in opening.items() if v != (0, 0)}
    for column in queries.MOVEMENT_COLUMNS:
        assert sum(q.totals.cents[column] for q in quarters) == year.totals.cents[column]
        assert sum(q.totals.quantity[column] for q in quarters) == year.totals.quantity[column]


def test_stock_on_hand_now_is_the_live_balance_and_a_past_moment_the_ledger_as_of_it(demo_app):
    client = logged_in(demo_app, *DEMO_USERS["planner"])
    now = lines_of(client.get("/api/v1/reports/stock-on-hand").get_json())
    assert {key: line["quantity"]["on_hand"] for key, line in now.items()} == live_balances(
        client)
    moment = clock.start_of_day(clock.today() - timedelta(days=200)) + timedelta(hours=12)
    past = lines_of(client.get("/api/v1/reports/stock-on-hand",
                               query_string={"at": moment.isoformat()}).get_json())
    as_of = client.get("/api/v1/balances", query_string={"as_of": moment.isoformat()}).get_json()
    assert {key: line["quantity"]["on_hand"] for key, line in past.items()} == {
        (row["depot"], row["item"]): row["quantity"] for row in as_of if row["quantity"]}


def test_the_demo_water_call_off_is_owed_at_the_tender_price_and_settled(demo_app):
    client = logged_in(demo_app, *DEMO_USERS["bureau"])
    report = client.get("/api/v1/reports/settlements",
                        query_string={"from": str(clock.today() - timedelta(days=7))}).get_json()
    [water] = report["agreements"]
    assert water["number"] == f"XY-{clock.today().year}-001"
    assert water["received"] == 500 and water["unit_price"] == "4.50"
    assert water["owed"] == water["settled"] == "2250.00" and water["unsettled"] == "0.00"


def test_a_township_keeper_reads_their_township_and_its_villages(demo_app):
    client = logged_in(demo_app, *DEMO_USERS["township keeper"])
    lines = lines_of(client.get("/api/v1/reports/stock-summary").get_json())
    keeper = db.session.scalar(db.select(User).filter_by(username="keeper-t01"))
    assert lines and {depot for depot, _ in lines} <= {depot.code for depot in keeper.depots}
    assert any(depot.startswith("VL-01-") for depot, _ in lines)
    assert client.get("/api/v1/reports/stock-summary?depot=XZ-01").status_code == 403


@pytest.mark.postgres
@pytest.mark.slow
def test_on_postgresql_the_demo_years_summary_balances_and_closes_at_the_live_balances(pg_app):
    demo.seed(db.session)
    client = logged_in(pg_app, *DEMO_USERS["auditor"])
    check_the_year(client)
    summary = client.get(f"/api/v1/reports/stock-summary?from={date(2000, 1, 1)}").get_json()
    assert summary["totals"]["value"]["closing"] == client.get(
        "/api/v1/reports/stock-on-hand").get_json()["totals"]["value"]["on_hand"]

