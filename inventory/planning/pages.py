"""What the workbench pages show, read without HTTP (each page calls one of these)."""

from dataclasses import dataclass

from sqlalchemy import func, select

from inventory.base import N_
from inventory.planning import queries, results
from inventory.planning.models import Run, Scenario
from inventory.planorders.models import PlanOrders
from inventory.planorders.plans import PLANNED
from inventory.readiness.models import Target
from inventory.shelters.models import Shelter

#: rows of a result listed on a run's page; the whole result is at /api/v1/runs/<id>
SHOWN_ROWS = 50
#: the lists of a result a run's page shows, with their titles
LISTS = {"shipments": N_("调运"), "shortages": N_("缺口"), "relocations": N_("库间调整"),
         "purchases": N_("采购"), "rotations": N_("轮换出库"), "write_offs": N_("到期报废")}
#: the columns of those lists
COLUMNS = {"source": N_("来源"), "site": N_("安置点"), "item": N_("物资"), "quantity": N_("数量"),
           "arrival_hours": N_("到达（小时）"), "demand": N_("需求"), "from": N_("调出"),
           "to": N_("调入"), "depot": N_("储备库"), "period": N_("月份"), "lot": N_("批次"),
           "outlet": N_("去向")}
#: a result's figures, as its page names them
FIGURES = {"weighted_shortage": N_("加权缺口"), "cost": N_("费用（元）"),
           "people_fully_supplied": N_("完全保障人数"),
           "expected_weighted_shortage": N_("期望加权缺口"),
           "expected_weighted_shortage_before": N_("调整前期望加权缺口"),
           "spend": N_("支出（元）"), "total": N_("净费用（元）"),
           "purchase_cost": N_("采购费用（元）"), "value_recovered": N_("回收价值（元）"),
           "write_off_cost": N_("报废损失（元）")}
#: the solver's verdicts
VERDICTS = {"optimal": N_("最优"), "feasible": N_("可行（未证明最优）"),
            "infeasible": N_("无可行方案"), "not_solved": N_("未求得方案")}


@dataclass
class ScenarioList:
    scenarios: list[Scenario]
    #: each scenario's newest run
    latest: dict[int, Run]
    #: active targets, for a dispatch scenario spread from one
    targets: list[Target]


def scenario_list(session, limit: int = 200) -> ScenarioList:
    """Return the newest scenarios with their latest runs, and the targets to start from."""
    scenarios = list(session.scalars(queries.list_scenarios().limit(limit)))
    newest = (select(func.max(Run.id)).where(Run.scenario_id.in_([s.id for s in scenarios]))
              .group_by(Run.scenario_id))
    latest = {run.scenario_id: run for run in session.scalars(select(Run).where(
        Run.id.in_(newest)))}
    targets = list(session.scalars(select(Target).where(Target.active.is_(True))
                                   .order_by(Target.id)))
    return ScenarioList(scenarios, latest, targets)


@dataclass
class ScenarioPage:
    scenario: Scenario
    runs: list[Run]
    #: shelter names by code, for the sites
    shelter_names: dict[str, str]


def scenario_page(session, scenario_id: int) -> ScenarioPage | None:
    """Return a scenario with its runs, stale ones marked; None when there is no such one."""
    scenario = session.get(Scenario, scenario_id)
    if scenario is None:
        return None
    codes = [site["shelter"] for site in scenario.sites]
    for case in scenario.parameters.get("cases", []):
        codes += [site["shelter"] for site in case["sites"]]
    names = dict(session.execute(select(Shelter.code, Shelter.name)
                                 .where(Shelter.code.in_(codes))).all())
    runs = queries.mark_stale(session, queries.runs_of(session, scenario_id))
    return ScenarioPage(scenario, runs, names)


@dataclass
class RunPage:
    run: Run
    summary: queries.Summary | None
    #: the first rows of the plan: (title, rows) per list in the result
    rows: list[tuple[str, list[dict]]]
    #: whether the run's orders were made (then they are at /plan-orders/<id>)
    has_orders: bool = False
    #: the plan read by site, source, month… (None without a plan)
    read: results.RunResult | None = None

    @property
    def can_make_orders(self) -> bool:
        """Whether the run holds a plan whose orders are still to be made."""
        return (not self.has_orders and self.summary is not None
                and self.summary.status in PLANNED and self.run.status == "finished")


def run_page(session, run_id: int) -> RunPage | None:
    """Return a run, marked stale or not, with its result in figures."""
    run = session.get(Run, run_id)
    if run is None:
        return None
    queries.mark_stale(session, [run])
    result = run.outcome if isinstance(run.outcome, dict) else {}
    shown = []
    for name in LISTS:
        rows = [row for row in result.get(name) or []
                if name != "shortages" or row.get("quantity")]
        if rows:
            shown.append((name, rows[:SHOWN_ROWS]))
    made = session.scalar(select(PlanOrders.id).where(PlanOrders.run_id == run_id))
    return RunPage(run, queries.summary(run), shown, has_orders=made is not None,
                   read=results.read_result(session, run))
