"""Times as the bureau reads them: pages and workbooks in RESERVES_TIMEZONE (Asia/Shanghai by
default), the API in ISO 8601 with its offset."""

import io
from datetime import UTC, date, datetime, timedelta

from factories import PASSWORD
from openpyxl import load_workbook

from inventory import clock
from inventory.contracts import services as contracts
from inventory.db import db
from inventory.stock import services as stock
from inventory.stocktake import services as stocktakes

#: 02:17 on 1 July in Beijing, 18:17 on 30 June in UTC
NIGHT = datetime(2026, 6, 30, 18, 17, tzinfo=UTC)


def log_in(client, username="bureau"):
    client.post("/login", data={"username": username, "password": PASSWORD})


def test_clock_formats_a_utc_moment_in_the_bureaus_time_zone():
    assert clock.format_local(NIGHT) == "2026-07-01 02:17"
    assert clock.format_local(NIGHT.replace(tzinfo=None)) == "2026-07-01 02:17"
    assert clock.format_local_date(NIGHT) == "2026-07-01"
    assert clock.format_local_date(date(2026, 7, 1)) == "2026-07-01"
    assert clock.format_local(None) == ""
    assert clock.spreadsheet_time(NIGHT) == datetime(2026, 7, 1, 2, 17)


def test_a_receipt_at_night_shows_its_beijing_time_and_date_on_the_lot_page(client, world):
    lot, _ = stock.receive(db.session, world.users["keeper"], depot="XZ-01", item="SH-TENT-12",
                           quantity=5, occurred_at=NIGHT, reference="RK-NIGHT")
    assert lot.code.startswith("20260701-")  # the automatic lot code takes the local date
    log_in(client)
    page = client.get(f"/lots/{lot.id}").get_data(as_text=True)
    assert "2026-07-01 02:17" in page and "06-30 18:17" not in page
    answer = client.get(f"/api/v1/movements?lot={lot.id}", headers=world.headers("bureau"))
    occurred = answer.get_json()[0]["occurred_at"]
    assert datetime.fromisoformat(occurred) == NIGHT and occurred[-6:] in ("+00:00", "+08:00")


def test_a_stocktake_shows_when_it_was_started_in_the_bureaus_time_zone(client, world):
    stock.receive(db.session, world.users["keeper"], depot="XZ-01", item="SH-TENT-12",
                  quantity=5)
    count = stocktakes.start(db.session, world.users["keeper"], depot="XZ-01")
    count.started_at = NIGHT
    db.session.commit()
    log_in(client)
    assert "2026-07-01 02:17" in client.get(f"/stocktakes/{count.id}").get_data(as_text=True)
    assert "2026-07-01" in client.get("/stocktakes/").get_data(as_text=True)


def test_a_call_off_at_night_has_its_local_time_in_the_workbook(client, world):
    today = clock.today()
    agreement = contracts.create_agreement(
        db.session, world.users["admin"], number="XY-N", supplier="某水厂", item="FW-WATER-5L",
        committed_quantity=100, response_hours=4, response_to="county",
        valid_from=today - timedelta(days=300), valid_until=today + timedelta(days=300))
    call = contracts.call_off(db.session, world.users["admin"], agreement_id=agreement.id,
                             quantity=10, depot="XZ-01")
    call.called_at = NIGHT
    db.session.commit()
    log_in(client)
    book = load_workbook(io.BytesIO(client.get("/reserves/reserves.xlsx").data))
    rows = list(book["调用记录"].iter_rows(min_row=2, values_only=True))
    assert rows[0][2] == datetime(2026, 7, 1, 2, 17)
