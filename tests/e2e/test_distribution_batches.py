"""Batch mode and the distribution pages: a households sheet is staged with its ID numbers
masked and hashed, printed as a sign-off sheet (发放登记表) and issued all or nothing; the
pages show records without a full ID number."""

import io

import pytest
from checks import assert_refused, nothing_changes
from crawl import logged_in
from distribution_helpers import add_norm, id_number, jpeg_bytes, signature_png
from factories import PASSWORD
from openpyxl import Workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from inventory.db import db
from inventory.distribution.models import Distribution, DistributionBatch
from inventory.stock import services as stock
from inventory.stock.models import Movement

IDS = [id_number(n) for n in range(1, 4)]


def households_xlsx(rows=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "家庭人口", "电话", "身份证号", "物资", "FW-BISCUIT"])
    for row in rows or [["刘一", 3, "13800000001", IDS[0], "FW-WATER-5L×2", 3],
                        ["陈二", 5, "13800000002", IDS[1], "FW-WATER-5L×4", None],
                        ["孙三", 1, None, None, None, 1]]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def shelf(world):
    keeper = world.users["keeper"]
    stock.receive(db.session, keeper, depot="XZ-01", item="FW-WATER-5L", quantity=20,
                  lot_code="W-1")
    stock.receive(db.session, keeper, depot="XZ-01", item="FW-BISCUIT", quantity=20,
                  lot_code="B-1")
    add_norm(db.session, world.items["FW-WATER-5L"])
    return world


def stage(client, world, who="keeper", data=None):
    return client.post("/api/v1/distribution-batches", headers=world.headers(who),
                       data={"depot": "XZ-01",
                             "file": (io.BytesIO(data or households_xlsx()), "户表.xlsx")},
                       content_type="multipart/form-data")


def test_a_households_sheet_is_staged_printed_issued_and_confirmed(client, app, shelf):
    world = shelf
    staged = stage(client, world)
    assert staged.status_code == 201, staged.get_json()
    batch = staged.get_json()
    assert batch["status"] == "staged" and len(batch["households"]) == 3
    assert [h["id_number"] for h in batch["households"]] == [
        IDS[0][:4] + "*" * 10 + IDS[0][-4:], IDS[1][:4] + "*" * 10 + IDS[1][-4:], None]
    assert batch["households"][0]["items"] == [{"item": "FW-WATER-5L", "quantity": 2},
                                               {"item": "FW-BISCUIT", "quantity": 3}]
    db.session.rollback()
    kept = db.session.scalar(select(DistributionBatch))
    assert not any(number in str(kept.households) for number in IDS)

    # The sign-off sheet lists every household, masked, with a column to sign in.
    pages = logged_in(app, "keeper", PASSWORD)
    pdf = pages.get(f"/distributions/batches/{batch['code']}/sheet.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "发放登记表" in text and "领取人签名" in text and "刘一" in text and "孙三" in text
    assert IDS[0][:4] in text and IDS[0] not in text and IDS[1][:17] not in text

    issued = client.post(f"/api/v1/distribution-batches/{batch['code']}/issue", json={},
                         headers=world.headers("keeper", **{"Idempotency-Key": "b-1"}))
    assert issued.status_code == 201, issued.get_json()
    again = client.post(f"/api/v1/distribution-batches/{batch['code']}/issue", json={},
                        headers=world.headers("keeper", **{"Idempotency-Key": "b-1"}))
    assert again.get_json() == issued.get_json()
    assert len(issued.get_json()["distributions"]) == 3
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Distribution)) == 3
    assert db.session.scalar(select(func.sum(Movement.quantity)).where(
        Movement.kind == "issue")) == -(2 + 3 + 4 + 1)
    made = db.session.scalars(select(Distribution).order_by(Distribution.id)).all()
    assert {d.confirmation_kind for d in made} == {"sheet"}

    refused = client.post(f"/api/v1/distribution-batches/{batch['code']}/issue", json={},
                          headers=world.headers("keeper"))
    assert_refused(refused, 409, "state_conflict")

    photo = client.post(f"/api/v1/distribution-batches/{batch['code']}/confirmation",
                        headers=world.headers("keeper"), content_type="multipart/form-data",
                        data={"photo": (io.BytesIO(jpeg_bytes()), "signed.jpg")})
    assert photo.status_code == 200 and photo.get_json()["confirmed"] is True
    image = client.get(f"/api/v1/distributions/{made[0].id}/confirmation",
                       headers=world.headers("auditor"))
    assert image.status_code == 200 and image.mimetype == "image/jpeg"

    # The printed sheet now names each household's distribution number.
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(
        pages.get(f"/distributions/batches/{batch['code']}/sheet.pdf").data)).pages)
    assert made[0].number in "".join(text.split())  # a narrow column may wrap it


