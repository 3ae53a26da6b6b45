"""The bureau's readiness dashboard: targets at a glance, then items, depots, lots, ledger."""


from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from inventory.auth import permissions
from inventory.catalogue import queries as catalogue
from inventory.contracts import queries as contract_queries
from inventory.db import db
from inventory.errors import DomainError, InvalidInput
from inventory.geo import queries as geo
from inventory.geo.models import LEVEL_LABELS
from inventory.i18n import message_of
from inventory.inputs import parse_day, parse_number
from inventory.readiness import queries, services
from inventory.readiness.models import SEASON_LABELS
from inventory.shelters import queries as shelters
from inventory.web.forms import act
from inventory.xlsx import add_table, send_workbook, workbook

bp = Blueprint("readiness", __name__, url_prefix="/readiness")

def coverage_class(ratio: float) -> str:
    """Colour band of a coverage ratio: met, nearly, short."""
    return "cover-ok" if ratio >= 1 else ("cover-warn" if ratio >= 0.8 else "cover-bad")


@bp.get("/")
@login_required
def index():
    """Every target by tier with its coverage and limiting items; what needs attention."""
    rows = queries.targets_by_tier(db.session)
    by_category = queries.coverage_by_category(rows)
    return render_template("readiness/index.html", rows=rows, by_category=by_category,
                           expiring=queries.expiring_by_month(db.session),
                           flags=queries.flags(db.session),
                           minimums=queries.minimum_compliance(db.session),
                           shelters=shelters.capacity_by_area(db.session),
                           coverage_class=coverage_class,
                           manages=current_user.role in permissions.MANAGERS,
                           areas=geo.areas(db.session), items=catalogue.items(db.session))


def _act(action, done: str):
    return act(action, done, url_for("readiness.index"))


def _number(name: str, kind=int, *, required: bool = True):
    raw = request.form.get(name, "").strip()
    if not raw and not required:
        return None
    value = parse_number(raw, name, whole=kind is int)
    if value <= 0:
        raise InvalidInput("人数、数量和时限须为正数。", "People, quantities and hours must be "
                           "positive.", {name: ["> 0"]})
    return value


@bp.post("/targets")
@login_required
def add_target():
    """Set a target from the dashboard (bureau, admin)."""
    def create():
        target_date = parse_day(request.form.get("target_date"), "target_date")
        services.create_target(
            db.session, current_user, name=request.form.get("name", "").strip() or "保障目标",
            area=request.form.get("area", ""), people=_number("people"),
            deadline_hours=_number("deadline_hours", float),
            season=request.form.get("season", "all"),
            target_date=target_date)
    return _act(create, gettext("保障目标已设定。"))


@bp.post("/targets/<int:target_id>/end")
@login_required
def end_target(target_id):
    return _act(lambda: services.end_target(db.session, current_user, target_id),
                gettext("保障目标已停用。"))


@bp.post("/minimums")
@login_required
def add_minimum():
    """Set a minimum for a tier: supplies for N people, or an item's quantity."""
    def create():
        item = request.form.get("item", "").strip() or None
        services.create_minimum(
            db.session, current_user, level=request.form.get("level", ""),
            people=None if item else _number("people"), item=item,
            quantity=_number("quantity") if item else None,
            note=request.form.get("note", "").strip() or None)
    return _act(create, gettext("储备定额已设定。"))


@bp.post("/minimums/<int:minimum_id>/end")
@login_required
def end_minimum(minimum_id):
    return _act(lambda: services.end_minimum(db.session, current_user, minimum_id),
                gettext("储备定额已停用。"))


@bp.get("/norms")
@login_required
def norms():
    """The per-person norms (人均标准) that turn people into items; the bureau edits them."""
    return render_template("readiness/norms.html", norms=queries.all_norms(db.session),
                           manages=current_user.role in permissions.MANAGERS,
                           items=catalogue.items(db.session))


@bp.post("/norms")
@login_required
def set_norm():
    def save():
        services.set_norm(
            db.session, current_user, item=request.form.get("item", ""),
            per_person=_number("per_person", float),
            season=request.form.get("season", "all"),
            duration_hours=_number("duration_hours"),
            basis=request.form.get("basis", "").strip(),
            basis_zh=request.form.get("basis_zh", "").strip(),
            source=request.form.get("source", "").strip())
    try:
        save()
        flash(gettext("人均标准已保存。"), "ok")
    except DomainError as error:
        flash(message_of(error), "error")
    return redirect(url_for("readiness.norms"))


@bp.get("/norms.xlsx")
@login_required
def norms_workbook():
    book = workbook()
    add_table(book, "人均标准", ["物资编码", "物资名称", "单位", "季节", "人均数量",
                              "保障时长（小时）", "依据", "依据（英文）", "来源"], (
        [n.item.code, n.item.name_zh, n.item.unit, SEASON_LABELS[n.season], float(n.per_person),
         n.duration_hours, n.basis_zh, n.basis, n.source]
        for n in queries.all_norms(db.session)))
    return send_workbook(book, "norms.xlsx")


