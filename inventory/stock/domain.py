"""Stock rules in plain Python: expiry, usability, first-expiry-first-out and the hash chain."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from inventory.errors import InsufficientStock, InvalidInput, LotNotUsable, StateConflict

#: the prev_hash of a lot's first ledger row
GENESIS_HASH = "0" * 64


class LotLike(Protocol):
    id: int
    code: str
    quantity: int
    status: str
    expires_on: date | None


def derive_expiry(
    expires_on: date | None,
    manufactured_on: date | None,
    received_on: date,
    shelf_life_days: int | None,
) -> date | None:
    """Return the given expiry, or manufacture (else receipt) date plus the item's shelf life."""
    if expires_on is not None or shelf_life_days is None:
        return expires_on
    return (manufactured_on or received_on) + timedelta(days=shelf_life_days)


def is_expired(expires_on: date | None, today: date) -> bool:
    """A lot expires after its last day of use."""
    return expires_on is not None and today > expires_on


def effective_status(lot: LotLike, today: date) -> str:
    """Return the lot's status, counting a lapsed expiry date as expired."""
    if lot.status == "available" and is_expired(lot.expires_on, today):
        return "expired"
    return lot.status


def ensure_usable(lot: LotLike, today: date) -> None:
    """Refuse to take stock out of an expired, quarantined or written-off lot.

    :raise LotNotUsable: with the reason, in words a keeper understands.
    """
    status = effective_status(lot, today)
    if status == "available":
        return
    zh = {
        "expired": f"批次 {lot.code} 已于 {lot.expires_on} 过期，不能出库；请走报废或轮换流程。",
        "quarantined": f"批次 {lot.code} 处于待检/封存状态，不能出库。",
        "written_off": f"批次 {lot.code} 已报废，不能出库。",
    }[status]
    en = {
        "expired": f"Lot {lot.code} expired on {lot.expires_on} and cannot be issued; "
        "write it off or rotate it instead.",
        "quarantined": f"Lot {lot.code} is quarantined and cannot be issued.",
        "written_off": f"Lot {lot.code} has been written off and cannot be issued.",
    }[status]
    raise LotNotUsable(zh, en, {"lot": [en]})


def ensure_enough(lot: LotLike, quantity: int) -> None:
    """Refuse to take more than a lot holds.

    :raise InsufficientStock: naming the lot, what it holds and what was asked.
    """
    if quantity > lot.quantity:
        raise InsufficientStock(
            f"库存不足：批次 {lot.code} 现有 {lot.quantity}，申请 {quantity}。",
            f"Insufficient stock: lot {lot.code} holds {lot.quantity}, {quantity} requested.",
            {"quantity": [f"at most {lot.quantity}"]},
        )


def ensure_made_before_expiry(manufactured_on: date | None, expires_on: date | None) -> None:
    """:raise InvalidInput: when a receipt's expiry date is before its manufacture date."""
    if expires_on and manufactured_on and expires_on < manufactured_on:
        raise InvalidInput("有效期早于生产日期。",
                           "The expiry date is before the manufacture date.",
                           {"expires_on": ["before manufactured_on"]})


def ensure_not_expired_on_receipt(expires_on: date | None, received_on: date, *,
                                   accepted: bool) -> None:
    """Refuse goods that arrive already expired, unless the keeper confirmed it (goods taken in
    to be written off, say): a keeper expects the system to stop a delivery of expired stock.

    :raise InvalidInput: when the expiry date is before the day received and not accepted.
    """
    if expires_on is not None and expires_on < received_on and not accepted:
        raise InvalidInput(
            f"该批次已于 {expires_on:%Y-%m-%d} 过期，不能入库；如确需入库（如待报废），"
            "请勾选“确认已过期仍入库”（API：accept_expired）。",
            f"The goods expired on {expires_on:%Y-%m-%d}; confirm receiving expired goods "
            "(accept_expired) to receive them anyway.",
            {"expires_on": ["already expired"]})


def clean_lot_code(code: str | None) -> str | None:
    """Return a lot code as typed, stripped; None when none was given.

    :raise InvalidInput: when it is blank or holds a line break (a code is one printed line).
    """
    if code is None:
        return None
    stripped = code.strip()
    if not stripped or not stripped.isprintable():
        raise InvalidInput("批号不能为空白，也不能含换行。",
                           "A lot code cannot be blank or hold a line break.",
                           {"lot_code": ["blank or a line break"]})
    return stripped


def new_lot_code(received_on: date) -> str:
    """Return a lot code for goods that came without one: the day received and a random tail."""
    return f"{received_on:%Y%m%d}-{secrets.token_hex(3).upper()}"


def money(amount: Decimal | float | None) -> Decimal | None:
    """Return a unit cost to the fen (0.01 yuan)."""
    return None if amount is None else Decimal(str(amount)).quantize(Decimal("0.01"))


