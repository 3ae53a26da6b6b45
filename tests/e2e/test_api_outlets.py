"""The outlets register (轮换去向) over the API: every role reads it; planners, the bureau and
admins define and change outlets; each change is in the application log; a refused request
changes nothing."""

import pytest
from checks import assert_refused, nothing_changes

from inventory.audit import events_for
from inventory.db import db

ROLES = ["admin", "bureau", "keeper", "planner", "auditor"]
WRITERS = {"admin", "bureau", "planner"}
CANTEEN = {"name": "县一中食堂", "kind": "canteen", "item": "FW-WATER-5L",
           "capacity_per_month": 120, "value_per_unit": 3.5}


def _define(client, world, body=None, user="bureau"):
    return client.post("/api/v1/outlets", headers=world.headers(user), json=body or CANTEEN)


def test_an_outlet_is_defined_read_and_changed_with_its_history(client, world):
    made = _define(client, world)
    assert made.status_code == 201, made.json
    assert {key: made.json[key] for key in CANTEEN} == CANTEEN
    assert (made.json["item_name"], made.json["active"]) == ("桶装饮用水 5L", True)
    changed = client.patch(f"/api/v1/outlets/{made.json['id']}", headers=world.headers("planner"),
                           json={"capacity_per_month": 200, "active": False})
    assert changed.status_code == 200, changed.json
    assert (changed.json["capacity_per_month"], changed.json["active"]) == (200, False)
    listed = client.get("/api/v1/outlets", headers=world.headers("keeper")).json
    assert [o["name"] for o in listed] == ["县一中食堂"]
    assert client.get("/api/v1/outlets?active=true", headers=world.headers("keeper")).json == []
    events = events_for(db.session, "outlet", made.json["id"])
    assert [e.action for e in events] == ["outlet.create", "outlet.update"]
    assert events[1].data == {"before": {"capacity_per_month": 120, "active": True},
                              "after": {"capacity_per_month": 200, "active": False}}


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_and_only_planners_the_bureau_and_admins_write(client, world, role):
    outlet = _define(client, world).json
    assert client.get("/api/v1/outlets", headers=world.headers(role)).status_code == 200
    shown = client.get(f"/api/v1/outlets/{outlet['id']}", headers=world.headers(role))
    assert shown.status_code == 200 and shown.json["name"] == "县一中食堂"
    body = {**CANTEEN, "name": f"{role} 市场", "kind": "market"}
    if role in WRITERS:
        assert _define(client, world, body, role).status_code == 201
        patched = client.patch(f"/api/v1/outlets/{outlet['id']}", headers=world.headers(role),
                               json={"value_per_unit": 4})
        assert patched.status_code == 200 and patched.json["value_per_unit"] == 4.0
    else:
        with nothing_changes(db.session):
            assert_refused(_define(client, world, body, role), 403, "forbidden")
            assert_refused(client.patch(f"/api/v1/outlets/{outlet['id']}",
                                        headers=world.headers(role), json={"value_per_unit": 4}),
                           403, "forbidden")


@pytest.mark.parametrize("body, field", [
    ({**CANTEEN, "item": "NO-SUCH"}, "item"),
    ({**CANTEEN, "kind": "school"}, "kind"),
    ({**CANTEEN, "capacity_per_month": -1}, "capacity_per_month"),
    ({**CANTEEN, "name": ""}, "name"),
    ({key: value for key, value in CANTEEN.items() if key != "item"}, "item"),
])
def test_bad_outlets_are_refused_in_chinese_and_change_nothing(client, world, body, field):
    with nothing_changes(db.session):
        refused = assert_refused(_define(client, world, body), 422, "invalid_input")
    assert field in refused["errors"].get("json", refused["errors"])


def test_the_same_outlet_cannot_take_the_same_item_twice(client, world):
    first = _define(client, world).json
    with nothing_changes(db.session):
        assert_refused(_define(client, world), 409, "state_conflict")
    other = _define(client, world, {**CANTEEN, "name": "县二中食堂"}).json
    with nothing_changes(db.session):
        assert_refused(client.patch(f"/api/v1/outlets/{other['id']}",
                                    headers=world.headers("bureau"), json={"name": "县一中食堂"}),
                       409, "state_conflict")
    assert client.get(f"/api/v1/outlets/{first['id']}",
                      headers=world.headers("bureau")).json["name"] == "县一中食堂"
    assert_refused(client.get("/api/v1/outlets/999", headers=world.headers("bureau")),
                   404, "not_found")
