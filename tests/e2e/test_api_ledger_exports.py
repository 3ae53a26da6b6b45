"""The ledger exports over HTTP: who may export, filters, and the CSV, XLSX and PDF files read
back and compared row by row with the database."""

import csv
import io
from datetime import timedelta

import pytest
from checks import assert_refused, nothing_changes
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from inventory import clock
from inventory.db import db, utcnow
from inventory.exports import pdffile, xlsxfile
from inventory.exports.trailer import RowDigest
from inventory.stock import services as stock
from inventory.stock.models import Movement

EXPORTS = ["/api/v1/ledger/export.csv", "/api/v1/ledger/export.xlsx",
           "/api/v1/ledger/export.pdf"]


@pytest.fixture
def ledger(world):
    """Receipts at the county warehouse and a township, issues with reasons, a reversal."""
    admin, keeper = world.users["admin"], world.users["keeper"]
    # Within the days a movement may be dated back (MOVEMENT_BACKDATE_DAYS).
    days_ago = clock.start_of_day(clock.today() - timedelta(days=5)) + timedelta(hours=9)
    tents, _ = stock.receive(db.session, admin, depot="XZ-01", item="SH-TENT-12", quantity=40,
                             unit_cost="950", occurred_at=days_ago, reference="RK-1")
    stock.receive(db.session, admin, depot="TS-01", item="FW-WATER-5L", quantity=12,
                  unit_cost="12.50", occurred_at=days_ago)
    issued = stock.issue(db.session, keeper, lot=tents.id, quantity=3, recipient="城关镇",
                         reason='救灾, "紧急"\n第二行', occurred_at=days_ago + timedelta(days=1))
    stock.reverse(db.session, admin, movement=issued[0].id, reason="录入错误")
    db.session.commit()
    return world


def database_rows(**where) -> list[Movement]:
    stmt = select(Movement).order_by(Movement.id)
    for name, value in where.items():
        stmt = stmt.where(getattr(Movement, name) == value)
    return db.session.scalars(stmt).all()


def expected(movement) -> list[str]:
    cost = movement.lot.unit_cost
    return [str(movement.id),
            clock.local_time(movement.occurred_at).isoformat(" ", "seconds"),
            movement.lot.depot.code, movement.lot.item.code, movement.lot.code, movement.kind,
            str(movement.quantity), str(movement.balance_after),
            "" if cost is None else f"{cost:.2f}",
            "" if cost is None else f"{cost * movement.quantity:.2f}",
            movement.reference or "", movement.actor.username, movement.reason or "",
            movement.hash]


