"""Turning a solved run into work (从方案到执行): draft transfers with their lots picked
first-expiry-first-out, call-offs on agreements, production orders to capacity reserves, the
purchase list, and rotation work orders; all in one transaction, once per run.

Nothing moves in the ledger here: a transfer moves when its keeper dispatches it, a call-off
when its delivery is received, a rotation order's lots as they are scanned out.
"""

import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from inventory import audit, clock
from inventory.auth.permissions import ensure_role
from inventory.catalogue.models import Item
from inventory.contracts.models import Agreement, CapacityReserve
from inventory.contracts.services import place_call_off
from inventory.db import utcnow
from inventory.errors import InvalidInput, StateConflict
from inventory.geo.models import Depot
from inventory.planorders import plans, rotation
from inventory.planorders.domain import month_start, pick_for_each, summed
from inventory.planorders.ids import CAPACITY, CONTRACT, PHYSICAL, capacity_reserve_number
from inventory.planorders.models import (
    PLAN_KINDS,
    PlanOrders,
    ProductionOrder,
    PurchaseLine,
)
from inventory.stock.models import Lot
from inventory.transfers import services as transfers
from inventory.uow import unit_of_work

log = logging.getLogger(__name__)

#: roles that turn plans into orders
MAKERS = ("planner", "bureau", "admin")


@dataclass
class OrdersCreated:
    """The ids of what a run became, and its purchase list."""

    run_id: int
    kind: str
    transfers: list[int] = field(default_factory=list)
    call_offs: list[int] = field(default_factory=list)
    production_orders: list[int] = field(default_factory=list)
    rotation_orders: list[int] = field(default_factory=list)
    purchases: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        """Return the answer of ``POST /runs/<id>/orders``."""
        return {"run": self.run_id, "kind": self.kind, "transfers": self.transfers,
                "call_offs": self.call_offs, "production_orders": self.production_orders,
                "rotation_orders": self.rotation_orders, "purchases": self.purchases}


def run_reference(run_id: int) -> str:
    """Name a run on the documents its orders print (their reference number)."""
    return f"RUN-{run_id}"


def orders_from_plan(session, actor, *, kind: str, plan_input: dict, plan_result: dict,
                     run_id: int, usable_on: date | None = None) -> OrdersCreated:
    """Make the orders a solved run calls for, all or nothing, once per run.

    ``plan_input`` is the optimizer input the run was solved on and ``plan_result`` the JSON
    the optimizer printed; ids follow ``inventory.planorders.ids``. Lots are picked among
    those still usable on ``usable_on`` (the last day the plan needs them; today if later),
    as the run's input counted them.

    :raise Forbidden: unless the actor is a planner, the bureau or an admin.
    :raise InvalidInput: for an unknown kind, or a plan naming what does not exist.
    :raise StateConflict: when the run holds no plan, or its orders were already made.
    :raise InsufficientStock: when a depot no longer holds the usable stock the plan moves
        (the message names the depot and the item).
    """
    ensure_role(actor, *MAKERS)
    if kind not in PLAN_KINDS:
        raise InvalidInput("方案类型须为应急调度、预置布局或轮换更新。",
                           "The kind must be dispatch, preposition or rotation.",
                           {"kind": list(PLAN_KINDS)})
    with unit_of_work(session):
        record = _claim(session, actor, run_id, kind)
        picking_day = max(clock.today(), usable_on or clock.today())
        if kind == "dispatch":
            _dispatch(session, actor, record, plans.read_dispatch(plan_input, plan_result),
                      picking_day)
        elif kind == "preposition":
            _preposition(session, actor, record,
                         plans.read_preposition(plan_input, plan_result), picking_day)
        else:
            orders = plans.read_rotation(plan_input, plan_result)
            rotation.make_orders(session, record, orders.rotations)
            _purchases(session, record, orders.purchases, clock.today())
        session.flush()
        created = created_of(record)
        audit.record(session, actor, "plan.orders", "run", run_id, kind=kind,
                     transfers=created.transfers, call_offs=created.call_offs,
                     production_orders=created.production_orders,
                     rotation_orders=created.rotation_orders,
                     purchases=len(created.purchases))
        log.info("orders made from run %s (%s)", run_id, kind)
    return created


