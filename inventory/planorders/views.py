"""Pages of the orders made from plans: the runs' orders, a run's orders with its purchase list
(A4 PDF and Excel), rotation work orders (list, pick list, print, cancel) and production
orders."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from inventory.auth.permissions import can_move_stock
from inventory.db import db
from inventory.documents.views import pdf_response, refused
from inventory.errors import DomainError, InvalidInput
from inventory.geo import queries as geo
from inventory.geo.queries import get_depot
from inventory.i18n import message_of
from inventory.planorders import papers, queries, rotation
from inventory.planorders.services import MAKERS
from inventory.xlsx import send_workbook

bp = Blueprint("planorders", __name__)



@bp.get("/plan-orders/")
@login_required
def index():
    """The runs whose orders were made, newest first, and the lists of work orders."""
    return render_template("planorders/index.html",
                           records=queries.recent_plan_orders(db.session))


@bp.get("/plan-orders/<int(max=2147483647):run_id>")
@login_required
def run_orders(run_id):
    """What a run became: draft transfers, call-offs, production orders, purchases, rotation
    orders, each linked to its own page."""
    try:
        record = queries.plan_orders(db.session, run_id)
    except DomainError as error:
        return refused(error, gettext("方案工单"))
    return render_template("planorders/run.html", record=record,
                           purchases=queries.PurchaseList(record, list(record.purchases)),
                           rotation_views=queries.rotation_orders_of(db.session, record))


@bp.get("/plan-orders/<int(max=2147483647):run_id>/purchases.pdf")
@login_required
def purchases_pdf(run_id):
    """The run's purchase list as an A4 PDF."""
    try:
        listed = queries.purchase_list(db.session, run_id)
    except DomainError as error:
        return refused(error, gettext("采购清单"))
    return pdf_response(papers.purchase_list_document(listed))


@bp.get("/plan-orders/<int(max=2147483647):run_id>/purchases.xlsx")
@login_required
def purchases_xlsx(run_id):
    """The run's purchase list as a workbook."""
    try:
        listed = queries.purchase_list(db.session, run_id)
    except DomainError as error:
        return refused(error, gettext("采购清单"))
    return send_workbook(papers.purchase_list_workbook(listed), f"purchases-RUN-{run_id}.xlsx")


@bp.get("/rotation-orders/")
@login_required
def rotation_index():
    """Rotation work orders, newest first, by depot and state; a keeper's own depots first."""
    depot = request.args.get("depot") or None
    state = request.args.get("state") or None
    status = 200
    try:
        if depot:
            get_depot(db.session, depot)
        if state not in (None, *queries.ROTATION_STATES):
            raise InvalidInput("状态须为执行中、已完成或已取消。",
                               "The state is open, done or cancelled.", {"state": ["unknown"]})
        views = queries.rotation_orders(db.session, depot=depot, state=state)
    except DomainError as error:
        flash(message_of(error), "error")
        views, status = [], error.status
    return render_template("planorders/rotation_index.html", views=views,
                           depots=geo.depots(db.session, active_only=False), args=request.args,
                           states=queries.ROTATION_STATES), status


def _show(number: str, status: int = 200):
    try:
        view = queries.rotation_order(db.session, number)
    except DomainError as error:
        return refused(error, gettext("轮换工单"))
    return render_template(
        "planorders/rotation_show.html", view=view, order=view.order,
        can_scan=view.state == "open" and can_move_stock(current_user, view.order.depot),
        can_cancel=view.state != "cancelled" and current_user.role in MAKERS), status


@bp.get("/rotation-orders/<number>")
@login_required
def rotation_show(number):
    """One rotation order: the pick list, what has left, and where to scan it out."""
    return _show(number)


@bp.post("/rotation-orders/<number>/cancel")
@login_required
def rotation_cancel(number):
    """Cancel an open rotation order; what already left stays in the ledger."""
    try:
        view = queries.rotation_order(db.session, number)
    except DomainError as error:
        return refused(error, gettext("轮换工单"))
    try:
        rotation.cancel(db.session, current_user, order_id=view.order.id,
                        reason=request.form.get("reason", ""))
    except DomainError as error:
        flash(message_of(error), "error")
        return _show(number, error.status)
    flash(gettext("已取消轮换工单。"), "ok")
    return redirect(url_for("planorders.rotation_show", number=number), 303)


@bp.get("/rotation-orders/<number>.pdf")
@login_required
def rotation_pdf(number):
    """The printable rotation order with the lots' QR codes."""
    try:
        view = queries.rotation_order(db.session, number)
    except DomainError as error:
        return refused(error, gettext("轮换工单"))
    return pdf_response(papers.rotation_pick_list(view))


@bp.get("/production-orders/")
@login_required
def production_index():
    """Production orders to capacity reserves, newest first."""
    return render_template("planorders/production_index.html",
                           orders=queries.production_orders(db.session))
