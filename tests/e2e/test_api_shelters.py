"""The shelter register over the API: each shelter has a receiving point kept in step with it,
writes are the bureau's and the admin's, refused requests change nothing, retries are safe."""

import pytest
from checks import assert_refused, nothing_changes
from sqlalchemy import func, select

from inventory.audit import AuditEvent, events_for
from inventory.db import db
from inventory.geo.models import Depot
from inventory.shelters.models import Shelter

GYM = {"code": "BN-01", "name": "凤城镇中学体育馆", "shelter_class": "II", "capacity_people": 400,
       "area": "140522100", "site_area_m2": 1800, "latitude": 35.49, "longitude": 112.42,
       "address": "凤城镇学府路 8 号", "operator": "凤城镇中学", "contact_name": "王建国",
       "contact_phone": "13900000001"}
ROLES = ["admin", "bureau", "keeper", "planner", "auditor"]


def _post(client, world, user="bureau", body=GYM, **headers):
    return client.post("/api/v1/shelters", headers=world.headers(user, **headers), json=body)


def _counts() -> tuple[int, int, int]:
    return (db.session.scalar(select(func.count(Shelter.id))),
            db.session.scalar(select(func.count(Depot.id))),
            db.session.scalar(select(func.count(AuditEvent.id))))


def test_a_registered_shelter_gets_a_receiving_point_with_its_code(client, world):
    made = _post(client, world)
    assert made.status_code == 201, made.json
    assert made.json | {"created_at": None, "updated_at": None} == GYM | {
        "area_name": "凤城镇", "active": True, "depot": "BN-01", "created_at": None,
        "updated_at": None}
    depot = db.session.scalar(select(Depot).where(Depot.code == "BN-01"))
    assert (depot.kind, depot.name, depot.area.code, float(depot.latitude),
            float(depot.longitude), depot.address, depot.keeper_name, depot.active) == (
        "shelter", "凤城镇中学体育馆", "140522100", 35.49, 112.42, "凤城镇学府路 8 号", "王建国",
        True)
    # The receiving point is a depot like any other: listed among the depots by its kind.
    listed = {d["code"]: d["kind"] for d in client.get(
        "/api/v1/depots", headers=world.headers("keeper")).json}
    assert listed["BN-01"] == "shelter"
    points = client.get("/api/v1/depots?kind=shelter", headers=world.headers("keeper")).json
    assert [d["code"] for d in points] == ["BN-01"]
    [event] = events_for(db.session, "shelter", made_id(made))
    assert event.action == "shelter.create" and event.data["after"]["capacity_people"] == 400


def made_id(response) -> int:
    return db.session.scalar(select(Shelter.id).where(Shelter.code == response.json["code"]))


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_register(client, world, role):
    assert _post(client, world).status_code == 201
    listed = client.get("/api/v1/shelters", headers=world.headers(role))
    assert listed.status_code == 200 and [s["code"] for s in listed.json] == ["BN-01"]
    one = client.get("/api/v1/shelters/BN-01", headers=world.headers(role))
    assert one.status_code == 200 and one.json["capacity_people"] == 400


@pytest.mark.parametrize("role, allowed", [("admin", True), ("bureau", True), ("keeper", False),
                                           ("planner", False), ("auditor", False)])
def test_only_the_bureau_and_admins_register_and_change_shelters(client, world, role, allowed):
    before = _counts()
    made = _post(client, world, role)
    assert made.status_code == (201 if allowed else 403), made.json
    if not allowed:
        assert _counts() == before
        assert _post(client, world, "bureau").status_code == 201
    changed = client.patch("/api/v1/shelters/BN-01", headers=world.headers(role),
                           json={"capacity_people": 450})
    assert changed.status_code == (200 if allowed else 403), changed.json
    expected = 450 if allowed else 400
    assert client.get("/api/v1/shelters/BN-01",
                      headers=world.headers("auditor")).json["capacity_people"] == expected


