"""The bureau's readiness dashboard: targets at a glance, then items, depots, lots, ledger."""

import io
from collections import defaultdict
from datetime import timedelta

from flask import Blueprint, render_template, send_file
from flask_login import login_required
from openpyxl import Workbook
from sqlalchemy import func, select

from inventory import clock
from inventory.catalogue.models import Item
from inventory.db import db
from inventory.reserves import services
from inventory.reserves.models import Target
from inventory.stock.models import Lot

bp = Blueprint("readiness", __name__, url_prefix="/readiness")

LEVEL_ORDER = {"county": 0, "township": 1, "village": 2}


def coverage_class(ratio: float) -> str:
    """Colour band of a coverage ratio: met, nearly, short."""
    return "cover-ok" if ratio >= 1 else ("cover-warn" if ratio >= 0.8 else "cover-bad")


@bp.get("/")
@login_required
def index():
    """Every target by tier with its coverage and limiting items; what needs attention."""
    targets = db.session.scalars(select(Target).where(Target.active.is_(True))).all()
    rows = sorted(((t, services.assess_target(db.session, t)) for t in targets),
                  key=lambda row: (LEVEL_ORDER[row[0].area.level], row[0].area.code, row[0].id))
    categories: dict[str, list[float]] = defaultdict(list)
    for _target, result in rows:
        for item in result.items:
            categories[item.need.category].append(min(item.coverage, 1.0))
    by_category = sorted((name, sum(v) / len(v)) for name, v in categories.items())
    return render_template("readiness.html", rows=rows, by_category=by_category,
                           expiring=expiring_by_month(), flags=services.flags(db.session),
                           coverage_class=coverage_class)


@bp.get("/targets/<int:target_id>")
@login_required
def target(target_id):
    """One target: each item's requirement, what covers it by mode and where it is."""
    found = services.get_target(db.session, target_id)
    return render_template("readiness_target.html", target=found,
                           result=services.assess_target(db.session, found),
                           coverage_class=coverage_class)


@bp.get("/stock")
@login_required
def stock():
    """The county's reserves by item: on the shelf, and contract and capacity reserves."""
    return render_template("readiness_stock.html",
                           lines=services.reserves_by_item(db.session))


@bp.get("/stock.xlsx")
@login_required
def stock_workbook():
    """The same table as an Excel workbook with Chinese headers."""
    book = Workbook()
    sheet = book.active
    sheet.title = "储备总览"
    sheet.append(["物资编码", "物资名称", "类别", "单位", "在库数量", "可用数量",
                  "协议储备（不在库）", "产能储备（不在库）"])
    for line in services.reserves_by_item(db.session):
        sheet.append([line.item.code, line.item.name_zh, line.item.category, line.item.unit,
                      line.on_shelf, line.usable, line.contract, line.capacity])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return send_file(buffer, as_attachment=True, download_name="reserves.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def expiring_by_month(months: int = 12) -> list[tuple[str, int]]:
    """Units of usable stock expiring in each of the coming months."""
    today = clock.today()
    until = today + timedelta(days=31 * months)
    rows = db.session.execute(
        select(Lot.expires_on, func.sum(Lot.quantity))
        .join(Item, Item.id == Lot.item_id)
        .where(Lot.status == "available", Lot.quantity > 0, Lot.expires_on >= today,
               Lot.expires_on < until)
        .group_by(Lot.expires_on)).all()
    totals: dict[str, int] = {}
    year, month = today.year, today.month
    for _ in range(months):
        totals[f"{year}-{month:02d}"] = 0
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    for day, quantity in rows:
        key = f"{day.year}-{day.month:02d}"
        if key in totals:
            totals[key] += int(quantity)
    return list(totals.items())
