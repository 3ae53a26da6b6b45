"""Contract reserves (协议储备: goods a supplier delivers when called off, paid only when used)
and capacity reserves (产能储备: what a local firm can make once asked)."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inventory.base import N_
from inventory.catalogue.models import Item
from inventory.db import UTCDateTime, db, utcnow
from inventory.geo.models import Area, Depot
from inventory.stock.models import Lot

RESPONSE_TO = ("county", "site")

AGREEMENT_STATUSES = ("active", "suspended", "ended")

CALL_OFF_STATUSES = ("expected", "received", "cancelled")

RESPONSE_TO_LABELS = {"county": N_("送达县级储备库"), "site": N_("直送安置点")}

AGREEMENT_STATUS_LABELS = {"active": N_("有效"), "suspended": N_("暂停"), "ended": N_("终止")}

CALL_OFF_STATUS_LABELS = {"expected": N_("待到货"), "received": N_("已到货"),
                          "cancelled": N_("已取消")}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Agreement(db.Model):
    """A contract reserve: a supplier holds goods for us and is paid only for what is used."""

    __tablename__ = "agreements"
    __table_args__ = (
        CheckConstraint(_in("response_to", RESPONSE_TO), name="response_to"),
        CheckConstraint(_in("status", AGREEMENT_STATUSES), name="status"),
        CheckConstraint("committed_quantity > 0", name="committed_positive"),
        CheckConstraint("response_hours >= 0", name="response_not_negative"),
        CheckConstraint("valid_until >= valid_from", name="valid_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: agreement number, e.g. XY-2026-003
    number: Mapped[str] = mapped_column(String(40), unique=True)
    supplier: Mapped[str] = mapped_column(String(100))
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    committed_quantity: Mapped[int]
    #: hours from the call to delivery
    response_hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    #: whether response_hours reach the county warehouse (then add travel) or the site itself
    response_to: Mapped[str] = mapped_column(String(8), default="county")
    #: tender price per unit: what is owed for each unit used (先使用后按招标价结算)
    unit_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    valid_from: Mapped[date]
    valid_until: Mapped[date]
    status: Mapped[str] = mapped_column(String(12), default="active")
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[Item] = relationship(lazy="joined")
    call_offs: Mapped[list["CallOff"]] = relationship(back_populates="agreement",
                                                      order_by="CallOff.id")


class CallOff(db.Model):
    """Part of an agreement called off (调用): an expected delivery, then a lot received."""

    __tablename__ = "call_offs"
    __table_args__ = (
        CheckConstraint(_in("status", CALL_OFF_STATUSES), name="status"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    quantity: Mapped[int]
    #: the depot the supplier delivers to
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    called_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default="expected")
    received_quantity: Mapped[int | None]
    #: when the delivery was received (its receipt's occurred_at): settlements are reported by it
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the lot the delivery became
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))
    #: amount owed at the tender price for what was received; set at settlement
    settled_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    settlement_reference: Mapped[str | None] = mapped_column(String(100))

    agreement: Mapped[Agreement] = relationship(back_populates="call_offs")
    depot: Mapped[Depot] = relationship(lazy="joined")
    lot: Mapped["Lot | None"] = relationship()


class CapacityReserve(db.Model):
    """A firm able to produce an item on demand (产能储备)."""

    __tablename__ = "capacity_reserves"
    __table_args__ = (
        CheckConstraint("rate_per_hour > 0", name="rate_positive"),
        CheckConstraint("ramp_hours >= 0", name="ramp_not_negative"),
        CheckConstraint("max_quantity > 0", name="max_positive"),
        CheckConstraint("valid_until >= valid_from", name="valid_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise: Mapped[str] = mapped_column(String(100))
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    rate_per_hour: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    #: hours before the first unit comes off the line
    ramp_hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    #: most units per response
    max_quantity: Mapped[int]
    #: where the goods leave from (travel times are looked up from this area)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    unit_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    valid_from: Mapped[date]
    valid_until: Mapped[date]
    note: Mapped[str | None] = mapped_column(Text)

    item: Mapped[Item] = relationship(lazy="joined")
    area: Mapped[Area] = relationship()

    @property
    def code(self) -> str:
        """A stable code for the reserve (CN-0007), as depots and agreements have one."""
        return capacity_code(self.id)


def capacity_code(reserve_id: int) -> str:
    """Name a capacity reserve by its stable code; rows are never deleted, so ids are kept."""
    return f"CN-{reserve_id:04d}"