def test_reading_needs_a_login(client, world):
    assert_refused(client.get("/api/v1/shelters"), 401, "unauthorized")
    with nothing_changes(db.session):
        assert_refused(client.post("/api/v1/shelters", json=GYM), 401, "unauthorized")


def test_a_patch_keeps_the_receiving_point_in_step_and_logs_before_and_after(client, world):
    _post(client, world)
    changed = client.patch("/api/v1/shelters/BN-01", headers=world.headers("admin"), json={
        "name": "凤城镇中学综合体育馆", "latitude": 35.5, "longitude": 112.43,
        "area": "140522100201", "contact_name": "李玉兰", "capacity_people": 400})
    assert changed.status_code == 200, changed.json
    assert (changed.json["name"], changed.json["area"], changed.json["latitude"]) == (
        "凤城镇中学综合体育馆", "140522100201", 35.5)
    depot = db.session.scalar(select(Depot).where(Depot.code == "BN-01"))
    db.session.refresh(depot)
    assert (depot.name, depot.area.code, float(depot.latitude), float(depot.longitude),
            depot.keeper_name) == ("凤城镇中学综合体育馆", "140522100201", 35.5, 112.43, "李玉兰")
    update = events_for(db.session, "shelter", made_id(changed))[-1]
    assert update.action == "shelter.update"
    # Only what changed is logged; the capacity was sent unchanged.
    assert update.data["before"] == {"name": "凤城镇中学体育馆", "area": "140522100",
                                     "latitude": 35.49, "longitude": 112.42,
                                     "contact_name": "王建国"}
    assert update.data["after"]["name"] == "凤城镇中学综合体育馆"
    assert "capacity_people" not in update.data["after"]


def test_deactivating_a_shelter_deactivates_its_receiving_point(client, world):
    _post(client, world)
    assert client.patch("/api/v1/shelters/BN-01", headers=world.headers("bureau"),
                        json={"active": False}).json["active"] is False
    depot = db.session.scalar(select(Depot).where(Depot.code == "BN-01"))
    db.session.refresh(depot)
    assert depot.active is False
    listed = client.get("/api/v1/shelters?active=true", headers=world.headers("bureau")).json
    assert listed == []


def test_a_shelter_holding_stock_cannot_be_deactivated(client, world):
    from inventory.stock import services as stock

    _post(client, world)
    stock.receive(db.session, world.users["admin"], depot="BN-01", item="SH-TENT-12",
                  quantity=5, lot_code="T-BN")
    refused = client.patch("/api/v1/shelters/BN-01", headers=world.headers("bureau"),
                           json={"active": False})
    assert refused.status_code == 409 and "5" in refused.json["message"]
    english = client.patch("/api/v1/shelters/BN-01", json={"active": False},
                           headers=world.headers("bureau", **{"Accept-Language": "en"}))
    assert "still holds 5 units" in english.json["message"]
    assert client.get("/api/v1/shelters/BN-01",
                      headers=world.headers("bureau")).json["active"] is True


def test_supplies_reach_a_shelter_by_an_ordinary_transfer_to_its_code(client, world):
    from inventory.stock import services as stock

    _post(client, world)
    stock.receive(db.session, world.users["admin"], depot="XZ-01", item="SH-TENT-12",
                  quantity=20, lot_code="T-1")
    bureau = world.headers("bureau")
    transfer = client.post("/api/v1/transfers", headers=bureau, json={
        "from_depot": "XZ-01", "to_depot": "BN-01", "reason": "安置点物资调拨",
        "lines": [{"item": "SH-TENT-12", "quantity": 8}]})
    assert transfer.status_code == 201, transfer.json
    admin = world.headers("admin")
    number = transfer.json["id"]
    assert client.post(f"/api/v1/transfers/{number}/dispatch", headers=admin,
                       json={}).status_code == 200
    received = client.post(f"/api/v1/transfers/{number}/receive", headers=admin, json={})
    assert received.status_code == 200, received.json
    held = client.get("/api/v1/balances?depot=BN-01", headers=admin).json
    assert [(row["item"], row["quantity"]) for row in held] == [("SH-TENT-12", 8)]


