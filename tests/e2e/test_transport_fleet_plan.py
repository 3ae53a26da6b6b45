"""A dispatch plan limited by the fleet: a depot loads out no more than what the vehicles that
can leave it within the deadline carry in one trip; off by default, so plans stay unchanged."""

import json
from datetime import timedelta

import pytest

from inventory import clock
from inventory.db import db
from inventory.readiness import services as readiness
from inventory.shelters import services as shelters
from inventory.stock import services as stock
from inventory.transport import services as transport


@pytest.fixture
def county(world):
    """One shelter 2 h from the county warehouse, which holds 50 tents (35 kg, 0.25 m³ each);
    100 people need 25 of them."""
    bureau, admin = world.users["bureau"], world.users["admin"]
    shelters.create_shelter(db.session, bureau, code="BN-01", name="凤城镇中学体育馆",
                            shelter_class="II", capacity_people=400, area="140522100")
    shelters.set_travel_time(db.session, bureau, depot="XZ-01", shelter="BN-01", hours=2)
    readiness.set_norm(db.session, bureau, item="SH-TENT-12", per_person=0.25)
    stock.receive(db.session, admin, depot="XZ-01", item="SH-TENT-12", quantity=50,
                  lot_code="T-1")
    transport.create_carrier(db.session, bureau, code="YJJ", name="县应急管理局", kind="bureau")
    transport.create_carrier(db.session, bureau, code="SF", name="顺丰速运", kind="logistics")
    # A pick-up of 500 kg: 14 tents of 35 kg.
    transport.create_vehicle(db.session, bureau, plate="宁B12345", carrier="YJJ",
                             vehicle_type="皮卡", payload_kg=500, volume_m3=4, depot="XZ-01")
    db.session.commit()


def _plan(client, world, **options):
    body = {"name": "凤城镇安置 100 人", "kind": "dispatch",
            "date": (clock.today() + timedelta(days=1)).isoformat(), "deadline_hours": 10,
            "sites": [{"shelter": "BN-01", "people": 100}], "modes": ["physical"], **options}
    made = client.post("/api/v1/scenarios", headers=world.headers("planner"), json=body)
    assert made.status_code == 201, made.json
    started = client.post(f"/api/v1/scenarios/{made.json['id']}/runs",
                          headers=world.headers("planner"))
    assert started.status_code == 202, started.json
    run = client.get(f"/api/v1/runs/{started.json['id']}", headers=world.headers("planner")).json
    assert run["status"] == "finished", run
    document = json.loads(client.get(f"/api/v1/runs/{run['id']}/input.json",
                                     headers=world.headers("planner")).data)
    tents = sum(s["quantity"] for s in run["result"]["shipments"] if s["item"] == "SH-TENT-12")
    return document, tents


def test_without_the_option_the_fleet_changes_nothing(client, world, county):
    document, tents = _plan(client, world)
    assert "dispatch_limits" not in document and tents == 25
    document, tents = _plan(client, world, limit_by_fleet=False)
    assert "dispatch_limits" not in document and tents == 25


def test_the_fleet_limits_what_a_depot_sends(client, world, county):
    document, tents = _plan(client, world, limit_by_fleet=True)
    assert document["dispatch_limits"] == [
        {"source": "XZ-01", "weight_kg": 500.0, "volume_m3": 4.0}]
    assert tents == 14


def test_agreement_vehicles_count_when_they_can_load_and_leave_within_the_deadline(
        client, world, county):
    today = clock.today()
    transport.create_agreement(
        db.session, world.users["bureau"], number="YL-01", carrier="SF", vehicle_type="4.2 米厢式",
        vehicles=1, payload_kg=300, volume_m3=16, response_hours=4, depot="XZ-01",
        valid_from=today, valid_until=today + timedelta(days=30))
    # Too slow: 9.5 h to respond plus 1 h to load is past the 10 h deadline.
    transport.create_agreement(
        db.session, world.users["bureau"], number="YL-02", carrier="SF", vehicle_type="9.6 米厢式",
        vehicles=2, payload_kg=10000, volume_m3=55, response_hours=9.5, depot="XZ-01",
        valid_from=today, valid_until=today + timedelta(days=30))
    document, tents = _plan(client, world, limit_by_fleet=True)
    assert document["dispatch_limits"] == [
        {"source": "XZ-01", "weight_kg": 800.0, "volume_m3": 20.0}]
    assert tents == 22  # 800 kg / 35 kg


