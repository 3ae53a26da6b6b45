"""The rotation input: perishable items, their usable lots by the month they stop being usable,
the minimum stock (the larger of the tiers' minimums and the targets'), the outlets the bureau
defined (school canteens, drills, markets) and the monthly budget."""

import math
from dataclasses import dataclass, field
from datetime import date

from inventory.planning.inputs import expires_period

#: days in a month of a rotation plan, for shelf lives given in days
DAYS_PER_MONTH = 30.4375


# -- rotation -------------------------------------------------------------------------

@dataclass(frozen=True)
class LotFacts:
    id: int
    item: str
    quantity: int
    expires_on: date | None


@dataclass(frozen=True)
class RotationItemFacts:
    code: str
    #: None for durable goods (they never expire within the plan)
    shelf_life_days: int | None
    unit_price: float | None


@dataclass
class Rotation:
    """A rotation plan's horizon, stock, minimums and the outlets the bureau defined."""

    start: date
    months: int
    items: dict[str, RotationItemFacts]
    lots: list[LotFacts]
    #: the least stock the tiers' minimums ask for, by item (all depots of each tier)
    tier_minimums: dict[str, int]
    #: the most any active target asks for, by item
    target_minimums: dict[str, int]
    #: [{"name", "item", "capacity_per_month", "value_per_unit"}]
    outlets: list[dict]
    lead_months: int = 0
    budget_per_month: float | None = None
    #: the planner's own minimums and prices, which replace the ones found
    minimum_override: dict[str, int] = field(default_factory=dict)
    price_override: dict[str, float] = field(default_factory=dict)
    write_off_cost: dict[str, float] = field(default_factory=dict)


def minimum_stock(rotation: Rotation) -> dict[str, int]:
    """Return the minimum per item: the larger of the tiers' and the targets' (or as given)."""
    codes = set(rotation.tier_minimums) | set(rotation.target_minimums)
    found = {code: max(rotation.tier_minimums.get(code, 0), rotation.target_minimums.get(code, 0))
             for code in codes}
    found.update(rotation.minimum_override)
    return {code: units for code, units in sorted(found.items()) if units > 0}


def _shelf_life_months(item: RotationItemFacts, months: int) -> int:
    if item.shelf_life_days is None:
        return months + 1
    return max(1, math.floor(item.shelf_life_days / DAYS_PER_MONTH))


def rotation_document(rotation: Rotation) -> dict:
    """Return the rotation input: perishable items, their usable lots by month of expiry, the
    minimum stock, the outlets and the budget."""
    minimum = minimum_stock(rotation)
    codes = ({lot.item for lot in rotation.lots} | set(minimum)
             | {outlet["item"] for outlet in rotation.outlets})
    codes = {code for code in codes if code in rotation.items}
    items = []
    for code in sorted(codes):
        facts = rotation.items[code]
        price = rotation.price_override.get(code, facts.unit_price)
        items.append({"code": code, "unit_cost": float(price or 0.0),
                      "shelf_life_periods": _shelf_life_months(facts, rotation.months),
                      "lead_periods": rotation.lead_months,
                      "write_off_cost": float(rotation.write_off_cost.get(code, 0.0))})
    lots = [{"id": str(lot.id), "item": lot.item, "quantity": lot.quantity,
             "expires_period": expires_period(rotation.start, lot.expires_on, rotation.months)}
            for lot in sorted(rotation.lots, key=lambda lot: lot.id)
            if lot.item in codes and lot.quantity > 0]
    document = {
        "periods": rotation.months,
        "items": items,
        "lots": lots,
        "minimum_stock": {code: units for code, units in minimum.items() if code in codes},
        "outlets": [{"id": outlet["name"], "item": outlet["item"],
                     "capacity_per_period": outlet["capacity_per_month"],
                     "value_per_unit": outlet.get("value_per_unit", 0.0)}
                    for outlet in rotation.outlets if outlet["item"] in codes],
    }
    if rotation.budget_per_month is not None:
        document["budget_per_period"] = rotation.budget_per_month
    return document
