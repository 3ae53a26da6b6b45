"""Catalogue items."""

from decimal import Decimal

from sqlalchemy import CheckConstraint, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from inventory.db import db


class Item(db.Model):
    __tablename__ = "items"
    __table_args__ = (
        CheckConstraint("shelf_life_days IS NULL OR shelf_life_days > 0", name="shelf_life"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(150))
    #: 生活类, 防汛抗旱, 森林防灭火, 消防, 矿山救援, 医疗防疫, 食品饮水, 通信照明, …
    category: Mapped[str] = mapped_column(String(30), index=True)
    #: top class of GB/T 38565-2020, e.g. "1 基本生活保障物资"
    gbt_class: Mapped[str | None] = mapped_column(String(40))
    #: the standard's full 7-digit code, where the bureau has assigned one
    gbt_code: Mapped[str | None] = mapped_column(String(7))
    unit: Mapped[str] = mapped_column(String(10))
    #: empty for durable goods
    shelf_life_days: Mapped[int | None]
    unit_volume_m3: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))
    unit_weight_kg: Mapped[Decimal | None] = mapped_column(Numeric(10, 3))
    active: Mapped[bool] = mapped_column(default=True)
