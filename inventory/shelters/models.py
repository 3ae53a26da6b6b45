"""Emergency shelters (应急避难场所) and the road hours from depots to them."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inventory.base import N_
from inventory.db import UTCDateTime, db, utcnow
from inventory.geo.models import Area, Depot
from inventory.readiness.models import TRAVEL_SOURCES

#: classes by the length of stay a shelter is built for: Ⅰ ≥ 30 days, Ⅱ 10–30 days, Ⅲ ≤ 10 days
SHELTER_CLASSES = ("I", "II", "III")
CLASS_LABELS = {"I": N_("Ⅰ类（30 天以上）"), "II": N_("Ⅱ类（10–30 天）"),
                "III": N_("Ⅲ类（10 天以内）")}
#: the class in one character, for tables
CLASS_SHORT = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ"}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Shelter(db.Model):
    """A place where people are sheltered; supplies for them go to its receiving point."""

    __tablename__ = "shelters"
    __table_args__ = (
        CheckConstraint(_in("shelter_class", SHELTER_CLASSES), name="shelter_class"),
        CheckConstraint("capacity_people > 0", name="capacity_positive"),
        CheckConstraint("site_area_m2 IS NULL OR site_area_m2 >= 0", name="site_area_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the shelter's code, also its receiving point's depot code and its site id in a run
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    #: I, II or III (see SHELTER_CLASSES)
    shelter_class: Mapped[str] = mapped_column(String(3))
    #: people it can shelter
    capacity_people: Mapped[int]
    #: the site's usable area in square metres
    site_area_m2: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    address: Mapped[str | None] = mapped_column(String(200))
    #: the unit that runs it (管理单位), e.g. a school or the township government
    operator: Mapped[str | None] = mapped_column(String(100))
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    active: Mapped[bool] = mapped_column(default=True)
    #: the receiving point: a depot of kind ``shelter`` with the same code
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    area: Mapped[Area] = relationship(lazy="joined")
    depot: Mapped[Depot] = relationship(lazy="joined")


class ShelterTravelTime(db.Model):
    """Road hours from a depot to a shelter (surveyed, imported or entered by hand)."""

    __tablename__ = "shelter_travel_times"
    __table_args__ = (
        UniqueConstraint("depot_id", "shelter_id"),
        CheckConstraint("hours >= 0", name="hours_not_negative"),
        CheckConstraint(_in("source", TRAVEL_SOURCES), name="source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"))
    shelter_id: Mapped[int] = mapped_column(ForeignKey("shelters.id"), index=True)
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    source: Mapped[str] = mapped_column(String(8), default="manual")

    depot: Mapped[Depot] = relationship(lazy="joined")
    shelter: Mapped[Shelter] = relationship(lazy="joined")
