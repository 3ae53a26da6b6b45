"""The planner's workbench over the API: scenarios saved, checked, copied and compared; runs
solved as jobs (at once here: JOBS_IMMEDIATE) from an input built from the live data, which
the result answers exactly as the command line does; stale runs; who may do what."""

import hashlib
import json
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from inventory import clock
from inventory.audit import events_for
from inventory.base import ROOT
from inventory.contracts import services as contracts
from inventory.db import db
from inventory.jobs.models import Job
from inventory.planning.models import Run, Scenario
from inventory.readiness import services as readiness
from inventory.shelters import services as shelters
from inventory.stock import services as stock

ROLES = ["admin", "bureau", "keeper", "planner", "auditor"]
WRITERS = {"admin", "bureau", "planner"}


@pytest.fixture
def county(world):
    """Two shelters, norms, stock usable and not, a contract and a firm, and a target."""
    bureau, admin = world.users["bureau"], world.users["admin"]
    today = clock.today()
    shelters.create_shelter(db.session, bureau, code="BN-01", name="凤城镇中学体育馆",
                            shelter_class="II", capacity_people=400, area="140522100")
    shelters.create_shelter(db.session, bureau, code="BN-02", name="县城广场",
                            shelter_class="III", capacity_people=100, area="140522")
    shelters.set_travel_time(db.session, bureau, depot="XZ-01", shelter="BN-01", hours=2)
    shelters.set_travel_time(db.session, bureau, depot="TS-01", shelter="BN-01", hours=0.5)
    for item, per_person in [("SH-TENT-12", 0.25), ("FW-WATER-5L", 3), ("FW-BISCUIT", 2)]:
        readiness.set_norm(db.session, bureau, item=item, per_person=per_person)
    day = today + timedelta(days=5)
    receipts = [("XZ-01", "SH-TENT-12", 50, None, "T-1"),
                ("XZ-01", "FW-WATER-5L", 300, today + timedelta(days=400), "W-1"),
                ("XZ-01", "FW-WATER-5L", 40, day, "W-LAST-DAY"),
                ("XZ-01", "FW-WATER-5L", 100, day - timedelta(days=1), "W-EXPIRING"),
                ("XZ-01", "FW-BISCUIT", 500, today + timedelta(days=300), "B-1"),
                ("TS-01", "SH-TENT-12", 20, None, "T-2"),
                ("BN-01", "FW-WATER-5L", 20, today + timedelta(days=300), "W-STORE")]
    lots = {}
    for depot, item, quantity, expires, code in receipts:
        lots[code], _ = stock.receive(db.session, admin, depot=depot, item=item,
                                      quantity=quantity, expires_on=expires, lot_code=code)
    stock.set_lot_status(db.session, admin, lot=lots["B-1"].id, status="quarantined",
                         reason="待检")
    contracts.create_agreement(db.session, bureau, number="XY-01", supplier="某水厂",
                              item="FW-WATER-5L", committed_quantity=1000, response_hours=4,
                              valid_from=today, valid_until=today + timedelta(days=90),
                              unit_price=4.5)
    contracts.create_capacity(db.session, bureau, enterprise="某食品厂", item="FW-BISCUIT",
                             rate_per_hour=100, ramp_hours=2, max_quantity=600, area="140522",
                             valid_from=today, valid_until=today + timedelta(days=90),
                             unit_price=6)
    target = readiness.create_target(db.session, bureau, name="全县安置 500 人", area="140522",
                                    people=500, deadline_hours=10)
    db.session.commit()
    return {"day": day, "target": target.id, "lots": {k: v.id for k, v in lots.items()}}


def scenario_body(county, **changes):
    body = {"name": "全县安置 500 人", "kind": "dispatch", "date": county["day"].isoformat(),
            "deadline_hours": 10, "target": county["target"]}
    return {key: value for key, value in {**body, **changes}.items() if value is not None}


def _create(client, world, body, user="planner", **headers):
    return client.post("/api/v1/scenarios", headers=world.headers(user, **headers), json=body)