def ensure_can_top_up(lot, shelf_life_days: int | None, manufactured_on: date | None,
                      expires_on: date | None) -> None:
    """Refuse a receipt into a lot whose code is taken by goods of another expiry date, or
    that was written off.

    :raise StateConflict: naming the lot code and, for another expiry, both dates.
    """
    code = lot.code
    expected = derive_expiry(expires_on, manufactured_on, lot.received_on, shelf_life_days)
    if expected is not None and expected != lot.expires_on:
        raise StateConflict(
            f"批次号 {code} 已在本库使用，有效期为 {lot.expires_on}，"
            f"与本次 {expected} 不同；请使用新批次号。",
            f"Lot code {code} is already used at this depot with expiry {lot.expires_on}, "
            f"not {expected}; use a new lot code.",
            {"lot_code": ["already used with another expiry date"]},
        )
    if lot.status == "written_off":
        raise StateConflict(f"批次 {code} 已报废，请使用新批次号。",
                            f"Lot {code} was written off; use a new lot code.",
                            {"lot_code": ["written off"]})


@dataclass(frozen=True)
class DepotRef:
    """A depot as a stock change names it."""

    id: int
    code: str
    name: str


@dataclass(frozen=True)
class ItemRef:
    """A catalogue item as a stock change names it."""

    id: int
    code: str
    name_zh: str


@dataclass
class LockedLot:
    """A lot's row read under its lock for a stock change: the state the change builds on."""

    id: int
    code: str
    depot_id: int
    item_id: int
    quantity: int
    seq: int
    head_hash: str
    status: str
    expires_on: date | None
    depot: DepotRef
    item: ItemRef
    #: when the lot's last ledger row happened (None before its first)
    last_at: datetime | None = None


@dataclass(frozen=True)
class LedgerEntry:
    """One ledger row as written: its stored fields, its lot and who made it."""

    id: int
    lot_id: int
    seq: int
    depot_id: int
    item_id: int
    kind: str
    quantity: int
    balance_after: int
    occurred_at: datetime
    recorded_at: datetime
    actor_id: int
    reason: str | None
    recipient: str | None
    reference: str | None
    idempotency_key: str | None
    transfer_id: int | None
    reverses_id: int | None
    prev_hash: str
    hash: str
    lot: object
    actor: object
    device_at: datetime | None = None


@dataclass(frozen=True)
class Pick:
    lot: LotLike
    quantity: int


def pick_fefo(lots: list[LotLike], quantity: int, today: date, item_label: str) -> list[Pick]:
    """Choose lots first-expiry-first-out to cover the quantity.

    Only usable lots are candidates; durable lots (no expiry) come last, oldest id first.

    :raise InsufficientStock: when the usable lots together hold less than the quantity.
    """
    usable = [lot for lot in lots
              if lot.quantity > 0 and effective_status(lot, today) == "available"]
    usable.sort(key=lambda lot: (lot.expires_on is None, lot.expires_on or date.max, lot.id))
    available = sum(lot.quantity for lot in usable)
    if available < quantity:
        raise InsufficientStock(
            f"库存不足：{item_label} 可用 {available}，申请 {quantity}。",
            f"Insufficient stock: {available} of {item_label} available, {quantity} requested.",
            {"quantity": [f"at most {available}"]},
        )
    picks, remaining = [], quantity
    for lot in usable:
        if remaining == 0:
            break
        take = min(lot.quantity, remaining)
        picks.append(Pick(lot, take))
        remaining -= take
    return picks


def chain_hash(prev_hash: str, fields: dict) -> str:
    """Return the hash of a ledger row: SHA-256 over the previous hash and the row's fields
    (an optional field counts only when it has a value, so older rows keep their hashes)."""
    parts = [prev_hash]
    for name in sorted(fields):
        if name in OPTIONAL_HASHED_FIELDS and fields[name] is None:
            continue
        parts.append(f"{name}={_canonical(fields[name])}")
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _canonical(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is not UTC:
            value = value.astimezone(UTC)
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"{value}"


HASHED_FIELDS = (
    "lot_id",
    "seq",
    "depot_id",
    "item_id",
    "kind",
    "quantity",
    "balance_after",
    "occurred_at",
    "recorded_at",
    "actor_id",
    "reason",
    "recipient",
    "reference",
    "idempotency_key",
    "transfer_id",
    "reverses_id",
)
#: hashed when they hold a value: columns added after rows were first written
OPTIONAL_HASHED_FIELDS = ("device_at",)
STORED_FIELDS = HASHED_FIELDS + OPTIONAL_HASHED_FIELDS
_HASHED_IN_ORDER = tuple(sorted(HASHED_FIELDS))


def row_hash(prev_hash: str, row: dict) -> str:
    """Return ``chain_hash`` over the hashed fields of a row given as a mapping (other keys,
    such as ``prev_hash``, are left out): the hot path of every stock movement."""
    if row.get("device_at") is not None:
        return chain_hash(prev_hash, {name: row[name] for name in STORED_FIELDS})
    canonical = _canonical
    return hashlib.sha256("\x1f".join(
        [prev_hash, *[f"{name}={canonical(row[name])}" for name in _HASHED_IN_ORDER]]
    ).encode()).hexdigest()


def movement_hash(prev_hash: str, movement) -> str:
    """Return the chain hash of a ledger row from its stored fields."""
    return chain_hash(prev_hash, {name: getattr(movement, name) for name in STORED_FIELDS})
