"""Distribution to households over the API: FEFO lots, ledger rows without personal data,
roles, idempotent replays, the repeat warning, refusals that change nothing, and no full ID
number in any answer, export or log."""

import io
import logging
from datetime import date, timedelta

import pytest
from checks import assert_refused, nothing_changes
from distribution_helpers import add_norm, id_number, signature_png
from pypdf import PdfReader
from sqlalchemy import func, select

from inventory.db import db
from inventory.distribution.models import Distribution
from inventory.stock import services as stock
from inventory.stock.models import Lot, Movement

URL = "/api/v1/distributions"
ID = id_number(123)


@pytest.fixture
def shelf(world):
    """Water in two lots at XZ-01, the later-expiring one received first; biscuits in one."""
    keeper = world.users["keeper"]
    late, _ = stock.receive(db.session, keeper, depot="XZ-01", item="FW-WATER-5L", quantity=50,
                            lot_code="W-LATE", expires_on=date.today() + timedelta(days=400))
    early, _ = stock.receive(db.session, keeper, depot="XZ-01", item="FW-WATER-5L",
                             quantity=3, lot_code="W-EARLY",
                             expires_on=date.today() + timedelta(days=30))
    stock.receive(db.session, keeper, depot="XZ-01", item="FW-BISCUIT", quantity=40,
                  lot_code="B-1")
    add_norm(db.session, world.items["FW-WATER-5L"], hours=72)
    return {"late": late.id, "early": early.id}


def body(**changes):
    data = {"depot": "XZ-01", "name": "张三", "household_size": 4, "phone": "13800000000",
            "id_number": ID, "items": [{"item": "FW-WATER-5L", "quantity": 5}],
            "confirmation": {"kind": "signature", "image": signature_png()}}
    data.update(changes)
    return data


def post(client, world, who="keeper", key=None, **changes):
    headers = world.headers(who, **({"Idempotency-Key": key} if key else {}))
    return client.post(URL, json=body(**changes), headers=headers)


def test_a_keeper_hands_water_out_first_expiry_first_with_the_id_number_masked(
        client, world, shelf):
    response = post(client, world, key="k-1")
    assert response.status_code == 201, response.get_json()
    record = response.get_json()
    assert record["number"].startswith("FF-")
    assert record["id_number"] == ID[:4] + "*" * 10 + ID[-4:]
    assert [(line["lot_code"], line["quantity"]) for line in record["lines"]] == [
        ("W-EARLY", 3), ("W-LATE", 2)]
    assert record["confirmation"] == "signature" and record["keeper"] == "keeper"
    db.session.rollback()
    rows = db.session.scalars(select(Movement).where(Movement.reference == record["number"])
                              .order_by(Movement.id)).all()
    assert [(r.kind, r.quantity) for r in rows] == [("issue", -3), ("issue", -2)]
    assert {r.recipient for r in rows} == {record["household_code"]}
    assert record["household_code"].startswith("HH-")
    for row in rows:
        assert "张三" not in (row.recipient or "") + (row.reason or "")
        assert "13800000000" not in (row.recipient or "") + (row.reason or "")
    assert db.session.get(Lot, shelf["early"]).quantity == 0
    assert db.session.get(Lot, shelf["late"]).quantity == 48


def test_the_id_number_is_stored_only_masked_and_as_a_keyed_hash(client, world, shelf):
    post(client, world)
    db.session.rollback()
    record = db.session.scalar(select(Distribution))
    assert record.id_masked == ID[:4] + "**********" + ID[-4:]
    assert len(record.id_hash) == 64 and ID not in record.id_hash
    stored = [str(value) for value in db.session.execute(
        select(*Distribution.__table__.c)).one()]
    assert not any(ID in value for value in stored)


def test_a_replayed_request_is_answered_as_the_first_and_recorded_once(client, world, shelf):
    first = post(client, world, key="same")
    again = post(client, world, key="same")
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json() == first.get_json()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Distribution)) == 1
    assert db.session.scalar(select(func.count()).select_from(Movement).where(
        Movement.kind == "issue")) == 2


@pytest.mark.parametrize("who", ["keeper2", "planner", "auditor"])
def test_only_the_depots_keeper_the_bureau_and_admins_distribute(client, world, shelf, who):
    with nothing_changes(db.session):
        response = post(client, world, who=who)
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["bureau", "admin"])
def test_the_bureau_and_admins_distribute_anywhere(client, world, shelf, who):
    assert post(client, world, who=who).status_code == 201


@pytest.mark.parametrize("who", ["keeper", "keeper2", "bureau", "admin", "auditor", "planner"])
def test_every_role_reads_the_distributions(client, world, shelf, who):
    number = post(client, world).get_json()["number"]
    listed = client.get(URL + "?depot=XZ-01", headers=world.headers(who))
    assert listed.status_code == 200
    assert [d["number"] for d in listed.get_json()] == [number]
    one = client.get(f"{URL}/{listed.get_json()[0]['id']}", headers=world.headers(who))
    assert one.status_code == 200 and one.get_json()["number"] == number


def test_the_same_household_twice_within_the_norms_duration_is_warned_about(
        client, world, shelf):
    post(client, world)
    with nothing_changes(db.session):
        again = post(client, world, name="张三丰", phone=None)  # the same ID number
    found = assert_refused(again, 409, "repeat_distribution")
    assert "FF-" in found["message"]
    confirmed = post(client, world, confirm_repeat=True)
    assert confirmed.status_code == 201 and confirmed.get_json()["repeat_confirmed"] is True


