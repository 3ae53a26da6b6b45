"""The reports over HTTP: who may read which report (API and pages), bad filters refused with a
message, and the XLSX and PDF downloads read back against the JSON."""

import io
from datetime import timedelta
from decimal import Decimal
from urllib.parse import quote

import pytest
from factories import PASSWORD
from openpyxl import load_workbook
from pypdf import PdfReader

from inventory import clock
from inventory.db import db
from inventory.stock import services as stock

STOCK_API = ["/api/v1/reports/stock-summary", "/api/v1/reports/stock-summary.xlsx",
             "/api/v1/reports/stock-summary.pdf", "/api/v1/reports/stock-on-hand",
             "/api/v1/reports/stock-on-hand.xlsx", "/api/v1/reports/stock-on-hand.pdf"]
SETTLEMENT_API = ["/api/v1/reports/settlements", "/api/v1/reports/settlements.xlsx",
                  "/api/v1/reports/settlements.pdf"]
STOCK_PAGES = ["/reports/stock-summary", "/reports/stock-summary.xlsx",
               "/reports/stock-summary.pdf", "/reports/stock-on-hand",
               "/reports/stock-on-hand.xlsx", "/reports/stock-on-hand.pdf"]
SETTLEMENT_PAGES = ["/reports/settlements", "/reports/settlements.xlsx",
                    "/reports/settlements.pdf"]
READERS = ["admin", "bureau", "planner", "auditor"]


def text_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def stocked(world):
    """Tents at the county warehouse and the township point, some issued last week."""
    admin = world.users["admin"]
    week_ago = clock.start_of_day(clock.today() - timedelta(days=7)) + timedelta(hours=10)
    tents, _ = stock.receive(db.session, admin, depot="XZ-01", item="SH-TENT-12", quantity=40,
                             unit_cost=950, occurred_at=week_ago)
    stock.receive(db.session, admin, depot="TS-01", item="FW-WATER-5L", quantity=12,
                  unit_cost="12.50", occurred_at=week_ago)
    stock.issue(db.session, admin, lot=tents.id, quantity=3, occurred_at=week_ago
                + timedelta(days=1))
    db.session.commit()
    return world


def page_client(app, username):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": PASSWORD}
                       ).status_code == 302
    return client


@pytest.mark.parametrize("username", READERS)
def test_the_bureau_planners_auditors_and_admins_read_every_report(app, client, stocked,
                                                                   username):
    for path in STOCK_API + SETTLEMENT_API:
        response = client.get(path, headers=stocked.headers(username))
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:200])
    summary = client.get(STOCK_API[0], headers=stocked.headers(username)).get_json()
    assert {line["depot"] for tier in summary["groups"] for category in tier["categories"]
            for line in category["lines"]} == {"XZ-01", "TS-01"}
    pages = page_client(app, username)
    for path in ["/reports/", *STOCK_PAGES, *SETTLEMENT_PAGES]:
        assert pages.get(path).status_code == 200, path


def test_a_keeper_reads_the_stock_reports_of_their_own_depots_only(app, client, stocked):
    headers = stocked.headers("keeper")  # XZ-01
    for path in STOCK_API:
        assert client.get(path, headers=headers).status_code == 200, path
        refused = client.get(f"{path}?depot=TS-01", headers=headers)
        assert refused.status_code == 403
        assert "只能查看自己负责的储备库" in refused.get_json()["message"]
    summary = client.get(STOCK_API[0], headers=headers).get_json()
    assert summary["filters"] == {}
    assert [line["depot"] for tier in summary["groups"] for category in tier["categories"]
            for line in category["lines"]] == ["XZ-01"]
    own = client.get(f"{STOCK_API[0]}?depot=XZ-01", headers=headers)
    assert own.status_code == 200
    pages = page_client(app, "keeper")
    for path in STOCK_PAGES:
        assert pages.get(path).status_code == 200, path
        assert pages.get(f"{path}?depot=TS-01").status_code == 403, path


def test_a_keeper_may_not_read_the_contract_settlements(app, client, stocked):
    for path in SETTLEMENT_API:
        refused = client.get(path, headers=stocked.headers("keeper",
                                                           **{"Accept-Language": "en"}))
        assert refused.status_code == 403
        assert refused.get_json()["message"] == ("Your role may not read the contract "
                                                 "settlements report.")
    pages = page_client(app, "keeper")
    for path in SETTLEMENT_PAGES:
        assert pages.get(path).status_code == 403, path
    assert "协议储备结算报表" not in pages.get("/reports/").get_data(as_text=True)


