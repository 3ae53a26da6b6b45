"""Printed documents read back: the transfer order (调拨单) with its lots' QR codes, and the
numbered receipt and issue documents (入库单, 出库单) grouped by reference and depot."""

import io
import re
from datetime import timedelta
from decimal import Decimal

import pypdfium2
import pytest
import zxingcpp
from factories import PASSWORD
from pypdf import PdfReader

from inventory import clock
from inventory.db import db
from inventory.labels import payload
from inventory.stock import services as stock
from inventory.transfers import services as transfers

ROLES = ["admin", "bureau", "keeper", "keeper2", "planner", "auditor"]


def log_in(client, username="auditor"):
    assert client.post("/login", data={"username": username,
                                       "password": PASSWORD}).status_code == 302


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def qr_codes(pdf: bytes) -> list[str]:
    """Render every page at 200 dpi and decode the QR codes on it."""
    document = pypdfium2.PdfDocument(pdf)
    codes = []
    for page in document:
        codes += [found.text for found in zxingcpp.read_barcodes(
            page.render(scale=200 / 72).to_pil())]
    return codes


def receive(world, code, quantity, *, depot="XZ-01", item="FW-WATER-5L", reference=None,
            unit_cost=None, days=300):
    user = world.users["keeper" if depot == "XZ-01" else "keeper2"]
    lot, [movement] = stock.receive(
        db.session, user, depot=depot, item=item, quantity=quantity, lot_code=code,
        expires_on=clock.today() + timedelta(days=days), reference=reference,
        unit_cost=unit_cost, reason="年度采购入库")
    return lot, movement