def _run(client, world, scenario_id, user="planner"):
    started = client.post(f"/api/v1/scenarios/{scenario_id}/runs", headers=world.headers(user))
    assert started.status_code == 202, started.json
    return client.get(f"/api/v1/runs/{started.json['id']}", headers=world.headers(user)).json


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_a_scenario_from_a_target_spreads_its_people_over_the_shelters_by_capacity(
        client, world, county):
    made = _create(client, world, scenario_body(county))
    assert made.status_code == 201, made.json
    assert made.json["sites"] == [{"shelter": "BN-01", "people": 400, "priority": 1.0},
                                  {"shelter": "BN-02", "people": 100, "priority": 1.0}]
    assert (made.json["kind"], made.json["date"], made.json["deadline_hours"],
            made.json["target"], made.json["people"], made.json["version"]) == (
        "dispatch", county["day"].isoformat(), 10.0, county["target"], 500, 1)
    assert made.json["modes"] == ["physical", "contract", "capacity"]
    shown = client.get(f"/api/v1/scenarios/{made.json['id']}", headers=world.headers("keeper"))
    assert shown.json == made.json


def test_a_run_solves_an_input_built_from_the_usable_stock_roads_norms_and_reserves(
        client, world, county):
    scenario = _create(client, world, scenario_body(county)).json
    run = _run(client, world, scenario["id"])
    assert (run["status"], run["scenario"], run["kind"], run["stale"]) == (
        "finished", scenario["id"], "dispatch", False), run
    assert run["elapsed_seconds"] > 0 and run["phase"] == "store"
    document = json.loads(client.get(f"/api/v1/runs/{run['id']}/input.json",
                                     headers=world.headers("auditor")).data)
    sources = {s["id"]: s for s in document["sources"]}
    # Usable stock only: the lot expiring the day before the scenario and the quarantined
    # biscuits are left out; the lot lasting until the scenario's day counts.
    assert sources["XZ-01"] == {"id": "XZ-01", "kind": "physical", "handling_hours": 1.0,
                                "stock": {"FW-WATER-5L": 340, "SH-TENT-12": 50}}
    assert sources["TS-01"]["stock"] == {"SH-TENT-12": 20}
    assert sources["BN-01"]["stock"] == {"FW-WATER-5L": 20}  # the shelter's own store
    assert sources["XY-01"] | {} == {"id": "XY-01", "kind": "contract", "handling_hours": 4.0,
                                     "stock": {"FW-WATER-5L": 1000},
                                     "unit_cost": {"FW-WATER-5L": 4.5}}
    assert sources["CN-0001"]["rate_per_hour"] == {"FW-BISCUIT": 100.0}
    roads = {(leg["from"], leg["to"]): leg["hours"] for leg in document["travel_hours"]}
    assert roads[("XZ-01", "BN-01")] == 2.0 and roads[("TS-01", "BN-01")] == 0.5
    assert roads[("XZ-01", "BN-02")] == 0.0  # same area, no coordinates
    assert ("TS-01", "BN-02") not in roads and ("BN-01", "BN-02") not in roads
    assert roads[("XY-01", "BN-01")] == 2.0  # delivered at the county warehouse, then driven
    demand = {site["id"]: site["demand"] for site in document["sites"]}
    assert demand == {"BN-01": {"FW-BISCUIT": 800, "FW-WATER-5L": 1200, "SH-TENT-12": 100},
                      "BN-02": {"FW-BISCUIT": 200, "FW-WATER-5L": 300, "SH-TENT-12": 25}}
    assert document["deadline_hours"] == 10.0
    plan = run["result"]
    assert plan["status"] == "optimal"
    sent: dict = {}
    for shipment in plan["shipments"]:
        key = (shipment["source"], shipment["item"])
        sent[key] = sent.get(key, 0) + shipment["quantity"]
        assert shipment["arrival_hours"] <= document["deadline_hours"] + 1e-9
        assert (shipment["source"], shipment["site"]) in roads
    for (source_id, item), units in sent.items():
        held = sources[source_id].get("stock", {}).get(item)
        assert held is None or units <= held, (source_id, item, units)
    # Tents: 50 + 20 on the shelves and none beyond them.
    tents = sum(s["quantity"] for s in plan["shipments"] if s["item"] == "SH-TENT-12")
    assert tents == 70