def test_no_report_is_read_without_logging_in_and_none_can_be_written(client, stocked):
    for path in STOCK_API + SETTLEMENT_API:
        assert client.get(path).status_code == 401, path
        assert client.post(path, headers=stocked.headers("admin")).status_code == 405, path
    for path in ["/reports/", *STOCK_PAGES, *SETTLEMENT_PAGES]:
        assert client.get(path, headers={"Accept": "text/html"}).status_code == 302, path


@pytest.mark.parametrize("query, field", [
    ("from=2026-02-30", "from"), ("to=tomorrow", "to"), ("tier=province", "tier"),
    ("category=" + "类" * 31, "category"),
    ("from=2026-06-02&to=2026-06-01", "from"), ("to=9999-12-31", "to"),
])
def test_bad_filters_are_refused_with_a_message_in_the_clients_language(client, stocked, query,
                                                                       field):
    path = f"/api/v1/reports/stock-summary?{query}"
    chinese = client.get(path, headers=stocked.headers("auditor"))
    assert chinese.status_code == 422
    body = chinese.get_json()
    assert field in str(body["errors"]) and any("\u4e00" <= c <= "\u9fff" for c in body["message"])
    english = client.get(path, headers=stocked.headers("auditor", **{"Accept-Language": "en"}))
    assert english.status_code == 422
    assert not any("\u4e00" <= c <= "\u9fff" for c in english.get_json()["message"])


def test_unknown_depots_and_items_are_not_found_and_bad_moments_refused(client, stocked):
    headers = stocked.headers("auditor")
    assert client.get("/api/v1/reports/stock-summary?depot=NOPE", headers=headers
                      ).get_json()["message"] == "没有编号为 NOPE 的储备库。"
    assert client.get("/api/v1/reports/stock-on-hand.pdf?item=NOPE", headers=headers
                      ).status_code == 404
    for moment in ("yesterday", "0001-01-01", "2026-06-31T10:00"):
        assert client.get(f"/api/v1/reports/stock-on-hand?at={moment}", headers=headers
                          ).status_code == 422, moment
    assert client.get("/api/v1/reports/settlements?from=2026-13-01", headers=headers
                      ).status_code == 422


def test_a_bad_filter_on_a_page_shows_the_form_again_with_the_reason(app, stocked):
    pages = page_client(app, "auditor")
    page = pages.get("/reports/stock-summary?from=2026-06-02&to=2026-06-01")
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "起始日期晚于截止日期。" in html and 'name="from"' in html
    assert pages.get("/reports/stock-summary?depot=NOPE").status_code == 404
    assert pages.get("/reports/stock-summary.pdf?from=x").status_code == 422