def test_a_sheet_with_bad_rows_is_refused_naming_them_and_nothing_is_staged(client, shelf):
    bad = households_xlsx([["刘一", 3, None, IDS[0][:-1] + "7" if IDS[0][-1] != "7"
                            else IDS[0][:-1] + "8", "FW-WATER-5L×1", None],
                           ["", 2, None, None, "FW-WATER-5L×1", None],
                           ["陈二", 2, None, IDS[1], "NOPE×1", None],
                           ["孙三", 2, None, IDS[1], "FW-WATER-5L×1", None],
                           ["孙三", 2, None, IDS[1], "FW-WATER-5L×1", None]])
    with nothing_changes(db.session):
        response = stage(client, shelf, data=bad)
    body = assert_refused(response, 422, "invalid_input")
    assert set(body["errors"]) == {"row 2", "row 3", "row 4", "row 6"}
    assert IDS[0][:17] not in response.get_data(as_text=True)


def test_a_batch_is_issued_all_or_nothing_and_repeats_need_confirming(app, client, shelf):
    world = shelf
    client.post("/api/v1/distributions", headers=world.headers("keeper"), json={
        "depot": "XZ-01", "name": "刘一", "household_size": 3, "id_number": IDS[0],
        "items": [{"item": "FW-WATER-5L", "quantity": 1}],
        "confirmation": {"kind": "signature", "image": signature_png()}})
    staged = stage(client, world).get_json()
    code = staged["code"]
    assert [r["row"] for r in staged["repeats"]] == [2]
    assert staged["repeats"][0]["distributions"][0].startswith("FF-")
    page = logged_in(app, "keeper", PASSWORD).get(f"/distributions/batches/{code}")
    assert "保障时长内已领取" in page.get_data(as_text=True)
    with nothing_changes(db.session):
        refused = client.post(f"/api/v1/distribution-batches/{code}/issue", json={},
                              headers=world.headers("keeper"))
    assert_refused(refused, 409, "repeat_distribution")
    confirmed = client.post(f"/api/v1/distribution-batches/{code}/issue",
                            json={"confirm_repeats": True}, headers=world.headers("keeper"))
    assert confirmed.status_code == 201


def test_a_batch_short_of_stock_issues_nothing(client, shelf):
    world = shelf
    code = stage(client, world, data=households_xlsx(
        [["刘一", 3, None, None, "FW-WATER-5L×15", None],
         ["陈二", 3, None, None, "FW-WATER-5L×15", None]])).get_json()["code"]
    with nothing_changes(db.session):
        refused = client.post(f"/api/v1/distribution-batches/{code}/issue", json={},
                              headers=world.headers("keeper"))
    assert_refused(refused, 409, "insufficient_stock")


@pytest.mark.parametrize("who", ["keeper2", "planner", "auditor"])
def test_only_the_depots_keeper_the_bureau_and_admins_stage_a_batch(client, shelf, who):
    with nothing_changes(db.session):
        assert stage(client, shelf, who=who).status_code == 403