def test_an_item_without_a_norm_has_no_ration_to_repeat(client, world, shelf):
    items = [{"item": "FW-BISCUIT", "quantity": 2}]
    assert post(client, world, items=items).status_code == 201
    assert post(client, world, items=items).status_code == 201


def test_a_household_without_an_id_number_is_known_by_name_and_phone(client, world, shelf):
    assert post(client, world, id_number=None).status_code == 201
    assert_refused(post(client, world, id_number=None), 409, "repeat_distribution")
    assert post(client, world, id_number=None, phone="13900000000").status_code == 201


def test_a_repeat_outside_the_duration_is_allowed(client, world, shelf):
    from datetime import UTC, datetime
    earlier = (datetime.now(UTC) - timedelta(hours=80)).isoformat()
    assert post(client, world, occurred_at=earlier).status_code == 201
    assert post(client, world).status_code == 201


@pytest.mark.parametrize(("changes", "status", "code"), [
    ({"items": [{"item": "FW-WATER-5L", "quantity": 54}]}, 409, "insufficient_stock"),
    ({"items": [{"item": "NOPE", "quantity": 1}]}, 404, "not_found"),
    ({"items": []}, 422, "invalid_input"),
    ({"id_number": ID[:-1] + ("0" if ID[-1] != "0" else "1")}, 422, "invalid_input"),
    ({"confirmation": {"kind": "signature", "image": "data:image/png;base64,AAAA"}}, 422,
     "invalid_input"),
    ({"confirmation": {"kind": "signature",
                       "image": "data:image/png;base64," + "A" * 300_000}}, 422,
     "invalid_input"),
    ({"household_size": 0}, 422, "invalid_input"),
    ({"depot": "TS-01"}, 403, "forbidden"),
])
def test_a_refused_distribution_changes_nothing_and_never_echoes_the_id_number(
        client, world, shelf, changes, status, code):
    with nothing_changes(db.session):
        response = post(client, world, **changes)
    assert_refused(response, status, code)
    text = response.get_data(as_text=True)
    assert ID not in text and ID[:17] not in text


def test_no_answer_export_or_log_holds_a_full_id_number(client, world, shelf, caplog):
    caplog.set_level(logging.DEBUG)
    created = post(client, world, key="k-log").get_json()
    post(client, world, key="k-log")  # a replay
    post(client, world)  # the repeat warning
    answers = [client.get(URL, headers=world.headers("auditor")),
               client.get(f"{URL}/{created['id']}", headers=world.headers("auditor"))]
    bodies = [(response.status_code, response.data) for response in answers]
    for path in ("/api/v1/ledger/export.csv", "/api/v1/ledger/export.xlsx",
                 "/api/v1/movements"):
        response = client.get(path, headers=world.headers("auditor"))
        bodies.append((response.status_code, response.data))  # streamed: read before the next
        assert "张三".encode() not in bodies[-1][1] and b"13800000000" not in bodies[-1][1]
    for status, data in bodies:
        assert status == 200, data[:200]
        assert ID.encode() not in data and ID[:17].encode() not in data
    pdf = client.get("/api/v1/ledger/export.pdf", headers=world.headers("auditor"))
    reader = PdfReader(io.BytesIO(pdf.data))
    printed = "".join(page.extract_text() for page in reader.pages)
    attached = b"".join(b"".join(files) for files in reader.attachments.values())
    assert created["number"] in "".join(printed.split())
    assert ID not in printed and ID.encode() not in attached and "张三" not in printed
    trail = client.get("/api/v1/audit-events.csv", headers=world.headers("auditor"))
    assert trail.status_code == 200 and ID.encode() not in trail.data
    csv_text = bodies[2][1].decode("utf-8-sig")
    assert created["number"] in csv_text
    assert created["household_code"].encode() in bodies[4][1]  # the ledger's recipient
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert created["number"] in logged
    assert ID not in logged and ID[:17] not in logged
    from inventory.stock.models import IdempotencyRecord
    db.session.rollback()
    kept = "".join(r.response or "" for r in db.session.scalars(select(IdempotencyRecord)))
    assert ID not in kept


def test_a_handover_sent_after_later_rows_keeps_its_time_on_the_record_and_the_row(
        client, world, shelf):
    from datetime import UTC, datetime
    post(client, world, id_number=None, name="先到")
    handed = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    late = post(client, world, id_number=None, name="后到", occurred_at=handed.isoformat())
    assert late.status_code == 201, late.get_json()
    record = late.get_json()
    assert datetime.fromisoformat(record["occurred_at"]) == handed
    db.session.rollback()
    [row] = db.session.scalars(select(Movement).where(Movement.reference == record["number"]))
    assert row.occurred_at > handed and row.device_at == handed


def test_list_filters_by_period(client, world, shelf):
    post(client, world)
    today = date.today()
    assert len(client.get(f"{URL}?date_from={today - timedelta(days=1)}",
                          headers=world.headers("keeper")).get_json()) == 1
    assert client.get(f"{URL}?date_to={today - timedelta(days=2)}",
                      headers=world.headers("keeper")).get_json() == []
