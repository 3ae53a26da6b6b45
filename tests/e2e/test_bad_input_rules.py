"""Named cases of the bad-input rules, one a test, beside the generated sweeps of
test_api_bad_input.py and test_form_bad_input.py: each is refused with a 4xx that says why,
and changes nothing."""

import pytest
from checks import BROWSER, assert_refused, nothing_changes
from factories import PASSWORD
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from inventory.api.errors import refused_by_a_rule
from inventory.db import db
from inventory.errors import InvalidInput
from inventory.readiness import services as readiness
from inventory.readiness.models import Norm, TravelTime


def test_a_lone_surrogate_in_the_login_is_refused_not_a_500(client, world):
    with nothing_changes(db.session):
        response = client.post("/api/v1/tokens", data='{"username": "ad\\ud800", "password": "x"}',
                               content_type="application/json")
        body = assert_refused(response, 422, "invalid_input")
    assert "username" in body["errors"], body


def test_a_nul_in_the_login_form_is_refused_with_a_page(client, world):
    with nothing_changes(db.session):
        response = client.post("/login", data={"username": "admin\x00", "password": PASSWORD},
                               headers=BROWSER)
    assert response.status_code == 422 and response.mimetype == "text/html"


@pytest.mark.parametrize("body, content_type, status, code", [
    ('{"depot": "XZ-01", "item": "SH-TENT-12", "quantity": 1}', "text/plain", 415,
     "unsupported_media_type"),
    ('{"depot": "XZ-01", "item": "SH-TENT-12", "quantity": NaN}', "application/json", 400,
     "bad_request"),
    ('{"depot": "XZ-01", "item": "SH-TENT-12", "quantity": 1, "unit_cost": Infinity}',
     "application/json", 400, "bad_request"),
    ("[" * 10_000 + "]" * 10_000, "application/json", 400, "bad_request"),
    ('{"depot": "XZ-01", "item": "SH-TENT-12", "quantity": 1, "reason": "a\\u0007b"}',
     "application/json", 422, "invalid_input"),
])
def test_a_body_that_is_not_standard_json_is_refused_with_what_was_wrong(
        client, world, body, content_type, status, code):
    with nothing_changes(db.session):
        response = client.post("/api/v1/receipts", data=body, content_type=content_type,
                               headers=world.headers("keeper"))
        refused = assert_refused(response, status, code)
    assert "missing" not in refused["message"].lower()


@pytest.mark.parametrize("hours", ["nan", "inf", "-inf", "1e300", "721"])
def test_a_travel_time_that_is_not_a_finite_number_of_hours_is_not_stored(
        client, world, hours):
    client.post("/login", data={"username": "bureau", "password": PASSWORD})
    with nothing_changes(db.session):
        client.post("/reserves/travel-times",
                    data={"depot": "XZ-01", "area": "140522100", "hours": hours})
    assert db.session.scalar(select(func.count()).select_from(TravelTime)) == 0


@pytest.mark.parametrize("people", ["nan", "1e10", "99999999999", "12.5"])
def test_a_target_for_an_absurd_number_of_people_is_not_stored(client, world, people):
    client.post("/login", data={"username": "bureau", "password": PASSWORD})
    with nothing_changes(db.session):
        client.post("/readiness/targets", data={"name": "T", "area": "140522100",
                                                "people": people, "deadline_hours": "10"})


def test_a_season_no_one_offers_is_refused_by_name(world):
    with pytest.raises(InvalidInput) as refused:
        readiness.set_norm(db.session, world.users["bureau"], item="SH-TENT-12",
                           per_person=0.3, season="spring")
    assert "season" in refused.value.errors


def test_a_value_a_database_rule_refuses_is_named_as_the_inputs_fault(world):
    item = world.items["SH-TENT-12"]
    db.session.add(Norm(item_id=item.id, season="spring", per_person=1, duration_hours=72))
    with pytest.raises(IntegrityError) as failed:
        db.session.flush()
    db.session.rollback()
    assert refused_by_a_rule(failed.value) is not None


def test_a_million_character_decision_note_is_refused(client, world):
    from inventory.stock import services as stock
    from inventory.stocktake import services as stocktakes

    lot, _ = stock.receive(db.session, world.users["keeper"], depot="XZ-01", item="SH-TENT-12",
                           quantity=5)
    stocktake = stocktakes.start(db.session, world.users["keeper"], depot="XZ-01")
    stocktakes.count(db.session, world.users["keeper"], stocktake.id, lot=lot.id, counted=5)
    stocktakes.submit(db.session, world.users["keeper"], stocktake.id)
    with nothing_changes(db.session):
        response = client.post(f"/api/v1/stocktakes/{stocktake.id}/reject",
                               json={"note": "x" * 1_000_000}, headers=world.headers("bureau"))
        assert_refused(response, 422, "invalid_input")
    with pytest.raises(InvalidInput):
        stocktakes.reject(db.session, world.users["bureau"], stocktake.id, note="x" * 501)


@pytest.mark.parametrize("path", ["/api/v1/lots/99999999999", "/api/v1/lots/2147483648",
                                  "/lots/99999999999", "/lots/9223372036854775808"])
def test_an_id_beyond_the_integer_range_is_not_found(client, world, path):
    client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert client.get(path, headers=world.headers("admin")).status_code == 404


def test_a_row_holding_nan_is_never_written(world):
    from inventory.readiness.models import Target

    target = Target(name="T", area_id=world.depots["XZ-01"].area_id, people=10,
                    deadline_hours=float("nan"), season="all", active=True)
    db.session.add(target)
    with pytest.raises(InvalidInput) as refused:
        db.session.flush()
    db.session.rollback()
    assert "deadline_hours" in refused.value.errors



@pytest.mark.parametrize("per_person, duration", [("1e9", "72"), ("1000.5", "72"),
                                                  ("0.00001", "72"), ("1", "8761")])
def test_a_norm_beyond_what_a_person_needs_is_refused_with_its_range(
        client, world, per_person, duration):
    client.post("/login", data={"username": "bureau", "password": PASSWORD})
    with nothing_changes(db.session):
        response = client.post("/readiness/norms", follow_redirects=True, data={
            "item": "FW-WATER-5L", "season": "all", "per_person": per_person,
            "duration_hours": duration})
    assert response.status_code == 200
    assert "flash error" in response.get_data(as_text=True)


def test_a_number_wider_than_its_column_is_never_written(world):
    from decimal import Decimal

    item = world.items["SH-TENT-12"]
    db.session.add(Norm(item_id=item.id, season="winter", per_person=Decimal("1000000"),
                        duration_hours=72))
    with pytest.raises(InvalidInput) as refused:
        db.session.flush()
    db.session.rollback()
    assert "per_person" in refused.value.errors