def orders_for_run(session, actor, run_id: int) -> OrdersCreated:
    """Make the orders of a finished run from the input it was solved on and its result.

    :raise NotFound: for an unknown run.
    :raise StateConflict: while the run is not finished, when it found no plan, or when its
        orders were already made.
    (and what ``orders_from_plan`` raises)
    """
    from inventory.planning.inputs import need_until
    from inventory.planning.queries import get_run

    ensure_role(actor, *MAKERS)
    run = get_run(session, run_id)
    if run.status != "finished" or run.input is None:
        raise StateConflict(
            f"运行 #{run_id} 尚未完成，不能生成工单。",
            f"Run #{run_id} has not finished; its orders cannot be made yet.",
            {"run": ["not finished"]})
    outcome = run.outcome
    if not isinstance(outcome, dict) or outcome.get("status") not in plans.PLANNED:
        raise StateConflict(
            f"运行 #{run_id} 没有求得方案，不能生成工单。",
            f"Run #{run_id} found no plan; there are no orders to make.",
            {"run": ["no plan"]})
    scenario = run.scenario
    usable_on = None
    if run.kind == "dispatch" and scenario.deadline_hours is not None:
        usable_on = need_until(scenario.scenario_date, float(scenario.deadline_hours))
    return orders_from_plan(session, actor, kind=run.kind, plan_input=json.loads(run.input),
                            plan_result=outcome, run_id=run.id, usable_on=usable_on)


def created_of(record: PlanOrders) -> OrdersCreated:
    """Return what a run's orders are, as ``orders_from_plan`` answered."""
    return OrdersCreated(
        run_id=record.run_id, kind=record.kind,
        transfers=[t.id for t in record.transfers], call_offs=[c.id for c in record.call_offs],
        production_orders=[p.id for p in record.production_orders],
        rotation_orders=[r.id for r in record.rotation_orders],
        purchases=[purchase_row(line) for line in record.purchases])


