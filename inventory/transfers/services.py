"""Transfers (调拨): draft → dispatched (transfer_out at the source) → received (transfer_in)."""

import uuid
from datetime import datetime

from sqlalchemy import select

from inventory import clock
from inventory.auth.permissions import ensure_can_move_stock, ensure_can_plan_transfers
from inventory.catalogue.queries import get_item
from inventory.db import fetch_one, utcnow
from inventory.errors import InvalidInput, NotFound, StateConflict
from inventory.geo.queries import get_depot
from inventory.stock import domain
from inventory.stock.domain import LedgerEntry
from inventory.stock.models import Lot
from inventory.stock.services import append_movement, get_lot, lock_lots, movement_key, new_lot
from inventory.transfers.models import Transfer, TransferLine
from inventory.uow import unit_of_work


def get_transfer(session, transfer_id: int, *, lock: bool = False) -> Transfer:
    """:raise NotFound: when no transfer has the id."""
    transfer = fetch_one(session, Transfer, Transfer.id == transfer_id, lock=lock)
    if transfer is None:
        raise NotFound(f"没有编号为 {transfer_id} 的调拨单。",
                       f"No transfer with id {transfer_id}.")
    return transfer


def create(session, actor, *, from_depot: str, to_depot: str, lines: list[dict],
           reason: str | None = None, reference: str | None = None) -> Transfer:
    """Draft a transfer; each line names an item (picked FEFO at dispatch) or a lot."""
    return draft(session, actor, from_depot=from_depot, to_depot=to_depot, lines=lines,
                 reason=reason, reference=reference, authorise=ensure_can_plan_transfers)


def draft(session, actor, *, from_depot: str, to_depot: str, lines: list[dict],
          reason: str | None = None, reference: str | None = None,
          authorise=None) -> Transfer:
    """Draft a transfer after ``authorise(actor, source_depot)`` (when given) allows it.

    Orders made from a plan (``inventory.planorders``) check their own role rule first and
    pass none: a planner drafts transfers there without being the source depot's keeper.
    """
    if not lines:
        raise InvalidInput("调拨单至少需要一行。", "A transfer needs at least one line.",
                           {"lines": ["at least one line"]})
    with unit_of_work(session):
        source = get_depot(session, from_depot)
        target = get_depot(session, to_depot)
        if source.id == target.id:
            raise InvalidInput("调出库与调入库不能相同。", "The two depots must differ.",
                               {"to_depot": ["same as from_depot"]})
        if not target.active:
            raise StateConflict(f"{target.name} 已停用。", f"Depot {target.code} is inactive.")
        if authorise is not None:
            authorise(actor, source)
        # The number comes from the id, so concurrent drafts never collide.
        transfer = Transfer(
            number=uuid.uuid4().hex,
            from_depot_id=source.id,
            to_depot_id=target.id,
            status="draft",
            reason=reason,
            reference=reference,
            created_by_id=actor.id,
        )
        session.add(transfer)
        session.flush()
        transfer.number = f"DB-{clock.today().year}-{transfer.id:05d}"
        for index, line in enumerate(lines):
            quantity = line.get("quantity")
            if not isinstance(quantity, int) or quantity <= 0:
                raise InvalidInput("数量须为正整数。", "Quantity must be a positive whole number.",
                                   {f"lines[{index}].quantity": ["must be > 0"]})
            if line.get("lot") is not None:
                lot = get_lot(session, line["lot"])
                if lot.depot_id != source.id:
                    raise InvalidInput(f"批次 {lot.code} 不在调出库。",
                                       f"Lot {lot.code} is not at the source depot.",
                                       {f"lines[{index}].lot": ["not at from_depot"]})
                session.add(TransferLine(transfer_id=transfer.id, item_id=lot.item_id,
                                         lot_id=lot.id, quantity=quantity))
            elif line.get("item") is not None:
                item = get_item(session, line["item"])
                session.add(TransferLine(transfer_id=transfer.id, item_id=item.id,
                                         quantity=quantity))
            else:
                raise InvalidInput("每行须指定物资或批次。", "Each line needs an item or a lot.",
                                   {f"lines[{index}]": ["give item or lot"]})
        session.flush()
        session.refresh(transfer)
    return transfer


def dispatch(session, actor, transfer_id: int, *, occurred_at: datetime | None = None,
             key: str | None = None) -> tuple[Transfer, list[LedgerEntry]]:
    """Send a drafted transfer: transfer_out rows at the source; the goods are then in transit."""
    # A lot is judged usable on the day the movement happened (a phone may send it later).
    today = clock.local_date(occurred_at) if occurred_at else clock.today()
    with unit_of_work(session):
        transfer = get_transfer(session, transfer_id, lock=True)
        if transfer.status != "draft":
            raise StateConflict(f"调拨单 {transfer.number} 状态为 {transfer.status}，不能发出。",
                                f"Transfer {transfer.number} is {transfer.status}, not a draft.")
        ensure_can_move_stock(actor, transfer.from_depot)
        # Lock every lot the transfer may touch, by item and in id order.
        locked: dict[int, list[Lot]] = {}
        for item_id in sorted({line.item_id for line in transfer.lines}):
            locked[item_id] = lock_lots(session, transfer.from_depot_id, item_id)
        movements: list[LedgerEntry] = []
        for line in list(transfer.lines):
            if line.lot_id is not None:
                lot = next(lot for lot in locked[line.item_id] if lot.id == line.lot_id)
                domain.ensure_usable(lot, today)
                domain.ensure_enough(lot, line.quantity)
                picks = [domain.Pick(lot, line.quantity)]
            else:
                picks = domain.pick_fefo(locked[line.item_id], line.quantity, today,
                                         f"{line.item.name_zh}（{line.item.code}）")
                # An item line becomes one line per picked lot.
                session.delete(line)
                for pick in picks:
                    session.add(TransferLine(transfer_id=transfer.id, item_id=line.item_id,
                                             lot_id=pick.lot.id, quantity=pick.quantity))
            for pick in picks:
                movements.append(append_movement(
                    session, pick.lot, kind="transfer_out", quantity=-pick.quantity, actor=actor,
                    occurred_at=occurred_at, reason=transfer.reason, reference=transfer.number,
                    key=movement_key(key, len(movements) + 1), transfer_id=transfer.id))
        transfer.status = "dispatched"
        transfer.dispatched_at = occurred_at or utcnow()
        session.flush()
        session.refresh(transfer)
    return transfer, movements


