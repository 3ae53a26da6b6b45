"""Depots over HTTP: everyone reads them; the bureau and admins change their details, each
change checked field by field and kept in the application log with its values before."""

from datetime import timedelta
from decimal import Decimal

import pytest

from inventory import clock
from inventory.audit import AuditEvent
from inventory.db import db
from inventory.readiness import services as readiness
from inventory.readiness.services import NormRow
from inventory.stock import services as stock

ROLES = ("admin", "bureau", "keeper", "planner", "auditor")


def patch(client, world, body, user="bureau", code="XZ-01", **headers):
    return client.patch(f"/api/v1/depots/{code}", json=body, headers=world.headers(user, **headers))


def depot_json(client, world, code="XZ-01"):
    return client.get(f"/api/v1/depots/{code}", headers=world.headers("auditor")).json


def depot_events():
    db.session.rollback()  # see what the requests committed
    return db.session.query(AuditEvent).filter_by(subject_type="depot").all()


@pytest.mark.parametrize("user", ROLES)
def test_every_role_reads_the_depots_with_their_handling_time(client, world, user):
    response = client.get("/api/v1/depots", headers=world.headers(user))
    assert response.status_code == 200
    depots = {d["code"]: d for d in response.json}
    assert set(depots) == {"XZ-01", "TS-01", "VL-01"}
    county = depots["XZ-01"]
    assert county["handling_hours"] == 1.0 and isinstance(county["handling_hours"], float)
    assert {k: county[k] for k in ("name", "kind", "capacity_m3", "tier", "area", "active")} == {
        "name": "县级救灾物资储备库", "kind": "government", "capacity_m3": 4000.0,
        "tier": "county", "area": "140522", "active": True}
    for key in ("latitude", "longitude", "address", "keeper_name", "keeper_phone"):
        assert key in county


@pytest.mark.parametrize("user", ["bureau", "admin"])
def test_the_bureau_and_admins_change_a_depots_details(client, world, user):
    body = {"name": "县级应急物资储备库", "kind": "enterprise", "capacity_m3": 5200.5,
            "handling_hours": 0.75, "latitude": 38.9, "longitude": 106.52,
            "address": "城关镇北环路 8 号", "keeper_name": "马建国", "keeper_phone": "0952-6012345",
            "active": False}
    response = patch(client, world, body, user=user)
    assert response.status_code == 200, response.json
    assert {k: response.json[k] for k in body} == body
    assert depot_json(client, world) == response.json


@pytest.mark.parametrize("user", ["keeper", "planner", "auditor"])
def test_other_roles_may_not_change_a_depot(client, world, user):
    before = depot_json(client, world)
    response = patch(client, world, {"handling_hours": 3}, user=user)
    assert response.status_code == 403 and response.json["code"] == "forbidden"
    assert depot_json(client, world) == before and depot_events() == []


def test_an_unknown_depot_is_a_404(client, world):
    response = patch(client, world, {"handling_hours": 2}, code="NOPE")
    assert response.status_code == 404 and response.json["code"] == "not_found"


def test_fields_left_out_keep_their_values(client, world):
    before = depot_json(client, world)
    response = patch(client, world, {"handling_hours": 2.5})
    assert response.status_code == 200
    assert response.json == before | {"handling_hours": 2.5}


def test_the_log_records_who_changed_which_fields_from_what_to_what(client, world):
    patch(client, world, {"handling_hours": 2.5, "keeper_name": "马建国",
                          "name": "县级救灾物资储备库"})
    [event] = depot_events()
    assert (event.action, event.subject_id) == ("depot.update", world.depots["XZ-01"].id)
    assert event.actor.username == "bureau" and event.at is not None
    # The unchanged name is not a change.
    assert event.data == {"before": {"handling_hours": "1", "keeper_name": None},
                          "after": {"handling_hours": "2.5", "keeper_name": "马建国"}}


def test_a_change_to_the_values_the_depot_holds_records_nothing(client, world):
    response = patch(client, world, {"handling_hours": 1, "kind": "government"})
    assert response.status_code == 200 and depot_events() == []


def test_null_clears_an_optional_detail(client, world):
    patch(client, world, {"keeper_phone": "13900000000", "latitude": 38.9, "longitude": 106.5})
    response = patch(client, world, {"keeper_phone": None, "capacity_m3": None,
                                     "latitude": None, "longitude": None})
    assert response.status_code == 200
    assert [response.json[k] for k in ("keeper_phone", "capacity_m3", "latitude",
                                       "longitude")] == [None] * 4


def test_text_is_stripped_and_numbers_are_rounded_to_what_the_columns_keep(client, world):
    response = patch(client, world, {"name": "  新库  ", "keeper_name": "   ",
                                     "handling_hours": 0.333, "latitude": 38.12345678,
                                     "longitude": 106.5})
    assert response.status_code == 200
    assert response.json["name"] == "新库" and response.json["keeper_name"] is None
    assert response.json["handling_hours"] == 0.33 and response.json["latitude"] == 38.123457
    db.session.rollback()
    assert world.depots["XZ-01"].handling_hours == Decimal("0.33")


