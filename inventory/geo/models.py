"""Areas and depots."""

from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inventory.base import N_
from inventory.db import db

AREA_LEVELS = ("county", "township", "village")
#: a ``shelter`` depot is an emergency shelter's receiving point (inventory.shelters): supplies
#: sent to the shelter are received there, and issued to the people sheltered from there
DEPOT_KINDS = ("government", "enterprise", "community", "shelter")
#: Chinese labels of the tiers and depot kinds, for pages and exports (pages translate them).
LEVEL_LABELS = {"county": N_("县级"), "township": N_("乡镇"), "village": N_("村/社区")}
DEPOT_KIND_LABELS = {
    "government": N_("政府储备库"),
    "enterprise": N_("企业代储"),
    "community": N_("社区储备点"),
    "shelter": N_("避难场所接收点"),
}
#: a depot's details the bureau edits, as its pages name them (pages translate them)
DEPOT_FIELD_LABELS = {
    "name": N_("名称"),
    "kind": N_("类型"),
    "capacity_m3": N_("库容（立方米）"),
    "handling_hours": N_("装车出库时间（小时）"),
    "latitude": N_("纬度"),
    "longitude": N_("经度"),
    "address": N_("地址"),
    "keeper_name": N_("库管员"),
    "keeper_phone": N_("联系电话"),
    "active": N_("启用"),
}


class Area(db.Model):
    __tablename__ = "areas"
    __table_args__ = (
        CheckConstraint("level IN ('county', 'township', 'village')", name="level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: administrative division code, e.g. 140522 for 阳城县
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))

    parent: Mapped["Area | None"] = relationship(remote_side="Area.id", back_populates="children")
    children: Mapped[list["Area"]] = relationship(back_populates="parent")
    depots: Mapped[list["Depot"]] = relationship(back_populates="area")


class Depot(db.Model):
    __tablename__ = "depots"
    __table_args__ = (
        CheckConstraint("kind IN ('government', 'enterprise', 'community', 'shelter')",
                        name="kind"),
        CheckConstraint("capacity_m3 IS NULL OR capacity_m3 >= 0", name="capacity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: storage capacity in cubic metres
    capacity_m3: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    address: Mapped[str | None] = mapped_column(String(200))
    keeper_name: Mapped[str | None] = mapped_column(String(50))
    keeper_phone: Mapped[str | None] = mapped_column(String(30))
    #: hours to load goods out (装车出库) before they travel
    handling_hours: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("1.0"),
                                                    server_default="1.0")
    active: Mapped[bool] = mapped_column(default=True)

    area: Mapped[Area] = relationship(back_populates="depots", lazy="joined")

    @property
    def tier(self) -> str:
        """The depot's tier is its area's level."""
        return self.area.level


class Bin(db.Model):
    """A storage location inside a depot (库位/货架), with its own QR label."""

    __tablename__ = "bins"
    __table_args__ = (UniqueConstraint("depot_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"), index=True)
    #: e.g. A-01-03 (area, shelf, level)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)

    depot: Mapped[Depot] = relationship(lazy="joined")