def pdf(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/pdf"
    return response.data


def test_the_transfer_order_names_both_parties_the_lots_and_carries_their_signed_codes(
        app, client, world):
    early, _ = receive(world, "W-EARLY", 5, days=100)
    late, _ = receive(world, "W-LATE", 20, days=700)
    order = transfers.create(db.session, world.users["bureau"], from_depot="XZ-01",
                             to_depot="TS-01", lines=[{"item": "FW-WATER-5L", "quantity": 12}],
                             reason="汛前预置", reference="应急〔2026〕7号")
    transfers.dispatch(db.session, world.users["keeper"], order.id)
    transfers.receive(db.session, world.users["keeper2"], order.id,
                      lines=[{"lot": late.id, "quantity": 5}])
    log_in(client)
    body = pdf(client, f"/transfers/{order.number}.pdf")
    text = text_of(body)
    for expected in [order.number, "应急物资调拨单", "县级救灾物资储备库（XZ-01）",
                     "凤城镇储备点（TS-01）", "汛前预置", "应急〔2026〕7号", "W-EARLY", "W-LATE",
                     "已接收", "调入单位验收人"]:
        assert expected in text, expected
    # Sent 5 + 7, received 5 + 5: the difference of 2 is on the late lot's line and the total.
    assert re.search(r"W-LATE.*?\b7\s+5\s+2\b", text, re.S)
    assert re.search(r"合计\s+12\s+10\s+2", text)
    secret = app.config["LABEL_SECRET"]
    targets = sorted(payload.parse(code.rsplit("/q/", 1)[1], secret).id
                     for code in qr_codes(body))
    assert targets == [early.id, late.id]


def test_a_draft_by_item_says_its_lots_are_chosen_when_sent(client, world):
    receive(world, "W-1", 5)
    order = transfers.create(db.session, world.users["bureau"], from_depot="XZ-01",
                             to_depot="VL-01", lines=[{"item": "FW-WATER-5L", "quantity": 2}])
    log_in(client, "keeper")
    body = pdf(client, f"/transfers/{order.number}.pdf")
    flat = re.sub(r"\s+", "", text_of(body))  # a long phrase wraps in its cell
    assert "发出时按先到期先出确定" in flat and "草稿" in flat and "东关村储备点（VL-01）" in flat
    assert qr_codes(body) == []


def test_a_receipt_document_holds_the_references_rows_at_its_depot_and_their_reversals(
        client, world):
    first, first_row = receive(world, "CG-A", 10, reference="CG-2026-001", unit_cost="4.50")
    receive(world, "CG-B", 4, item="SH-TENT-12", reference="CG-2026-001", unit_cost="1200")
    receive(world, "ELSEWHERE", 3, depot="TS-01", reference="CG-2026-001", unit_cost="4.50")
    receive(world, "OTHER", 6, reference="CG-2026-002")
    [reversal] = stock.reverse(db.session, world.users["keeper"], movement=first_row.id,
                               reason="重复录入")
    log_in(client, "planner")
    body = pdf(client, "/documents/receipt.pdf?depot=XZ-01&reference=CG-2026-001")
    text = text_of(body)
    number = f"RK-{clock.local_time(first_row.occurred_at).year}-{first_row.id:06d}"
    assert number in text and "应急物资入库单" in text and "CG-2026-001" in text
    assert "CG-A" in text and "CG-B" in text and f"冲正 #{first_row.id}" in text
    assert "ELSEWHERE" not in text and "OTHER" not in text
    assert "45.00" in text and "4,800.00" in text and "-45.00" in text
    assert re.search(r"合计\s+4,800\.00", text)  # 45 + 4,800 − 45; units differ, no sum of them
    assert "采购" in text and "keeper" in text and "保管员" in text
    assert reversal.reverses_id == first_row.id

    # A later receipt under the same reference joins the document; its number stays.
    receive(world, "CG-C", 2, reference="CG-2026-001")
    again = text_of(pdf(client, "/documents/receipt.pdf?depot=XZ-01&reference=CG-2026-001"))
    assert number in again and "CG-C" in again and "无单价的批次不计入金额合计" in again


def test_an_issue_document_lists_the_lots_taken_first_expiry_first_out(client, world):
    receive(world, "W-EARLY", 5, days=100, unit_cost="4")
    receive(world, "W-LATE", 20, days=700, unit_cost="5")
    taken = stock.issue(db.session, world.users["keeper"], depot="XZ-01", item="FW-WATER-5L",
                        quantity=8, reference="CK-2026-003", recipient="宝丰镇应急分队",
                        reason="防汛演练")
    log_in(client, "bureau")
    text = text_of(pdf(client, "/documents/issue.pdf?depot=XZ-01&reference=CK-2026-003"))
    year = clock.local_time(taken[0].occurred_at).year
    assert f"CK-{year}-{taken[0].id:06d}" in text and "应急物资出库单" in text
    assert "宝丰镇应急分队" in text and "防汛演练" in text and "领用人" in text
    assert re.search(r"W-EARLY.*?\b5\s+4\.00\s+20\.00", text, re.S)
    assert re.search(r"W-LATE.*?\b3\s+5\.00\s+15\.00", text, re.S)
    assert re.search(r"合计\s+8\s+35\.00", text)


def test_a_row_without_a_reference_is_a_document_of_its_own(client, world):
    receive(world, "W-1", 5)
    _, row = receive(world, "W-2", 7)
    log_in(client)
    text = text_of(pdf(client, f"/documents/receipt.pdf?movement={row.id}"))
    assert "W-2" in text and "W-1" not in text
    assert f"RK-{clock.local_time(row.occurred_at).year}-{row.id:06d}" in text


@pytest.mark.parametrize("query, status, message", [
    ("", 422, "请指定储备库和单据号"),
    ("depot=XZ-01", 422, "请指定储备库和单据号"),
    ("depot=NOPE&reference=CG-1", 404, "没有编号为 NOPE 的储备库"),
    ("depot=XZ-01&reference=NO-SUCH", 404, "没有单据号为 NO-SUCH 的记录"),
    ("movement=abc", 422, "台账记录须为编号"),
    ("movement=99999999999999999999", 422, "台账记录须为编号"),
    ("movement=999", 404, "台账记录 999 不属于此类单据"),
])
def test_a_document_that_cannot_be_printed_says_why(client, world, query, status, message):
    log_in(client)
    response = client.get(f"/documents/receipt.pdf?{query}")
    assert response.status_code == status and response.mimetype == "text/html"
    assert message in response.get_data(as_text=True)


def test_an_issue_row_is_not_on_a_receipt(client, world):
    receive(world, "W-1", 5, reference="CG-9")
    [row] = stock.issue(db.session, world.users["keeper"], depot="XZ-01", item="FW-WATER-5L",
                        quantity=1, reference="CG-9")
    log_in(client)
    assert client.get(f"/documents/receipt.pdf?movement={row.id}").status_code == 404
    text = text_of(pdf(client, "/documents/receipt.pdf?depot=XZ-01&reference=CG-9"))
    assert re.search(r"合计\s+5\b", text)  # the issue under the same reference is not counted


@pytest.mark.parametrize("username", ROLES)
def test_everyone_logged_in_prints_the_documents(client, world, username):
    receive(world, "W-1", 5, reference="CG-1")
    log_in(client, username)
    assert client.get("/documents/receipt.pdf?depot=XZ-01&reference=CG-1").status_code == 200


def test_printing_needs_a_login(client, world):
    receive(world, "W-1", 5, reference="CG-1")
    response = client.get("/documents/receipt.pdf?depot=XZ-01&reference=CG-1")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_ledger_rows_link_to_their_documents(client, world):
    lot, with_reference = receive(world, "W-1", 5, reference="CG-2026-001")
    [without] = stock.issue(db.session, world.users["keeper"], lot=lot.id, quantity=2,
                            recipient="东关村")
    log_in(client, "keeper2")
    for path in [f"/lots/{lot.id}", "/depots/XZ-01"]:
        page = client.get(path).get_data(as_text=True)
        assert 'href="/documents/receipt.pdf?depot=XZ-01&amp;reference=CG-2026-001"' in page
        assert f'href="/documents/issue.pdf?movement={without.id}"' in page
    assert with_reference.kind == "receipt"


def test_documents_follow_the_language_of_the_pages(client, world):
    receive(world, "W-1", 5, reference="CG-1", unit_cost=Decimal("2.5"))
    log_in(client)
    client.get("/lang/en")
    text = text_of(pdf(client, "/documents/receipt.pdf?depot=XZ-01&reference=CG-1"))
    assert "Emergency supplies receipt" in text and "Page 1 of 1" in text
    assert "Unitcost(CNY)" in re.sub(r"\s+", "", text)  # the heading wraps in its cell
    assert "Purchase" in text and "Depot head:" in text and "应急物资入库单" not in text
    assert "县级救灾物资储备库 (XZ-01)" in text
