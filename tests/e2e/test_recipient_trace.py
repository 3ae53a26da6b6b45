"""The recipient trace and the distributions in the traces: the bureau, admins and auditors
find what one household received by its ID number (sent in a body, never answered back in
full) or by name and phone, every look-up is in the audit trail with the ID number masked;
the lot's and the shelter's traces list the distributions by number and household code and
name no one."""

import csv
import io
import logging
from datetime import date, timedelta

import pytest
from checks import assert_refused, nothing_changes
from crawl import logged_in
from distribution_helpers import id_number, signature_png
from factories import PASSWORD
from sqlalchemy import select

from inventory.audit import AuditEvent
from inventory.db import db
from inventory.stock import services as stock

URL = "/api/v1/recipients/trace"
ID = id_number(321)
OTHER = id_number(654)
MASKED = ID[:4] + "*" * 10 + ID[-4:]


@pytest.fixture
def handed(client, world):
    """Water handed out at XZ-01 twice to one household (by ID number) and once to another,
    and biscuits to a third household known by name and phone only."""
    keeper = world.users["keeper"]
    lot, _ = stock.receive(db.session, keeper, depot="XZ-01", item="FW-WATER-5L", quantity=40,
                           lot_code="W-9")
    stock.receive(db.session, keeper, depot="XZ-01", item="FW-BISCUIT", quantity=10,
                  lot_code="B-9")
    made = []
    for name, number, phone, item in [("王五", ID, "13900000001", "FW-WATER-5L"),
                                      ("赵六", OTHER, "13900000002", "FW-WATER-5L"),
                                      ("王五", ID, "13900000001", "FW-WATER-5L"),
                                      ("钱七", None, "13900000003", "FW-BISCUIT")]:
        answer = client.post("/api/v1/distributions", headers=world.headers("keeper"), json={
            "depot": "XZ-01", "name": name, "household_size": 3, "phone": phone,
            "id_number": number, "items": [{"item": item, "quantity": 2}],
            "confirmation": {"kind": "signature", "image": signature_png()}})
        assert answer.status_code == 201, answer.get_json()
        made.append(answer.get_json())
    return {"lot": lot.id, "made": made}


def _events(action="recipient.trace"):
    db.session.rollback()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)))


@pytest.mark.parametrize("who", ["bureau", "admin", "auditor"])
def test_the_bureau_admins_and_auditors_find_a_household_by_its_id_number(
        client, world, handed, who):
    answer = client.post(URL, headers=world.headers(who), json={"id_number": ID})
    assert answer.status_code == 200, answer.get_json()
    found = answer.get_json()
    ours = [handed["made"][0], handed["made"][2]]
    assert [d["number"] for d in found["distributions"]] == [d["number"] for d in ours]
    assert found["id_number"] == MASKED and found["by"] == "id_number"
    assert found["households"] == [ours[0]["household_code"]]
    assert found["lots"] == [handed["lot"]]
    line = found["distributions"][0]["lines"][0]
    assert (line["item"], line["quantity"], line["lot"]) == ("FW-WATER-5L", 2, handed["lot"])
    assert line["lot_trace"] == f"/api/v1/lots/{handed['lot']}/trace"
    assert ID not in answer.get_data(as_text=True)
    [event] = _events()
    assert event.actor.username == who and event.subject_type == "household"
    assert event.data["id_number"] == MASKED and ID not in event.details
    assert event.data["households"] == [ours[0]["household_code"]]


def test_a_household_without_an_id_number_is_found_by_name_and_phone(client, world, handed):
    answer = client.post(URL, headers=world.headers("bureau"),
                         json={"name": "钱七", "phone": "13900000003"})
    assert answer.status_code == 200, answer.get_json()
    found = answer.get_json()
    assert [d["number"] for d in found["distributions"]] == [handed["made"][3]["number"]]
    assert found["id_number"] is None and found["by"] == "name_phone"
    # A household recorded with its ID number is found by its name and phone as well.
    both = client.post(URL, headers=world.headers("bureau"),
                       json={"name": "王五", "phone": "13900000001"}).get_json()
    assert len(both["distributions"]) == 2
    assert [e.data["by"] for e in _events()] == ["name_phone", "name_phone"]
    assert "钱七" not in _events()[0].details and "13900000003" not in _events()[0].details


def test_an_unknown_household_is_an_empty_answer_and_still_a_logged_look_up(
        client, world, handed):
    answer = client.post(URL, headers=world.headers("auditor"),
                         json={"id_number": id_number(999)})
    assert answer.status_code == 200
    assert answer.get_json()["distributions"] == [] and answer.get_json()["households"] == []
    [event] = _events()
    assert event.subject_id == 0 and event.data["distributions"] == []


@pytest.mark.parametrize("who", ["keeper", "planner"])
def test_keepers_and_planners_may_not_look_a_person_up(client, world, handed, who):
    with nothing_changes(db.session):
        answer = client.post(URL, headers=world.headers(who), json={"id_number": ID})
    assert_refused(answer, 403, "forbidden")
    pages = logged_in(client.application, who, PASSWORD)
    assert pages.get("/distributions/recipients").status_code == 403
    assert pages.post("/distributions/recipients", data={"id_number": ID}).status_code in (
        400, 403)  # 400: a page form without its CSRF token is refused before the role check


