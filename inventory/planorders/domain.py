"""Rules of orders made from plans, in plain Python: picking lots for several transfers out of
one depot, and grouping a plan's lines into orders."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from inventory.errors import InsufficientStock
from inventory.stock import domain


@dataclass
class _Left:
    """A lot with what is left of it after the picks already made (a ``LotLike``)."""

    lot: object
    quantity: int

    @property
    def id(self):
        return self.lot.id

    @property
    def code(self):
        return self.lot.code

    @property
    def status(self):
        return self.lot.status

    @property
    def expires_on(self):
        return self.lot.expires_on


def pick_for_each(lots: list, wants: list[tuple[object, int]], today: date, *,
                  depot_label: str, item_label: str) -> dict[object, list[domain.Pick]]:
    """Pick lots first-expiry-first-out for several orders of one item from one depot, one
    order after another, so that the first order gets the earliest-expiring lots.

    :raise InsufficientStock: naming the depot and the item, when the usable lots hold less
        than the orders together.
    """
    left = [_Left(lot, lot.quantity) for lot in lots]
    needed = sum(quantity for _, quantity in wants)
    usable = sum(lot.quantity for lot in left if lot.quantity > 0
                 and domain.effective_status(lot, today) == "available")
    if usable < needed:
        raise InsufficientStock(
            f"库存不足：{depot_label}的{item_label}可用 {usable}，方案需要 {needed}。"
            "库存在方案计算之后有变化，请重新计算方案。",
            f"Not enough stock: {depot_label} holds {usable} usable {item_label}; the plan "
            f"needs {needed}. The stock changed after the run; run the plan again.",
            {"quantity": [f"at most {usable}"]})
    picks: dict[object, list[domain.Pick]] = {}
    for key, quantity in wants:
        taken = domain.pick_fefo(left, quantity, today, item_label)
        for pick in taken:
            pick.lot.quantity -= pick.quantity
        picks[key] = [domain.Pick(pick.lot.lot, pick.quantity) for pick in taken]
    return picks


def summed(moves, key) -> dict:
    """Add up the quantities of moves that share ``key(move)``, keeping first-seen order."""
    totals: dict = defaultdict(int)
    for move in moves:
        totals[key(move)] += move.quantity
    return dict(totals)


def month_start(day: date, months_ahead: int = 0) -> date:
    """Return the first day of the month ``months_ahead`` after the day's month."""
    index = day.year * 12 + day.month - 1 + months_ahead
    return date(index // 12, index % 12 + 1, 1)
