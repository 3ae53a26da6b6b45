"""Pages for reserves beyond the shelf: agreements and their call-offs, capacity reserves,
travel times. The bureau calls off and settles; a depot's keeper receives the delivery."""

from datetime import date

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from inventory import clock
from inventory.auth import permissions
from inventory.auth.permissions import can_move_stock
from inventory.contracts import queries, services
from inventory.contracts.models import (
    AGREEMENT_STATUS_LABELS,
    CALL_OFF_STATUS_LABELS,
)
from inventory.db import db
from inventory.errors import InvalidInput
from inventory.geo import queries as geo
from inventory.inputs import parse_day, parse_number
from inventory.readiness import queries as readiness_queries
from inventory.readiness import services as readiness
from inventory.transport import queries as transport
from inventory.web.forms import act
from inventory.xlsx import add_table, send_workbook, workbook

bp = Blueprint("contracts", __name__, url_prefix="/reserves")

MANAGERS = permissions.MANAGERS
#: statuses in exported workbooks (the Chinese labels themselves)
STATUS_NAMES = AGREEMENT_STATUS_LABELS | CALL_OFF_STATUS_LABELS


@bp.get("/")
@login_required
def index():
    """Agreements with what they still commit and their call-offs; capacity; travel times."""
    return render_template(
        "contracts/index.html", agreements=queries.agreements_with_remaining(db.session),
        capacity=queries.capacity_reserves(db.session),
        travel_times=readiness_queries.travel_times(db.session),
        depots=geo.depots(db.session), areas=geo.areas(db.session),
        measured=transport.measured_to_areas(db.session),
        manages=current_user.role in MANAGERS,
        can_receive=lambda call_off: can_move_stock(current_user, call_off.depot))


def _act(action, done: str):
    return act(action, done, url_for("contracts.index"))


def _int(name: str, *, required: bool = True) -> int | None:
    raw = request.form.get(name, "").strip()
    if not raw and not required:
        return None
    return parse_number(raw, name, whole=True)


def _date(name: str) -> date | None:
    return parse_day(request.form.get(name), name)


@bp.post("/agreements/<int:agreement_id>/call-off")
@login_required
def call_off(agreement_id):
    return _act(lambda: services.call_off(
        db.session, current_user, agreement_id=agreement_id, quantity=_int("quantity"),
        depot=request.form.get("depot", ""), reason=request.form.get("reason") or None),
        gettext("已调用，等待供应商送达。"))


@bp.post("/call-offs/<int:call_off_id>/receive")
@login_required
def receive(call_off_id):
    return _act(lambda: services.receive_call_off(
        db.session, current_user, call_off_id=call_off_id,
        quantity=_int("quantity", required=False), lot_code=request.form.get("lot_code") or None,
        expires_on=_date("expires_on")), gettext("已入库。"))


@bp.post("/call-offs/<int:call_off_id>/settle")
@login_required
def settle(call_off_id):
    return _act(lambda: services.settle(db.session, current_user, call_off_id=call_off_id,
                                        reference=request.form.get("reference") or None),
                gettext("已按招标价结算。"))


@bp.post("/call-offs/<int:call_off_id>/cancel")
@login_required
def cancel(call_off_id):
    return _act(lambda: services.cancel_call_off(db.session, current_user,
                                                 call_off_id=call_off_id,
                                                 reason=request.form.get("reason", "")),
                gettext("已取消调用。"))


@bp.post("/travel-times")
@login_required
def travel_time():
    def save():
        try:
            hours = parse_number(request.form.get("hours", ""), "hours", minimum=0, maximum=720)
        except InvalidInput:
            raise InvalidInput("行驶时间须为 0 至 720 之间的小时数，如 1.5。",
                               "Hours look like 1.5 (0 to 720).", {"hours": ["number"]}) from None
        readiness.set_travel_time(db.session, current_user, depot=request.form.get("depot", ""),
                                 area=request.form.get("area", ""), hours=hours)
    return _act(save, gettext("行驶时间已保存。"))


@bp.get("/reserves.xlsx")
@login_required
def reserves_workbook():
    """The page's tables as an Excel workbook with Chinese headers."""
    book = workbook()
    agreements = queries.agreements_with_remaining(db.session)
    add_table(book, "协议储备", ["协议编号", "供应商", "联系人", "电话", "物资编码", "物资名称",
                              "单位", "协议数量", "尚可调用", "响应时间（小时）", "送达",
                              "招标单价", "有效期起", "有效期止", "状态"], (
        [a.number, a.supplier, a.contact_name, a.contact_phone, a.item.code, a.item.name_zh,
         a.item.unit, a.committed_quantity, left, float(a.response_hours),
         "县级储备库" if a.response_to == "county" else "安置点",
         None if a.unit_price is None else float(a.unit_price), a.valid_from, a.valid_until,
         STATUS_NAMES[a.status]] for a, left in agreements))
    add_table(book, "调用记录", ["协议编号", "调用编号", "调用时间", "数量", "送达储备库", "状态",
                              "到货数量", "批次", "结算金额", "结算时间", "结算凭证", "事由"], (
        [a.number, c.id, clock.spreadsheet_time(c.called_at), c.quantity, c.depot.code,
         STATUS_NAMES[c.status], c.received_quantity, c.lot_id,
         None if c.settled_amount is None else float(c.settled_amount),
         clock.spreadsheet_time(c.settled_at), c.settlement_reference,
         c.reason] for a, _left in agreements for c in a.call_offs))
    add_table(book, "产能储备", ["企业", "联系人", "电话", "物资编码", "物资名称", "单位",
                              "产能（每小时）", "准备时间（小时）", "单次最大数量", "出发地",
                              "单价", "有效期起", "有效期止"], (
        [c.enterprise, c.contact_name, c.contact_phone, c.item.code, c.item.name_zh, c.item.unit,
         float(c.rate_per_hour), float(c.ramp_hours), c.max_quantity, c.area.name,
         None if c.unit_price is None else float(c.unit_price), c.valid_from, c.valid_until]
        for c in queries.capacity_reserves(db.session)))
    add_table(book, "行驶时间", ["储备库", "储备库名称", "行政区编码", "行政区", "小时", "来源"], (
        [t.depot.code, t.depot.name, t.area.code, t.area.name, float(t.hours), t.source]
        for t in readiness_queries.travel_times(db.session)))
    return send_workbook(book, "contract-capacity-reserves.xlsx")