def _money(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def purchase_row(line: PurchaseLine) -> dict:
    """One line of the purchase list as the API gives it."""
    return {"id": line.id, "depot": line.depot.code if line.depot else None,
            "item": line.item.code, "item_name": line.item.name_zh, "unit": line.item.unit,
            "quantity": line.quantity, "unit_cost": _money(line.unit_cost),
            "amount": _money(line.amount),
            "month": line.month.isoformat() if line.month else None}


def _claim(session, actor, run_id: int, kind: str) -> PlanOrders:
    """Record that the run's orders are being made; a second attempt is refused.

    :raise StateConflict: when the run's orders exist (or are being made at this moment).
    """
    if not isinstance(run_id, int) or isinstance(run_id, bool) or run_id <= 0:
        raise InvalidInput("方案编号无效。", "The run id is not valid.", {"run": ["positive"]})
    existing = session.scalar(select(PlanOrders).where(PlanOrders.run_id == run_id))
    if existing is not None:
        who = existing.created_by.display_name or existing.created_by.username
        when = clock.format_local(existing.created_at)
        raise StateConflict(
            f"方案 {run_reference(run_id)} 已于 {when} 由 {who} 生成工单，不能重复生成。",
            f"The orders of run {run_reference(run_id)} were already made at {when} by "
            f"{who}; they are not made twice.", {"run": ["orders already made"]})
    record = PlanOrders(run_id=run_id, kind=kind, created_by_id=actor.id)
    session.add(record)
    try:
        session.flush()
    except IntegrityError:
        raise StateConflict(
            f"方案 {run_reference(run_id)} 的工单正由他人同时生成。",
            f"The orders of run {run_reference(run_id)} are being made by someone else.",
            {"run": ["orders already made"]}) from None
    return record


# -- lookups that name what the plan got wrong --------------------------------------------

def _not_in_register(what_zh: str, what_en: str, code: str, path: str) -> InvalidInput:
    return InvalidInput(f"方案中的{what_zh} {code} 不存在。",
                        f"The plan names {what_en} {code}, which does not exist.",
                        {path: [f"unknown {what_en}"]})


def _depots(session, codes) -> dict[str, Depot]:
    codes = sorted(set(codes))
    found = {d.code: d for d in session.scalars(select(Depot).where(Depot.code.in_(codes)))}
    for code in codes:
        if code not in found:
            raise _not_in_register("储备库或避难场所", "depot or shelter", code, "depot")
    return found


def _items(session, codes) -> dict[str, Item]:
    codes = sorted(set(codes))
    found = {i.code: i for i in session.scalars(select(Item).where(Item.code.in_(codes)))}
    for code in codes:
        if code not in found:
            raise _not_in_register("物资", "item", code, "item")
    return found


def _label(depot_or_item) -> str:
    name = getattr(depot_or_item, "name", None) or depot_or_item.name_zh
    return f"{name}（{depot_or_item.code}）"


# -- transfers ------------------------------------------------------------------------------

def _draft_transfers(session, actor, record: PlanOrders, moves: list[plans.Move],
                     reason, picking_day: date) -> None:
    """Draft one transfer per source depot and destination, its lines the lots picked
    first-expiry-first-out from the source's usable lots now (lots named, not items)."""
    if not moves:
        return
    depots = _depots(session, {m.source for m in moves} | {m.destination for m in moves})
    items = _items(session, {m.item for m in moves})
    pairs = sorted(summed(moves, lambda m: (m.source, m.destination)))
    lines: dict[tuple[str, str], list[dict]] = {pair: [] for pair in pairs}
    wanted = summed(moves, lambda m: (m.source, m.item, m.destination))
    for source, item in sorted({(s, i) for s, i, _ in wanted}):
        depot, goods = depots[source], items[item]
        lots = session.scalars(select(Lot).where(Lot.depot_id == depot.id,
                                                 Lot.item_id == goods.id, Lot.quantity > 0)
                               .order_by(Lot.id)).all()
        wants = [((source, place), quantity)
                 for (s, i, place), quantity in sorted(wanted.items())
                 if (s, i) == (source, item)]
        picked = pick_for_each(lots, wants, picking_day, depot_label=_label(depot),
                               item_label=_label(goods))
        for pair, picks in picked.items():
            lines[pair] += [{"lot": pick.lot.id, "quantity": pick.quantity} for pick in picks]
    for source, destination in pairs:
        transfer = transfers.draft(
            session, actor, from_depot=source, to_depot=destination,
            lines=lines[source, destination], reason=reason(depots[destination]),
            reference=run_reference(record.run_id))
        record.transfers.append(transfer)


# -- dispatch -------------------------------------------------------------------------------

def _dispatch(session, actor, record: PlanOrders, plan: plans.DispatchOrders,
              picking_day: date) -> None:
    reference = run_reference(record.run_id)
    # A shelter's own store serves its people where they are: nothing to move.
    moves = [m for m in plan.by_kind(PHYSICAL) if m.source != m.destination]
    _draft_transfers(session, actor, record, moves,
                     lambda place: f"应急调度方案 {reference}：送往 {place.name}", picking_day)
    _call_offs(session, actor, record, plan.by_kind(CONTRACT))
    _production(session, record, plan.by_kind(CAPACITY), plan.sources)


def _due(arrival_hours: float | None, now: datetime) -> datetime | None:
    return None if arrival_hours is None else now + timedelta(hours=arrival_hours)


def _call_offs(session, actor, record: PlanOrders, moves: list[plans.Move]) -> None:
    """Call off each contract shipment on its agreement, delivered to the site's depot (a
    shelter's receiving point)."""
    if not moves:
        return
    depots = _depots(session, {m.destination for m in moves})
    numbers = sorted({m.source for m in moves})
    agreements = {a.number: a for a in session.scalars(
        select(Agreement).where(Agreement.number.in_(numbers)))}
    now = utcnow()
    for move in sorted(moves, key=lambda m: (m.source, m.destination, m.item)):
        agreement = agreements.get(move.source)
        if agreement is None:
            raise _not_in_register("协议储备", "agreement", move.source, "agreement")
        if agreement.item.code != move.item:
            raise InvalidInput(
                f"协议 {agreement.number} 储备的是 {agreement.item.code}，"
                f"方案却从中调用 {move.item}。",
                f"Agreement {agreement.number} holds {agreement.item.code}, not {move.item}.",
                {"agreement": ["another item"]})
        place = depots[move.destination]
        record.call_offs.append(place_call_off(
            session, actor, agreement_id=agreement.id, quantity=move.quantity,
            depot=place.code, expected_at=_due(move.arrival_hours, now),
            reason=f"应急调度方案 {run_reference(record.run_id)}：送往 {place.name}"))


def _production(session, record: PlanOrders, moves: list[plans.Move],
                sources: dict[str, plans.Source]) -> None:
    """Order production from each capacity reserve the plan uses, one order per destination."""
    if not moves:
        return
    depots = _depots(session, {m.destination for m in moves})
    today, now = clock.today(), utcnow()
    totals = summed(moves, lambda m: m.source)
    for move in sorted(moves, key=lambda m: (m.source, m.destination, m.item)):
        reserve = _capacity(session, move, today, totals[move.source])
        source = sources[move.source]
        rate = source.rate_per_hour.get(move.item) or float(reserve.rate_per_hour)
        hours = Decimal(str(round(source.ramp_hours + move.quantity / rate, 2)))
        # The number comes from the id, so concurrent orders never collide.
        order = ProductionOrder(
            number=uuid.uuid4().hex, capacity_reserve_id=reserve.id, item_id=reserve.item_id,
            quantity=move.quantity, hours_needed=hours, due_at=_due(move.arrival_hours, now),
            destination_id=depots[move.destination].id, status="ordered")
        record.production_orders.append(order)
        session.flush()
        order.number = f"SC-{today.year}-{order.id:05d}"


def _capacity(session, move: plans.Move, today, total: int) -> CapacityReserve:
    number = capacity_reserve_number(move.source)
    reserve = session.get(CapacityReserve, number) if number else None
    if reserve is None:
        raise _not_in_register("产能储备", "capacity reserve", move.source, "capacity")
    if reserve.item.code != move.item:
        raise InvalidInput(
            f"产能储备 {reserve.code} 生产的是 {reserve.item.code}，方案却要求 {move.item}。",
            f"Capacity reserve {reserve.code} makes {reserve.item.code}, not {move.item}.",
            {"capacity": ["another item"]})
    if not reserve.valid_from <= today <= reserve.valid_until:
        raise StateConflict(
            f"产能储备 {reserve.code}（{reserve.enterprise}）不在有效期内"
            f"（{reserve.valid_from} 至 {reserve.valid_until}）。",
            f"Capacity reserve {reserve.code} ({reserve.enterprise}) is outside its validity "
            f"({reserve.valid_from} to {reserve.valid_until}).", {"capacity": ["not valid"]})
    if total > reserve.max_quantity:
        raise StateConflict(
            f"产能储备 {reserve.code} 一次最多生产 {reserve.max_quantity}，方案要求 {total}。",
            f"Capacity reserve {reserve.code} makes at most {reserve.max_quantity} per "
            f"response; the plan asks for {total}.", {"capacity": ["over its maximum"]})
    return reserve


# -- pre-positioning and purchases ------------------------------------------------------------

def _preposition(session, actor, record: PlanOrders, plan: plans.PrepositionOrders,
                 picking_day: date) -> None:
    reference = run_reference(record.run_id)
    _draft_transfers(session, actor, record, plan.relocations,
                     lambda place: f"预置布局方案 {reference}：调往 {place.name}", picking_day)
    _purchases(session, record, plan.purchases, clock.today())


def _purchases(session, record: PlanOrders, buys: list[plans.Buy], today) -> None:
    """Write the purchase list: item, quantity, the price the plan assumed, depot or month."""
    if not buys:
        return
    depots = _depots(session, {b.depot for b in buys if b.depot})
    items = _items(session, {b.item for b in buys})
    for buy in sorted(buys, key=lambda b: (b.period or 0, b.depot or "", b.item)):
        record.purchases.append(PurchaseLine(
            depot_id=depots[buy.depot].id if buy.depot else None, item_id=items[buy.item].id,
            quantity=buy.quantity,
            unit_cost=None if buy.unit_cost is None
            else Decimal(str(buy.unit_cost)).quantize(Decimal("0.01")),
            month=None if buy.period is None else month_start(today, buy.period)))
