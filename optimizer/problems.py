"""The three problems as plain data: what the schemas load and the models read.

Quantities are whole units; hours and money are floats. Mappings are keyed by item code.
"""

from dataclasses import dataclass, field

PHYSICAL = "physical"
CONTRACT = "contract"
CAPACITY = "capacity"
SOURCE_KINDS = (PHYSICAL, CONTRACT, CAPACITY)


@dataclass(frozen=True)
class Item:
    code: str
    weight_kg: float = 0.0
    volume_m3: float = 0.0


@dataclass(frozen=True)
class Site:
    id: str
    demand: dict[str, int]
    priority: float = 1.0
    #: People the demand is for; the plan then says how many of them are fully supplied.
    people: int | None = None


@dataclass(frozen=True)
class Source:
    """A physical depot, a supply contract, or a production capacity."""

    id: str
    kind: str
    handling_hours: float = 0.0
    stock: dict[str, int] = field(default_factory=dict)
    #: Purchase price per unit; physical stock is already owned and costs nothing.
    unit_cost: dict[str, float] = field(default_factory=dict)
    ramp_hours: float = 0.0
    rate_per_hour: dict[str, float] = field(default_factory=dict)
    #: Most units a capacity source makes of an item; an item absent here is bounded by rate only.
    max: dict[str, int] = field(default_factory=dict)

    def purchase_cost(self, item: str) -> float:
        """Return what one unit of the item costs from this source."""
        if self.kind == PHYSICAL:
            return 0.0
        return self.unit_cost.get(item, 0.0)

    def offered_items(self) -> set[str]:
        """Return the items this source can supply at all."""
        if self.kind == CAPACITY:
            return {k for k, rate in self.rate_per_hour.items()
                    if rate > 0 and self.max.get(k, 1) > 0}
        return {k for k, units in self.stock.items() if units > 0}


@dataclass(frozen=True)
class DispatchLimit:
    source: str
    weight_kg: float | None = None
    volume_m3: float | None = None


@dataclass(frozen=True)
class DispatchProblem:
    deadline_hours: float
    items: dict[str, Item]
    sites: list[Site]
    sources: list[Source]
    #: Hours from a source to a site; a pair that is absent cannot be travelled.
    travel_hours: dict[tuple[str, str], float]
    transport_cost_per_unit_hour: dict[str, float] = field(default_factory=dict)
    dispatch_limits: dict[str, DispatchLimit] = field(default_factory=dict)


@dataclass(frozen=True)
class Depot:
    id: str
    stock: dict[str, int]
    handling_hours: float = 0.0
    #: Storage volume; None means unlimited.
    capacity_m3: float | None = None


@dataclass(frozen=True)
class Scenario:
    id: str
    weight: float
    sites: list[Site]


@dataclass(frozen=True)
class PrepositionProblem:
    deadline_hours: float
    items: dict[str, Item]
    depots: list[Depot]
    scenarios: list[Scenario]
    #: Hours between depots (relocation) and from depots and other sources to sites.
    travel_hours: dict[tuple[str, str], float]
    purchase_cost: dict[str, float] = field(default_factory=dict)
    relocation_cost_per_unit_hour: dict[str, float] = field(default_factory=dict)
    #: None means no budget limit.
    budget: float | None = None
    other_sources: list[Source] = field(default_factory=list)
    transport_cost_per_unit_hour: dict[str, float] = field(default_factory=dict)
    dispatch_limits: dict[str, DispatchLimit] = field(default_factory=dict)

    def scenario_dispatch(self, scenario: Scenario, stock: dict[str, dict[str, int]]
                          ) -> DispatchProblem:
        """Return the dispatch problem of one scenario with the depots holding ``stock``."""
        depots = [Source(id=d.id, kind=PHYSICAL, handling_hours=d.handling_hours,
                         stock=dict(stock.get(d.id, {})))
                  for d in self.depots]
        return DispatchProblem(
            deadline_hours=self.deadline_hours, items=self.items, sites=scenario.sites,
            sources=depots + list(self.other_sources), travel_hours=self.travel_hours,
            transport_cost_per_unit_hour=self.transport_cost_per_unit_hour,
            dispatch_limits=self.dispatch_limits)


@dataclass(frozen=True)
class RotationItem:
    code: str
    unit_cost: float
    shelf_life_periods: int
    lead_periods: int = 0
    write_off_cost: float = 0.0


@dataclass(frozen=True)
class Lot:
    id: str
    item: str
    quantity: int
    #: First period in which the lot is no longer usable.
    expires_period: int


@dataclass(frozen=True)
class Outlet:
    id: str
    item: str
    capacity_per_period: int
    value_per_unit: float = 0.0


@dataclass(frozen=True)
class RotationProblem:
    periods: int
    items: dict[str, RotationItem]
    lots: list[Lot]
    minimum_stock: dict[str, int] = field(default_factory=dict)
    outlets: list[Outlet] = field(default_factory=list)
    #: None means purchases are not limited by a budget.
    budget_per_period: float | None = None


def new_lot_id(item: str, period_ordered: int) -> str:
    """Return the name of the lot a purchase creates."""
    return f"new:{item}:{period_ordered}"
