"""Lots and the stock ledger.

The ledger (``stock_movements``) is insert-only. Every row is chained by a hash to the
previous row of the same lot, and seals digest the chain heads, so that an edited or
removed row is detectable. No foreign key cascades into it.
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inventory.auth.models import User
from inventory.base import N_
from inventory.catalogue.models import Item
from inventory.db import UTCDateTime, db, utcnow
from inventory.geo.models import Bin, Depot

#: a 64-bit id on PostgreSQL; SQLite's rowid alias must be INTEGER
BigId = BigInteger().with_variant(Integer, "sqlite")

LOT_SOURCES = ("purchase", "donation", "transfer", "contract", "capacity", "opening")
LOT_STATUSES = ("available", "quarantined", "expired", "written_off")
MOVEMENT_KINDS = (
    "receipt",
    "issue",
    "transfer_out",
    "transfer_in",
    "adjustment",
    "write_off",
    "rotation_out",
    "reversal",
)
#: Chinese labels for pages, which translate them where shown (``N_`` only marks them).
SOURCE_LABELS = {
    "purchase": N_("采购"),
    "donation": N_("捐赠"),
    "transfer": N_("调拨"),
    "contract": N_("协议调用"),
    "capacity": N_("产能转产"),
    "opening": N_("期初"),
}
STATUS_LABELS = {
    "available": N_("可用"),
    "quarantined": N_("待检/封存"),
    "expired": N_("已过期"),
    "written_off": N_("已报废"),
}
KIND_LABELS = {
    "receipt": N_("入库"),
    "issue": N_("出库"),
    "transfer_out": N_("调拨出库"),
    "transfer_in": N_("调拨入库"),
    "adjustment": N_("盘点调整"),
    "write_off": N_("报废"),
    "rotation_out": N_("轮换出库"),
    "reversal": N_("冲正"),
}


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Lot(db.Model):
    __tablename__ = "lots"
    __table_args__ = (
        UniqueConstraint("depot_id", "item_id", "code"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint(_in("source", LOT_SOURCES), name="source"),
        CheckConstraint(_in("status", LOT_STATUSES), name="status"),
        Index("ix_lots_depot_item_expiry", "depot_id", "item_id", "expires_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"))
    #: the lot code printed on the goods or the label (批次号)
    code: Mapped[str] = mapped_column(String(64))
    manufactured_on: Mapped[date | None]
    #: last day the lot may be used; empty for durable goods
    expires_on: Mapped[date | None]
    received_on: Mapped[date]
    source: Mapped[str] = mapped_column(String(16))
    unit_cost: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    status: Mapped[str] = mapped_column(String(16), default="available")
    #: on hand; always the sum of the lot's ledger rows
    quantity: Mapped[int] = mapped_column(default=0)
    #: number of ledger rows of this lot, i.e. the seq of the newest row
    seq: Mapped[int] = mapped_column(default=0)
    #: hash of the newest ledger row of this lot (the chain head)
    head_hash: Mapped[str] = mapped_column(String(64))
    #: the lot this one was transferred from, for tracing across depots
    origin_lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))
    #: where in the depot the lot is stored, when the depot labels its bins
    bin_id: Mapped[int | None] = mapped_column(ForeignKey("bins.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[Item] = relationship(lazy="joined")
    depot: Mapped[Depot] = relationship(lazy="joined")
    bin: Mapped["Bin | None"] = relationship()


class Movement(db.Model):
    """One change of one lot's quantity. Never updated, never deleted."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        UniqueConstraint("lot_id", "seq"),
        CheckConstraint(_in("kind", MOVEMENT_KINDS), name="kind"),
        CheckConstraint("quantity <> 0", name="quantity_not_zero"),
        CheckConstraint("balance_after >= 0", name="balance_not_negative"),
        Index("ix_stock_movements_depot_occurred", "depot_id", "occurred_at"),
        Index("ix_stock_movements_item_occurred", "item_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id", ondelete="RESTRICT"))
    #: position in the lot's chain, from 1
    seq: Mapped[int]
    #: the lot's depot and item, copied so ledger queries need no join
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id", ondelete="RESTRICT"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(16))
    #: signed: positive into the lot, negative out of it
    quantity: Mapped[int]
    balance_after: Mapped[int]
    #: when it happened, by the device's clock (may be earlier than recorded_at when offline)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: the device's time, kept when it was earlier than the lot's last row: such a row (a
    #: phone's queue replayed late) is dated when recorded, since a lot's history runs in order
    device_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    reason: Mapped[str | None] = mapped_column(Text)
    #: who received the goods of an issue (person, site or unit)
    recipient: Mapped[str | None] = mapped_column(String(100))
    #: reference document number, e.g. 入库单 RK-2026-0001
    reference: Mapped[str | None] = mapped_column(String(100), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    transfer_id: Mapped[int | None] = mapped_column(
        ForeignKey("transfers.id", ondelete="RESTRICT"), index=True
    )
    #: the row this one reverses (冲正); a row can be reversed once
    reverses_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("stock_movements.id", ondelete="RESTRICT"), unique=True
    )
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    lot: Mapped[Lot] = relationship(lazy="joined")
    actor: Mapped[User] = relationship(lazy="joined")


class Seal(db.Model):
    """A digest over the ledger's chain heads, so that removed rows are detectable.

    Each seal lists the heads of the lots that changed since the previous seal
    (``seal_heads``) and chains to the previous seal's digest.
    """

    __tablename__ = "ledger_seals"
    __table_args__ = (CheckConstraint("kind IN ('daily', 'on_demand')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: lots and ledger rows covered by the seal, in total
    lots_count: Mapped[int]
    movements_count: Mapped[int]
    prev_digest: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64), unique=True)


class SealHead(db.Model):
    __tablename__ = "ledger_seal_heads"

    seal_id: Mapped[int] = mapped_column(ForeignKey("ledger_seals.id"), primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), primary_key=True, index=True)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))


class IdempotencyRecord(db.Model):
    """The first answer to a request that carried an Idempotency-Key."""

    __tablename__ = "idempotency_records"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: method, path and body digest of the first request
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None]
    response: Mapped[str | None] = mapped_column(Text)
    #: records older than IDEMPOTENCY_RETENTION_DAYS are purged (``purge-idempotency``)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
