"""Distribution records (发放记录), their lines, confirmation images and staged batches.

A national ID number is never stored: only its masked display and a keyed hash (HMAC-SHA256
under DISTRIBUTION_ID_KEY) for the repeat check. Stock leaves through ledger rows that name
the distribution number and a household code, never a person.
"""

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inventory.auth.models import User
from inventory.base import N_
from inventory.catalogue.models import Item
from inventory.db import UTCDateTime, db, utcnow
from inventory.geo.models import Depot
from inventory.stock.models import BigId, Lot

CONFIRMATION_LABELS = {"signature": N_("手写签名"), "photo": N_("签字照片"),
                       "sheet": N_("纸质登记表")}
BATCH_STATUS_LABELS = {"staged": N_("待发放"), "issued": N_("已发放")}


class Confirmation(db.Model):
    """A recipient's confirmation: a signature drawn on the phone or a photo of a signed list."""

    __tablename__ = "distribution_confirmations"
    __table_args__ = (CheckConstraint("kind IN ('signature', 'photo')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    mime: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int]
    #: SHA-256 of the image, so a printed record can name the image it was confirmed with
    sha256: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DistributionBatch(db.Model):
    """A households list read from a spreadsheet, staged for its sign-off sheet and issued at
    once. Its rows hold masked ID numbers and keyed hashes only."""

    __tablename__ = "distribution_batches"
    __table_args__ = (CheckConstraint("status IN ('staged', 'issued')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: FB-<local date>-<id>
    code: Mapped[str | None] = mapped_column(String(32), unique=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"), index=True)
    status: Mapped[str] = mapped_column(String(8), default="staged")
    #: [{row, name, household_size, phone, id_masked, id_hash, items: [{item, quantity}]}]
    households: Mapped[list] = mapped_column(JSON)
    filename: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the photo of the signed sign-off sheet, once taken
    confirmation_id: Mapped[int | None] = mapped_column(
        ForeignKey("distribution_confirmations.id"))

    depot: Mapped[Depot] = relationship(lazy="joined")
    created_by: Mapped[User] = relationship(lazy="joined")
    confirmation: Mapped["Confirmation | None"] = relationship()


class Distribution(db.Model):
    """Stock given to one household: who, what, from which lots, when, by whom, confirmed how."""

    __tablename__ = "distributions"
    __table_args__ = (
        CheckConstraint("household_size > 0", name="household_size_positive"),
        CheckConstraint("confirmation_kind IN ('signature', 'photo', 'sheet')",
                        name="confirmation_kind"),
        Index("ix_distributions_depot_occurred", "depot_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: FF-<local date>-<id>, the reference of its ledger rows
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"))
    #: when it was handed over, by the device's clock (a phone offline replays later)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the keeper (or bureau officer) who handed it over
    keeper_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recipient_name: Mapped[str] = mapped_column(String(50))
    household_size: Mapped[int]
    phone: Mapped[str | None] = mapped_column(String(30))
    #: e.g. 6401**********1234; the number itself is never stored
    id_masked: Mapped[str | None] = mapped_column(String(18))
    #: HMAC-SHA256 of the ID number under DISTRIBUTION_ID_KEY
    id_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    #: the keyed hash naming the household for the repeat check (ID number, else name+phone)
    household_key: Mapped[str] = mapped_column(String(64), index=True)
    #: the ledger's name for the household (HH-…), no personal data
    household_code: Mapped[str] = mapped_column(String(16))
    confirmation_kind: Mapped[str] = mapped_column(String(16))
    confirmation_id: Mapped[int | None] = mapped_column(
        ForeignKey("distribution_confirmations.id"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("distribution_batches.id"),
                                                 index=True)
    #: the Idempotency-Key it was sent with: a replayed request finds it and writes nothing
    idempotency_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    #: keeper confirmed a repeat within the ration's duration
    repeat_confirmed: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(Text)

    depot: Mapped[Depot] = relationship(lazy="joined")
    keeper: Mapped[User] = relationship(lazy="joined")
    confirmation: Mapped["Confirmation | None"] = relationship()
    batch: Mapped["DistributionBatch | None"] = relationship()
    lines: Mapped[list["DistributionLine"]] = relationship(
        back_populates="distribution", order_by="DistributionLine.id", lazy="selectin")


class DistributionLine(db.Model):
    """One lot's share of an item given: chosen first-expiry-first-out."""

    __tablename__ = "distribution_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    distribution_id: Mapped[int] = mapped_column(ForeignKey("distributions.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"))
    quantity: Mapped[int]
    movement_id: Mapped[int] = mapped_column(BigId, ForeignKey("stock_movements.id"))

    distribution: Mapped[Distribution] = relationship(back_populates="lines")
    item: Mapped[Item] = relationship(lazy="joined")
    lot: Mapped[Lot] = relationship(lazy="joined")
