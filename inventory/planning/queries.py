"""Reads of the workbench: scenarios, runs, whether a run is stale, scenarios side by side.

A run is stale when the data its input was built from changed since, or its scenario did. The
data is marked cheaply: the newest ledger row and lot status change (a city holds millions of
the first), and a digest of each smaller table an input reads, over the columns it reads.
"""

import hashlib
from dataclasses import dataclass

from sqlalchemy import func, select

from inventory.audit import AuditEvent
from inventory.catalogue.models import Item
from inventory.contracts.models import Agreement, CallOff, CapacityReserve
from inventory.errors import NotFound
from inventory.geo.models import Area, Depot
from inventory.jobs.models import Job
from inventory.planning.models import Run, Scenario
from inventory.readiness.models import Norm, StockMinimum, Target, TravelTime
from inventory.shelters.models import Shelter, ShelterTravelTime
from inventory.stock.models import Movement
from inventory.transport.models import Carrier, TransportAgreement, Vehicle

#: the smaller tables an input reads, with the columns it reads from each
MARKED = {
    "areas": (Area, ("id", "parent_id", "level", "latitude", "longitude")),
    "depots": (Depot, ("id", "code", "area_id", "kind", "capacity_m3", "latitude", "longitude",
                       "handling_hours", "active")),
    "items": (Item, ("id", "code", "shelf_life_days", "unit_volume_m3", "unit_weight_kg")),
    "norms": (Norm, ("id", "item_id", "per_person", "season")),
    "agreements": (Agreement, ("id", "number", "item_id", "committed_quantity",
                               "response_hours", "response_to", "unit_price", "valid_from",
                               "valid_until", "status")),
    "call_offs": (CallOff, ("id", "agreement_id", "quantity", "status")),
    "capacity_reserves": (CapacityReserve, ("id", "item_id", "rate_per_hour", "ramp_hours",
                                            "max_quantity", "area_id", "unit_price",
                                            "valid_from", "valid_until")),
    "travel_times": (TravelTime, ("id", "depot_id", "area_id", "hours")),
    "shelters": (Shelter, ("id", "code", "capacity_people", "area_id", "latitude", "longitude",
                           "active", "depot_id")),
    "shelter_travel_times": (ShelterTravelTime, ("id", "depot_id", "shelter_id", "hours")),
    "stock_minimums": (StockMinimum, ("id", "level", "people", "season", "item_id", "quantity",
                                      "active")),
    "targets": (Target, ("id", "area_id", "people", "season", "active")),
}
#: the fleet a dispatch limited by its vehicles reads (``limit_by_fleet``)
FLEET_MARKED = {
    "carriers": (Carrier, ("id", "active")),
    "vehicles": (Vehicle, ("id", "carrier_id", "payload_kg", "volume_m3", "depot_id", "active")),
    "transport_agreements": (TransportAgreement, (
        "id", "carrier_id", "vehicles", "payload_kg", "volume_m3", "response_hours", "depot_id",
        "valid_from", "valid_until", "active")),
}
#: what each mark is called on the pages (the scenario's own changes are "scenario")
MARK_NAMES = ("ledger", "lot_status", *MARKED)


def data_marks(session, *, fleet: bool = True) -> dict:
    """Return markers of the data inputs are built from; any change of that data changes one.

    The fleet's tables are marked when ``fleet`` is true: only for inputs that read them, so
    that a new vehicle leaves other runs current."""
    marks = {
        "ledger": session.scalar(select(func.max(Movement.id))) or 0,
        "lot_status": session.scalar(select(func.max(AuditEvent.id))
                                     .where(AuditEvent.action == "lot.status")) or 0,
    }
    for name, (model, columns) in (MARKED | (FLEET_MARKED if fleet else {})).items():
        digest = hashlib.sha256()
        for row in session.execute(select(*[getattr(model, c) for c in columns])
                                   .order_by(model.id)):
            digest.update(repr(tuple(row)).encode())
        marks[name] = digest.hexdigest()[:16]
    return marks


def stale_reasons(run: Run, marks: dict | None) -> list[str]:
    """Name what changed since the run's input was built ([] when nothing did, or before it
    was built)."""
    if run.data_marks is None:
        return []
    reasons = ["scenario"] if run.scenario_version != run.scenario.version else []
    if marks is not None:
        reasons += [name for name in MARK_NAMES if run.data_marks.get(name) != marks.get(name)]
        reasons += [name for name in FLEET_MARKED
                    if name in run.data_marks and run.data_marks[name] != marks.get(name)]
    return reasons