@pytest.mark.parametrize(("body", "field"), [
    ({"id_number": ID[:-1] + ("0" if ID[-1] != "0" else "1")}, "id_number"),
    ({"id_number": "   "}, "id_number"),
    ({}, "id_number"),
    ({"name": "王五"}, "id_number"),
    ({"id_number": "1" * 31}, "id_number"),
    ({"id_number": ID, "extra": 1}, "extra"),
])
def test_a_bad_look_up_is_refused_without_repeating_the_number_and_logs_nothing(
        client, world, handed, body, field):
    with nothing_changes(db.session):
        answer = client.post(URL, headers=world.headers("bureau"), json=body)
    refused = assert_refused(answer, 422, "invalid_input")
    assert field in str(refused["errors"])
    text = answer.get_data(as_text=True)
    assert ID[:17] not in text and "1" * 31 not in text


def test_an_id_number_in_a_url_is_never_accepted(client, world, handed):
    answer = client.get(URL, headers=world.headers("bureau"), query_string={"id_number": ID})
    assert answer.status_code == 405
    spec = client.get("/api/v1/openapi.json").get_json()
    assert set(spec["paths"]["/api/v1/recipients/trace"]) <= {"post", "parameters"}
    assert _events() == []


def test_the_lot_and_shelter_traces_list_the_distributions_and_name_no_one(
        client, world, handed):
    trace = client.get(f"/api/v1/lots/{handed['lot']}/trace",
                       headers=world.headers("planner")).get_json()
    [section] = [s for s in trace["sections"] if s["key"] == "distributions"]
    water = [handed["made"][i] for i in (0, 1, 2)]
    assert [row[0] for row in section["rows"]] == [d["number"] for d in water]
    assert [row[3] for row in section["rows"]] == [d["household_code"] for d in water]
    assert section["rows"][0][4] == "3" and "×2" in section["rows"][0][5]
    assert section["rows"][0][2].endswith("（XZ-01）") and section["rows"][0][6] == "keeper"
    assert "+08:00" in section["rows"][0][1]
    exported = client.get(f"/api/v1/lots/{handed['lot']}/trace.csv",
                          headers=world.headers("keeper"))
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert ["发放到户"] in rows
    assert any(row[:1] == [water[0]["number"]] and water[0]["household_code"] in row
               for row in rows)
    book = client.get(f"/api/v1/lots/{handed['lot']}/trace.xlsx",
                      headers=world.headers("keeper"))
    from openpyxl import load_workbook
    sheets = load_workbook(io.BytesIO(book.data)).sheetnames
    assert "发放到户" in sheets
    pages = logged_in(client.application, "planner", PASSWORD)
    page = pages.get(f"/trace/lots/{handed['lot']}").get_data(as_text=True)
    assert water[0]["number"] in page and water[0]["household_code"] in page
    for data in (str(trace), exported.data.decode("utf-8-sig"), page):
        for private in ("王五", "赵六", "13900000001", ID[:17], MASKED):
            assert private not in data


@pytest.mark.parametrize("who", ["bureau", "auditor"])
def test_the_recipient_page_finds_a_household_and_shows_the_number_masked(
        app, client, world, handed, caplog, who):
    caplog.set_level(logging.DEBUG)
    pages = logged_in(app, who, PASSWORD)
    form = pages.get("/distributions/recipients", query_string={"id_number": ID})
    assert form.status_code == 200 and "recipient-result" not in form.get_data(as_text=True)
    assert _events() == []  # a GET looks nothing up, whatever its query string
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        result = pages.post("/distributions/recipients", data={"id_number": ID})
        missing = pages.post("/distributions/recipients", data={"id_number": "12345"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    text = result.get_data(as_text=True)
    assert result.status_code == 200 and MASKED in text
    assert handed["made"][0]["number"] in text and handed["made"][2]["number"] in text
    assert handed["made"][1]["number"] not in text
    assert f"/trace/lots/{handed['lot']}" in text and ID not in text
    assert missing.status_code == 200 and "12345" not in missing.get_data(as_text=True)
    assert "身份证号码格式" in missing.get_data(as_text=True)
    assert len(_events()) == 1
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert ID not in logged and ID[:17] not in logged


def test_a_lots_trace_counts_only_its_own_share_of_a_distribution(client, world):
    keeper = world.users["keeper"]
    late, _ = stock.receive(db.session, keeper, depot="XZ-01", item="FW-WATER-5L", quantity=9,
                            lot_code="W-LATE", expires_on=date.today() + timedelta(days=400))
    early, _ = stock.receive(db.session, keeper, depot="XZ-01", item="FW-WATER-5L",
                             quantity=3, lot_code="W-EARLY",
                             expires_on=date.today() + timedelta(days=30))
    made = client.post("/api/v1/distributions", headers=world.headers("keeper"), json={
        "depot": "XZ-01", "name": "周八", "household_size": 2,
        "items": [{"item": "FW-WATER-5L", "quantity": 5}],
        "confirmation": {"kind": "signature", "image": signature_png()}}).get_json()
    for lot, share in ((early.id, 3), (late.id, 2)):
        trace = client.get(f"/api/v1/lots/{lot}/trace", headers=world.headers("keeper"))
        [section] = [s for s in trace.get_json()["sections"] if s["key"] == "distributions"]
        assert [(row[0], row[5]) for row in section["rows"]] == [
            (made["number"], f"桶装饮用水 5L（FW-WATER-5L）×{share}")]
