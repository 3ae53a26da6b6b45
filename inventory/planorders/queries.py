"""Reads for the orders' pages and API: a run's orders, rotation orders with their progress
from the ledger, production orders and the purchase list."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from inventory.errors import NotFound
from inventory.geo.models import Depot
from inventory.planorders.ids import lot_number
from inventory.planorders.models import (
    PlanOrders,
    ProductionOrder,
    PurchaseLine,
    RotationOrder,
    RotationOrderLine,
)
from inventory.planorders.rotation import done_by_line
from inventory.stock.models import Lot

#: states of a rotation order as pages show them: open, done (every line sent) or cancelled
ROTATION_STATES = ("open", "done", "cancelled")


@dataclass(frozen=True)
class LineProgress:
    line: RotationOrderLine
    done: int

    @property
    def left(self) -> int:
        """What the line still holds to send."""
        return max(0, self.line.quantity - self.done)


@dataclass(frozen=True)
class RotationOrderView:
    order: RotationOrder
    lines: list[LineProgress]

    @property
    def quantity(self) -> int:
        return sum(p.line.quantity for p in self.lines)

    @property
    def done(self) -> int:
        return sum(min(p.done, p.line.quantity) for p in self.lines)

    @property
    def state(self) -> str:
        """open, done (every line sent) or cancelled."""
        if self.order.status == "cancelled":
            return "cancelled"
        return "done" if all(p.left == 0 for p in self.lines) else "open"


def _views(session, orders: list[RotationOrder]) -> list[RotationOrderView]:
    done = done_by_line(session, orders)
    return [RotationOrderView(order, [LineProgress(line, done.get(line.id, 0))
                                      for line in order.lines]) for order in orders]


def rotation_orders(session, *, depot: str | None = None, state: str | None = None,
                    depot_ids: list[int] | None = None) -> list[RotationOrderView]:
    """Rotation orders, newest first, of one depot or of the depots given, in one state."""
    query = select(RotationOrder).order_by(RotationOrder.id.desc())
    if depot is not None:
        query = query.join(Depot, Depot.id == RotationOrder.depot_id).where(Depot.code == depot)
    if depot_ids is not None:
        query = query.where(RotationOrder.depot_id.in_(depot_ids))
    if state == "cancelled":
        query = query.where(RotationOrder.status == "cancelled")
    elif state in ("open", "done"):
        query = query.where(RotationOrder.status == "open")
    views = _views(session, list(session.scalars(query)))
    return [view for view in views if state is None or view.state == state]


def rotation_order(session, number: str) -> RotationOrderView:
    """One rotation order by its number, with each line's progress.

    :raise NotFound: when no rotation order has the number.
    """
    order = session.scalar(select(RotationOrder).where(RotationOrder.number == number))
    if order is None:
        raise NotFound(f"没有轮换工单 {number}。", f"No rotation order {number}.",
                       {"order": ["unknown rotation order"]})
    return _views(session, [order])[0]


def rotation_order_by_id(session, order_id: int) -> RotationOrderView:
    """One rotation order by its id, with each line's progress.

    :raise NotFound: when no rotation order has the id.
    """
    order = session.get(RotationOrder, order_id)
    if order is None:
        raise NotFound(f"没有编号为 {order_id} 的轮换工单。", f"No rotation order {order_id}.",
                       {"order": ["unknown rotation order"]})
    return _views(session, [order])[0]


def rotation_orders_of(session, record: PlanOrders) -> list[RotationOrderView]:
    """The rotation orders made from one run, with their progress."""
    return _views(session, list(record.rotation_orders))


def production_orders(session) -> list[ProductionOrder]:
    """Production orders, newest first."""
    return list(session.scalars(select(ProductionOrder).order_by(ProductionOrder.id.desc())))


def plan_orders(session, run_id: int) -> PlanOrders:
    """The orders made from a run.

    :raise NotFound: when no orders were made from the run.
    """
    record = session.scalar(select(PlanOrders).where(PlanOrders.run_id == run_id))
    if record is None:
        raise NotFound(f"方案 RUN-{run_id} 尚未生成工单。",
                       f"No orders were made from run RUN-{run_id}.", {"run": ["no orders"]})
    return record


def recent_plan_orders(session, limit: int = 50) -> list[PlanOrders]:
    """The runs whose orders were made, newest first."""
    return list(session.scalars(select(PlanOrders).order_by(PlanOrders.id.desc()).limit(limit)))


@dataclass(frozen=True)
class PurchaseList:
    record: PlanOrders
    lines: list[PurchaseLine]

    @property
    def total(self) -> Decimal | None:
        """The sum of the priced lines; None when no line has a price."""
        priced = [line.amount for line in self.lines if line.amount is not None]
        return sum(priced, Decimal(0)) if priced else None

    @property
    def unpriced(self) -> int:
        return sum(1 for line in self.lines if line.unit_cost is None)


def purchase_list(session, run_id: int) -> PurchaseList:
    """A run's purchase list, by month, depot and item.

    :raise NotFound: when no orders were made from the run.
    """
    record = plan_orders(session, run_id)
    return PurchaseList(record, list(record.purchases))


def lot_labels(session, lot_ids) -> dict[str, str]:
    """Name the lots of a rotation input for pages: ``"1234"`` → ``"W-SOON · XZ-01"``."""
    numbers = {key: lot_number(key) for key in lot_ids}
    wanted = sorted({n for n in numbers.values() if n is not None and n < 2**31})
    found = {lot.id: f"{lot.code} · {lot.depot.code}"
             for lot in session.scalars(select(Lot).where(Lot.id.in_(wanted)))} if wanted else {}
    return {key: found[number] for key, number in numbers.items() if number in found}
