"""Rotation work orders (轮换工单): the first month of a rotation plan, one order per depot,
and their execution lot by lot on the scan screen.

Each scan writes a ``rotation_out`` row through the stock services, with the order's number
as its reference and the outlet as its recipient; how much of a line is done is read back
from those rows (a reversed row no longer counts), so the ledger stays the only record of
what left.
"""

import uuid
from collections import defaultdict
from datetime import datetime

from sqlalchemy import select

from inventory import audit, clock
from inventory.auth.permissions import ensure_can_move_stock, ensure_role
from inventory.db import fetch_one
from inventory.errors import InsufficientStock, InvalidInput, LotNotUsable, NotFound, StateConflict
from inventory.planorders import plans
from inventory.planorders.domain import month_start, summed
from inventory.planorders.ids import lot_number
from inventory.planorders.models import PlanOrders, RotationOrder, RotationOrderLine
from inventory.stock import domain
from inventory.stock import services as stock
from inventory.stock.models import Lot, Movement
from inventory.uow import unit_of_work

#: roles that make and cancel rotation orders (keepers execute them)
MAKERS = ("planner", "bureau", "admin")
#: the longest outlet name a ledger row's recipient holds
OUTLET_LENGTH = 100


def make_orders(session, record: PlanOrders, rotations: list[plans.Rotate]) -> None:
    """Make one rotation order per depot from the plan's first month (period 0), for the lots
    on the shelf.

    :raise InvalidInput: when the plan names a lot that does not exist, or a long outlet.
    :raise LotNotUsable: when a lot is no longer usable (expired, quarantined, written off).
    :raise InsufficientStock: when a lot holds less than the plan sends out of it.
    """
    # Lots the plan buys are not on the shelf yet: their rotations wait for a later run.
    first = [step for step in rotations if step.period == 0 and not step.lot.startswith("new:")]
    if not first:
        return
    lots = _lots(session, {step.lot for step in first})
    today = clock.today()
    for key, quantity in summed(first, lambda step: step.lot).items():
        _ensure_rotatable(lots[key], quantity, today)
    for step in first:
        if len(step.outlet) > OUTLET_LENGTH:
            raise InvalidInput(f"去向“{step.outlet[:20]}…”超过 {OUTLET_LENGTH} 个字。",
                               f"The outlet “{step.outlet[:20]}…” is longer than "
                               f"{OUTLET_LENGTH} characters.", {"outlet": ["too long"]})
    by_depot: dict[int, dict[tuple[str, str], int]] = defaultdict(dict)
    for (key, outlet), quantity in summed(first, lambda s: (s.lot, s.outlet)).items():
        by_depot[lots[key].depot_id][key, outlet] = quantity
    for depot_id in sorted(by_depot):
        # The number comes from the id, so concurrent orders never collide.
        order = RotationOrder(number=uuid.uuid4().hex, depot_id=depot_id,
                              month=month_start(today), status="open")
        record.rotation_orders.append(order)
        session.flush()
        order.number = f"LH-{today.year}-{order.id:05d}"
        for (key, outlet), quantity in sorted(
                by_depot[depot_id].items(),
                key=lambda entry: (lots[entry[0][0]].item_id, lots[entry[0][0]].id, entry[0][1])):
            lot = lots[key]
            session.add(RotationOrderLine(order_id=order.id, lot_id=lot.id, item_id=lot.item_id,
                                          outlet=outlet, quantity=quantity))


def _lots(session, keys: set[str]) -> dict[str, Lot]:
    numbers = {}
    for key in sorted(keys):
        number = lot_number(key)
        if number is None or number > 2**31 - 1:
            raise InvalidInput(f"方案中的批次 {key} 不是批次编号。",
                               f"The plan's lot {key} is not a lot id.", {"lot": ["lot id"]})
        numbers[key] = number
    found = {lot.id: lot for lot in session.scalars(
        select(Lot).where(Lot.id.in_(sorted(numbers.values()))))}
    for key, number in numbers.items():
        if number not in found:
            raise InvalidInput(f"方案中的批次 {key} 不存在。",
                               f"The plan names lot {key}, which does not exist.",
                               {"lot": ["unknown lot"]})
    return {key: found[number] for key, number in numbers.items()}


def _ensure_rotatable(lot: Lot, quantity: int, today) -> None:
    where_zh = f"{lot.depot.name}（{lot.depot.code}）的批次 {lot.code}（{lot.item.name_zh}）"
    where_en = f"lot {lot.code} ({lot.item.code}) at {lot.depot.code}"
    if domain.effective_status(lot, today) != "available":
        raise LotNotUsable(f"{where_zh}已不可用，不能轮换出库；请重新计算方案。",
                           f"The {where_en} is no longer usable; run the plan again.",
                           {"lot": ["not usable"]})
    if lot.quantity < quantity:
        raise InsufficientStock(
            f"库存不足：{where_zh}现有 {lot.quantity}，方案需轮换 {quantity}。"
            "库存在方案计算之后有变化，请重新计算方案。",
            f"Not enough stock: the {where_en} holds {lot.quantity}; the plan rotates "
            f"{quantity}. The stock changed after the run; run the plan again.",
            {"lot": [f"at most {lot.quantity}"]})


