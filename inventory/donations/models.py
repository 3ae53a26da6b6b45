"""Donors, pledges and what was received against them.

A goods receipt line names the lot it created (one lot per line, never topped up by anything
else), so the lot's whole later history is the donation's; the ledger row that brought the
goods in is named too. Money is recorded here and never stocked.
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inventory.auth.models import User
from inventory.base import N_
from inventory.catalogue.models import Item
from inventory.db import UTCDateTime, db, utcnow
from inventory.geo.models import Depot

DONOR_KINDS = ("organisation", "person")
DONOR_KIND_LABELS = {"organisation": N_("单位"), "person": N_("个人")}
RECEIPT_KINDS = ("goods", "money")
RECEIPT_KIND_LABELS = {"goods": N_("物资"), "money": N_("资金")}

#: a 64-bit id on PostgreSQL; SQLite's rowid alias must be INTEGER
BigId = BigInteger().with_variant(Integer, "sqlite")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Donor(db.Model):
    """An organisation or a person who gives goods or money."""

    __tablename__ = "donors"
    __table_args__ = (CheckConstraint(_in("kind", DONOR_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    #: organisation or person (see DONOR_KINDS)
    kind: Mapped[str] = mapped_column(String(16))
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    address: Mapped[str | None] = mapped_column(String(200))
    #: the donor asked not to be named in the public disclosure (匿名)
    anonymous: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Pledge(db.Model):
    """What a donor promised: goods by line and/or an amount of money, for a use they ask."""

    __tablename__ = "pledges"
    __table_args__ = (
        CheckConstraint("amount IS NULL OR amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 捐赠登记号, e.g. JZ-2026-00003
    number: Mapped[str] = mapped_column(String(32), unique=True)
    donor_id: Mapped[int] = mapped_column(ForeignKey("donors.id"), index=True)
    pledged_on: Mapped[date]
    #: money promised, in yuan
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    #: the use the donor asks for (定向用途), e.g. 凤城镇受灾群众过冬
    purpose: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    donor: Mapped[Donor] = relationship(lazy="joined")
    created_by: Mapped[User] = relationship()
    lines: Mapped[list["PledgeLine"]] = relationship(
        back_populates="pledge", lazy="selectin", order_by="PledgeLine.id")
    receipts: Mapped[list["DonationReceipt"]] = relationship(
        back_populates="pledge", lazy="selectin", order_by="DonationReceipt.id")


class PledgeLine(db.Model):
    """One item promised, how many, and the use asked for it when it differs from the pledge's."""

    __tablename__ = "pledge_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledges.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    quantity: Mapped[int]
    purpose: Mapped[str | None] = mapped_column(String(200))

    pledge: Mapped[Pledge] = relationship(back_populates="lines")
    item: Mapped[Item] = relationship(lazy="joined")

    @property
    def use(self) -> str | None:
        """The use asked for this line: its own, else the pledge's."""
        return self.purpose or self.pledge.purpose


class DonationReceipt(db.Model):
    """Goods received at a depot, or money received, against a pledge (捐赠接收)."""

    __tablename__ = "donation_receipts"
    __table_args__ = (
        CheckConstraint(_in("kind", RECEIPT_KINDS), name="kind"),
        CheckConstraint("(kind = 'goods') = (depot_id IS NOT NULL)", name="goods_at_a_depot"),
        CheckConstraint("(kind = 'money') = (amount IS NOT NULL)", name="money_has_amount"),
        CheckConstraint("amount IS NULL OR amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 接收单号, e.g. JS-2026-00007; the ledger rows of goods carry it as their reference
    number: Mapped[str] = mapped_column(String(32), unique=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledges.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    depot_id: Mapped[int | None] = mapped_column(ForeignKey("depots.id"), index=True)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)
    received_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    pledge: Mapped[Pledge] = relationship(back_populates="receipts")
    depot: Mapped[Depot | None] = relationship(lazy="joined")
    received_by: Mapped[User] = relationship(lazy="joined")
    lines: Mapped[list["DonationReceiptLine"]] = relationship(
        back_populates="receipt", lazy="selectin", order_by="DonationReceiptLine.id")


class DonationReceiptLine(db.Model):
    """Goods of one pledge line received into one new lot."""

    __tablename__ = "donation_receipt_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("donation_receipts.id"), index=True)
    pledge_line_id: Mapped[int] = mapped_column(ForeignKey("pledge_lines.id"), index=True)
    #: the lot the goods became (its source is ``donation``)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), unique=True)
    #: the ledger row that brought them in
    movement_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("stock_movements.id", ondelete="RESTRICT"), unique=True)
    quantity: Mapped[int]

    receipt: Mapped[DonationReceipt] = relationship(back_populates="lines")
    pledge_line: Mapped[PledgeLine] = relationship(lazy="joined")
    lot = relationship("Lot", lazy="joined")
