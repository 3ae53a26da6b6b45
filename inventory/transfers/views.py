"""Transfer pages: the list with its filters, one transfer with its lines and ledger rows,
ordering a transfer by item with lots proposed first-expiry-first-out, dispatch, cancel, and
the printable transfer order (调拨单)."""

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from inventory.auth.permissions import can_move_stock, can_plan_transfers
from inventory.catalogue import queries as catalogue
from inventory.db import db
from inventory.documents import papers
from inventory.documents.views import pdf_response, refused
from inventory.errors import DomainError, Forbidden
from inventory.geo import queries as geo
from inventory.i18n import message_of
from inventory.inputs import parse_day
from inventory.transfers import queries, services
from inventory.transfers.forms import TransferForm, digits
from inventory.transport import waybills as transport_waybills
from inventory.transport.views import dispatch_with_waybill, waybill_form_values

bp = Blueprint("transfers", __name__, url_prefix="/transfers")



def _date(name: str) -> date | None:
    return parse_day(request.args.get(name), name)


def _filters() -> queries.TransferFilter:
    return queries.TransferFilter(
        status=request.args.get("status") or None,
        from_depot=request.args.get("from_depot") or None,
        to_depot=request.args.get("to_depot") or None,
        since=_date("since"), until=_date("until"))


@bp.get("/")
@login_required
def index():
    """Transfers, newest first, narrowed by status, depots and the day they were ordered."""
    page = request.args.get("page", "1")
    status = 200
    try:
        result = queries.list_transfers(db.session, _filters(),
                                        int(page) if digits(page, 9) else 1)
    except DomainError as error:
        flash(message_of(error), "error")
        result, status = queries.TransferPage([], 0, 1, 1), error.status
    return render_template(
        "transfers/index.html", result=result, args=request.args,
        depots=geo.depots(db.session, active_only=False),
        can_order=bool(queries.source_depots(db.session, current_user))), status


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Order a transfer: choose items and quantities, see the lots proposed first-expiry-first-
    out, change them if need be, and save the draft."""
    sources = queries.source_depots(db.session, current_user)
    if not sources:
        return refused(Forbidden("您无权开具调拨单："
                                 "调拨单由局机关、系统管理员或调出库的库管员开具。",
                                 "You may not order transfers: the bureau, an administrator or "
                                 "the sending depot's keeper does."),
                       gettext("新建调拨单"))
    form = TransferForm.read(request.form if request.method == "POST" else request.args)
    proposals, status = [], 200
    try:
        if request.method == "POST":
            wanted = form.wanted()
            if wanted and form.from_depot:
                proposals = queries.propose_lots(db.session, form.from_depot, wanted)
            if request.form.get("action") == "save":
                transfer = services.create(db.session, current_user, **form.order())
                flash(gettext("已保存调拨单 %(number)s（草稿）。", number=transfer.number), "ok")
                return redirect(url_for("transfers.show", number=transfer.number), 303)
    except DomainError as error:
        flash(message_of(error), "error")
        status = error.status
    if request.form.get("action") != "save":
        form.takes = {}  # a new proposal replaces the quantities typed on the last one
    return render_template("transfers/new.html", form=form, proposals=proposals,
                           sources=sources, depots=geo.depots(db.session),
                           items=catalogue.items(db.session)), status


def _show(number: str, status: int = 200):
    try:
        detail = queries.transfer_detail(db.session, number)
    except DomainError as error:
        return refused(error, gettext("调拨单"))
    transfer = detail.transfer
    draft = transfer.status == "draft"
    return render_template(
        "transfers/show.html", detail=detail, transfer=transfer, movements=detail.movements,
        can_dispatch=draft and can_move_stock(current_user, transfer.from_depot),
        can_cancel=draft and can_plan_transfers(current_user, transfer.from_depot),
        waybill=transport_waybills.for_transfer(db.session, transfer.id),
        can_record_waybill=transfer.status == "dispatched" and can_move_stock(
            current_user, transfer.from_depot)), status


@bp.get("/<number>")
@login_required
def show(number):
    """One transfer: both depots, lines with lots, sent and received, and its ledger rows."""
    return _show(number)


def _act(number: str, action, done: str):
    try:
        transfer = queries.get_by_number(db.session, number)
    except DomainError as error:
        return refused(error, gettext("调拨单"))
    try:
        action(transfer.id)
    except DomainError as error:
        flash(message_of(error), "error")
        return _show(number, error.status)
    flash(done, "ok")
    return redirect(url_for("transfers.show", number=number), 303)


@bp.post("/<number>/dispatch")
@login_required
def dispatch(number):
    """Send the goods: transfer_out rows at the source; the goods are then in transit, with
    their waybill when the form gives a plate."""
    waybill = waybill_form_values()
    return _act(number, lambda transfer_id: dispatch_with_waybill(transfer_id, waybill),
                gettext("已发出：物资在途。"))


@bp.post("/<number>/cancel")
@login_required
def cancel(number):
    """Cancel a draft; nothing has moved."""
    return _act(number, lambda transfer_id: services.cancel(db.session, current_user,
                                                            transfer_id),
                gettext("已取消调拨单。"))


@bp.get("/<number>.pdf")
@login_required
def order_pdf(number):
    """The printable transfer order (调拨单) with the lots' QR codes."""
    try:
        detail = queries.transfer_detail(db.session, number)
    except DomainError as error:
        return refused(error, gettext("调拨单"))
    return pdf_response(papers.transfer_order(detail))
