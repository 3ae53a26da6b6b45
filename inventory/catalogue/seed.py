"""Load the catalogue of relief items from the packaged CSV (a copy of ../shared/domain)."""

import csv
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources

from sqlalchemy import select

from inventory import audit
from inventory.catalogue.models import Item
from inventory.uow import unit_of_work


@dataclass(frozen=True)
class CatalogueRow:
    code: str
    name_zh: str
    name_en: str
    category: str
    gbt_class: str | None
    unit: str
    shelf_life_days: int | None
    unit_volume_m3: Decimal | None
    unit_weight_kg: Decimal | None


def _decimal(text: str) -> Decimal | None:
    return Decimal(text) if text.strip() else None


def read_catalogue(text: str | None = None) -> list[CatalogueRow]:
    """Parse catalogue CSV text (the packaged file when none is given)."""
    if text is None:
        text = resources.files("inventory.catalogue").joinpath("data/catalogue.csv").read_text(
            encoding="utf-8")
    rows = []
    reader = csv.DictReader(text.splitlines())
    for number, record in enumerate(reader, start=2):
        if None in record or None in record.values():
            raise ValueError(f"catalogue line {number}: expected {len(reader.fieldnames)} "
                             "columns; quote fields that contain commas")
        shelf_life = record["shelf_life_days"].strip()
        rows.append(CatalogueRow(
            code=record["code"].strip(),
            name_zh=record["name_zh"].strip(),
            name_en=record["name_en"].strip(),
            category=record["category"].strip(),
            gbt_class=record.get("gbt38565_top_class", "").strip() or None,
            unit=record["unit"].strip(),
            shelf_life_days=int(shelf_life) if shelf_life else None,
            unit_volume_m3=_decimal(record["unit_volume_m3"]),
            unit_weight_kg=_decimal(record["unit_weight_kg"]),
        ))
    return rows


def load_catalogue(session, rows: list[CatalogueRow] | None = None) -> dict:
    """Insert new items and update the descriptive fields of known ones, by code.

    Items are never deleted: lots and ledger rows refer to them.
    Returns ``{"created": n, "updated": n}``.
    """
    rows = read_catalogue() if rows is None else rows
    created = updated = 0
    with unit_of_work(session):
        existing = {item.code: item for item in session.scalars(select(Item))}
        for row in rows:
            values = {
                "name_zh": row.name_zh, "name_en": row.name_en, "category": row.category,
                "gbt_class": row.gbt_class, "unit": row.unit,
                "shelf_life_days": row.shelf_life_days, "unit_volume_m3": row.unit_volume_m3,
                "unit_weight_kg": row.unit_weight_kg,
            }
            item = existing.get(row.code)
            if item is None:
                item = Item(code=row.code, active=True, **values)
                session.add(item)
                session.flush()
                audit.record(session, None, "item.load", "item", item.id, before=None,
                             after=audit.snapshot(item))
                created += 1
            elif any(getattr(item, key) != value for key, value in values.items()):
                before = audit.snapshot(item)
                for key, value in values.items():
                    setattr(item, key, value)
                was, now = audit.changes(before, audit.snapshot(item))
                audit.record(session, None, "item.load", "item", item.id, before=was, after=now)
                updated += 1
        session.flush()
    return {"created": created, "updated": updated}
