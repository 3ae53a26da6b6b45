"""A rotation run month by month, beside what doing nothing would bring: which lots leave
through which outlet, what to buy, the stock against the minimum and the cost; and, doing
nothing, the stock as lots expire and what would be written off. Plain Python over the run's
input and result (the JSON the optimizer printed)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from inventory.planorders.domain import month_start

NEW_LOT = "new:"


@dataclass
class Month:
    period: int
    month: date
    #: {"lot", "item", "outlet", "quantity", "value"} per lot leaving through an outlet
    rotations: list[dict] = field(default_factory=list)
    #: {"item", "quantity", "cost"}
    purchases: list[dict] = field(default_factory=list)
    #: {"lot", "item", "quantity"} written off under the plan
    write_offs: list[dict] = field(default_factory=list)
    #: item → units on hand under the plan, and doing nothing
    stock: dict[str, int] = field(default_factory=dict)
    idle_stock: dict[str, int] = field(default_factory=dict)
    #: {"lot", "item", "quantity", "value"} written off doing nothing
    idle_write_offs: list[dict] = field(default_factory=list)
    #: purchases − value recovered + write-off cost, under the plan
    cost: float = 0.0
    #: value of the goods written off + write-off cost, doing nothing
    idle_cost: float = 0.0

    def below_minimum(self, minimum: dict[str, int], idle: bool = False) -> list[str]:
        """Return the items under their minimum this month (under the plan, or doing nothing)."""
        stock = self.idle_stock if idle else self.stock
        return [item for item, least in sorted(minimum.items()) if stock.get(item, 0) < least]


@dataclass
class Schedule:
    months: list[Month]
    items: list[str]
    minimum: dict[str, int]
    #: the plan: purchase cost, value recovered, write-off cost and their net total
    purchase_cost: float
    value_recovered: float
    write_off_cost: float
    #: doing nothing: units and value written off, the write-off cost
    idle_written_off: dict[str, int]
    idle_value_lost: float
    idle_write_off_cost: float

    @property
    def cost(self) -> float:
        """The plan's net cost: what is bought, less what outlets pay, plus write-off costs."""
        return self.purchase_cost - self.value_recovered + self.write_off_cost

    @property
    def idle_cost(self) -> float:
        """Doing nothing: the value of the goods that expire plus the cost of writing them off."""
        return self.idle_value_lost + self.idle_write_off_cost

    @property
    def first_month(self) -> Month:
        return self.months[0]


def _item_of(lot: str, lots: dict[str, dict]) -> str:
    if lot.startswith(NEW_LOT):
        return lot[len(NEW_LOT):].rsplit(":", 1)[0]
    return lots[lot]["item"]


def rotation_schedule(plan_input: dict, plan_result: dict, start: date) -> Schedule:
    """Lay a rotation run out by month, from the month of ``start`` on, beside doing nothing."""
    periods = int(plan_input["periods"])
    items = {row["code"]: row for row in plan_input["items"]}
    lots = {row["id"]: row for row in plan_input.get("lots", [])}
    minimum = dict(plan_input.get("minimum_stock", {}))
    value = {(row["id"], row["item"]): row.get("value_per_unit", 0.0)
             for row in plan_input.get("outlets", [])}
    months = [Month(t, month_start(start, t)) for t in range(periods)]
    recovered = bought = written = 0.0
    for row in plan_result.get("rotations", []):
        item = _item_of(row["lot"], lots)
        worth = value.get((row["outlet"], item), 0.0) * row["quantity"]
        months[row["period"]].rotations.append(
            {"lot": row["lot"], "item": item, "outlet": row["outlet"],
             "quantity": row["quantity"], "value": worth})
        months[row["period"]].cost -= worth
        recovered += worth
    for row in plan_result.get("purchases", []):
        cost = items[row["item"]]["unit_cost"] * row["quantity"]
        months[row["period"]].purchases.append(
            {"item": row["item"], "quantity": row["quantity"], "cost": cost})
        months[row["period"]].cost += cost
        bought += cost
    for row in plan_result.get("write_offs", []):
        item = _item_of(row["lot"], lots)
        cost = items[item].get("write_off_cost", 0.0) * row["quantity"]
        months[row["period"]].write_offs.append(
            {"lot": row["lot"], "item": item, "quantity": row["quantity"]})
        months[row["period"]].cost += cost
        written += cost
    for row in plan_result.get("stock", []):
        months[row["period"]].stock[row["item"]] = row["quantity"]
    idle = _doing_nothing(months, items, lots)
    return Schedule(months=months, items=sorted(items), minimum=minimum,
                    purchase_cost=bought, value_recovered=recovered, write_off_cost=written,
                    idle_written_off=idle[0], idle_value_lost=idle[1],
                    idle_write_off_cost=idle[2])


def _doing_nothing(months: list[Month], items: dict, lots: dict) -> tuple[dict, float, float]:
    """Fill each month's stock and write-offs when nothing is rotated or bought; return the
    units written off by item, their value and the cost of writing them off."""
    written_off: dict[str, int] = defaultdict(int)
    value_lost = cost = 0.0
    for month in months:
        month.idle_stock = {code: 0 for code in items}
    for lot_id, lot in lots.items():
        item = items[lot["item"]]
        # A lot counts until the first period in which it is no longer usable.
        for month in months[:lot["expires_period"]]:
            month.idle_stock[lot["item"]] += lot["quantity"]
        if lot["expires_period"] < len(months):
            month = months[lot["expires_period"]]
            worth = item["unit_cost"] * lot["quantity"]
            fee = item.get("write_off_cost", 0.0) * lot["quantity"]
            month.idle_write_offs.append({"lot": lot_id, "item": lot["item"],
                                          "quantity": lot["quantity"], "value": worth})
            month.idle_cost += worth + fee
            written_off[lot["item"]] += lot["quantity"]
            value_lost += worth
            cost += fee
    return dict(written_off), value_lost, cost
