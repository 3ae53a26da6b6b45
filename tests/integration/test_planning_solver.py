"""A run's solve is the optimizer's command line in a process of its own: what it prints is
kept as printed, a cancellation ends the process mid-solve, and so does a solve that hangs."""

import json
import subprocess

import pytest

from inventory.planning import solver

DISPATCH = {
    "deadline_hours": 10,
    "items": [{"code": "TENT", "weight_kg": 35, "volume_m3": 0.25}],
    "sites": [{"id": "BN-01", "priority": 1.0, "people": 400, "demand": {"TENT": 100}}],
    "sources": [{"id": "XZ-01", "kind": "physical", "handling_hours": 1.5,
                 "stock": {"TENT": 60}}],
    "travel_hours": [{"from": "XZ-01", "to": "BN-01", "hours": 2.0}],
}


class Stop(Exception):
    pass


@pytest.fixture
def processes(monkeypatch):
    """Every solver process started, to see how each one ended."""
    started = []
    real = subprocess.Popen

    def recorded(*args, **kwargs):
        process = real(*args, **kwargs)
        started.append(process)
        return process

    monkeypatch.setattr(solver.subprocess, "Popen", recorded)
    return started


def test_what_the_command_prints_is_kept_as_printed(processes):
    solved = solver.solve("dispatch", json.dumps(DISPATCH).encode(), 30)
    assert solved.exit_code == solver.PLAN and solved.seconds > 0
    plan = json.loads(solved.printed)
    assert plan["shipments"] == [{"source": "XZ-01", "site": "BN-01", "item": "TENT",
                                  "quantity": 60, "arrival_hours": 3.5}]
    assert solved.printed.startswith('{\n  "status": "optimal"') and solved.printed[-1] == "\n"
    assert processes[0].args[-2:] == ["--time-limit", "30"]


def test_a_bad_input_is_reported_by_the_command_with_the_field_at_fault():
    bad = json.loads(json.dumps(DISPATCH))
    bad["sources"][0]["stock"]["TENT"] = -1
    solved = solver.solve("dispatch", json.dumps(bad).encode(), 30)
    assert solved.exit_code == solver.INVALID and solved.printed == ""
    assert "sources[0].stock.TENT: must be ≥ 0" in solved.errors


def test_a_cancellation_ends_the_solvers_process(processes, monkeypatch):
    monkeypatch.setattr(solver, "POLL_SECONDS", 0.01)
    calls = []

    def cancelled():
        calls.append(1)
        raise Stop

    with pytest.raises(Stop):
        solver.solve("dispatch", json.dumps(DISPATCH).encode(), 30, check=cancelled)
    [process] = processes
    assert calls == [1] and process.returncode is not None and process.returncode < 0


def test_a_solve_far_past_its_time_limit_is_ended(processes, monkeypatch):
    monkeypatch.setattr(solver, "POLL_SECONDS", 0.01)
    monkeypatch.setattr(solver, "GRACE_SECONDS", -0.95)
    with pytest.raises(solver.SolveHung):
        solver.solve("dispatch", json.dumps(DISPATCH).encode(), 1)
    assert processes[0].returncode is not None and processes[0].returncode < 0
