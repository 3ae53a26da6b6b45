"""Stocktakes and their counts."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inventory.auth.models import User
from inventory.base import N_
from inventory.db import UTCDateTime, db, utcnow
from inventory.geo.models import Depot
from inventory.stock.models import Lot

STOCKTAKE_STATUSES = ("counting", "submitted", "approved", "rejected", "cancelled")
STATUS_LABELS = {"counting": N_("盘点中"), "submitted": N_("待审批"), "approved": N_("已审批"),
                 "rejected": N_("已退回"), "cancelled": N_("已取消")}


class Stocktake(db.Model):
    __tablename__ = "stocktakes"
    __table_args__ = (
        CheckConstraint(
            "status IN ('counting', 'submitted', 'approved', 'rejected', 'cancelled')",
            name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 盘点单号, e.g. PD-2026-00003
    number: Mapped[str] = mapped_column(String(32), unique=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="counting")
    note: Mapped[str | None] = mapped_column(Text)
    started_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)

    depot: Mapped[Depot] = relationship(lazy="joined")
    started_by: Mapped[User] = relationship(foreign_keys=[started_by_id], lazy="joined")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    counts: Mapped[list["StocktakeCount"]] = relationship(
        back_populates="stocktake", order_by="StocktakeCount.lot_id")


class StocktakeCount(db.Model):
    """What was physically found of one lot. A recount replaces the figure (these are working
    papers; the ledger records only the approved variance)."""

    __tablename__ = "stocktake_counts"
    __table_args__ = (
        UniqueConstraint("stocktake_id", "lot_id"),
        CheckConstraint("counted >= 0", name="counted_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stocktake_id: Mapped[int] = mapped_column(ForeignKey("stocktakes.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"))
    #: the ledger balance when the lot was counted; the variance is counted − expected
    expected: Mapped[int]
    counted: Mapped[int]
    counted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(String(200))

    stocktake: Mapped[Stocktake] = relationship(back_populates="counts")
    lot: Mapped[Lot] = relationship(lazy="joined")
    counted_by: Mapped[User] = relationship(lazy="joined")

    @property
    def variance(self) -> int:
        return self.counted - self.expected
