"""Are we ready? The adequacy of the reserves for a target, in plain Python.

A target asks for supplies for N people in an area within H hours. Each required item is
covered by three modes of reserve:

- physical stock counts when its depot's handling time plus travel to the area is at most H
  (exactly H counts) and the stock is usable on the target's date; stock already delivered
  to a shelter's receiving point counts only for targets whose area holds the shelter (it
  serves the people sheltered there, and is not sent on elsewhere);
- a contract reserve counts, for what is not yet called off, when valid and its response time
  (plus travel from the county warehouse, where it delivers there) is at most H;
- a capacity reserve counts rate × (H − ramp − travel), never below 0, at most its maximum.

Everything here works on plain values; ``inventory.readiness.queries`` gathers them.
"""

import math
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from typing import NamedTuple

#: slack when comparing hours, so that 10.000000001 still meets a 10-hour deadline
HOURS_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Need:
    """One item the target needs: its norm per person."""

    item_id: int
    code: str
    name: str
    unit: str
    category: str
    per_person: Decimal


class Shelf(NamedTuple):
    """Usable physical stock of one item at one depot, and how soon it can reach the area.

    A named tuple: a city's target gathers hundreds of thousands of them.
    """

    depot_id: int
    depot_code: str
    depot_name: str
    item_id: int
    quantity: int
    #: handling plus travel hours to the target area; None when the depot cannot reach it
    reach_hours: float | None


@dataclass(frozen=True)
class Contract:
    """What an agreement still commits, and how soon it can arrive."""

    agreement_id: int
    number: str
    supplier: str
    item_id: int
    remaining: int
    #: response time plus, where it delivers to the county warehouse, travel from there
    reach_hours: float | None


@dataclass(frozen=True)
class Capacity:
    """A firm's production capacity for one item."""

    reserve_id: int
    #: the reserve's stable code (CN-0007)
    code: str
    enterprise: str
    item_id: int
    rate_per_hour: float
    ramp_hours: float
    max_quantity: int
    #: travel hours from the firm to the area; None when it cannot reach it
    travel_hours: float | None


class Counted(NamedTuple):
    """One source's contribution to one item (a named tuple, for the same reason as Shelf)."""

    source: str  # physical | contract | capacity
    id: int
    code: str
    name: str
    quantity: int
    hours: float | None


@dataclass
class ItemAdequacy:
    need: Need
    required: int
    physical: int = 0
    contract: int = 0
    capacity: int = 0
    sources: list[Counted] = field(default_factory=list)

    @property
    def available(self) -> int:
        return self.physical + self.contract + self.capacity

    @property
    def coverage(self) -> float:
        return 1.0 if self.required == 0 else self.available / self.required

    @property
    def shortfall(self) -> int:
        return max(0, self.required - self.available)

    @property
    def people_supplied(self) -> int:
        """People this item alone can supply fully."""
        return math.floor(Decimal(self.available) / self.need.per_person)


@dataclass
class Adequacy:
    people: int
    deadline_hours: float
    items: list[ItemAdequacy]

    @property
    def people_supplied(self) -> int:
        """People fully supplied: limited by the scarcest item, at most the target."""
        if not self.items:
            return self.people
        return min(self.people, min(item.people_supplied for item in self.items))

    @property
    def limiting_items(self) -> list[ItemAdequacy]:
        """The items that hold the people supplied below the target."""
        if self.people_supplied >= self.people:
            return []
        least = min(item.people_supplied for item in self.items)
        return [item for item in self.items if item.people_supplied == least]

    @property
    def coverage(self) -> float:
        return self.people_supplied / self.people if self.people else 1.0


def required_units(people: int, per_person: Decimal) -> int:
    """Return whole units for the people at the norm, rounded up."""
    return int((Decimal(people) * per_person).to_integral_value(rounding=ROUND_CEILING))


def in_time(hours: float | None, deadline: float) -> bool:
    """Say whether ``hours`` reach within the deadline (None never does)."""
    return hours is not None and hours <= deadline + HOURS_TOLERANCE