INVALID = (422, "invalid_input")


@pytest.mark.parametrize("change, refusal, field", [
    ({"code": "BN 01"}, INVALID, "code"),
    ({"code": ""}, INVALID, "code"),
    ({"shelter_class": "IV"}, INVALID, "shelter_class"),
    ({"capacity_people": 0}, INVALID, "capacity_people"),
    ({"capacity_people": 12.5}, INVALID, "capacity_people"),
    ({"capacity_people": "400"}, INVALID, "capacity_people"),
    ({"latitude": 95}, INVALID, "latitude"),
    ({"longitude": None}, INVALID, "latitude"),
    ({"site_area_m2": -1}, INVALID, "site_area_m2"),
    ({"name": "   "}, INVALID, "name"),
    ({"area": "999999"}, (404, "not_found"), "area"),
    ({"depot": "XZ-01"}, INVALID, "depot"),
    ({"name": "体育馆\x00"}, INVALID, "name"),
])
def test_a_bad_shelter_is_refused_with_the_field_named_and_nothing_written(
        client, world, change, refusal, field):
    with nothing_changes(db.session):
        refused = assert_refused(_post(client, world, body=GYM | change), *refusal)
    assert field in refused["errors"], refused


def test_a_code_already_used_by_a_depot_is_a_conflict(client, world):
    before = _counts()
    refused = _post(client, world, body=GYM | {"code": "XZ-01"})
    assert refused.status_code == 409 and "XZ-01" in refused.json["message"]
    assert _counts() == before


@pytest.mark.parametrize("body", [{}, {"code": "BN-02"}, {"capacity_people": -5},
                                  {"latitude": None}])
def test_a_bad_patch_changes_nothing(client, world, body):
    _post(client, world)
    before = (_counts(), client.get("/api/v1/shelters/BN-01", headers=world.headers("bureau")).json)
    refused = client.patch("/api/v1/shelters/BN-01", headers=world.headers("bureau"), json=body)
    assert refused.status_code == 422, refused.json
    after = (_counts(), client.get("/api/v1/shelters/BN-01", headers=world.headers("bureau")).json)
    assert after == before


def test_patching_an_unknown_shelter_is_404(client, world):
    missing = client.patch("/api/v1/shelters/NO-SUCH", headers=world.headers("bureau"),
                           json={"capacity_people": 5})
    assert missing.status_code == 404 and missing.json["code"] == "not_found"


def test_a_retried_registration_returns_the_first_answer_and_writes_once(client, world):
    first = _post(client, world, **{"Idempotency-Key": "bn-01-create"})
    again = _post(client, world, **{"Idempotency-Key": "bn-01-create"})
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers.get("Idempotent-Replayed") == "true"
    assert db.session.scalar(select(func.count(Shelter.id))) == 1
    other = _post(client, world, body=GYM | {"code": "BN-02"},
                  **{"Idempotency-Key": "bn-01-create"})
    assert other.status_code == 409 and other.json["code"] == "idempotency_key_reused"


def test_a_retried_patch_is_applied_and_logged_once(client, world):
    _post(client, world)
    headers = world.headers("bureau", **{"Idempotency-Key": "cap-450"})
    first = client.patch("/api/v1/shelters/BN-01", headers=headers, json={"capacity_people": 450})
    again = client.patch("/api/v1/shelters/BN-01", headers=headers, json={"capacity_people": 450})
    assert first.json == again.json and again.headers.get("Idempotent-Replayed") == "true"
    updates = [e for e in events_for(db.session, "shelter", made_id(first))
               if e.action == "shelter.update"]
    assert len(updates) == 1