# -- reading progress from the ledger ----------------------------------------------------------

def done_by_line(session, orders: list[RotationOrder]) -> dict[int, int]:
    """Return how much of each line has left: its order's rotation_out rows for the line's lot
    and outlet, less those reversed."""
    numbers = [order.number for order in orders]
    if not numbers:
        return {}
    rows = session.execute(
        select(Movement.id, Movement.reference, Movement.lot_id, Movement.recipient,
               Movement.quantity)
        .where(Movement.reference.in_(numbers), Movement.kind == "rotation_out")).all()
    reversed_ids = set(session.scalars(select(Movement.reverses_id).where(
        Movement.reverses_id.in_([row.id for row in rows])))) if rows else set()
    done: dict[tuple, int] = defaultdict(int)
    for row in rows:
        if row.id not in reversed_ids:
            done[row.reference, row.lot_id, row.recipient] -= row.quantity
    return {line.id: done[order.number, line.lot_id, line.outlet]
            for order in orders for line in order.lines}


# -- execution and cancellation ----------------------------------------------------------------

def get_order(session, order_id: int, *, lock: bool = False) -> RotationOrder:
    """:raise NotFound: when no rotation order has the id."""
    order = fetch_one(session, RotationOrder, RotationOrder.id == order_id, lock=lock)
    if order is None:
        raise NotFound(f"没有编号为 {order_id} 的轮换工单。", f"No rotation order {order_id}.",
                       {"order": ["unknown rotation order"]})
    return order


def rotate_out(session, actor, *, order_id: int, lot: int, quantity: int | None = None,
               line: int | None = None, occurred_at: datetime | None = None,
               key: str | None = None) -> tuple[RotationOrder, list[domain.LedgerEntry]]:
    """Send a scanned lot of an open rotation order to its outlet (轮换出库): a rotation_out
    row naming the order; all the line still holds to send when no quantity is given.

    The order's row is locked first, so two phones scanning one order cannot both send a
    line's last units.

    :raise Forbidden: unless the actor keeps the order's depot (or is an admin).
    :raise StateConflict: when the order is cancelled, the lot is not on it, or its line is done.
    :raise InvalidInput: when the quantity is more than the line still holds to send.
    """
    with unit_of_work(session):
        order = get_order(session, order_id, lock=True)
        ensure_can_move_stock(actor, order.depot)
        if order.status != "open":
            raise StateConflict(f"轮换工单 {order.number} 已取消。",
                                f"Rotation order {order.number} is cancelled.",
                                {"order": ["cancelled"]})
        target, left = _open_line(session, order, lot, line)
        amount = left if quantity is None else quantity
        if not isinstance(amount, int) or isinstance(amount, bool) or not 1 <= amount <= left:
            raise InvalidInput(f"本行尚需轮换 {left}，数量须在 1 与 {left} 之间。",
                               f"This line has {left} left to send; give 1 to {left}.",
                               {"quantity": [f"1 to {left}"]})
        movements = stock.issue(
            session, actor, lot=lot, quantity=amount, kind="rotation_out",
            depot=order.depot.code, reason=f"轮换工单 {order.number}",
            recipient=target.outlet, reference=order.number, occurred_at=occurred_at, key=key)
    return order, movements


def _open_line(session, order: RotationOrder, lot: int, line: int | None
               ) -> tuple[RotationOrderLine, int]:
    """Return the line the scan is for and what it still holds to send."""
    lines = [entry for entry in order.lines
             if entry.lot_id == lot and (line is None or entry.id == line)]
    if not lines:
        raise StateConflict(f"该批次不在轮换工单 {order.number} 中。",
                            f"This lot is not on rotation order {order.number}.",
                            {"lot": ["not on this order"]})
    done = done_by_line(session, [order])
    for entry in lines:
        if done[entry.id] < entry.quantity:
            return entry, entry.quantity - done[entry.id]
    raise StateConflict(f"批次 {lines[0].lot.code} 已按轮换工单 {order.number} 全部出库。",
                        f"Lot {lines[0].lot.code} has already left on rotation order "
                        f"{order.number}.", {"lot": ["already rotated"]})


def cancel(session, actor, *, order_id: int, reason: str) -> RotationOrder:
    """Cancel an open rotation order; what was already sent stays in the ledger."""
    ensure_role(actor, *MAKERS)
    reason = (reason or "").strip()
    if not 1 <= len(reason) <= 500:
        raise InvalidInput("请填写取消原因（不超过 500 字）。",
                           "Give a reason for cancelling (at most 500 characters).",
                           {"reason": ["1 to 500 characters"]})
    with unit_of_work(session):
        order = get_order(session, order_id, lock=True)
        if order.status != "open":
            raise StateConflict(f"轮换工单 {order.number} 已取消。",
                                f"Rotation order {order.number} is already cancelled.")
        order.status, order.note = "cancelled", reason
        audit.record(session, actor, "rotation.cancel", "rotation_order", order.id,
                     reason=reason)
    return order
