"""Outlets (轮换去向) the bureau defines for rotating stock before it expires."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inventory.base import N_
from inventory.catalogue.models import Item
from inventory.db import UTCDateTime, db, utcnow

OUTLET_KINDS = ("canteen", "drill", "market", "other")
OUTLET_KIND_LABELS = {"canteen": N_("学校食堂"), "drill": N_("应急演练"), "market": N_("市场"),
                      "other": N_("其他")}


class Outlet(db.Model):
    """A place that takes an item off the shelves each month, and what a unit brings back."""

    __tablename__ = "rotation_outlets"
    __table_args__ = (
        # A rotation plan names an outlet's units of an item by the outlet's name.
        UniqueConstraint("name", "item_id"),
        CheckConstraint("kind IN ('canteen', 'drill', 'market', 'other')", name="kind"),
        CheckConstraint("capacity_per_month >= 0", name="capacity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(8))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    #: units of the item it takes in a month
    capacity_per_month: Mapped[int]
    #: yuan recovered per unit sent there (sold, or the purchase it saves); may be negative
    #: when sending it there costs more than it brings
    value_per_unit: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[Item] = relationship(lazy="joined")

    def as_scenario_outlet(self) -> dict:
        """Return the outlet as a rotation scenario keeps it (its ``outlets`` parameter)."""
        return {"name": self.name, "item": self.item.code,
                "capacity_per_month": self.capacity_per_month,
                "value_per_unit": float(self.value_per_unit)}
