"""What readiness is measured against: per-person norms, targets (people to shelter within a
deadline), minimum stock per tier, and the road hours from depots to areas."""

from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inventory.base import N_
from inventory.catalogue.models import Item
from inventory.db import db
from inventory.geo.models import AREA_LEVELS, Area, Depot

SEASONS = ("all", "winter", "summer")

TRAVEL_SOURCES = ("survey", "import", "manual")

SEASON_LABELS = {"all": N_("全年"), "winter": N_("冬季"), "summer": N_("夏季")}

TRAVEL_SOURCE_LABELS = {"survey": N_("实测"), "import": N_("导入"), "manual": N_("手工录入")}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Norm(db.Model):
    """How much of an item one sheltered person needs (人均标准)."""

    __tablename__ = "norms"
    __table_args__ = (
        UniqueConstraint("item_id", "season"),
        CheckConstraint(_in("season", SEASONS), name="season"),
        CheckConstraint("per_person > 0", name="per_person_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    per_person: Mapped[Decimal] = mapped_column(Numeric(10, 4))
    duration_hours: Mapped[int] = mapped_column(default=72)
    season: Mapped[str] = mapped_column(String(8), default="all")
    #: why this quantity, in English (as the shared norms file gives it) and in Chinese
    basis: Mapped[str | None] = mapped_column(Text)
    basis_zh: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)

    item: Mapped[Item] = relationship(lazy="joined")

    def basis_in(self, language: str) -> str:
        """Say the basis in a language (``zh_CN`` or ``en``), else in the other one."""
        first, second = ((self.basis_zh, self.basis) if language.startswith("zh")
                         else (self.basis, self.basis_zh))
        return first or second or ""


class Target(db.Model):
    """Shelter N people in an area within H hours (e.g. 1,200 people within 10 h)."""

    __tablename__ = "targets"
    __table_args__ = (
        CheckConstraint("people > 0", name="people_positive"),
        CheckConstraint("deadline_hours > 0", name="deadline_positive"),
        CheckConstraint(_in("season", SEASONS), name="season"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    people: Mapped[int]
    deadline_hours: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal(10))
    #: the season whose norms apply (winter adds coats and blankets)
    season: Mapped[str] = mapped_column(String(8), default="all")
    #: stock expiring before this day does not count (empty: the day of the check)
    target_date: Mapped[date | None]
    active: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str | None] = mapped_column(Text)

    area: Mapped[Area] = relationship(lazy="joined")


class StockMinimum(db.Model):
    """A minimum every depot of a tier holds (储备定额): supplies for N people, or an item's
    quantity.

    E.g. "each township point holds supplies for 50 people" (turned into items by the norms)
    or "each county warehouse holds 200 tents".
    """

    __tablename__ = "stock_minimums"
    __table_args__ = (
        CheckConstraint(_in("level", AREA_LEVELS), name="level"),
        CheckConstraint(_in("season", SEASONS), name="season"),
        CheckConstraint("(people IS NULL) <> (item_id IS NULL)", name="people_or_item"),
        CheckConstraint("(item_id IS NULL) = (quantity IS NULL)", name="item_with_quantity"),
        CheckConstraint("people IS NULL OR people > 0", name="people_positive"),
        CheckConstraint("quantity IS NULL OR quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the tier: every active depot whose area has this level
    level: Mapped[str] = mapped_column(String(10))
    #: supplies for this many people, by the season's norms …
    people: Mapped[int | None]
    season: Mapped[str] = mapped_column(String(8), default="all")
    #: … or this quantity of one item
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"))
    quantity: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str | None] = mapped_column(Text)

    item: Mapped["Item | None"] = relationship(lazy="joined")


class TravelTime(db.Model):
    """Road hours from a depot to an area (surveyed, imported or entered by hand)."""

    __tablename__ = "travel_times"
    __table_args__ = (
        UniqueConstraint("depot_id", "area_id"),
        CheckConstraint("hours >= 0", name="hours_not_negative"),
        CheckConstraint(_in("source", TRAVEL_SOURCES), name="source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    source: Mapped[str] = mapped_column(String(8), default="manual")

    depot: Mapped[Depot] = relationship(lazy="joined")
    area: Mapped[Area] = relationship(lazy="joined")
