"""The donation and trace pages: the bureau registers donors and pledges, the depot's keeper
receives goods through the pledge's form, letters and the disclosure download; a refused form
says why and changes nothing; the lot and shelter pages lead to their traces."""

import io

import pytest
from checks import nothing_changes
from factories import PASSWORD
from openpyxl import load_workbook
from sqlalchemy import select

from inventory.db import db
from inventory.donations.models import Donor, Pledge
from inventory.shelters import services as shelters


def _client(app, username):
    client = app.test_client()
    answer = client.post("/login", data={"username": username, "password": PASSWORD})
    assert answer.status_code == 302
    return client


@pytest.fixture
def made(app, world):
    """A donor and a pledge of 12 tents, registered through the pages by the bureau."""
    bureau = _client(app, "bureau")
    page = bureau.get("/donations/").get_data(as_text=True)
    assert "登记捐赠方" in page and "暂无捐赠登记" in page
    answer = bureau.post("/donations/donors", data={
        "name": "县红十字会", "kind": "organisation", "contact_phone": "0952-1234567",
        "anonymous": "on"}, follow_redirects=True)
    assert "捐赠方已登记" in answer.get_data(as_text=True)
    db.session.rollback()
    donor = db.session.scalar(select(Donor))
    assert donor.anonymous and donor.contact_phone == "0952-1234567"
    answer = bureau.post("/donations/pledges", data={
        "donor": str(donor.id), "purpose": "凤城镇安置点", "amount": "",
        "item": ["SH-TENT-12", ""], "quantity": ["12", ""], "line_purpose": ["", ""]},
        follow_redirects=True)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "已保存" in text and "12 顶" in text
    db.session.rollback()
    return db.session.scalar(select(Pledge))


def test_the_keeper_receives_through_the_pledges_form_and_prints_the_letter(app, world, made):
    keeper = _client(app, "keeper")
    page = keeper.get(f"/donations/pledges/{made.id}").get_data(as_text=True)
    assert "接收捐赠物资入库" in page and "0952-1234567" not in page  # no contacts for keepers
    line = made.lines[0].id
    answer = keeper.post(f"/donations/pledges/{made.id}/receipts", data={
        "depot": "XZ-01", "line": str(line), f"quantity-{line}": "12",
        f"lot_code-{line}": "HSH-01"}, follow_redirects=True)
    text = answer.get_data(as_text=True)
    assert "已入库" in text and "已全部接收" in text and "接收捐赠物资入库" not in text
    db.session.rollback()
    receipt = db.session.get(Pledge, made.id).receipts[0]
    assert receipt.lines[0].lot.code == "HSH-01"
    letter = keeper.get(f"/donations/receipts/{receipt.id}/letter.pdf")
    assert letter.status_code == 200 and letter.data.startswith(b"%PDF")
    assert "0952-1234567" in _client(app, "bureau").get(
        f"/donations/pledges/{made.id}").get_data(as_text=True)
    # The receipt's lot leads to its trace, which names the donation by its public name.
    lot_page = keeper.get(f"/lots/{receipt.lines[0].lot_id}").get_data(as_text=True)
    assert f"/trace/lots/{receipt.lines[0].lot_id}" in lot_page
    trace_page = keeper.get(f"/trace/lots/{receipt.lines[0].lot_id}").get_data(as_text=True)
    assert "匿名捐赠人" in trace_page and "县红十字会" not in trace_page
    assert made.number in trace_page
    for fmt, mimetype in (("csv", "text/csv"), ("xlsx", "application/vnd.openxmlformats-"
                                                        "officedocument.spreadsheetml.sheet")):
        download = keeper.get(f"/trace/lots/{receipt.lines[0].lot_id}.{fmt}")
        assert download.status_code == 200 and download.mimetype == mimetype
    assert "县红十字会" not in download.get_data(as_text=False).decode("latin-1")


@pytest.mark.parametrize(("who", "url", "data", "says"), [
    ("keeper", "/donations/donors", {"name": "某人", "kind": "person"}, "无权"),
    ("bureau", "/donations/donors", {"name": "某人", "kind": "person",
                                     "note": "身份证 110101199003074514"}, "身份证"),
    ("bureau", "/donations/pledges", {"donor": "abc", "item": "SH-TENT-12",
                                      "quantity": "1"}, "数量"),
    ("bureau", "/donations/pledges", {"donor": "1"}, "物资明细"),
])
def test_a_refused_form_says_why_and_changes_nothing(app, world, made, who, url, data, says):
    client = _client(app, who)
    with nothing_changes(db.session):
        answer = client.post(url, data=data, follow_redirects=True)
    assert answer.status_code == 200 and says in answer.get_data(as_text=True)


def test_a_receipt_refused_on_the_page_changes_nothing(app, world, made):
    line = made.lines[0].id
    for who, data, says in [
            ("keeper2", {"depot": "XZ-01", "line": str(line), f"quantity-{line}": "1"}, "无权"),
            ("keeper", {"depot": "XZ-01", "line": str(line), f"quantity-{line}": "13"},
             "数量填写有误"),
            ("keeper", {"depot": "XZ-01", "line": str(line), f"quantity-{line}": "x"}, "数量"),
            ("bureau", {"amount": "abc"}, "金额")]:
        client = _client(app, who)
        target = "money" if "amount" in data else "receipts"
        with nothing_changes(db.session):
            answer = client.post(f"/donations/pledges/{made.id}/{target}", data=data,
                                 follow_redirects=True)
        assert says in answer.get_data(as_text=True), (who, data)


def test_the_disclosure_page_and_its_files(app, world, made):
    keeper = _client(app, "keeper")
    line = made.lines[0].id
    keeper.post(f"/donations/pledges/{made.id}/receipts",
                data={"depot": "XZ-01", "line": str(line), f"quantity-{line}": "12"})
    planner = _client(app, "planner")
    page = planner.get("/donations/disclosure").get_data(as_text=True)
    assert "匿名捐赠人" in page and "县红十字会" not in page and "12 顶" in page
    book = load_workbook(io.BytesIO(planner.get("/donations/disclosure.xlsx").data))
    assert [row[-1] for row in book["接收物资"].iter_rows(min_row=5, values_only=True)] == [12]
    pdf = planner.get("/donations/disclosure.pdf?from=2026-01-01")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    bad = planner.get("/donations/disclosure?from=someday", follow_redirects=True)
    assert bad.status_code == 200 and "日期格式" in bad.get_data(as_text=True)
    late = planner.get("/donations/disclosure?from=2026-12-31&to=2026-01-01",
                       follow_redirects=True)
    assert "起始日期晚于截止日期" in late.get_data(as_text=True)


def test_the_shelter_page_leads_to_what_arrived_and_was_handed_out(app, world):
    shelters.create_shelter(db.session, world.users["bureau"], code="BN-01",
                            name="凤城镇中学体育馆", shelter_class="II", capacity_people=400,
                            area="140522100")
    client = _client(app, "auditor")
    assert "/trace/shelters/BN-01" in client.get("/shelters/BN-01").get_data(as_text=True)
    page = client.get("/trace/shelters/BN-01")
    assert page.status_code == 200 and "尚无物资到达" in page.get_data(as_text=True)
    assert client.get("/trace/shelters/NOPE").status_code == 404
    assert client.get("/trace/lots/999999").status_code == 404
    assert client.get("/donations/pledges/999999").status_code == 404
