"""Stock services: receipts, issues, adjustments, write-offs and reversals.

Each service takes plain values and the acting user, runs in one unit of work,
locks the lots it changes and appends to the ledger through ``append_movement``.
"""

import logging
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import defaultload
from sqlalchemy.orm.attributes import set_committed_value

from inventory import audit, clock
from inventory.api.fields import is_free_of_control_characters
from inventory.auth.permissions import ensure_can_move_stock
from inventory.catalogue.models import Item
from inventory.catalogue.queries import get_item
from inventory.db import DriverStatement, utcnow
from inventory.errors import InsufficientStock, InvalidInput, NotFound, StateConflict
from inventory.geo.models import Depot
from inventory.geo.queries import get_bin, get_depot
from inventory.stock import domain
from inventory.stock.models import Lot, Movement
from inventory.stock.writes import ledger_writes
from inventory.uow import unit_of_work
from inventory.values import check_row

log = logging.getLogger(__name__)

#: how far ahead of the server a device clock may be before its time is refused
CLOCK_SKEW = timedelta(minutes=10)
#: the most a lot may hold (quantities are 32-bit integers in the database)
MAX_BALANCE = 2_000_000_000


# -- look-ups ---------------------------------------------------------------

def get_lot(session, lot_id: int, *, lock: bool = False) -> Lot:
    """Return the lot, locked for update when asked.

    :raise NotFound: when no lot has the id.
    """
    query = select(Lot).where(Lot.id == lot_id)
    if lock:
        # Locked for a stock change, which needs the depot but not the depot's area.
        query = (query.options(defaultload(Lot.depot).lazyload(Depot.area))
                 .with_for_update(of=Lot).execution_options(populate_existing=True))
    lot = session.scalar(query)
    if lot is None:
        raise NotFound(f"没有编号为 {lot_id} 的批次。", f"No lot with id {lot_id}.",
                       {"lot": ["unknown lot"]})
    return lot


_LAST_AT = (select(Movement.__table__.c.occurred_at)
            .where(Movement.__table__.c.lot_id == Lot.__table__.c.id,
                   Movement.__table__.c.seq == Lot.__table__.c.seq)
            .scalar_subquery())
_LOCK_LOT = (
    select(Lot.__table__.c["id", "code", "depot_id", "item_id", "quantity", "seq", "head_hash",
                           "status", "expires_on"],
           Depot.code.label("depot_code"), Depot.name.label("depot_name"),
           Item.code.label("item_code"), Item.name_zh.label("item_name"),
           _LAST_AT.label("last_at"))
    .join_from(Lot.__table__, Depot.__table__, Depot.id == Lot.depot_id)
    .join(Item.__table__, Item.id == Lot.item_id)
    .where(Lot.id == bindparam("lot"))
    .with_for_update(of=Lot.__table__)
)
_LOCK_LOT_DRIVER = DriverStatement(_LOCK_LOT)


def lock_lot(connection, lot_id: int) -> domain.LockedLot:
    """Lock a lot for one stock change and return its state, with its depot and item.

    Lighter than loading the lot as a mapped object: a stock movement is the request a
    depot makes most, and it needs only these columns. Runs on a Core connection (a
    session's, or the lean path's).

    :raise NotFound: when no lot has the id.
    """
    row = _LOCK_LOT_DRIVER.run(connection, {"lot": lot_id}).fetchone()
    if row is None:
        raise NotFound(f"没有编号为 {lot_id} 的批次。", f"No lot with id {lot_id}.",
                       {"lot": ["unknown lot"]})
    (id_, code, depot_id, item_id, quantity, seq, head_hash, status, expires_on,
     depot_code, depot_name, item_code, item_name, last_at) = row
    return domain.LockedLot(
        id=id_, code=code, depot_id=depot_id, item_id=item_id, quantity=quantity, seq=seq,
        head_hash=head_hash, status=status, expires_on=expires_on,
        depot=domain.DepotRef(depot_id, depot_code, depot_name),
        item=domain.ItemRef(item_id, item_code, item_name), last_at=last_at)


