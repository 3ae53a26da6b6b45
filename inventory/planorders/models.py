"""The orders made from a solved run: one record per run, the production orders, the purchase
list and the rotation work orders. Draft transfers and call-offs are the transfers' and the
agreements' own rows; the record links them to the run."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inventory.auth.models import User
from inventory.base import N_
from inventory.catalogue.models import Item
from inventory.contracts.models import CallOff, CapacityReserve
from inventory.db import UTCDateTime, db, utcnow
from inventory.geo.models import Depot
from inventory.stock.models import Lot
from inventory.transfers.models import Transfer

PLAN_KINDS = ("dispatch", "preposition", "rotation")
KIND_LABELS = {"dispatch": N_("应急调度"), "preposition": N_("预置布局"),
               "rotation": N_("轮换更新")}
PRODUCTION_STATUSES = ("ordered", "cancelled")
PRODUCTION_STATUS_LABELS = {"ordered": N_("已下达"), "cancelled": N_("已取消")}
#: a rotation order is open until cancelled; whether it is done is read from the ledger
ROTATION_STATUSES = ("open", "cancelled")
ROTATION_STATUS_LABELS = {"open": N_("执行中"), "done": N_("已完成"), "cancelled": N_("已取消")}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


plan_order_transfers = Table(
    "plan_order_transfers", db.metadata,
    Column("plan_orders_id", ForeignKey("plan_orders.id"), primary_key=True),
    Column("transfer_id", ForeignKey("transfers.id"), primary_key=True, unique=True),
)

plan_order_call_offs = Table(
    "plan_order_call_offs", db.metadata,
    Column("plan_orders_id", ForeignKey("plan_orders.id"), primary_key=True),
    Column("call_off_id", ForeignKey("call_offs.id"), primary_key=True, unique=True),
)


class PlanOrders(db.Model):
    """The orders made from one run: at most one set per run, made all at once."""

    __tablename__ = "plan_orders"
    __table_args__ = (CheckConstraint(_in("kind", PLAN_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the run (inventory.planning) whose plan the orders carry out
    run_id: Mapped[int] = mapped_column(unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[User] = relationship(lazy="joined")
    transfers: Mapped[list[Transfer]] = relationship(secondary=plan_order_transfers,
                                                     order_by=Transfer.id)
    call_offs: Mapped[list[CallOff]] = relationship(secondary=plan_order_call_offs,
                                                    order_by=CallOff.id)
    production_orders: Mapped[list["ProductionOrder"]] = relationship(
        back_populates="plan_orders", order_by="ProductionOrder.id")
    purchases: Mapped[list["PurchaseLine"]] = relationship(order_by="PurchaseLine.id")
    rotation_orders: Mapped[list["RotationOrder"]] = relationship(
        back_populates="plan_orders", order_by="RotationOrder.id")


class ProductionOrder(db.Model):
    """Production asked of an enterprise holding a capacity reserve (产能转产): what, how much,
    how long it takes, and where it goes."""

    __tablename__ = "production_orders"
    __table_args__ = (
        CheckConstraint(_in("status", PRODUCTION_STATUSES), name="status"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("hours_needed >= 0", name="hours_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 转产单号, e.g. SC-2026-00004
    number: Mapped[str] = mapped_column(String(32), unique=True)
    plan_orders_id: Mapped[int] = mapped_column(ForeignKey("plan_orders.id"), index=True)
    capacity_reserve_id: Mapped[int] = mapped_column(ForeignKey("capacity_reserves.id"),
                                                     index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    quantity: Mapped[int]
    #: ramp-up plus making the quantity at the reserve's rate, in hours
    hours_needed: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    #: when the plan has the goods arrive at the destination
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the depot the goods go to (a shelter's receiving point)
    destination_id: Mapped[int] = mapped_column(ForeignKey("depots.id"))
    status: Mapped[str] = mapped_column(String(12), default="ordered")
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan_orders: Mapped[PlanOrders] = relationship(back_populates="production_orders")
    capacity_reserve: Mapped[CapacityReserve] = relationship(lazy="joined")
    item: Mapped[Item] = relationship(lazy="joined")
    destination: Mapped[Depot] = relationship(lazy="joined")


class PurchaseLine(db.Model):
    """One line of a plan's purchase list: buy this much of an item (for a depot, in a month)."""

    __tablename__ = "plan_purchases"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_orders_id: Mapped[int] = mapped_column(ForeignKey("plan_orders.id"), index=True)
    #: where the goods go (pre-positioning); empty when the plan does not say (rotation)
    depot_id: Mapped[int | None] = mapped_column(ForeignKey("depots.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    quantity: Mapped[int]
    #: the price the plan assumed; empty when it gave none
    unit_cost: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    #: the month to order in (rotation); empty for "now" (pre-positioning)
    month: Mapped[date | None]

    depot: Mapped["Depot | None"] = relationship(lazy="joined")
    item: Mapped[Item] = relationship(lazy="joined")

    @property
    def amount(self) -> Decimal | None:
        """Quantity × unit cost, when the cost is known."""
        return None if self.unit_cost is None else self.unit_cost * self.quantity


class RotationOrder(db.Model):
    """A rotation work order (轮换工单) for one depot: lots to send to outlets this month,
    executed by scanning each lot on the scan screen."""

    __tablename__ = "rotation_orders"
    __table_args__ = (CheckConstraint(_in("status", ROTATION_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 轮换单号, e.g. LH-2026-00002; each rotation_out row of the order carries it as reference
    number: Mapped[str] = mapped_column(String(32), unique=True)
    plan_orders_id: Mapped[int] = mapped_column(ForeignKey("plan_orders.id"), index=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"), index=True)
    #: the first day of the month the order is for
    month: Mapped[date]
    status: Mapped[str] = mapped_column(String(12), default="open")
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan_orders: Mapped[PlanOrders] = relationship(back_populates="rotation_orders")
    depot: Mapped[Depot] = relationship(lazy="joined")
    lines: Mapped[list["RotationOrderLine"]] = relationship(
        back_populates="order", lazy="selectin", order_by="RotationOrderLine.id")


class RotationOrderLine(db.Model):
    """One lot of a rotation order and the outlet it goes to."""

    __tablename__ = "rotation_order_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "lot_id", "outlet"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("rotation_orders.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    #: where the goods go (a school canteen, a market), as the run's input names it; written
    #: as the recipient of the rotation_out rows
    outlet: Mapped[str] = mapped_column(String(100))
    quantity: Mapped[int]

    order: Mapped[RotationOrder] = relationship(back_populates="lines")
    lot: Mapped[Lot] = relationship(lazy="joined")
    item: Mapped[Item] = relationship(lazy="joined")
