"""Transport (运输): carriers and their vehicles, transport agreements with logistics firms
(运力储备), and the waybill (运单) that follows each transfer or call-off delivery on the road."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inventory.auth.models import User
from inventory.base import N_
from inventory.db import UTCDateTime, db, utcnow
from inventory.geo.models import Area, Depot

#: whose vehicles: the bureau's own, a township's own, or a logistics firm's under agreement
CARRIER_KINDS = ("bureau", "township", "logistics")
CARRIER_KIND_LABELS = {"bureau": N_("应急局自有"), "township": N_("乡镇自有"),
                       "logistics": N_("物流企业")}
#: what a transport agreement's price is per
PRICE_UNITS = ("trip", "hour", "km")
PRICE_UNIT_LABELS = {"trip": N_("元/车次"), "hour": N_("元/小时"), "km": N_("元/公里")}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Carrier(db.Model):
    """Who drives: the bureau, a township, or a logistics firm."""

    __tablename__ = "carriers"
    __table_args__ = (CheckConstraint(_in("kind", CARRIER_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: a short stable code, e.g. SF (顺丰) or YJJ (the bureau)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    #: bureau, township or logistics (see CARRIER_KINDS)
    kind: Mapped[str] = mapped_column(String(12))
    #: the township whose vehicles these are (township carriers)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    area: Mapped[Area | None] = relationship(lazy="joined")


class Vehicle(db.Model):
    """One vehicle of a carrier, with what it carries and the depot it stands at."""

    __tablename__ = "vehicles"
    __table_args__ = (
        CheckConstraint("payload_kg > 0", name="payload_positive"),
        CheckConstraint("volume_m3 > 0", name="volume_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the number plate (车牌号), e.g. 宁B·12345
    plate: Mapped[str] = mapped_column(String(16), unique=True)
    carrier_id: Mapped[int] = mapped_column(ForeignKey("carriers.id"), index=True)
    #: e.g. 厢式货车 4.2 米
    vehicle_type: Mapped[str] = mapped_column(String(50))
    payload_kg: Mapped[Decimal] = mapped_column(Numeric(10, 1))
    volume_m3: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    #: where it stands ready; a plan's fleet limit counts it there
    depot_id: Mapped[int | None] = mapped_column(ForeignKey("depots.id"), index=True)
    driver_name: Mapped[str | None] = mapped_column(String(50))
    driver_phone: Mapped[str | None] = mapped_column(String(30))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    carrier: Mapped[Carrier] = relationship(lazy="joined")
    depot: Mapped[Depot | None] = relationship(lazy="joined")


class TransportAgreement(db.Model):
    """A logistics firm's promise of vehicles (运力储备): so many of a type, at a depot within
    so many hours of the call, at a price."""

    __tablename__ = "transport_agreements"
    __table_args__ = (
        CheckConstraint("vehicles > 0", name="vehicles_positive"),
        CheckConstraint("payload_kg > 0", name="payload_positive"),
        CheckConstraint("volume_m3 > 0", name="volume_positive"),
        CheckConstraint("response_hours >= 0", name="response_not_negative"),
        CheckConstraint("unit_price IS NULL OR unit_price >= 0", name="price_not_negative"),
        CheckConstraint(_in("price_unit", PRICE_UNITS), name="price_unit"),
        CheckConstraint("valid_from <= valid_until", name="valid_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the agreement's number, e.g. YL-2026-01
    number: Mapped[str] = mapped_column(String(40), unique=True)
    carrier_id: Mapped[int] = mapped_column(ForeignKey("carriers.id"), index=True)
    vehicle_type: Mapped[str] = mapped_column(String(50))
    #: how many vehicles the firm sends when called
    vehicles: Mapped[int]
    #: payload of one vehicle
    payload_kg: Mapped[Decimal] = mapped_column(Numeric(10, 1))
    #: load volume of one vehicle
    volume_m3: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    #: hours from the call until the vehicles stand at the depot
    response_hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    #: the depot the vehicles report to
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"), index=True)
    unit_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    price_unit: Mapped[str] = mapped_column(String(8), default="trip")
    valid_from: Mapped[date]
    valid_until: Mapped[date]
    active: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    carrier: Mapped[Carrier] = relationship(lazy="joined")
    depot: Mapped[Depot] = relationship(lazy="joined")


class Waybill(db.Model):
    """The waybill (运单) of one transfer or one call-off delivery: who drives which vehicle,
    sealed with what, when it left and when it arrived."""

    __tablename__ = "waybills"
    __table_args__ = (
        CheckConstraint("(transfer_id IS NULL) <> (call_off_id IS NULL)",
                        name="transfer_or_call_off"),
        CheckConstraint("arrived_at IS NULL OR arrived_at >= departed_at",
                        name="arrives_after_departure"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 运单号, e.g. YD-2026-00007
    number: Mapped[str] = mapped_column(String(32), unique=True)
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id"), unique=True)
    call_off_id: Mapped[int | None] = mapped_column(ForeignKey("call_offs.id"), unique=True)
    #: where it left from; empty for a supplier's delivery
    from_depot_id: Mapped[int | None] = mapped_column(ForeignKey("depots.id"), index=True)
    to_depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"), index=True)
    carrier_id: Mapped[int | None] = mapped_column(ForeignKey("carriers.id"))
    #: the registered vehicle, when it is one; the plate is kept either way
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicles.id"))
    plate: Mapped[str] = mapped_column(String(16))
    driver_name: Mapped[str | None] = mapped_column(String(50))
    driver_phone: Mapped[str | None] = mapped_column(String(30))
    #: 铅封号 of the load
    seal_number: Mapped[str | None] = mapped_column(String(40))
    departed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    arrived_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    from_depot: Mapped[Depot | None] = relationship(foreign_keys=[from_depot_id], lazy="joined")
    to_depot: Mapped[Depot] = relationship(foreign_keys=[to_depot_id], lazy="joined")
    carrier: Mapped[Carrier | None] = relationship(lazy="joined")
    vehicle: Mapped[Vehicle | None] = relationship(lazy="joined")
    transfer = relationship("Transfer", lazy="joined")
    call_off = relationship("CallOff", lazy="joined")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    arrived_by: Mapped[User | None] = relationship(foreign_keys=[arrived_by_id])

    @property
    def trip_hours(self) -> float | None:
        """Hours on the road, once arrived."""
        if self.arrived_at is None:
            return None
        return round((self.arrived_at - self.departed_at).total_seconds() / 3600, 2)
