"""What the scenario forms and the side-by-side page show, read without HTTP: the choices a
form offers (targets, shelters, depots, outlets), the minimum stock a rotation starts from,
and scenarios compared with their latest runs' figures."""

from dataclasses import dataclass, field

from sqlalchemy import select

from inventory.base import N_
from inventory.catalogue.models import Item
from inventory.errors import DomainError
from inventory.geo import queries as geo
from inventory.geo.models import Depot
from inventory.outlets.models import Outlet
from inventory.outlets.queries import list_outlets
from inventory.planning import checks, facts, queries
from inventory.planning.facts import RECEIVING_KINDS, RECEIVING_TIERS
from inventory.readiness.models import Target
from inventory.shelters.models import Shelter

#: a scenario's own parameters, as the side-by-side page names them
PARAMETER_LABELS = {
    "cases": N_("汛期情景"), "budget": N_("预算（元）"), "receiving_depots": N_("可接收储备库"),
    "horizon_months": N_("计划月数"), "outlets": N_("轮换去向"),
    "budget_per_month": N_("每月预算（元）"), "lead_months": N_("采购提前月数"),
    "minimum_stock": N_("最低库存"), "prices": N_("单价（元）"),
    "write_off_cost": N_("报废损失（元）"),
    "transport_cost_per_kg_hour": N_("运输费用（元/千克·小时）"),
    "limit_by_fleet": N_("按车辆运力限制"),
}


@dataclass(frozen=True)
class MinimumRow:
    """The minimum stock of one perishable item, as a rotation plan finds it."""

    code: str
    name: str
    unit: str
    #: what the per-tier minimums ask of all the depots of each tier
    tiers: int
    #: the most any active target asks for
    targets: int

    @property
    def found(self) -> int:
        """The larger of the two, which the plan keeps unless the planner gives another."""
        return max(self.tiers, self.targets)


@dataclass
class Choices:
    """What a scenario form offers."""

    targets: list[Target]
    #: active shelters, by code
    shelters: list[Shelter]
    #: active depots that send (not shelters' receiving points), by code
    depots: list[Depot]
    #: the depots that may receive pre-positioned stock, by code
    receiving: list[Depot]
    #: the register's active outlets
    outlets: list[Outlet]
    minimums: list[MinimumRow] = field(default_factory=list)

    @property
    def shelter_names(self) -> dict[str, str]:
        return {shelter.code: shelter.name for shelter in self.shelters}


def choices(session, kind: str) -> Choices:
    """Return what the form of a scenario of the kind offers."""
    targets = list(session.scalars(select(Target).where(Target.active.is_(True))
                                   .order_by(Target.id)))
    shelters = list(session.scalars(select(Shelter).where(Shelter.active.is_(True))
                                    .order_by(Shelter.code)))
    depots = geo.depots(session, shelters=False)
    receiving = [depot for depot in depots if depot.kind in RECEIVING_KINDS
                 and depot.area.level in RECEIVING_TIERS]
    found = Choices(targets, shelters, depots, receiving,
                    list_outlets(session, active=True) if kind == "rotation" else [])
    if kind == "rotation":
        found.minimums = minimums(session)
    return found


def register(session, kind: str) -> dict[str, dict]:
    """Return the active outlets as a rotation scenario copies them, by id (as a form sends
    it); other kinds copy none."""
    if kind != "rotation":
        return {}
    return {str(outlet.id): outlet.as_scenario_outlet()
            for outlet in list_outlets(session, active=True)}


def minimums(session) -> list[MinimumRow]:
    """Return the minimum stock of each perishable item from the per-tier minimums and the
    targets, by item code."""
    tiers, targets = facts.tier_minimums(session), facts.target_minimums(session)
    codes = {code for code, units in {**tiers, **targets}.items() if units > 0}
    items = session.scalars(select(Item).where(Item.code.in_(codes),
                                               Item.shelf_life_days.is_not(None))
                            .order_by(Item.code))
    return [MinimumRow(item.code, item.name_zh, item.unit, tiers.get(item.code, 0),
                       targets.get(item.code, 0)) for item in items]


def spread(session, target_id: int) -> list[dict] | None:
    """Return a target's people spread over its area's shelters, or None when it cannot be."""
    try:
        return checks.sites_from_target(session, target_id)[0]
    except DomainError:
        return None


@dataclass
class Compared:
    """Scenarios side by side."""

    #: [{"scenario", "run", "summary"}], as ``queries.compare`` gives them
    rows: list[dict]
    #: the fields in which they differ
    differences: list[str]
    #: the figures of the runs' objectives, in the order first met
    figures: list[str]
    #: shelter names by code, for the sites
    shelter_names: dict[str, str]
    #: the parameters any of them has, in their usual order
    parameters: list[str] = field(default_factory=list)

    def differs(self, values) -> bool:
        """Whether the scenarios' values of one line differ."""
        return len({repr(value) for value in values}) > 1

    def figure(self, name: str) -> list:
        """Each latest run's figure of its objective (None without a run or the figure)."""
        return [row["summary"].objective.get(name) if row["summary"] else None
                for row in self.rows]

    def counts(self, name: str) -> list:
        """Each latest run's count of shipments or units short (None without one)."""
        return [getattr(row["summary"], name) if row["summary"] else None for row in self.rows]


def compare(session, scenario_ids: list[int]) -> Compared:
    """Return the scenarios side by side with their latest finished runs' figures.

    :raise NotFound: for an unknown scenario.
    """
    found = queries.compare(session, scenario_ids)
    figures: list[str] = []
    for row in found["scenarios"]:
        summary = row["summary"]
        for name, value in (summary.objective if summary else {}).items():
            if isinstance(value, int | float) and name not in figures:
                figures.append(name)
    codes = {site["shelter"] for row in found["scenarios"] for site in row["scenario"].sites}
    names = dict(session.execute(select(Shelter.code, Shelter.name)
                                 .where(Shelter.code.in_(codes))).all())
    held = {name for row in found["scenarios"] for name in row["scenario"].parameters}
    parameters = [name for name in PARAMETER_LABELS if name in held] + sorted(
        held - set(PARAMETER_LABELS))
    return Compared(found["scenarios"], found["differences"], figures, names, parameters)