@pytest.mark.parametrize("body, field", [
    ({"handling_hours": -0.5}, "handling_hours"),
    ({"handling_hours": 73}, "handling_hours"),
    ({"handling_hours": None}, "handling_hours"),
    ({"handling_hours": "soon"}, "handling_hours"),
    ({"handling_hours": True}, "handling_hours"),
    ({"capacity_m3": -1}, "capacity_m3"),
    ({"capacity_m3": 1e12}, "capacity_m3"),
    ({"latitude": 90.5, "longitude": 106}, "latitude"),
    ({"latitude": 38, "longitude": -180.1}, "longitude"),
    ({"kind": "warehouse"}, "kind"),
    ({"kind": None}, "kind"),
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "库" * 101}, "name"),
    ({"address": "路" * 201}, "address"),
    ({"keeper_name": "张" * 51}, "keeper_name"),
    ({"keeper_phone": "1" * 31}, "keeper_phone"),
    ({"keeper_phone": 13900000000}, "keeper_phone"),
    ({"address": "北环路\x00"}, "address"),
    ({"active": "perhaps"}, "active"),
    ({"active": None}, "active"),
    ({"code": "XZ-09"}, "code"),
    ({"area": "140522100"}, "area"),
    ({"latitude": 38.9}, "longitude"),  # the depot has no coordinates: one alone is refused
])
def test_a_bad_value_is_a_422_naming_the_field_and_changes_nothing(client, world, body, field):
    before = depot_json(client, world)
    # Every other field is valid, so the refusal is the bad field's alone.
    response = patch(client, world, {"handling_hours": 2} | body)
    assert response.status_code == 422, response.json
    assert response.json["code"] == "invalid_input" and response.json["message"]
    assert list(response.json["errors"]) == [field]
    assert depot_json(client, world) == before and depot_events() == []


def test_a_refusal_names_every_bad_field(client, world):
    response = patch(client, world, {"handling_hours": -1, "latitude": 100, "kind": "x"})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"handling_hours", "latitude", "kind"}


def test_a_refusal_by_the_depot_rules_is_explained_in_either_language(client, world):
    zh = patch(client, world, {"name": "   "})
    assert zh.status_code == 422 and "名称不能为空" in zh.json["message"]
    en = patch(client, world, {"latitude": 38.9}, **{"Accept-Language": "en"})
    assert en.status_code == 422
    assert en.json["message"] == ("Invalid depot details: longitude goes together with the "
                                  "other coordinate.")


def test_a_repeated_idempotency_key_returns_the_first_answer_and_logs_once(client, world):
    key = {"Idempotency-Key": "desk-depot-0001"}
    first = patch(client, world, {"handling_hours": 2}, **key)
    # Meanwhile someone else sets another figure; the retry must not undo it.
    assert patch(client, world, {"handling_hours": 3}).status_code == 200
    again = patch(client, world, {"handling_hours": 2}, **key)
    assert first.status_code == again.status_code == 200
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    assert depot_json(client, world)["handling_hours"] == 3.0
    assert len(depot_events()) == 2


def test_the_same_idempotency_key_with_another_body_is_a_409(client, world):
    key = {"Idempotency-Key": "desk-depot-0002"}
    assert patch(client, world, {"handling_hours": 2}, **key).status_code == 200
    other = patch(client, world, {"handling_hours": 4}, **key)
    assert other.status_code == 409 and other.json["code"] == "idempotency_key_reused"
    assert depot_json(client, world)["handling_hours"] == 2.0


def test_the_handling_time_decides_whether_a_depots_stock_counts(client, world):
    """30 tents at XZ-01, 9 road hours from the town; the town needs them within 10 hours."""
    session, admin = db.session, world.users["admin"]
    readiness.load_norms(session, [NormRow("SH-TENT-12", Decimal("0.3"), 72, "all", "", "")])
    readiness.set_travel_time(session, admin, depot="XZ-01", area="140522100", hours=9)
    stock.receive(session, admin, depot="XZ-01", item="SH-TENT-12", quantity=30)
    target = readiness.create_target(session, admin, name="凤城镇安置", area="140522100",
                                    people=100, deadline_hours=10,
                                    target_date=clock.today() + timedelta(days=30))

    def physical_tents():
        body = client.get(f"/api/v1/adequacy?target={target.id}",
                          headers=world.headers("planner")).json
        [tents] = [i for i in body["items"] if i["item"] == "SH-TENT-12"]
        return tents["by_mode"]["physical"]

    assert physical_tents() == 30  # 1 h handling + 9 h road = 10 h: in time
    assert patch(client, world, {"handling_hours": 1.5}).status_code == 200
    assert physical_tents() == 0  # 10.5 h: too late
    assert patch(client, world, {"handling_hours": 0.5}).status_code == 200
    assert physical_tents() == 30


def test_the_openapi_document_describes_the_patch(client):
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/depots/{code}"]["patch"]
    assert "handling time" in operation["summary"]
    assert "requestBody" in operation