def test_a_depot_without_vehicles_sends_nothing_when_limited_by_fleet(client, world, county):
    transport.update_vehicle(db.session, world.users["bureau"], "宁B12345", active=False)
    document, tents = _plan(client, world, limit_by_fleet=True)
    assert document["dispatch_limits"] == [{"source": "XZ-01", "weight_kg": 0.0,
                                            "volume_m3": 0.0}]
    assert tents == 0


def test_the_option_belongs_to_dispatch_scenarios_only(client, world, county):
    refused = client.post("/api/v1/scenarios", headers=world.headers("planner"), json={
        "name": "汛前预置", "kind": "rotation", "horizon_months": 12, "limit_by_fleet": True})
    assert refused.status_code == 422 and "limit_by_fleet" in refused.json["errors"], refused.json


def _run_of(client, world, scenario_id):
    started = client.post(f"/api/v1/scenarios/{scenario_id}/runs",
                          headers=world.headers("planner"))
    assert started.status_code == 202, started.json
    return started.json["id"]


def _stale(client, world, run_id):
    return client.get(f"/api/v1/runs/{run_id}", headers=world.headers("planner")).json[
        "stale_reasons"]


def test_a_fleet_change_makes_runs_limited_by_the_fleet_stale_and_no_others(client, world,
                                                                             county):
    body = {"name": "凤城镇安置 100 人", "kind": "dispatch",
            "date": (clock.today() + timedelta(days=1)).isoformat(), "deadline_hours": 10,
            "sites": [{"shelter": "BN-01", "people": 100}], "modes": ["physical"]}
    limited = client.post("/api/v1/scenarios", headers=world.headers("planner"),
                           json=body | {"limit_by_fleet": True}).json["id"]
    free = client.post("/api/v1/scenarios", headers=world.headers("planner"), json=body).json["id"]
    limited_run, free_run = _run_of(client, world, limited), _run_of(client, world, free)
    assert _stale(client, world, limited_run) == [] and _stale(client, world, free_run) == []
    transport.create_vehicle(db.session, world.users["bureau"], plate="宁B99999", carrier="SF",
                             vehicle_type="厢式货车", payload_kg=2000, volume_m3=16, depot="XZ-01")
    assert _stale(client, world, limited_run) == ["vehicles"]
    assert _stale(client, world, free_run) == []


def test_a_planner_limits_a_dispatch_by_the_fleet_on_its_form_and_can_take_it_off(app, world,
                                                                                  county):
    from crawl import logged_in
    from factories import PASSWORD

    from inventory.planning.models import Scenario

    client = logged_in(app, "planner", PASSWORD)
    form = {"name": "凤城镇安置 100 人", "date": (clock.today() + timedelta(days=1)).isoformat(),
            "deadline_hours": "10", "season": "all", "target": "", "modes": ["physical"],
            "site-0-shelter": "BN-01", "site-0-people": "100", "site-0-priority": "1",
            "limit_by_fleet": "1", "action": "save"}
    page = client.get("/planning/new/dispatch").get_data(as_text=True)
    assert 'name="limit_by_fleet" value="1"' in page
    made = client.post("/planning/new/dispatch", data=form)
    assert made.status_code == 302, made.get_data(as_text=True)[:1000]
    scenario = db.session.scalar(db.select(Scenario).order_by(Scenario.id.desc()))
    assert scenario.parameters == {"limit_by_fleet": True}
    edit = client.get(f"/planning/scenarios/{scenario.id}/edit").get_data(as_text=True)
    assert 'name="limit_by_fleet" value="1" checked' in edit
    del form["limit_by_fleet"]
    client.post(f"/planning/scenarios/{scenario.id}/edit", data=form)
    db.session.expire_all()
    scenario = db.session.get(Scenario, scenario.id)
    assert scenario.parameters == {} and scenario.version == 2