def mark_stale(session, runs: list[Run]) -> list[Run]:
    """Set each run's ``stale_reasons`` against the data as it is now; return the runs."""
    marks = data_marks(session) if any(run.data_marks is not None for run in runs) else None
    for run in runs:
        run.stale_reasons = stale_reasons(run, marks)
    return runs


def get_scenario(session, scenario_id: int) -> Scenario:
    """:raise NotFound: when no scenario has the id."""
    scenario = session.get(Scenario, scenario_id)
    if scenario is None:
        raise NotFound(f"没有编号为 {scenario_id} 的规划方案。",
                       f"No scenario with id {scenario_id}.", {"scenario": ["unknown scenario"]})
    return scenario


def get_run(session, run_id: int) -> Run:
    """:raise NotFound: when no run has the id."""
    run = session.get(Run, run_id)
    if run is None:
        raise NotFound(f"没有编号为 {run_id} 的运行记录。", f"No run with id {run_id}.",
                       {"run": ["unknown run"]})
    return run


def run_input(session, run_id: int) -> bytes:
    """Return the input a run's solver was given.

    :raise NotFound: when the run is unknown or its input is not built yet.
    """
    run = get_run(session, run_id)
    if run.input is None:
        raise NotFound(f"运行 {run_id} 的输入尚未生成（{run.status}）。",
                       f"Run {run_id} has no input yet ({run.status}).",
                       {"run": ["no input yet"]})
    return run.input


def run_result(session, run_id: int) -> str:
    """Return what a run's solver printed.

    :raise NotFound: when the run is unknown or has no result (yet).
    """
    run = get_run(session, run_id)
    if run.result is None:
        raise NotFound(f"运行 {run_id} 尚无结果（{run.status}）。",
                       f"Run {run_id} has no result ({run.status}).", {"run": ["no result"]})
    return run.result


def list_scenarios(*, kind: str | None = None):
    """Return the statement listing scenarios, newest first (for paging)."""
    stmt = select(Scenario).order_by(Scenario.id.desc())
    return stmt.where(Scenario.kind == kind) if kind else stmt


def list_runs(*, scenario: int | None = None):
    """Return the statement listing runs, newest first (for paging)."""
    stmt = select(Run).order_by(Run.id.desc())
    return stmt.where(Run.scenario_id == scenario) if scenario else stmt


def runs_of(session, scenario_id: int, limit: int = 50) -> list[Run]:
    """Return the scenario's latest runs, newest first."""
    return list(session.scalars(select(Run).where(Run.scenario_id == scenario_id)
                                .order_by(Run.id.desc()).limit(limit)))


def latest_finished(session, scenario_id: int) -> Run | None:
    """Return the scenario's newest run that finished, if any."""
    return session.scalar(select(Run).join(Job, Job.id == Run.job_id)
                          .where(Run.scenario_id == scenario_id, Job.status == "finished")
                          .order_by(Run.id.desc()).limit(1))


@dataclass(frozen=True)
class Summary:
    """A finished run in a few figures, for lists and for scenarios side by side."""

    status: str | None
    objective: dict
    shipments: int | None
    units_short: int | None
    people_fully_supplied: int | None


def summary(run: Run | None) -> Summary | None:
    """Return the figures of a run's result (None without a result)."""
    result = run.outcome if run is not None else None
    if not isinstance(result, dict):
        return None
    shortages = result.get("shortages")
    shipments = result.get("shipments", result.get("relocations", result.get("rotations")))
    objective = result.get("objective") or {}
    return Summary(result.get("status"), objective,
                   None if shipments is None else len(shipments),
                   None if shortages is None else sum(s["quantity"] for s in shortages),
                   objective.get("people_fully_supplied"))


#: what scenarios side by side compare, besides their runs
COMPARED = ("kind", "scenario_date", "deadline_hours", "season", "target_id", "sites", "modes",
            "excluded_depots", "excluded_pairs", "parameters", "time_limit_seconds")


def compare(session, scenario_ids: list[int]) -> dict:
    """Return the scenarios side by side: each with its latest finished run's figures, and
    the fields in which they differ."""
    scenarios = [get_scenario(session, scenario_id) for scenario_id in scenario_ids]
    differences = [name for name in COMPARED
                   if len({repr(getattr(s, name)) for s in scenarios}) > 1]
    rows = []
    for scenario in scenarios:
        run = latest_finished(session, scenario.id)
        rows.append({"scenario": scenario, "run": run, "summary": summary(run)})
    return {"scenarios": rows, "differences": differences}