def csv_lines(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("username", ["admin", "bureau", "auditor"])
def test_the_auditor_bureau_and_admins_export_the_ledger_as_csv_read_back_row_by_row(
        client, ledger, username):
    response = client.get(EXPORTS[0], headers=ledger.headers(username))
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="ledger-')
    lines = csv_lines(response.data)
    assert lines[0][0] == "台账行号" and len(lines[0]) == 14
    rows = [line for line in lines[1:] if not line[0].startswith("#")]
    movements = database_rows()
    assert rows == [expected(m) for m in movements]
    trailer = {line[0]: line[1:] for line in lines if line[0].startswith("#")}
    assert trailer["#rows"] == [str(len(movements))]
    assert trailer["#last_row"] == [str(movements[-1].id), movements[-1].hash]
    digest = RowDigest()
    digest.lines(rows)
    assert trailer["#rows_sha256"] == [digest.hexdigest()]


def test_the_csv_ends_with_the_sha256_of_everything_above_its_last_line(client, ledger):
    import hashlib

    data = client.get(EXPORTS[0], headers=ledger.headers("auditor")).data
    body, last = data.rstrip(b"\r\n").rsplit(b"\r\n", 1)
    assert last.startswith(b"#file_sha256,")
    assert hashlib.sha256(body + b"\r\n").hexdigest() == last.split(b",")[1].decode()


def test_the_xlsx_export_holds_the_same_rows_as_the_csv_and_its_trailer_sheet(client, ledger):
    headers = ledger.headers("auditor")
    csv_rows = [line for line in csv_lines(client.get(EXPORTS[0], headers=headers).data)[1:]
                if not line[0].startswith("#")]
    response = client.get(EXPORTS[1], headers=headers)
    assert response.status_code == 200
    assert response.mimetype == xlsxfile.MIMETYPE
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["台账", "校验"]
    sheet = book["台账"]
    assert sheet.cell(1, 1).value == "台账行号" and sheet.cell(1, 1).font.b
    first = database_rows()[0]
    assert sheet.cell(2, 1).value == first.id and sheet.cell(2, 7).value == first.quantity
    assert sheet.cell(2, 9).value == 950 and sheet.cell(2, 14).value == first.hash
    assert list(xlsxfile.lines(io.BytesIO(response.data)))[:len(csv_rows)] == csv_rows
    trailer = {row[0].value: row[1].value for row in book["校验"].iter_rows()}
    assert trailer["#rows"] == str(len(csv_rows))


def test_a_large_xlsx_export_starts_a_new_sheet_at_the_row_limit(app, ledger):
    from inventory.exports import queries

    with app.test_request_context():
        rows = list(queries.ledger_rows(db.session, queries.LedgerFilter()))
        data = b"".join(xlsxfile.chunks(iter(rows), [f"h{n}" for n in range(14)], utcnow(),
                                        "*", "台账", "校验", sheet_rows=3))
    assert len(rows) == 4
    book = load_workbook(io.BytesIO(data), read_only=True)
    assert book.sheetnames == ["台账", "台账 2", "校验"]
    assert list(xlsxfile.lines(io.BytesIO(data)))[:len(rows)] == [list(row) for row in rows]


def test_the_pdf_export_prints_every_row_and_carries_the_csv(client, ledger):
    headers = ledger.headers("auditor")
    response = client.get(f"{EXPORTS[2]}?depot=XZ-01", headers=headers)
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    pages = [page.extract_text() for page in reader.pages]
    assert all("depot=XZ-01" in page and "导出时间" in page for page in pages)
    assert all(f"{n} / {len(pages)}" in page or f"第 {n} 页" in page
               for n, page in enumerate(pages, 1)), pages[0][-200:]
    text = "\n".join(pages)
    movements = database_rows(depot_id=ledger.depots["XZ-01"].id)
    for movement in movements:
        assert movement.hash[:32] in text and movement.hash[32:] in text
    attached = csv_lines(pdffile.attached_csv(io.BytesIO(response.data)))
    assert [line for line in attached[1:] if not line[0].startswith("#")] == [
        expected(m) for m in movements]
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert width > height  # landscape


@pytest.mark.parametrize("query, where", [
    ("depot=TS-01", lambda w: {"depot_id": w.depots["TS-01"].id}),
    ("item=SH-TENT-12", lambda w: {"item_id": w.items["SH-TENT-12"].id}),
    ("kind=reversal", lambda w: {"kind": "reversal"}),
    ("actor=keeper", lambda w: {"actor_id": w.users["keeper"].id}),
    ("tier=township", lambda w: {"depot_id": w.depots["TS-01"].id}),
])
def test_the_filters_of_the_movements_list_and_tier_category_and_actor_narrow_the_export(
        client, ledger, query, where):
    lines = csv_lines(client.get(f"{EXPORTS[0]}?{query}", headers=ledger.headers("auditor"))
                      .data)
    rows = [line for line in lines[1:] if not line[0].startswith("#")]
    assert rows == [expected(m) for m in database_rows(**where(ledger))]
    assert any(line[0] == "#filter" and line[1] == query for line in lines)


def test_a_period_narrows_the_export_by_the_time_rows_happened(client, ledger):
    start = clock.start_of_day(clock.today() - timedelta(days=4))
    lines = csv_lines(client.get(EXPORTS[0], query_string={"since": start.isoformat()},
                                 headers=ledger.headers("auditor")).data)
    rows = [line for line in lines[1:] if not line[0].startswith("#")]
    assert [row[5] for row in rows] == ["issue", "reversal"]


@pytest.mark.parametrize("username", ["keeper", "planner"])
def test_keepers_and_planners_may_not_export_the_ledger(client, ledger, username):
    for path in EXPORTS:
        assert_refused(client.get(path, headers=ledger.headers(username)), 403, "forbidden")


def test_an_export_without_a_token_is_refused(client, ledger):
    for path in EXPORTS:
        assert_refused(client.get(path), 401, "unauthorized")


@pytest.mark.parametrize("query, status, code", [
    ("depot=NOPE", 404, "not_found"), ("actor=nobody", 404, "not_found"),
    ("kind=theft", 422, "invalid_input"), ("tier=province", 422, "invalid_input"),
    ("since=2026-01-01T00:00:00", 422, "invalid_input"),
    ("since=0001-01-01T00:00:00%2B01:00", 422, "invalid_input"),
    ("until=9999-12-31T23:59:59-05:00", 422, "invalid_input"),
    ("since=2026-02-01T00:00:00%2B08:00&until=2026-01-01T00:00:00%2B08:00", 422,
     "invalid_input"),
])
def test_bad_filters_are_refused_with_a_message_and_change_nothing(client, ledger, query,
                                                                   status, code):
    with nothing_changes(db.session):
        for path in EXPORTS:
            assert_refused(client.get(f"{path}?{query}", headers=ledger.headers("auditor")),
                           status, code)


def test_a_pdf_of_more_rows_than_it_prints_is_refused_with_a_pointer_to_csv(client, ledger,
                                                                           monkeypatch):
    monkeypatch.setattr(pdffile, "MAX_ROWS", 2)
    body = assert_refused(client.get(EXPORTS[2], headers=ledger.headers(
        "auditor", **{"Accept-Language": "en"})), 422, "invalid_input")
    assert "CSV" in body["message"]


def test_the_english_export_has_english_headings(client, ledger):
    data = client.get(EXPORTS[0], headers=ledger.headers("auditor", **{
        "Accept-Language": "en"})).data
    assert csv_lines(data)[0][0] == "Ledger row"


@pytest.mark.parametrize("reason", ['a,b', '"', '他说"好"', "line\r\nbreak", " spaces ",
                                    "逗号，中文", "tab\there"])
def test_text_that_needs_quoting_is_written_exactly_as_the_csv_module_writes_it(
        client, world, reason):
    lot, _ = stock.receive(db.session, world.users["admin"], depot="XZ-01", item="SH-TENT-12",
                           quantity=5, reason=reason, reference="RK,1", lot_code='L"1')
    db.session.commit()
    data = client.get(EXPORTS[0], headers=world.headers("auditor")).data
    lines = csv_lines(data)
    rows = [line for line in lines[1:] if not line[0].startswith("#")]
    assert rows == [expected(m) for m in database_rows()]
    assert rows[0][12] == reason
    digest = RowDigest()
    body = digest.lines(rows)
    assert body in data
    assert [line[1] for line in lines if line[0] == "#rows_sha256"] == [digest.hexdigest()]