@pytest.mark.parametrize("role", ["admin", "bureau", "keeper", "keeper2", "planner", "auditor"])
def test_every_role_reads_the_distribution_pages_without_a_full_id_number(app, client, shelf,
                                                                          role):
    world = shelf
    made = client.post("/api/v1/distributions", headers=world.headers("keeper"), json={
        "depot": "XZ-01", "name": "刘一", "household_size": 3, "phone": "13900000009",
        "id_number": IDS[0],
        "items": [{"item": "FW-WATER-5L", "quantity": 1}],
        "confirmation": {"kind": "signature", "image": signature_png()}}).get_json()
    code = stage(client, world).get_json()["code"]
    pages = logged_in(app, role, PASSWORD)
    for path in ("/distributions/", f"/distributions/{made['id']}",
                 f"/distributions/batches/{code}", "/distributions/new"):
        page = pages.get(path)
        assert page.status_code == 200, path
        text = page.get_data(as_text=True)
        assert IDS[0] not in text and IDS[0][:17] not in text
    index = pages.get("/distributions/").get_data(as_text=True)
    assert made["number"] in index and ("批量发放：上传户表" in index) is (
        role in ("admin", "bureau", "keeper", "keeper2"))
    # Who received is for the point's keepers, the bureau, admins and auditors only.
    sees = role in ("admin", "bureau", "keeper", "auditor")
    record = pages.get(f"/distributions/{made['id']}").get_data(as_text=True)
    batch = pages.get(f"/distributions/batches/{code}").get_data(as_text=True)
    assert ("刘一" in record and "刘一" in index) is sees
    assert (IDS[0][:4] in record) is sees and (IDS[1][:4] in batch) is sees
    image = pages.get(f"/distributions/{made['id']}/confirmation")
    sheet = pages.get(f"/distributions/batches/{code}/sheet.pdf")
    if sees:
        assert image.mimetype == "image/png" and sheet.mimetype == "application/pdf"
    else:
        assert image.status_code == 403 and sheet.status_code == 403
        assert made["household_code"] in index
    api = client.get(f"/api/v1/distributions/{made['id']}", headers=world.headers(role)).json
    assert (api["recipient_name"], api["phone"], api["id_number"] is not None) == (
        ("刘一", "13900000009", True) if sees else (None, None, False))
    listed = client.get("/api/v1/distributions", headers=world.headers(role)).json
    assert {d["recipient_name"] for d in listed} == ({"刘一"} if sees else {None})
    staged = client.get(f"/api/v1/distribution-batches/{code}", headers=world.headers(role)).json
    assert all((h["name"] is not None) is sees for h in staged["households"])
    picture = client.get(f"/api/v1/distributions/{made['id']}/confirmation",
                         headers=world.headers(role))
    assert picture.status_code == (200 if sees else 403)


def test_the_households_template_reads_back_as_its_example_household():
    from inventory.distribution.batches import read_households, template_xlsx

    [example] = read_households(template_xlsx(), "households-template.xlsx")
    assert example["name"] == "张三" and example["items"] == [
        {"item": "FW-WATER-5L", "quantity": 2}, {"item": "FW-BISCUIT", "quantity": 3}]


def test_a_keeper_stages_and_issues_a_batch_from_the_pages(app, shelf):
    pages = logged_in(app, "keeper", PASSWORD)
    template = pages.get("/distributions/batches/template.xlsx")
    assert template.status_code == 200 and template.data[:2] == b"PK"
    staged = pages.post("/distributions/batches", content_type="multipart/form-data", data={
        "depot": "XZ-01", "file": (io.BytesIO(households_xlsx()), "户表.xlsx")})
    assert staged.status_code == 302
    code = staged.headers["Location"].rsplit("/", 1)[-1]
    issued = pages.post(f"/distributions/batches/{code}/issue", data={})
    assert issued.status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Distribution)) == 3
    photo = pages.post(f"/distributions/batches/{code}/confirmation",
                       content_type="multipart/form-data",
                       data={"photo": (io.BytesIO(b"not an image at all" * 3), "x.jpg")},
                       follow_redirects=True)
    assert "图片数据无法读取" in photo.get_data(as_text=True)
