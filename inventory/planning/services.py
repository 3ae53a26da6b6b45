"""The planner's workbench: scenarios saved, changed and copied; runs started and cancelled.

A run's input is built from the live data in its background job (``inventory.planning.kinds``),
kept byte for byte, and solved by ``python -m optimizer``; what that printed is the result.

For the plan → orders service: ``queries.get_run(session, run_id)`` gives the run; its
``kind``, ``input`` (bytes; ``json.loads`` it), ``outcome`` (the result as JSON values),
``status`` and ``scenario`` are what an order needs.
"""

import datetime as dt
import hashlib
import time
from dataclasses import dataclass

from inventory import audit
from inventory.auth.permissions import ensure_role
from inventory.db import fetch_one, utcnow
from inventory.errors import InvalidInput, StateConflict
from inventory.jobs import services as jobs
from inventory.planning import checks, facts, inputs, queries
from inventory.planning.models import KINDS, Run, Scenario
from inventory.uow import unit_of_work

#: roles that create and run scenarios; every role reads them
PLANNERS = ("admin", "bureau", "planner")
#: seconds the solver gets unless the scenario says otherwise
DEFAULT_TIME_LIMITS = {"dispatch": 30, "preposition": 120, "rotation": 60}
#: the job kind that runs a scenario
RUN_KIND = "planning.run"
#: a scenario's fields as the audit log and the copy take them
FIELDS = ("name", "kind", "scenario_date", "deadline_hours", "season", "target_id", "sites",
          "modes", "excluded_depots", "excluded_pairs", "parameters", "time_limit_seconds",
          "note")


def snapshot(scenario: Scenario) -> dict:
    """Return the scenario's fields as plain JSON values, for the audit log."""
    def plain(value):
        if isinstance(value, dt.date):
            return value.isoformat()
        return float(value) if hasattr(value, "is_finite") else value

    return {name: plain(getattr(scenario, name)) for name in FIELDS}


def create_scenario(session, actor, *, name: str, kind: str, date: dt.date | None = None,
                    deadline_hours: float | None = None, target: int | None = None,
                    sites: list[dict] | None = None, season: str | None = None,
                    modes: list[str] | None = None, excluded_depots: list[str] | None = None,
                    excluded_pairs: list[dict] | None = None,
                    time_limit_seconds: int | None = None, note: str | None = None,
                    **parameters) -> Scenario:
    """Save a scenario; its dispatch sites are listed or spread from a target's people.

    :raise InvalidInput: naming each field that does not fit (unknown codes among them).
    :raise NotFound: for an unknown target.
    """
    ensure_role(actor, *PLANNERS)
    if kind not in KINDS:
        raise InvalidInput("方案类型须为 dispatch、preposition 或 rotation。",
                           "The kind is dispatch, preposition or rotation.",
                           {"kind": ["one of dispatch, preposition, rotation"]})
    with unit_of_work(session):
        scenario = Scenario(kind=kind, version=1, created_by_id=actor.id, created_at=utcnow(),
                            updated_at=utcnow(), sites=[], parameters={})
        found = _content(session, scenario, {
            "name": name, "date": date, "deadline_hours": deadline_hours, "target": target,
            "sites": sites, "season": season, "modes": modes,
            "excluded_depots": excluded_depots or [], "excluded_pairs": excluded_pairs or [],
            "time_limit_seconds": time_limit_seconds, "note": note}, parameters, creating=True)
        for key, value in found.items():
            setattr(scenario, key, value)
        session.add(scenario)
        session.flush()
        audit.record(session, actor, "scenario.create", "scenario", scenario.id,
                     before=None, after=snapshot(scenario))
    return scenario


def update_scenario(session, actor, scenario_id: int, **changes) -> Scenario:
    """Change a scenario (its kind stays); runs of the earlier version become stale."""
    ensure_role(actor, *PLANNERS)
    with unit_of_work(session):
        # Locked, so two changes at once are versioned and logged one after the other.
        scenario = fetch_one(session, Scenario, Scenario.id == scenario_id, lock=True)
        if scenario is None:
            queries.get_scenario(session, scenario_id)  # raises NotFound
        before = snapshot(scenario)
        common = {key: changes.pop(key) for key in list(changes) if key in _COMMON}
        merged = {name: value for name, value in scenario.parameters.items()}
        merged.update(changes)
        found = _content(session, scenario, common, merged, creating=False)
        for key, value in found.items():
            setattr(scenario, key, value)
        after = snapshot(scenario)
        changed = [key for key in FIELDS if after[key] != before[key]]
        if changed:
            scenario.version += 1
            scenario.updated_at = utcnow()
            audit.record(session, actor, "scenario.update", "scenario", scenario.id,
                         before={key: before[key] for key in changed},
                         after={key: after[key] for key in changed})
    return scenario