def test_stock_on_hand_at_a_moment_without_an_offset_is_the_bureaus_local_time(client, stocked):
    issued = clock.start_of_day(clock.today() - timedelta(days=6)) + timedelta(hours=10)
    before = (issued - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    answer = client.get(f"/api/v1/reports/stock-on-hand?at={before}&item=SH-TENT-12",
                        headers=stocked.headers("auditor")).get_json()
    assert answer["at"] == f"{before}:00+08:00"
    [tier] = answer["groups"]
    [line] = tier["categories"][0]["lines"]
    assert line["quantity"] == {"on_hand": 40} and line["value"] == {"on_hand": "38000.00"}
    for typed in (quote(issued.isoformat()), issued.isoformat()):  # "+" unencoded is a space
        after = client.get(f"/api/v1/reports/stock-on-hand?at={typed}",
                           headers=stocked.headers("auditor")).get_json()
        assert after["totals"]["quantity"] == {"on_hand": 37 + 12}


def test_the_workbook_holds_the_same_figures_as_the_json(client, stocked):
    headers = stocked.headers("auditor")
    summary = client.get(STOCK_API[0], headers=headers).get_json()
    response = client.get(STOCK_API[1], headers=headers)
    assert response.headers["Content-Disposition"].startswith(
        f"attachment; filename=stock-summary-{clock.today().year}-01-01-")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["明细", "合计"]
    rows = list(book["明细"].iter_rows(values_only=True))
    assert rows[0][0] == "物资进销存报表" and rows[1][0].startswith("期间 ")
    header = rows[4]
    columns = summary["columns"]
    lines = {(line["depot"], line["item"]): line for tier in summary["groups"]
             for category in tier["categories"] for line in category["lines"]}
    assert len(rows) - 5 == len(lines) == 2
    for row in rows[5:]:
        cells = dict(zip(header, row, strict=True))
        line = lines[cells["储备库编号"], cells["物资编号"]]
        for column, label in zip(columns, ["期初结存", "入库", "出库", "调拨入库", "调拨出库",
                                           "盘点调整", "报废", "轮换出库", "冲正", "期末结存"],
                                 strict=True):
            assert cells[f"{label}数量"] == line["quantity"][column]
            assert Decimal(str(cells[f"{label}金额"])) == Decimal(line["value"][column])
        assert cells["核对差额（数量）"] == 0 and cells["层级"] in ("县级", "乡镇")
    totals = list(book["合计"].iter_rows(values_only=True))
    grand = dict(zip(totals[4], totals[-1], strict=True))
    assert grand["层级"] == "合计"
    assert Decimal(str(grand["期末结存金额"])) == Decimal(summary["totals"]["value"]["closing"])
    assert summary["totals"]["value"]["closing"] == f"{37 * 950 + 12 * Decimal('12.50'):.2f}"


def test_the_pdf_repeats_what_it_covers_on_every_page_and_numbers_them(client, stocked):
    admin = stocked.users["admin"]
    for n in range(60):  # enough lines for several pages
        stock.receive(db.session, admin, depot="TS-01", item="FW-BISCUIT", quantity=n + 1,
                      lot_code=f"B{n}", unit_cost=6)
    db.session.commit()
    response = client.get(f"{STOCK_API[2]}?tier=township&from=2026-01-01",
                          headers=stocked.headers("auditor"))
    assert response.mimetype == "application/pdf"
    pages = text_of(response.data)
    assert "物资进销存报表" in pages[0]
    covers = f"期间 2026-01-01 至 {clock.today()}；层级 乡镇"
    for number, text in enumerate(pages, start=1):
        assert covers in text and f"第 {number} 页，共 {len(pages)} 页" in text
    assert "压缩饼干" in pages[0] and "相符" in pages[0] and "XZ-01" not in "".join(pages)
    english = client.get(f"{STOCK_API[2]}?tier=township",
                         headers=stocked.headers("auditor", **{"Accept-Language": "en"}))
    assert "Stock summary" in text_of(english.data)[0] and "Page 1 of" in text_of(
        english.data)[0]


def test_the_settlements_download_in_both_formats_answer_for_an_empty_period(client, stocked):
    headers = stocked.headers("bureau")
    answer = client.get("/api/v1/reports/settlements?from=2026-01-01&to=2026-01-31",
                        headers=headers).get_json()
    assert answer["agreements"] == [] and answer["totals"]["owed"] == "0.00"
    workbook = client.get("/api/v1/reports/settlements.xlsx?from=2026-01-01&to=2026-01-31",
                          headers=headers)
    sheet = load_workbook(io.BytesIO(workbook.data))["协议"]
    assert list(sheet.iter_rows(values_only=True))[-1][0] == "合计"
    pdf = client.get("/api/v1/reports/settlements.pdf?from=2026-01-01&to=2026-01-31",
                     headers=headers)
    assert "期间 2026-01-01 至 2026-01-31" in text_of(pdf.data)[0]


def test_a_pdf_too_long_to_print_is_refused_with_the_way_to_narrow_it(app, client, stocked,
                                                                       monkeypatch):
    from inventory.reports import downloads

    monkeypatch.setattr(downloads, "MAX_PDF_LINES", 1)  # the report has two lines
    refused = client.get(STOCK_API[2], headers=stocked.headers("auditor"))
    assert (refused.status_code == 422
            and "请按储备库、层级或类别筛选" in refused.get_json()["message"])
    assert client.get(f"{STOCK_API[2]}?depot=XZ-01", headers=stocked.headers("auditor")
                      ).status_code == 200
    assert client.get(STOCK_API[1], headers=stocked.headers("auditor")).status_code == 200
    page = page_client(app, "auditor").get("/reports/stock-summary.pdf")
    assert page.status_code == 422 and "或导出 Excel" in page.get_data(as_text=True)
