"""Donation pages: donors and pledges, one pledge with its receipts and the forms to receive
goods or money against it, a donation's trace, the acknowledgement letters and the public
disclosure. The forms call the same services as the API."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from inventory.auth.permissions import can_move_stock
from inventory.catalogue import queries as catalogue
from inventory.db import db
from inventory.documents.views import pdf_response
from inventory.donations import papers, queries, services
from inventory.donations.api import read_disclosure
from inventory.errors import DomainError, InvalidInput, NotFound
from inventory.geo import queries as geo
from inventory.geo.models import Depot
from inventory.i18n import message_of
from inventory.inputs import MAX_WHOLE, parse_day
from inventory.web import download
from inventory.web.forms import act

bp = Blueprint("donations", __name__, url_prefix="/donations")
#: rows of goods on the new pledge form
PLEDGE_FORM_LINES = 3



def _edits() -> bool:
    return current_user.role in services.EDITORS


def _whole(raw: str, name: str) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 10 or int(raw) > MAX_WHOLE:
        raise InvalidInput("数量须为正整数。", "Quantities are positive whole numbers.",
                           {name: ["a positive whole number"]})
    return int(raw)


def _day(raw: str, name: str) -> date | None:
    return parse_day(raw, name)


@bp.get("/")
@login_required
def index():
    """Pledges newest first, the donors, and (for the bureau) the forms to register them."""
    return render_template(
        "donations/index.html", pledges=queries.list_pledges(db.session),
        donors=queries.list_donors(db.session), edits=_edits(), status=queries.pledge_status,
        items=catalogue.items(db.session),
        form_lines=range(PLEDGE_FORM_LINES))


@bp.post("/donors")
@login_required
def create_donor():
    """Register a donor from the form (bureau, admin)."""
    form = request.form
    return act(lambda: services.create_donor(
        db.session, current_user, name=form.get("name", ""), kind=form.get("kind", ""),
        contact_name=form.get("contact_name"), contact_phone=form.get("contact_phone"),
        address=form.get("address"), anonymous=form.get("anonymous") == "on",
        note=form.get("note")), gettext("捐赠方已登记。"), url_for("donations.index"))


@bp.post("/pledges")
@login_required
def create_pledge():
    """Register a pledge from the form: a donor, goods rows and/or money (bureau, admin)."""
    form = request.form
    try:
        lines = []
        for index, (item, quantity, purpose) in enumerate(zip(
                form.getlist("item"), form.getlist("quantity"), form.getlist("line_purpose"),
                strict=False)):
            amount = _whole(quantity, f"lines[{index}].quantity")
            if item and amount:
                lines.append({"item": item, "quantity": amount, "purpose": purpose or None})
        donor = _whole(form.get("donor", ""), "donor")
        if donor is None:
            raise InvalidInput("请选择捐赠方。", "Choose a donor.", {"donor": ["required"]})
        pledge = services.create_pledge(
            db.session, current_user, donor=donor, lines=lines,
            amount=form.get("amount", "").strip() or None, purpose=form.get("purpose"),
            pledged_on=_day(form.get("pledged_on", ""), "pledged_on"), note=form.get("note"))
    except DomainError as error:
        flash(message_of(error), "error")
        return redirect(url_for("donations.index"))
    flash(gettext("捐赠登记 %(number)s 已保存。", number=pledge.number), "ok")
    return redirect(url_for("donations.pledge", pledge_id=pledge.id))


def _receiving_depots() -> list[Depot]:
    """The depots where the user may receive goods: a keeper's own, every active one for an
    admin."""
    if current_user.role == "admin":
        return geo.depots(db.session)
    return sorted((d for d in current_user.depots if can_move_stock(current_user, d)),
                  key=lambda d: d.code)


@bp.get("/pledges/<int:pledge_id>")
@login_required
def pledge(pledge_id):
    """One pledge: what was promised and received, its receipts with their letters, and the
    forms to receive goods (a depot's keeper) or money (the bureau)."""
    try:
        found = services.get_pledge(db.session, pledge_id)
    except NotFound:
        abort(404)
    return render_template(
        "donations/pledge.html", pledge=found, progress=queries.progress(found),
        status=queries.pledge_status(found), money=services.money_received(found),
        depots=_receiving_depots(), edits=_edits())


@bp.post("/pledges/<int:pledge_id>/receipts")
@login_required
def receive_goods(pledge_id):
    """Receive goods against the pledge from the form (the depot's keeper, an admin)."""
    form = request.form
    back = url_for("donations.pledge", pledge_id=pledge_id)
    try:
        lines = []
        for index, line_id in enumerate(form.getlist("line")):
            quantity = _whole(form.get(f"quantity-{line_id}", ""), f"lines[{index}].quantity")
            if quantity:
                lines.append({"line": int(line_id) if line_id.isdigit() else None,
                              "quantity": quantity,
                              "lot_code": form.get(f"lot_code-{line_id}", "").strip() or None,
                              "expires_on": _day(form.get(f"expires_on-{line_id}", ""),
                                                 f"lines[{index}].expires_on")})
        receipt = services.receive_goods(db.session, current_user, pledge_id,
                                         depot=form.get("depot", ""), lines=lines,
                                         note=form.get("note"))
    except NotFound:
        abort(404)
    except DomainError as error:
        flash(message_of(error), "error")
        return redirect(back)
    flash(gettext("已入库，接收单 %(number)s。", number=receipt.number), "ok")
    return redirect(back)


@bp.post("/pledges/<int:pledge_id>/money")
@login_required
def receive_money(pledge_id):
    """Record money received against the pledge from the form (bureau, admin)."""
    form = request.form
    return act(lambda: services.receive_money(
        db.session, current_user, pledge_id, amount=form.get("amount", "").strip() or None,
        note=form.get("note")), gettext("资金已登记。"),
        url_for("donations.pledge", pledge_id=pledge_id))


@bp.get("/pledges/<int:pledge_id>/trace")
@login_required
def trace(pledge_id):
    """Where the donation's goods went: its lots, transfers with waybills, what was handed
    out where and when."""
    try:
        found = services.get_pledge(db.session, pledge_id)
    except NotFound:
        abort(404)
    return render_template("donations/trace.html", pledge=found,
                           trace=queries.donation_trace(db.session, found))


@bp.get("/receipts/<int:receipt_id>/letter.pdf")
@download
@login_required
def letter(receipt_id):
    """The receipt's acknowledgement letter as an A4 PDF."""
    try:
        receipt = services.get_receipt(db.session, receipt_id)
    except NotFound:
        abort(404)
    return pdf_response(papers.acknowledgement(receipt))


def _period_query() -> dict:
    return {"from_": _day(request.args.get("from", ""), "from"),
            "to": _day(request.args.get("to", ""), "to")}


@bp.get("/disclosure")
@login_required
def disclosure():
    """The public disclosure for a period, with its XLSX and PDF."""
    try:
        report = read_disclosure(_period_query())
    except DomainError as error:
        flash(message_of(error), "error")
        return redirect(url_for("donations.disclosure"))
    return render_template("donations/disclosure.html", report=report,
                           notes=papers.notes(), args=request.args)


@bp.get("/disclosure.<any(xlsx, pdf):fmt>")
@download
@login_required
def disclosure_file(fmt):
    """The disclosure as a workbook or an A4 PDF."""
    try:
        report = read_disclosure(_period_query())
    except DomainError as error:
        flash(message_of(error), "error")
        return redirect(url_for("donations.disclosure"))
    return papers.send_disclosure(report, fmt)