def test_the_result_is_exactly_what_the_command_line_prints_for_the_runs_input(
        client, world, county, tmp_path):
    scenario = _create(client, world, scenario_body(county)).json
    run = _run(client, world, scenario["id"])
    given = client.get(f"/api/v1/runs/{run['id']}/input.json", headers=world.headers("planner"))
    assert given.content_type == "application/json"
    assert hashlib.sha256(given.data).hexdigest() == run["input_sha256"]
    path = tmp_path / "input.json"
    path.write_bytes(given.data)
    printed = subprocess.run([sys.executable, "-m", "optimizer", "dispatch", str(path)],
                             cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    stored = client.get(f"/api/v1/runs/{run['id']}/result.json",
                        headers=world.headers("planner")).data.decode()
    assert json.loads(stored) == run["result"]
    ours, theirs = json.loads(stored), json.loads(printed.stdout)
    assert _without_timings(ours) == _without_timings(theirs)
    # Printed the same way: two-space indents, Chinese as it is, a final newline.
    assert stored.startswith('{\n  "status": ') and stored.endswith("}\n")


def _without_timings(result: dict) -> dict:
    """The result less the solver's clock readings, which differ from one solve to the next."""
    def strip(stats):
        return {k: v for k, v in stats.items() if not k.endswith("seconds")}
    stats = strip(result["stats"])
    stats["phases"] = [strip(phase) for phase in stats["phases"]]
    return result | {"stats": stats}


@pytest.mark.parametrize("changes, field", [
    ({"kind": "plan"}, "kind"),
    ({"deadline_hours": 0}, "deadline_hours"),
    ({"deadline_hours": "soon"}, "deadline_hours"),
    ({"date": "next week"}, "date"),
    ({"date": "9999-12-31"}, "date"),
    ({"modes": ["drones"]}, "modes"),
    ({"modes": []}, "modes"),
    ({"target": None, "sites": [{"shelter": "BN-99", "people": 10}]}, "sites"),
    ({"target": None, "sites": [{"shelter": "BN-01", "people": 0}]}, "sites"),
    ({"target": None, "sites": [{"shelter": "BN-01", "people": 5},
                                {"shelter": "BN-01", "people": 6}]}, "sites"),
    ({"sites": [{"shelter": "BN-01", "people": 5}]}, "target"),
    ({"target": None}, "sites"),
    ({"excluded_depots": ["XZ-99"]}, "excluded_depots"),
    ({"excluded_pairs": [{"depot": "XZ-01", "shelter": "BN-99"}]}, "excluded_pairs"),
    ({"horizon_months": 12}, "horizon_months"),
    ({"name": "x" * 101}, "name"),
    ({"note": "a\x00b"}, "note"),
    ({"time_limit_seconds": 0}, "time_limit_seconds"),
    ({"extra": 1}, "extra"),
])
def test_a_scenario_that_does_not_fit_is_refused_with_its_field_and_saves_nothing(
        client, world, county, changes, field):
    refused = _create(client, world, scenario_body(county, **changes))
    assert refused.status_code == 422 and field in refused.json["errors"], refused.json
    assert _count(Scenario) == 0


def test_an_unknown_target_is_not_found_and_the_message_is_in_the_clients_language(
        client, world, county):
    refused = _create(client, world, scenario_body(county, target=999),
                      **{"Accept-Language": "en"})
    assert refused.status_code == 404 and refused.json["message"] == "No target with id 999."
    unknown = _create(client, world, scenario_body(county, target=None, sites=[
        {"shelter": "BN-99", "people": 3}]))
    assert unknown.json["message"] == "没有这些避难场所：BN-99。"
    assert unknown.json["errors"] == {"sites": ["没有这个避难场所"]}
    assert _count(Scenario) == 0


@pytest.mark.parametrize("role", ROLES)
def test_planners_the_bureau_and_admins_create_and_run_scenarios_everyone_reads(
        client, world, county, role):
    made = _create(client, world, scenario_body(county), user=role)
    assert made.status_code == (201 if role in WRITERS else 403), made.json
    scenario_id = made.json["id"] if role in WRITERS else _create(
        client, world, scenario_body(county)).json["id"]
    started = client.post(f"/api/v1/scenarios/{scenario_id}/runs", headers=world.headers(role))
    assert started.status_code == (202 if role in WRITERS else 403)
    assert _count(Run) == (1 if role in WRITERS else 0)
    patched = client.patch(f"/api/v1/scenarios/{scenario_id}", headers=world.headers(role),
                           json={"deadline_hours": 8})
    assert patched.status_code == (200 if role in WRITERS else 403)
    copied = client.post(f"/api/v1/scenarios/{scenario_id}/copy", headers=world.headers(role),
                         json={})
    assert copied.status_code == (201 if role in WRITERS else 403)
    for path in ("/api/v1/scenarios", f"/api/v1/scenarios/{scenario_id}", "/api/v1/runs",
                 f"/api/v1/scenarios/{scenario_id}/runs"):
        assert client.get(path, headers=world.headers(role)).status_code == 200, path
    if role in WRITERS:
        run_id = started.json["id"]
        for path in (f"/api/v1/runs/{run_id}", f"/api/v1/runs/{run_id}/input.json",
                     f"/api/v1/runs/{run_id}/result.json"):
            assert client.get(path, headers=world.headers(role)).status_code == 200, path


@pytest.mark.parametrize("role", ["keeper", "auditor"])
def test_readers_cannot_cancel_a_run(client, world, county, role):
    run = _run(client, world, _create(client, world, scenario_body(county)).json["id"])
    refused = client.post(f"/api/v1/runs/{run['id']}/cancel", headers=world.headers(role))
    assert refused.status_code == 403


def test_reading_the_workbench_needs_a_login(client, world, county):
    for path in ("/api/v1/scenarios", "/api/v1/runs", "/api/v1/runs/1"):
        assert client.get(path).status_code == 401


def test_unknown_scenarios_and_runs_are_not_found(client, world, county):
    headers = world.headers("planner")
    for path in ("/api/v1/scenarios/5", "/api/v1/runs/5", "/api/v1/runs/5/input.json",
                 "/api/v1/scenarios/5/runs", "/api/v1/scenarios/5/input.json"):
        assert client.get(path, headers=headers).status_code == 404, path
    assert client.post("/api/v1/scenarios/5/runs", headers=headers).status_code == 404
    assert client.post("/api/v1/runs/5/cancel", headers=headers).status_code == 404


def test_a_retried_creation_saves_one_scenario_and_a_retried_run_queues_one_job(
        client, world, county):
    first = _create(client, world, scenario_body(county), **{"Idempotency-Key": "new-1"})
    again = _create(client, world, scenario_body(county), **{"Idempotency-Key": "new-1"})
    assert first.json == again.json and again.headers.get("Idempotent-Replayed") == "true"
    assert _count(Scenario) == 1
    path = f"/api/v1/scenarios/{first.json['id']}/runs"
    headers = world.headers("planner", **{"Idempotency-Key": "run-1"})
    assert client.post(path, headers=headers).json["id"] == client.post(
        path, headers=headers).json["id"]
    assert (_count(Run), _count(Job)) == (1, 1)


def test_a_change_of_the_data_or_of_the_scenario_makes_its_runs_stale(client, world, county):
    scenario = _create(client, world, scenario_body(county)).json
    run = _run(client, world, scenario["id"])
    path = f"/api/v1/runs/{run['id']}"

    def reasons():
        return client.get(path, headers=world.headers("planner")).json["stale_reasons"]

    assert reasons() == []
    stock.receive(db.session, world.users["admin"], depot="TS-01", item="SH-TENT-12",
                  quantity=5, lot_code="T-3")
    assert reasons() == ["ledger"]
    stock.set_lot_status(db.session, world.users["admin"], lot=county["lots"]["B-1"],
                         status="available", reason="检验合格")
    shelters.set_travel_time(db.session, world.users["bureau"], depot="XZ-01", shelter="BN-02",
                             hours=0.3)
    assert reasons() == ["ledger", "lot_status", "shelter_travel_times"]
    client.patch(f"/api/v1/scenarios/{scenario['id']}", headers=world.headers("planner"),
                 json={"modes": ["physical"]})
    got = client.get(path, headers=world.headers("planner")).json
    assert got["stale"] and got["stale_reasons"][0] == "scenario"
    fresh = _run(client, world, scenario["id"])
    assert fresh["stale"] is False and fresh["scenario_version"] == 2
    listed = client.get(f"/api/v1/scenarios/{scenario['id']}/runs",
                        headers=world.headers("keeper")).json
    assert [(r["id"], r["stale"]) for r in listed] == [(fresh["id"], False), (run["id"], True)]


def test_sites_spread_from_a_target_can_be_edited_before_running(client, world, county):
    scenario = _create(client, world, scenario_body(county)).json
    edited = client.patch(f"/api/v1/scenarios/{scenario['id']}", headers=world.headers("bureau"),
                          json={"sites": [{"shelter": "BN-01", "people": 300, "priority": 2},
                                          {"shelter": "BN-02", "people": 200}],
                                "excluded_depots": ["TS-01"]})
    assert edited.status_code == 200, edited.json
    assert edited.json["sites"][0] == {"shelter": "BN-01", "people": 300, "priority": 2.0}
    assert edited.json["target"] == county["target"] and edited.json["version"] == 2
    document = json.loads(client.get(f"/api/v1/scenarios/{scenario['id']}/input.json",
                                     headers=world.headers("planner")).data)
    assert {s["id"] for s in document["sources"]} == {"XZ-01", "BN-01", "XY-01", "CN-0001"}
    assert document["sites"][0]["priority"] == 2.0
    [created, updated] = events_for(db.session, "scenario", scenario["id"])
    assert (created.action == "scenario.create"
            and created.data["after"]["name"] == "全县安置 500 人")
    assert updated.action == "scenario.update"
    assert updated.data["before"]["excluded_depots"] == [] and updated.data[
        "after"]["excluded_depots"] == ["TS-01"]
    assert set(updated.data["before"]) == {"sites", "excluded_depots"}


def test_a_refused_change_changes_nothing(client, world, county):
    scenario = _create(client, world, scenario_body(county)).json
    refused = client.patch(f"/api/v1/scenarios/{scenario['id']}", headers=world.headers("planner"),
                           json={"sites": [{"shelter": "NOPE", "people": 3}], "name": "新名称"})
    assert refused.status_code == 422
    again = client.get(f"/api/v1/scenarios/{scenario['id']}", headers=world.headers("planner"))
    assert again.json == scenario
    assert len(events_for(db.session, "scenario", scenario["id"])) == 1


def test_a_copy_is_compared_side_by_side_with_its_original(client, world, county):
    first = _create(client, world, scenario_body(county)).json
    copy = client.post(f"/api/v1/scenarios/{first['id']}/copy", headers=world.headers("planner"),
                       json={"name": "道路中断"}).json
    assert (copy["name"], copy["copied_from"], copy["sites"], copy["version"]) == (
        "道路中断", first["id"], first["sites"], 1)
    client.patch(f"/api/v1/scenarios/{copy['id']}", headers=world.headers("planner"),
                 json={"excluded_depots": ["XZ-01"]})
    _run(client, world, first["id"])
    _run(client, world, copy["id"])
    compared = client.get(f"/api/v1/scenarios/compare?ids={first['id']}&ids={copy['id']}",
                          headers=world.headers("auditor"))
    assert compared.status_code == 200, compared.json
    assert compared.json["differences"] == ["excluded_depots"]
    first_row, copy_row = compared.json["scenarios"]
    assert first_row["scenario"]["id"] == first["id"] and copy_row["run"] is not None
    # Without the county warehouse more goes short.
    assert copy_row["summary"]["units_short"] > first_row["summary"]["units_short"]


def test_a_run_cancelled_while_its_solver_runs_stops_it(client, world, county, monkeypatch):
    from inventory.jobs import services as jobs
    from inventory.planning import kinds, solver

    real = solver.solve
    ended = []

    def cancelled_meanwhile(kind, document, limit, check):
        # The bureau cancels the run from another request while the solver starts.
        from inventory.auth.models import User

        bureau = db.session.scalar(select(User).where(User.username == "bureau"))
        job_id = db.session.scalar(select(Run.job_id).order_by(Run.id.desc()))
        jobs.cancel(db.session, bureau, job_id)
        try:
            return real(kind, document, limit, check=check)
        finally:
            ended.append(True)

    monkeypatch.setattr(kinds.solver, "solve", cancelled_meanwhile)
    run = _run(client, world, _create(client, world, scenario_body(county)).json["id"])
    assert ended == [True]
    assert (run["status"], run["phase"], run["result"], run["cancel_requested"]) == (
        "cancelled", "solve", None, True)
    kept = db.session.get(Run, run["id"])
    assert kept.input is not None and kept.result is None
    refused = client.post(f"/api/v1/runs/{run['id']}/cancel", headers=world.headers("planner"))
    assert refused.status_code == 409


def test_a_run_is_started_from_its_scenario_not_as_a_bare_job(client, world, county):
    scenario = _create(client, world, scenario_body(county)).json
    run = _run(client, world, scenario["id"])
    bare = client.post("/api/v1/jobs", headers=world.headers("planner"),
                       json={"kind": "planning.run", "params": {"run": run["id"]}}).json
    assert bare["status"] == "failed" and "POST /scenarios/<id>/runs" in bare["error"]
    assert db.session.get(Run, run["id"]).job_id == run["job"]


def test_pre_positioning_and_rotation_scenarios_run_too(client, world, county):
    prepos = _create(client, world, {
        "name": "汛前预置", "kind": "preposition", "date": county["day"].isoformat(),
        "deadline_hours": 10, "budget": 20000, "receiving_depots": ["XZ-01", "TS-01"],
        "cases": [{"name": "大汛", "weight": 0.3, "target": county["target"]},
                  {"name": "一般", "weight": 0.7,
                   "sites": [{"shelter": "BN-01", "people": 100}]}]})
    assert prepos.status_code == 201, prepos.json
    assert prepos.json["parameters"]["cases"][0]["sites"] == [
        {"shelter": "BN-01", "people": 400, "priority": 1.0},
        {"shelter": "BN-02", "people": 100, "priority": 1.0}]
    run = _run(client, world, prepos.json["id"])
    assert run["status"] == "finished", run["error"]
    assert {s["id"] for s in run["result"]["scenarios"]} == {"大汛", "一般"}
    rotation = _create(client, world, {
        "name": "饮用水轮换", "kind": "rotation", "date": county["day"].isoformat(),
        "horizon_months": 12, "budget_per_month": 20000,
        "outlets": [{"name": "学校食堂", "item": "FW-WATER-5L", "capacity_per_month": 100,
                     "value_per_unit": 2.5}]})
    assert rotation.status_code == 201, rotation.json
    run = _run(client, world, rotation.json["id"])
    assert run["status"] == "finished", run["error"]
    document = json.loads(client.get(f"/api/v1/runs/{run['id']}/input.json",
                                     headers=world.headers("planner")).data)
    assert document["periods"] == 12 and document["outlets"][0]["id"] == "学校食堂"
    # The target's 500 people at 3 bottles each is the water minimum.
    assert document["minimum_stock"]["FW-WATER-5L"] == 1500
    assert {lot["id"] for lot in document["lots"]} >= {str(county["lots"]["W-1"])}
    assert str(county["lots"]["B-1"]) not in {lot["id"] for lot in document["lots"]}


def test_a_parameter_of_another_kind_is_refused(client, world, county):
    refused = _create(client, world, scenario_body(county, outlets=[]))
    assert refused.status_code == 422 and refused.json["errors"] == {
        "outlets": ["不适用于此类方案"]}


def test_a_run_whose_shelter_closed_since_fails_saying_why(client, world, county):
    scenario = _create(client, world, scenario_body(county)).json
    shelters.update_shelter(db.session, world.users["bureau"], "BN-02", active=False)
    run = _run(client, world, scenario["id"])
    assert (run["status"], run["phase"], run["result"]) == ("failed", "input", None)
    assert "BN-02" in run["error"] and "no longer active" in run["error"] and "已停用" in run[
        "error"]
    missing = client.get(f"/api/v1/runs/{run['id']}/input.json", headers=world.headers("planner"))
    assert missing.status_code == 404