def lock_lots(session, depot_id: int, item_id: int) -> list[Lot]:
    """Lock every lot of an item at a depot, in id order so that lockers never deadlock."""
    query = (
        select(Lot)
        .where(Lot.depot_id == depot_id, Lot.item_id == item_id)
        .order_by(Lot.id)
        .with_for_update(of=Lot)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def get_movement(session, movement_id: int) -> Movement:
    """:raise NotFound: when no ledger row has the id."""
    movement = session.get(Movement, movement_id)
    if movement is None:
        raise NotFound(f"没有编号为 {movement_id} 的台账记录。",
                       f"No ledger row with id {movement_id}.", {"movement": ["unknown"]})
    return movement


# -- the ledger -------------------------------------------------------------

def _checked_occurred_at(occurred_at: datetime | None, now: datetime) -> datetime:
    if occurred_at is None:
        return now
    if occurred_at.tzinfo is None:
        raise InvalidInput("发生时间须带时区。", "occurred_at needs a time zone.",
                           {"occurred_at": ["give a time zone, e.g. +08:00"]})
    if occurred_at > now + CLOCK_SKEW:
        raise InvalidInput("发生时间晚于当前时间，请检查设备时钟。",
                           "occurred_at is in the future; check the device clock.",
                           {"occurred_at": ["in the future"]})
    return occurred_at


def _dated_in_order(row: dict, previous_at: datetime | None, lot) -> None:
    """Keep the lot's history in order: a row the device dates before the lot's last row (a
    phone's queue replayed late, another phone's rows sent first) is dated when it is
    recorded, and the device's time is kept beside it in ``device_at``. So the lot's balance
    at any past moment is that of a row, never below zero, and no movement a keeper made is
    lost for arriving late.

    A stocktake count is the exception: it states what the lot held at its time, and the lot
    has moved since, so it is refused; the keeper counts again.

    :raise InvalidInput: for an adjustment dated before the lot's last row.
    """
    if previous_at is None or row["occurred_at"] >= previous_at:
        return
    if row["kind"] == "adjustment":
        when = clock.format_local(previous_at)
        raise InvalidInput(
            f"盘点时间早于批次 {lot.code} 的上一条记录（{when}）：批次此后已有变动，"
            "请重新盘点。",
            f"The count is dated before lot {lot.code}'s last ledger row ({when}): the lot "
            "has moved since it was counted. Count it again.",
            {"occurred_at": ["before the lot's last row"]})
    # Never before the last row, even when that row's device clock ran a little ahead.
    row["device_at"], row["occurred_at"] = row["occurred_at"], max(row["recorded_at"],
                                                                   previous_at)


def _previous_at(connection, lot) -> datetime | None:
    """Return when the lot's last ledger row happened (None before its first)."""
    if isinstance(lot, domain.LockedLot):
        return lot.last_at
    if not lot.seq:
        return None
    return connection.execute(
        select(Movement.occurred_at).where(Movement.lot_id == lot.id, Movement.seq == lot.seq)
    ).scalar()


def movement_key(key: str | None, index: int) -> str | None:
    """Return the idempotency key of the index-th ledger row written by a keyed request."""
    return None if key is None else f"{key}#{index}"


def append_movement(
    session,
    lot: "Lot | domain.LockedLot",
    *,
    kind: str,
    quantity: int,
    actor,
    occurred_at: datetime | None = None,
    reason: str | None = None,
    recipient: str | None = None,
    reference: str | None = None,
    key: str | None = None,
    transfer_id: int | None = None,
    reverses_id: int | None = None,
) -> domain.LedgerEntry:
    """Append one row to the lot's ledger chain and update its balance.

    The caller holds the lot's row lock (or SQLite's write lock).

    :raise InsufficientStock: when the row would drive the lot below zero.
    """
    if session.new:  # plain statements do not autoflush: rows they refer to must exist first
        session.flush()
    connection = session.connection()
    row = movement_row(lot, kind=kind, quantity=quantity, actor=actor, occurred_at=occurred_at,
                       reason=reason, recipient=recipient, reference=reference, key=key,
                       transfer_id=transfer_id, reverses_id=reverses_id,
                       previous_at=_previous_at(connection, lot) if occurred_at else None)
    entry = write_movement(connection, lot, row, actor)
    if isinstance(lot, Lot):
        set_committed_value(lot, "quantity", row["balance_after"])
        set_committed_value(lot, "seq", row["seq"])
        set_committed_value(lot, "head_hash", row["hash"])
    return entry


def movement_row(lot, *, kind: str, quantity: int, actor, occurred_at: datetime | None = None,
                 reason: str | None = None, recipient: str | None = None,
                 reference: str | None = None, key: str | None = None,
                 transfer_id: int | None = None, reverses_id: int | None = None,
                 previous_at: datetime | None = None) -> dict:
    """Return the lot's next ledger row, chained to its head and hashed; nothing is written.

    A row dated by the device (``occurred_at``) is checked against the time of the lot's
    last row: ``previous_at``, or a locked lot's own ``last_at``.

    :raise InsufficientStock: when the row would drive the lot below zero.
    :raise InvalidInput: when a stocktake count is dated before the lot's last row (any other
        row dated so is dated when recorded, see ``_dated_in_order``).
    """
    balance = lot.quantity + quantity
    if balance < 0:
        domain.ensure_enough(lot, -quantity)
    if balance > MAX_BALANCE:
        raise InvalidInput(f"批次 {lot.code} 数量超出上限。", f"Lot {lot.code} would exceed the "
                           f"largest quantity a lot may hold ({MAX_BALANCE}).",
                           {"quantity": ["too large"]})
    now = utcnow()
    row = {
        "lot_id": lot.id,
        "seq": lot.seq + 1,
        "depot_id": lot.depot_id,
        "item_id": lot.item_id,
        "kind": kind,
        "quantity": quantity,
        "balance_after": balance,
        "occurred_at": _checked_occurred_at(occurred_at, now),
        "recorded_at": now,
        "device_at": None,
        "actor_id": actor.id,
        "reason": reason,
        "recipient": recipient,
        "reference": reference,
        "idempotency_key": key,
        "transfer_id": transfer_id,
        "reverses_id": reverses_id,
        "prev_hash": lot.head_hash,
    }
    # The texts come from requests, imports and services alike: what no column may hold is
    # refused here too, since these rows are written by plain statements, not a flush.
    check_row(Movement.__table__, row, _TEXT_FIELDS)
    if occurred_at is not None:
        _dated_in_order(row, previous_at or getattr(lot, "last_at", None), lot)
    row["hash"] = domain.row_hash(lot.head_hash, row)
    return row


_TEXT_FIELDS = ("reason", "recipient", "reference", "idempotency_key")


def write_movement(connection, lot, row: dict, actor) -> domain.LedgerEntry:
    """Write a ledger row and its lot's new balance and chain head (the hot path of every
    stock request): plain statements, not a unit-of-work flush. The row is written at once
    (its id comes back) and never changes afterwards.
    """
    lot_values = {"lot": lot.id, "balance": row["balance_after"], "new_seq": row["seq"],
                  "head": row["hash"]}
    movement_id = ledger_writes(connection).movement(connection, row, lot_values)
    if not isinstance(lot, Lot):
        lot.quantity, lot.seq, lot.head_hash = row["balance_after"], row["seq"], row["hash"]
    return domain.LedgerEntry(id=movement_id, **row, lot=lot, actor=actor)


def new_lot(session, *, depot: Depot, item: Item, code: str, received_on, source: str,
            expires_on=None, manufactured_on=None, unit_cost=None, origin_lot_id=None) -> Lot:
    """Create an empty lot; its first ledger row brings the stock in."""
    lot = Lot(**new_lot_values(depot=depot, item=item, code=code, received_on=received_on,
                               source=source, expires_on=expires_on,
                               manufactured_on=manufactured_on, unit_cost=unit_cost,
                               origin_lot_id=origin_lot_id))
    lot.depot, lot.item = depot, item
    session.add(lot)
    session.flush()
    return lot


def new_lot_values(*, depot: Depot, item: Item, code: str, received_on, source: str,
                   expires_on=None, manufactured_on=None, unit_cost=None,
                   origin_lot_id=None) -> dict:
    """Return the column values of an empty lot, its expiry derived from the item's shelf life."""
    return {
        "depot_id": depot.id,
        "item_id": item.id,
        "code": code,
        "received_on": received_on,
        "manufactured_on": manufactured_on,
        "expires_on": domain.derive_expiry(expires_on, manufactured_on, received_on,
                                           item.shelf_life_days),
        "source": source,
        "unit_cost": unit_cost,
        "status": "available",
        "quantity": 0,
        "seq": 0,
        "head_hash": domain.GENESIS_HASH,
        "origin_lot_id": origin_lot_id,
    }


def _positive(quantity: int) -> int:
    if not isinstance(quantity, int) or quantity <= 0:
        raise InvalidInput("数量须为正整数。", "Quantity must be a positive whole number.",
                           {"quantity": ["must be a positive whole number"]})
    return quantity


# -- services ---------------------------------------------------------------

def receive(
    session,
    actor,
    *,
    depot: str,
    item: str,
    quantity: int,
    lot_code: str | None = None,
    expires_on=None,
    manufactured_on=None,
    unit_cost: Decimal | float | None = None,
    source: str = "purchase",
    reference: str | None = None,
    reason: str | None = None,
    occurred_at: datetime | None = None,
    key: str | None = None,
    bin: str | None = None,
    accept_expired: bool = False,
) -> tuple[Lot, list[domain.LedgerEntry]]:
    """Receive goods into a depot (入库): create the lot, or top up one with the same code.

    :raise StateConflict: when the lot code exists at the depot with another expiry date.
    :raise InvalidInput: when the goods expired before the day received and
        ``accept_expired`` is not set, or the lot code is blank or holds a line break.
    """
    _positive(quantity)
    with unit_of_work(session):
        depot_row = get_depot(session, depot)
        ensure_can_move_stock(actor, depot_row)
        item_row = get_item(session, item)
        bin_row = get_bin(session, depot_row, bin) if bin else None
        when = occurred_at or utcnow()
        received_on = clock.local_date(when)
        domain.ensure_made_before_expiry(manufactured_on, expires_on)
        domain.ensure_not_expired_on_receipt(expires_on, received_on, accepted=accept_expired)
        code = domain.clean_lot_code(lot_code) or domain.new_lot_code(received_on)
        unit_cost = domain.money(unit_cost)
        lot = session.scalar(
            select(Lot)
            .where(Lot.depot_id == depot_row.id, Lot.item_id == item_row.id, Lot.code == code)
            .with_for_update(of=Lot)
            .execution_options(populate_existing=True)
        )
        if lot is None:
            lot = new_lot(session, depot=depot_row, item=item_row, code=code,
                          received_on=received_on, source=source, expires_on=expires_on,
                          manufactured_on=manufactured_on, unit_cost=unit_cost)
        else:
            domain.ensure_can_top_up(lot, item_row.shelf_life_days, manufactured_on, expires_on)
        if bin_row is not None:
            lot.bin_id = bin_row.id
        movement = append_movement(session, lot, kind="receipt", quantity=quantity, actor=actor,
                                   occurred_at=occurred_at, reason=reason, reference=reference,
                                   key=movement_key(key, 1))
        log.info("receipt of %s %s into lot %s at %s", quantity, item, lot.id, depot)
    return lot, [movement]


ISSUE_KINDS = ("issue", "rotation_out")


def issue(
    session,
    actor,
    *,
    quantity: int,
    depot: str | None = None,
    item: str | None = None,
    lot: int | None = None,
    kind: str = "issue",
    reason: str | None = None,
    recipient: str | None = None,
    reference: str | None = None,
    occurred_at: datetime | None = None,
    key: str | None = None,
) -> list[domain.LedgerEntry]:
    """Issue goods from a depot (出库): from one lot, or by item first-expiry-first-out.

    :raise LotNotUsable: when the named lot is expired, quarantined or written off.
    :raise InsufficientStock: when there is not enough usable stock.
    """
    if lot is not None and item is None:  # issue_from_lot checks the rest
        with unit_of_work(session):
            if session.new:  # plain statements do not autoflush
                session.flush()
            return issue_from_lot(session.connection(), actor, lot=lot, quantity=quantity,
                                  depot=depot, kind=kind, reason=reason, recipient=recipient,
                                  reference=reference, occurred_at=occurred_at, key=key)
    _check_issue(quantity, kind, item, lot)
    if depot is None:
        raise InvalidInput("按物资出库须指定储备库。", "Issuing by item needs a depot.",
                           {"depot": ["required with item"]})
    # A lot is judged usable on the day the movement happened (a phone may send it later).
    today = clock.local_date(occurred_at) if occurred_at else clock.today()
    with unit_of_work(session):
        depot_row = get_depot(session, depot)
        ensure_can_move_stock(actor, depot_row)
        item_row = get_item(session, item)
        lots = lock_lots(session, depot_row.id, item_row.id)
        picks = domain.pick_fefo(lots, quantity, today, f"{item_row.name_zh}（{item_row.code}）")
        movements = [
            append_movement(session, pick.lot, kind=kind, quantity=-pick.quantity, actor=actor,
                            occurred_at=occurred_at, reason=reason, recipient=recipient,
                            reference=reference, key=movement_key(key, index))
            for index, pick in enumerate(picks, start=1)
        ]
    return movements


def _check_issue(quantity: int, kind: str, item: str | None, lot: int | None) -> None:
    _positive(quantity)
    if kind not in ISSUE_KINDS:
        raise InvalidInput("出库类型无效。", "Unknown issue kind.",
                           {"kind": ["issue or rotation_out"]})
    if (item is None) == (lot is None):
        raise InvalidInput("请指定物资（按先到期先出）或批次，二者选一。",
                           "Give either an item (picked first-expiry-first-out) or a lot, "
                           "not both.",
                           {"item": ["give item or lot"], "lot": ["give item or lot"]})


def issue_from_lot(connection, actor, *, lot: int, quantity: int, depot: str | None = None,
                   kind: str = "issue", reason: str | None = None, recipient: str | None = None,
                   reference: str | None = None, occurred_at: datetime | None = None,
                   key: str | None = None) -> list[domain.LedgerEntry]:
    """Issue from one lot inside the caller's transaction, on its Core connection.

    ``issue`` runs it in a session's unit of work; the lean path of ``POST /issues`` on
    PostgreSQL (``inventory.stock.lean``) in a transaction of its own connection.

    :raise LotNotUsable: when the lot is expired, quarantined or written off.
    :raise InsufficientStock: when the lot holds less than the quantity.
    """
    _check_issue(quantity, kind, None, lot)
    # A lot is judged usable on the day the movement happened (a phone may send it later).
    today = clock.local_date(occurred_at) if occurred_at else clock.today()
    lot_row = lock_lot(connection, lot)
    if depot is not None and lot_row.depot.code != depot:
        raise InvalidInput(f"批次 {lot_row.code} 不在 {depot}。",
                           f"Lot {lot_row.code} is not at depot {depot}.",
                           {"lot": ["not at this depot"]})
    ensure_can_move_stock(actor, lot_row.depot)
    domain.ensure_usable(lot_row, today)
    domain.ensure_enough(lot_row, quantity)
    row = movement_row(lot_row, kind=kind, quantity=-quantity, actor=actor,
                       occurred_at=occurred_at, reason=reason, recipient=recipient,
                       reference=reference, key=movement_key(key, 1))
    return [write_movement(connection, lot_row, row, actor)]


def adjust(session, actor, *, lot: int, counted_quantity: int, reason: str | None = None,
           reference: str | None = None, occurred_at: datetime | None = None,
           key: str | None = None) -> list[domain.LedgerEntry]:
    """Bring a lot to the quantity counted in a stocktake (盘点调整); nothing when it agrees."""
    if not isinstance(counted_quantity, int) or counted_quantity < 0:
        raise InvalidInput("盘点数量须为非负整数。",
                           "The counted quantity must be a whole number ≥ 0.",
                           {"counted_quantity": ["must be ≥ 0"]})
    with unit_of_work(session):
        lot_row = lock_lot(session.connection(), lot)
        ensure_can_move_stock(actor, lot_row.depot)
        delta = counted_quantity - lot_row.quantity
        if delta == 0:
            return []
        movement = append_movement(session, lot_row, kind="adjustment", quantity=delta,
                                   actor=actor, occurred_at=occurred_at, reason=reason,
                                   reference=reference, key=movement_key(key, 1))
    return [movement]


def write_off(session, actor, *, lot: int, reason: str, quantity: int | None = None,
              reference: str | None = None, occurred_at: datetime | None = None,
              key: str | None = None) -> list[domain.LedgerEntry]:
    """Write off damaged or expired stock (报废); all of the lot when no quantity is given."""
    if not reason or not reason.strip():
        raise InvalidInput("报废须填写原因。", "A write-off needs a reason.",
                           {"reason": ["required"]})
    with unit_of_work(session):
        lot_row = get_lot(session, lot, lock=True)
        ensure_can_move_stock(actor, lot_row.depot)
        amount = lot_row.quantity if quantity is None else _positive(quantity)
        if amount == 0:
            raise InsufficientStock(f"批次 {lot_row.code} 已无库存，无需报废。",
                                    f"Lot {lot_row.code} holds nothing to write off.",
                                    {"lot": ["empty"]})
        domain.ensure_enough(lot_row, amount)
        movement = append_movement(session, lot_row, kind="write_off", quantity=-amount,
                                   actor=actor, occurred_at=occurred_at, reason=reason,
                                   reference=reference, key=movement_key(key, 1))
        if lot_row.quantity == 0:
            lot_row.status = "written_off"
    return [movement]


def reverse(session, actor, *, movement: int, reason: str, occurred_at: datetime | None = None,
            key: str | None = None) -> list[domain.LedgerEntry]:
    """Cancel a ledger row by a new row of the opposite quantity (冲正) that names it.

    :raise StateConflict: for a reversal, a transfer row, or a row already reversed.
    :raise InsufficientStock: when the stock it brought in has already gone out.
    """
    if not reason or not reason.strip():
        raise InvalidInput("冲正须填写原因。", "A reversal needs a reason.",
                           {"reason": ["required"]})
    with unit_of_work(session):
        original = get_movement(session, movement)
        lot_row = get_lot(session, original.lot_id, lock=True)
        ensure_can_move_stock(actor, lot_row.depot)
        if original.kind == "reversal":
            raise StateConflict("冲正记录不能再冲正；如有错误请重新登记。",
                                "A reversal cannot itself be reversed; record the movement again.")
        if original.kind in ("transfer_out", "transfer_in"):
            raise StateConflict("调拨记录不能冲正，请通过调拨单处理差异。",
                                "Transfer rows cannot be reversed; "
                                "settle differences on the transfer.")
        already = session.scalar(select(Movement.id).where(Movement.reverses_id == original.id))
        if already is not None:
            raise StateConflict(f"台账记录 {original.id} 已被冲正（记录 {already}）。",
                                f"Ledger row {original.id} was already reversed by row {already}.")
        reversal = append_movement(session, lot_row, kind="reversal", quantity=-original.quantity,
                                   actor=actor, occurred_at=occurred_at, reason=reason,
                                   reference=original.reference, key=movement_key(key, 1),
                                   reverses_id=original.id)
        if original.kind == "write_off" and lot_row.status == "written_off":
            lot_row.status = "available"
    return [reversal]


def set_lot_status(session, actor, *, lot: int, status: str, reason: str) -> Lot:
    """Quarantine a lot (待检/封存) or release it back to available, with a reason.

    Setting the status the lot already has changes and records nothing (a form sent twice).

    :raise InvalidInput: for another status, or a reason blank, too long or with control codes.
    :raise StateConflict: when the lot is written off.
    """
    if status not in ("available", "quarantined"):
        raise InvalidInput("只能设为可用或待检/封存。", "Status must be available or quarantined.",
                           {"status": ["available or quarantined"]})
    reason = (reason or "").strip()
    if not 1 <= len(reason) <= 500 or not is_free_of_control_characters(reason):
        raise InvalidInput("请填写原因（不超过 500 字，不含控制字符）。",
                           "Give a reason (at most 500 characters, no control characters).",
                           {"reason": ["1 to 500 characters"]})
    with unit_of_work(session):
        lot_row = get_lot(session, lot, lock=True)
        ensure_can_move_stock(actor, lot_row.depot)
        if lot_row.status == "written_off":
            raise StateConflict("已报废批次不能改变状态。", "A written-off lot keeps its status.")
        if lot_row.status != status:
            audit.record(session, actor, "lot.status", "lot", lot_row.id,
                         **{"from": lot_row.status, "to": status, "reason": reason})
            lot_row.status = status
    return lot_row


# -- reading ----------------------------------------------------------------

def balances(session, *, depot: str | None = None, item: str | None = None,
             as_of: datetime | None = None) -> list[dict]:
    """Return on-hand quantities by depot and item, now or as of a moment (by occurred_at)."""
    if as_of is None:
        source, qty = Lot, func.sum(Lot.quantity)
    else:
        source, qty = Movement, func.sum(Movement.quantity)
    query = (
        select(Depot.code, Item.code, qty)
        .select_from(source)
        .join(Depot, Depot.id == source.depot_id)
        .join(Item, Item.id == source.item_id)
        .group_by(Depot.code, Item.code)
        .order_by(Depot.code, Item.code)
    )
    if as_of is not None:
        query = query.where(Movement.occurred_at <= as_of)
    if depot is not None:
        query = query.where(Depot.id == get_depot(session, depot).id)
    if item is not None:
        query = query.where(Item.id == get_item(session, item).id)
    rows = {(d, i): {"depot": d, "item": i, "quantity": int(q or 0)}
            for d, i, q in session.execute(query)}
    if as_of is None:
        _add_in_transit(session, rows, depot, item)
    return sorted(rows.values(), key=lambda row: (row["depot"], row["item"]))


def _add_in_transit(session, rows: dict, depot: str | None, item: str | None) -> None:
    """Add what has been dispatched to each depot and not yet received (在途)."""
    from inventory.transfers.models import Transfer, TransferLine

    query = (
        select(Depot.code, Item.code, func.sum(TransferLine.quantity))
        .select_from(Transfer)
        .join(TransferLine, TransferLine.transfer_id == Transfer.id)
        .join(Depot, Depot.id == Transfer.to_depot_id)
        .join(Item, Item.id == TransferLine.item_id)
        .where(Transfer.status == "dispatched")
        .group_by(Depot.code, Item.code)
    )
    if depot is not None:
        query = query.where(Depot.code == depot)
    if item is not None:
        query = query.where(Item.code == item)
    for row in rows.values():
        row["in_transit"] = 0
    for d, i, q in session.execute(query):
        rows.setdefault((d, i), {"depot": d, "item": i, "quantity": 0})["in_transit"] = int(q)
