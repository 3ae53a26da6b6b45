"""The command line: plans on stdout or in --out, exit 2 for bad input, 3 for no plan."""

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from opt_rules import check_dispatch, check_preposition, check_rotation

DISPATCH = {
    "deadline_hours": 10,
    "items": [{"code": "TENT-12", "weight_kg": 28, "volume_m3": 0.12}],
    "sites": [{"id": "T01", "priority": 1.0, "demand": {"TENT-12": 300}}],
    "sources": [{"id": "D01", "kind": "physical", "handling_hours": 1.0,
                 "stock": {"TENT-12": 120}}],
    "travel_hours": [{"from": "D01", "to": "T01", "hours": 2.5}],
}

ROTATION_SHORT = {
    "periods": 3,
    "items": [{"code": "W", "unit_cost": 4, "shelf_life_periods": 3, "lead_periods": 1}],
    "lots": [{"id": "L1", "item": "W", "quantity": 10, "expires_period": 5}],
    "minimum_stock": {"W": 50},
}


EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "optimizer", *args], capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def write(tmp_path):
    def write(document, name="in.json") -> str:
        path = tmp_path / name
        path.write_text(document if isinstance(document, str) else json.dumps(document))
        return str(path)
    return write


def test_a_plan_goes_to_standard_output_with_exit_0(write):
    result = run_cli("dispatch", write(DISPATCH))
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["status"] == "optimal"
    assert plan["shipments"] == [{"source": "D01", "site": "T01", "item": "TENT-12",
                                  "quantity": 120, "arrival_hours": 3.5}]
    assert plan["shortages"] == [{"site": "T01", "item": "TENT-12", "demand": 300,
                                  "quantity": 180}]


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_out_writes_the_plan_to_a_file_with_the_chosen_solver_and_limits(write, tmp_path,
                                                                           solver):
    out = tmp_path / "plan.json"
    result = run_cli("dispatch", write(DISPATCH), "--out", str(out), "--solver", solver,
                     "--time-limit", "30", "--gap", "0.001")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    plan = json.loads(out.read_text())
    assert plan["stats"]["solver"] == solver
    assert plan["objective"]["weighted_shortage"] == pytest.approx(0.6)


def test_invalid_input_names_the_field_path_and_exits_2_without_a_traceback(write):
    bad = json.loads(json.dumps(DISPATCH))
    bad["sources"][0]["stock"]["TENT-12"] = -5
    result = run_cli("dispatch", write(bad))
    assert result.returncode == 2
    assert "sources[0].stock.TENT-12: must be ≥ 0" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_unknown_references_are_reported_by_field_path(write):
    bad = json.loads(json.dumps(DISPATCH))
    bad["sites"][0]["demand"]["BLANKET"] = 5
    bad["travel_hours"].append({"from": "D99", "to": "T01", "hours": 1})
    result = run_cli("dispatch", write(bad))
    assert result.returncode == 2
    assert "sites[0].demand.BLANKET: unknown item" in result.stderr
    assert "travel_hours[1].from: unknown source 'D99'" in result.stderr


@pytest.mark.parametrize("content", ["{\"deadline_hours\": ", "[1, 2]", "\"text\""])
def test_a_file_that_is_not_a_json_object_exits_2(write, content):
    result = run_cli("dispatch", write(content))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip()


def test_a_missing_file_exits_2(tmp_path):
    result = run_cli("rotation", str(tmp_path / "absent.json"))
    assert result.returncode == 2
    assert "cannot read" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_options_exit_2(write):
    assert run_cli("dispatch", write(DISPATCH), "--gap", "-1").returncode == 2
    assert run_cli("dispatch", write(DISPATCH), "--time-limit", "0").returncode == 2
    assert run_cli("route", write(DISPATCH)).returncode == 2


def test_no_feasible_plan_exits_3_and_still_reports_the_status(write, tmp_path):
    out = tmp_path / "result.json"
    result = run_cli("rotation", write(ROTATION_SHORT), "--out", str(out))
    assert result.returncode == 3
    assert "W: stock at period 0 is 10, below the minimum 50" in result.stderr
    assert json.loads(out.read_text())["status"] == "infeasible"


def test_rotation_and_preposition_run_from_the_command_line(write):
    rotation = {**ROTATION_SHORT, "minimum_stock": {"W": 5}}
    result = run_cli("rotation", write(rotation))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["objective"]["total"] == 0
    preposition = {
        "deadline_hours": 10, "items": DISPATCH["items"],
        "depots": [{"id": "D01", "stock": {"TENT-12": 100}}],
        "travel_hours": [{"from": "D01", "to": "T01", "hours": 2}],
        "scenarios": [{"id": "flood", "sites": [{"id": "T01", "demand": {"TENT-12": 50}}]}],
    }
    result = run_cli("preposition", write(preposition))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["scenarios"][0]["weighted_shortage_after"] == 0


def knapsack_dispatch(seed: int = 2, depots: int = 12, items: int = 12, sites: int = 6) -> dict:
    """A dispatch whose depots' weight limits make a knapsack no solver proves in a second."""
    rng = random.Random(seed)
    codes = [f"K{i}" for i in range(items)]
    return {
        "deadline_hours": 10,
        "items": [{"code": code, "weight_kg": rng.choice([7, 11, 13, 17, 19, 23, 29, 31])}
                  for code in codes],
        "sites": [{"id": f"S{s}", "priority": rng.choice([1, 2, 3]),
                   "demand": {code: rng.randint(20, 90) for code in codes}}
                  for s in range(sites)],
        "sources": [{"id": f"D{d}", "kind": "physical", "handling_hours": 1,
                     "stock": {code: rng.randint(10, 60) for code in codes}}
                    for d in range(depots)],
        "travel_hours": [{"from": f"D{d}", "to": f"S{s}", "hours": rng.randint(1, 8)}
                         for d in range(depots) for s in range(sites)],
        "transport_cost_per_unit_hour": {code: 0.1 for code in codes},
        "dispatch_limits": [{"source": f"D{d}", "weight_kg": rng.randint(500, 1500)}
                            for d in range(depots)]}


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_a_plan_cut_short_by_the_time_limit_is_reported_feasible_not_optimal(write, solver):
    # PuLP calls such a CBC run "Optimal"; the plan must say what was proven.
    result = run_cli("dispatch", write(knapsack_dispatch()), "--solver", solver,
                     "--time-limit", "1", "--gap", "0")
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["status"] == "feasible"
    assert plan["stats"]["gap"] > 0
    assert "optimal" not in [phase["status"] for phase in plan["stats"]["phases"]
                             if phase["gap"] is not None and phase["gap"] > 0]


@pytest.mark.parametrize(("model", "check", "objective"), [
    # The optima docs/optimizer.md quotes for each example.
    ("dispatch", check_dispatch,
     {"weighted_shortage": 2 * 70 / 300, "cost": 37044.6, "people_fully_supplied": 350}),
    ("preposition", check_preposition, {"expected_weighted_shortage": 0.4 * 4 / 40,
                                        "spend": 5925}),
    ("rotation", check_rotation, {"total": 1810}),
])
def test_each_documented_example_runs_and_its_plan_keeps_the_rules(model, check, objective):
    path = EXAMPLES / f"{model}.json"
    result = run_cli(model, str(path))
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["status"] == "optimal"
    check(json.loads(path.read_text(encoding="utf-8")), plan)
    for name, value in objective.items():
        assert plan["objective"][name] == pytest.approx(value, abs=1e-9), name