def test_the_list_filters_by_area_below_and_by_class(client, world):
    _post(client, world)
    _post(client, world, body=GYM | {"code": "BN-02", "name": "东关村文化广场",
                                     "shelter_class": "III", "area": "140522100201",
                                     "capacity_people": 300})
    bureau = world.headers("bureau")

    def codes(query):
        found = client.get(f"/api/v1/shelters?{query}", headers=bureau)
        assert found.status_code == 200, found.json
        return [s["code"] for s in found.json]

    assert codes("area=140522") == ["BN-01", "BN-02"]  # the county holds both
    assert codes("area=140522100201") == ["BN-02"]
    assert codes("shelter_class=II") == ["BN-01"]
    assert codes("area=999999") == []
    assert client.get("/api/v1/shelters?shelter_class=IV", headers=bureau).status_code == 422


@pytest.mark.parametrize("role, allowed", [("admin", True), ("bureau", True), ("keeper", False),
                                           ("planner", False), ("auditor", False)])
def test_road_hours_to_a_shelter_are_set_by_the_bureau_and_read_by_all(client, world, role,
                                                                       allowed):
    _post(client, world)
    body = {"depot": "XZ-01", "shelter": "BN-01", "hours": 0.75}
    put = client.put("/api/v1/shelter-travel-times", headers=world.headers(role), json=body)
    assert put.status_code == (200 if allowed else 403), put.json
    listed = client.get("/api/v1/shelter-travel-times?shelter=BN-01", headers=world.headers(role))
    assert listed.status_code == 200
    assert [(t["depot"], t["hours"], t["source"]) for t in listed.json] == (
        [("XZ-01", 0.75, "manual")] if allowed else [])
    routes = client.get("/api/v1/shelters/BN-01/routes", headers=world.headers(role))
    assert routes.status_code == 200
    by_depot = {r["depot"]: r for r in routes.json}
    # The township point stands in the gym's township; neither has coordinates: next door.
    assert by_depot["TS-01"] == {"depot": "TS-01", "shelter": "BN-01", "hours": 0.0,
                                 "basis": "same_area"}
    assert by_depot["XZ-01"] == ({"depot": "XZ-01", "shelter": "BN-01", "hours": 0.75,
                                  "basis": "manual"} if allowed else
                                 {"depot": "XZ-01", "shelter": "BN-01", "hours": None,
                                  "basis": None})
    # Receiving points are not sources of routes; the shelter's own is not listed.
    assert "BN-01" not in {r["depot"] for r in routes.json}


@pytest.mark.parametrize("body, status, field", [
    ({"depot": "XZ-01", "shelter": "BN-01", "hours": -1}, 422, "hours"),
    ({"depot": "XZ-01", "shelter": "BN-01", "hours": 1000}, 422, "hours"),
    ({"depot": "XZ-01", "shelter": "BN-01"}, 422, "hours"),
    ({"depot": "NO-SUCH", "shelter": "BN-01", "hours": 1}, 404, "depot"),
    ({"depot": "XZ-01", "shelter": "NO-SUCH", "hours": 1}, 404, "shelter"),
    ({"depot": "BN-01", "shelter": "BN-01", "hours": 1}, 422, "depot"),
])
def test_bad_road_hours_are_refused_and_nothing_is_recorded(client, world, body, status, field):
    _post(client, world)
    refused = client.put("/api/v1/shelter-travel-times", headers=world.headers("bureau"),
                         json=body)
    assert refused.status_code == status and field in refused.json["errors"], refused.json
    assert client.get("/api/v1/shelter-travel-times",
                      headers=world.headers("bureau")).json == []


def test_the_routes_of_an_unknown_shelter_are_404(client, world):
    refused = assert_refused(client.get("/api/v1/shelters/NO-SUCH/routes",
                                        headers=world.headers("planner")), 404, "not_found")
    assert "NO-SUCH" in refused["message"]