def receive(session, actor, transfer_id: int, *, lines: list[dict] | None = None,
            occurred_at: datetime | None = None, key: str | None = None,
            ) -> tuple[Transfer, list[LedgerEntry]]:
    """Receive a dispatched transfer at the target: transfer_in rows into lots that keep
    the source lot's code and expiry. Lines give the quantity received per source lot;
    lots not listed are taken as received in full. The differences are recorded."""
    with unit_of_work(session):
        transfer = get_transfer(session, transfer_id, lock=True)
        if transfer.status != "dispatched":
            raise StateConflict(f"调拨单 {transfer.number} 状态为 {transfer.status}，不能接收。",
                                f"Transfer {transfer.number} is {transfer.status}, not in transit.")
        ensure_can_move_stock(actor, transfer.to_depot)
        by_lot: dict[int, list[TransferLine]] = {}
        for line in transfer.lines:
            by_lot.setdefault(line.lot_id, []).append(line)
        received = {lot_id: sum(line.quantity for line in group)
                    for lot_id, group in by_lot.items()}
        for index, entry in enumerate(lines or []):
            lot_id, quantity = entry.get("lot"), entry.get("quantity")
            if lot_id not in by_lot:
                raise InvalidInput(f"批次 {lot_id} 不在此调拨单中。",
                                   f"Lot {lot_id} is not on this transfer.",
                                   {f"lines[{index}].lot": ["not on this transfer"]})
            if not isinstance(quantity, int) or not 0 <= quantity <= sum(
                    line.quantity for line in by_lot[lot_id]):
                raise InvalidInput("实收数量须在 0 与发出数量之间。",
                                   "The received quantity must be between 0 and the quantity sent.",
                                   {f"lines[{index}].quantity": ["0 … quantity dispatched"]})
            received[lot_id] = quantity
        movements: list[LedgerEntry] = []
        received_on = clock.local_date(occurred_at) if occurred_at else clock.today()
        for lot_id in sorted(by_lot):
            group = by_lot[lot_id]
            remaining = received[lot_id]
            source_lot = group[0].lot
            target_lot = None
            if remaining > 0:
                target_lot = _receiving_lot(session, transfer, source_lot, received_on)
                movements.append(append_movement(
                    session, target_lot, kind="transfer_in", quantity=remaining, actor=actor,
                    occurred_at=occurred_at, reason=transfer.reason, reference=transfer.number,
                    key=movement_key(key, len(movements) + 1), transfer_id=transfer.id))
            for line in group:
                line.quantity_received = min(line.quantity, remaining)
                remaining -= line.quantity_received
                line.received_lot_id = target_lot.id if target_lot else None
        transfer.status = "received"
        transfer.received_at = occurred_at or utcnow()
        session.flush()
        session.refresh(transfer)
    return transfer, movements


def _receiving_lot(session, transfer: Transfer, source_lot: Lot, received_on) -> Lot:
    lot = session.scalar(
        select(Lot)
        .where(Lot.depot_id == transfer.to_depot_id, Lot.item_id == source_lot.item_id,
               Lot.code == source_lot.code)
        .with_for_update(of=Lot)
        .execution_options(populate_existing=True)
    )
    if lot is not None:
        if lot.expires_on != source_lot.expires_on:
            raise StateConflict(
                f"接收库已有批次号 {lot.code} 但有效期不同，无法合并。",
                f"The receiving depot has lot code {lot.code} with another expiry date.")
        return lot
    return new_lot(session, depot=transfer.to_depot, item=source_lot.item, code=source_lot.code,
                   received_on=received_on, source="transfer",
                   expires_on=source_lot.expires_on, manufactured_on=source_lot.manufactured_on,
                   unit_cost=source_lot.unit_cost, origin_lot_id=source_lot.id)


def cancel(session, actor, transfer_id: int) -> Transfer:
    """Cancel a draft; nothing has moved yet."""
    with unit_of_work(session):
        transfer = get_transfer(session, transfer_id, lock=True)
        if transfer.status != "draft":
            raise StateConflict("只有草稿调拨单可以取消。",
                                "Only a draft transfer can be cancelled.")
        ensure_can_plan_transfers(actor, transfer.from_depot)
        transfer.status = "cancelled"
    return transfer