def capacity_units(capacity: Capacity, deadline: float) -> int:
    """Units a firm can make and deliver by the deadline."""
    if capacity.travel_hours is None:
        return 0
    hours = deadline - capacity.ramp_hours - capacity.travel_hours
    made = math.floor(capacity.rate_per_hour * max(0.0, hours) + HOURS_TOLERANCE)
    return max(0, min(capacity.max_quantity, made))


def assess(people: int, deadline_hours: float, needs: list[Need], shelves: list[Shelf],
           contracts: list[Contract], capacities: list[Capacity]) -> Adequacy:
    """Return the adequacy of the reserves for ``people`` within ``deadline_hours``."""
    items = {need.item_id: ItemAdequacy(need, required_units(people, need.per_person))
             for need in needs}
    for shelf in shelves:
        item = items.get(shelf.item_id)
        if item is None or shelf.quantity <= 0 or not in_time(shelf.reach_hours, deadline_hours):
            continue
        item.physical += shelf.quantity
        item.sources.append(Counted("physical", shelf.depot_id, shelf.depot_code,
                                    shelf.depot_name, shelf.quantity, shelf.reach_hours))
    for contract in contracts:
        item = items.get(contract.item_id)
        if item is None or contract.remaining <= 0 or not in_time(contract.reach_hours,
                                                                  deadline_hours):
            continue
        item.contract += contract.remaining
        item.sources.append(Counted("contract", contract.agreement_id, contract.number,
                                    contract.supplier, contract.remaining, contract.reach_hours))
    for capacity in capacities:
        item = items.get(capacity.item_id)
        units = capacity_units(capacity, deadline_hours) if item is not None else 0
        if units <= 0:
            continue
        item.capacity += units
        hours = None if capacity.travel_hours is None else (capacity.ramp_hours
                                                            + capacity.travel_hours)
        item.sources.append(Counted("capacity", capacity.reserve_id, capacity.code,
                                    capacity.enterprise, units, hours))
    ordered = sorted(items.values(), key=lambda item: (item.coverage, item.need.code))
    return Adequacy(people, deadline_hours, ordered)


# -- minimum stock per tier (储备定额) ------------------------------------------

@dataclass(frozen=True)
class Requirement:
    """How much of one item each depot of a tier must hold."""

    item_id: int
    code: str
    name: str
    unit: str
    quantity: int
    #: the norm per person, where the minimum is "supplies for N people"
    per_person: Decimal | None = None


@dataclass
class DepotMinimum:
    """One depot against a minimum: what it holds of each required item."""

    depot_id: int
    code: str
    name: str
    area: str
    lines: list[tuple[Requirement, int]]

    @property
    def met(self) -> bool:
        return all(held >= need.quantity for need, held in self.lines)

    @property
    def coverage(self) -> float:
        """The scarcest item's held ÷ required, at most 1."""
        return min((min(held / need.quantity, 1.0) for need, held in self.lines), default=1.0)

    @property
    def shortfalls(self) -> list[tuple[Requirement, int, int]]:
        """(requirement, held, short) for each item below its minimum."""
        return [(need, held, need.quantity - held) for need, held in self.lines
                if held < need.quantity]

    @property
    def people_held(self) -> int | None:
        """People the depot's stock fully supplies, where the minimum counts people."""
        counts = [int(Decimal(held) / need.per_person) for need, held in self.lines
                  if need.per_person]
        return min(counts) if counts else None


def check_minimum(requirements: list[Requirement], depots: list[tuple[int, str, str, str]],
                  held: dict[tuple[int, int], int]) -> list[DepotMinimum]:
    """Each depot (id, code, name, area name) against the requirements, given the usable
    stock ``held[depot_id, item_id]``; depots short of the minimum first."""
    results = [DepotMinimum(depot_id, code, name, area,
                            [(need, held.get((depot_id, need.item_id), 0))
                             for need in requirements])
               for depot_id, code, name, area in depots]
    return sorted(results, key=lambda d: (d.met, d.coverage, d.code))


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def estimate_hours(km: float, detour: float, speed_kmh: float) -> float:
    """Road hours estimated from a straight-line distance."""
    return round(km * detour / speed_kmh, 2)
