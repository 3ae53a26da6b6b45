"""Transfers and their lines."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inventory.auth.models import User
from inventory.base import N_
from inventory.catalogue.models import Item
from inventory.db import UTCDateTime, db, utcnow
from inventory.geo.models import Depot

TRANSFER_STATUSES = ("draft", "dispatched", "received", "cancelled")
STATUS_LABELS = {"draft": N_("草稿"), "dispatched": N_("在途"), "received": N_("已接收"),
                 "cancelled": N_("已取消")}


class Transfer(db.Model):
    __tablename__ = "transfers"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'dispatched', 'received', 'cancelled')", name="status"
        ),
        CheckConstraint("from_depot_id <> to_depot_id", name="different_depots"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 调拨单号, e.g. DB-2026-0007
    number: Mapped[str] = mapped_column(String(32), unique=True)
    from_depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"), index=True)
    to_depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    reason: Mapped[str | None] = mapped_column(Text)
    reference: Mapped[str | None] = mapped_column(String(100))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    from_depot: Mapped[Depot] = relationship(foreign_keys=[from_depot_id], lazy="joined")
    to_depot: Mapped[Depot] = relationship(foreign_keys=[to_depot_id], lazy="joined")
    created_by: Mapped[User] = relationship(lazy="joined")
    lines: Mapped[list["TransferLine"]] = relationship(
        back_populates="transfer", lazy="selectin", order_by="TransferLine.id"
    )


class TransferLine(db.Model):
    """One item, or one lot once dispatched, of a transfer."""

    __tablename__ = "transfer_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("quantity_received IS NULL OR quantity_received >= 0", name="received"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("transfers.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    #: the source lot; chosen first-expiry-first-out at dispatch when the draft named only the item
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))
    quantity: Mapped[int]
    quantity_received: Mapped[int | None]
    #: the lot created or topped up at the receiving depot
    received_lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))

    transfer: Mapped[Transfer] = relationship(back_populates="lines")
    item: Mapped[Item] = relationship(lazy="joined")
    lot = relationship("Lot", foreign_keys=[lot_id], lazy="joined")
    received_lot = relationship("Lot", foreign_keys=[received_lot_id], lazy="joined")

    @property
    def discrepancy(self) -> int | None:
        """Dispatched minus received, once the transfer is received."""
        if self.quantity_received is None:
            return None
        return self.quantity - self.quantity_received
