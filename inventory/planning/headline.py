"""The workbench's headline: what the reserves can do for the county's shelter target (the
demo's 1,200 people within 10 hours), who is left short and of what, and the cheapest
purchases and contract call-offs that would close the gap.

It is read from the latest finished runs of two scenarios: a dispatch spread from the target,
and a pre-positioning plan with a budget for the same target.
"""

from dataclasses import dataclass

from sqlalchemy import select

from inventory.auth.permissions import ensure_role
from inventory.errors import NotFound
from inventory.planning import queries, results, services
from inventory.planning.models import Run, Scenario
from inventory.readiness.models import Target
from inventory.uow import unit_of_work

#: yuan a pre-positioning plan may spend when the headline creates one
DEFAULT_BUDGET = 300_000


def headline_target(session) -> Target | None:
    """Return the target the headline speaks of: the active one for the most people (the
    first saved of those)."""
    return session.scalar(select(Target).where(Target.active.is_(True))
                          .order_by(Target.people.desc(), Target.id).limit(1))


def _newest(session, kind: str, target: Target) -> tuple[Scenario | None, Run | None]:
    """The newest scenario of the kind for the target whose run finished (or, failing that,
    the newest one at all), with that run."""
    found = list(session.scalars(select(Scenario).where(Scenario.kind == kind)
                                 .order_by(Scenario.id.desc()).limit(50)))
    if kind == "dispatch":
        found = [s for s in found if s.target_id == target.id]
    else:
        found = [s for s in found if s.parameters.get("budget") is not None and any(
            case.get("target") == target.id for case in s.parameters.get("cases", []))]
    for scenario in found:
        run = queries.latest_finished(session, scenario.id)
        if run is not None:
            return scenario, run
    return (found[0], None) if found else (None, None)


@dataclass
class Headline:
    target: Target
    dispatch_scenario: Scenario | None
    preposition_scenario: Scenario | None
    #: the two runs read (None: not run, or no plan)
    dispatch: results.RunResult | None
    preposition: results.RunResult | None
    #: whether a run of either scenario is waiting or solving (then it is not offered again)
    pending: bool = False

    @property
    def ready(self) -> bool:
        return self.dispatch is not None

    @property
    def missing(self) -> bool:
        """Whether a scenario the headline needs has no finished run."""
        return self.dispatch is None or self.preposition is None


def headline(session) -> Headline | None:
    """Return the headline read from the latest runs; None when the county has no target."""
    target = headline_target(session)
    if target is None:
        return None
    dispatch, dispatch_run = _newest(session, "dispatch", target)
    preposition, preposition_run = _newest(session, "preposition", target)
    newest = [run for scenario in (dispatch, preposition) if scenario is not None
              for run in queries.runs_of(session, scenario.id, limit=1)]
    return Headline(
        target, dispatch, preposition,
        results.read_result(session, dispatch_run) if dispatch_run else None,
        results.read_result(session, preposition_run) if preposition_run else None,
        pending=any(run.status in ("queued", "running") for run in newest))


def headline_scenarios(session, actor) -> tuple[Scenario, Scenario]:
    """Find or save the two scenarios of the headline for its target: a dispatch spread from
    it, and a pre-positioning plan against it with ``DEFAULT_BUDGET``.

    :raise NotFound: when there is no active target.
    """
    target = headline_target(session)
    if target is None:
        raise NotFound("尚无有效的保障目标。", "There is no active target.",
                       {"target": ["none active"]})
    dispatch, _ = _newest(session, "dispatch", target)
    preposition, _ = _newest(session, "preposition", target)
    if dispatch is None:
        dispatch = services.create_scenario(session, actor, name=target.name, kind="dispatch",
                                            target=target.id)
    if preposition is None:
        preposition = services.create_scenario(
            session, actor, name=f"{target.name}：汛前预置"[:100], kind="preposition",
            deadline_hours=float(target.deadline_hours or 10), budget=DEFAULT_BUDGET,
            cases=[{"name": target.name, "weight": 1.0, "target": target.id}])
    return dispatch, preposition


def run_headline(session, actor) -> list[Run]:
    """Save the headline's scenarios if needed and run both (planner, bureau, admin)."""
    ensure_role(actor, *services.PLANNERS)
    with unit_of_work(session):
        scenarios = headline_scenarios(session, actor)
    return [services.start_run(session, actor, scenario.id) for scenario in scenarios]