def copy_scenario(session, actor, scenario_id: int, name: str | None = None) -> Scenario:
    """Save a copy of a scenario under a new name, to change and compare with the first."""
    ensure_role(actor, *PLANNERS)
    with unit_of_work(session):
        source = queries.get_scenario(session, scenario_id)
        copy = Scenario(version=1, copied_from_id=source.id, created_by_id=actor.id,
                        created_at=utcnow(), updated_at=utcnow())
        for key in FIELDS:
            setattr(copy, key, getattr(source, key))
        copy.name = (name or "").strip() or f"{source.name}（副本）"[:100]
        if len(copy.name) > 100:
            raise InvalidInput("名称最多 100 个字。", "The name has at most 100 characters.",
                               {"name": ["at most 100"]})
        session.add(copy)
        session.flush()
        audit.record(session, actor, "scenario.copy", "scenario", copy.id, source=source.id,
                     before=None, after=snapshot(copy))
    return copy


_COMMON = ("name", "date", "deadline_hours", "target", "sites", "season", "modes",
           "excluded_depots", "excluded_pairs", "time_limit_seconds", "note")


def _content(session, scenario: Scenario, common: dict, parameters: dict, *,
             creating: bool) -> dict:
    """Check a scenario's fields; return them as the model stores them."""
    found, target = checks.sites_and_target(session, scenario.kind, common, creating=creating)
    found |= checks.timing(scenario.kind, common, target, creating=creating)
    found |= checks.particulars(session, common, creating=creating)
    found["parameters"] = checks.parameters(session, scenario.kind, parameters)
    return found


# -- runs ----------------------------------------------------------------------------

def start_run(session, actor, scenario_id: int) -> Run:
    """Queue a run of the scenario as it stands; its job builds the input from the live data
    and solves it."""
    ensure_role(actor, *PLANNERS)
    with unit_of_work(session):
        scenario = queries.get_scenario(session, scenario_id)
        run = Run(scenario_id=scenario.id, kind=scenario.kind,
                  scenario_version=scenario.version, created_by_id=actor.id,
                  time_limit_seconds=scenario.time_limit_seconds
                  or DEFAULT_TIME_LIMITS[scenario.kind], created_at=utcnow())
        session.add(run)
        session.flush()
        job = jobs.submit(session, actor, RUN_KIND, {"run": run.id})
        run.job_id = job.id
    return run


def cancel_run(session, actor, run_id: int) -> Run:
    """Cancel a run: one waiting never runs; one solving is stopped (its solver is ended).

    :raise StateConflict: when the run has already ended.
    """
    ensure_role(actor, *PLANNERS)
    with unit_of_work(session):
        run = queries.get_run(session, run_id)
        if run.job_id is None:
            raise StateConflict("该运行没有后台任务。", "The run has no job.")
        jobs.cancel(session, actor, run.job_id)
    session.refresh(run)
    return run


@dataclass(frozen=True)
class BuiltInput:
    document: bytes
    marks: dict
    seconds: float


def build_input(session, scenario: Scenario) -> BuiltInput:
    """Build the scenario's input from the live data now, with the marks of that data.

    The marks are read first: data that changes while the input is built makes the run stale
    rather than passing unnoticed.
    """
    began = time.perf_counter()
    marks = queries.data_marks(session,
                               fleet=bool((scenario.parameters or {}).get("limit_by_fleet")))
    document = inputs.encode(facts.document_for(session, scenario))
    return BuiltInput(document, marks, time.perf_counter() - began)


def record_input(session, run_id: int, built: BuiltInput) -> Run:
    """Keep the input a run's solver is about to be given."""
    with unit_of_work(session):
        run = queries.get_run(session, run_id)
        run.input, run.data_marks = built.document, built.marks
        run.input_sha256 = hashlib.sha256(built.document).hexdigest()
        run.build_seconds = round(built.seconds, 3)
    return run


def record_result(session, run_id: int, *, printed: str | None, exit_code: int,
                  stats: dict) -> Run:
    """Keep what the solver printed, its exit code and statistics."""
    with unit_of_work(session):
        run = queries.get_run(session, run_id)
        run.result, run.exit_code, run.stats = printed or None, exit_code, stats
    return run