@bp.get("/targets/<int:target_id>")
@login_required
def target(target_id):
    """One target: each item's requirement, what covers it by mode and where it is."""
    found = queries.get_target(db.session, target_id)
    return render_template("readiness/target.html", target=found,
                           result=queries.assess_target(db.session, found),
                           shelters=shelters.shelters_in_area(db.session, found.area_id),
                           coverage_class=coverage_class)


@bp.get("/stock")
@login_required
def stock():
    """The county's reserves by item: on the shelf, and contract and capacity reserves."""
    return render_template("readiness/stock.html",
                           lines=contract_queries.reserves_by_item(db.session))


@bp.get("/stock.xlsx")
@login_required
def stock_workbook():
    """The same table as an Excel workbook with Chinese headers."""
    book = workbook()
    add_table(book, "储备总览", ["物资编码", "物资名称", "类别", "单位", "在库数量", "可用数量",
                               "协议储备（不在库）", "产能储备（不在库）"], (
        [line.item.code, line.item.name_zh, line.item.category, line.item.unit, line.on_shelf,
         line.usable, line.contract, line.capacity]
        for line in contract_queries.reserves_by_item(db.session)))
    return send_workbook(book, "reserves.xlsx")


@bp.get("/readiness.xlsx")
@login_required
def dashboard_workbook():
    """The dashboard's tables: targets by tier, minimums by depot, and the flags."""
    book = workbook()
    rows = queries.targets_by_tier(db.session)
    add_table(book, "保障目标", ["层级", "目标", "行政区", "人数", "时限（小时）", "可完全保障人数",
                              "保障率", "限制物资"], (
        [LEVEL_LABELS[target.area.level], target.name, target.area.name, target.people,
         float(target.deadline_hours), result.people_supplied, round(result.coverage, 4),
         "、".join(item.need.name for item in result.limiting_items)]
        for target, result in rows))
    _minimums_table(book)
    found = queries.flags(db.session)
    add_table(book, "90天内到期批次", ["批次", "批号", "储备库", "物资编码", "物资名称", "数量",
                                  "到期日"], (
        [lot["lot"], lot["code"], lot["depot"], lot["item"], lot["item_name"], lot["quantity"],
         lot["expires_on"]] for lot in found.expiring_90))
    add_table(book, "协议提醒", ["协议编号", "供应商", "有效期至", "剩余数量", "提醒"], [
        *([a["number"], a["supplier"], a["valid_until"], a["remaining"], "即将到期"]
          for a in found.agreements_expiring),
        *([a["number"], a["supplier"], a["valid_until"], None, "已过期"]
          for a in found.agreements_expired),
        *([a["number"], a["supplier"], None, a["remaining"], "已调用完毕"]
          for a in found.agreements_exhausted)])
    add_table(book, "储备库提醒", ["储备库", "名称", "提醒", "库容（m³）", "在库体积（m³）"], [
        *([d["depot"], d["name"], "超出库容", d["capacity_m3"], d["held_m3"]]
          for d in found.depots_over_capacity),
        *([d["depot"], d["name"], "近6个月未盘点", None, None]
          for d in found.depots_without_stocktake)])
    add_table(book, "各类物资平均保障率", ["类别", "平均保障率"],
              ([name, round(ratio, 4)] for name, ratio in queries.coverage_by_category(rows)))
    add_table(book, "未来12个月到期", ["月份", "到期数量"], queries.expiring_by_month(db.session))
    return send_workbook(book, "readiness.xlsx")


def minimum_label(minimum) -> str:
    """A minimum in words for the workbook, e.g. 每处保障 50 人 or 每处 12平方米单帐篷 200 顶."""
    if minimum.people is not None:
        return f"每处保障 {minimum.people} 人"
    return f"每处 {minimum.item.name_zh} {minimum.quantity} {minimum.item.unit}"


def _minimums_table(book):
    rows = []
    for result in queries.minimum_compliance(db.session):
        label = minimum_label(result.minimum)
        for depot in result.depots:
            for need, held in depot.lines:
                rows.append([LEVEL_LABELS[result.minimum.level], label, depot.code, depot.name,
                             "是" if depot.met else "否", need.code, need.name, need.quantity,
                             held, max(need.quantity - held, 0)])
    return add_table(book, "储备定额", ["层级", "定额", "储备库", "储备库名称", "达标", "物资编码",
                                   "物资名称", "定额数量", "可用数量", "缺口"], rows)


@bp.get("/minimums.xlsx")
@login_required
def minimums_workbook():
    """Every depot of every tier against its minimums, item by item."""
    book = workbook()
    _minimums_table(book)
    return send_workbook(book, "minimums.xlsx")


