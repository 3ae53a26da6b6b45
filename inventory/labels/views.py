"""Web entry points for labels: /q/<payload> (what a phone camera opens) and the PDF sheets."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import login_required

from inventory.db import db
from inventory.errors import DomainError
from inventory.geo.models import Depot
from inventory.labels import pdf, queries, service
from inventory.web import download

bp = Blueprint("labels", __name__)

#: the default of LABELS_MAX, the most labels one PDF may hold (about 40 sheets of 3 × 8)
MAX_LABELS = 1000


@bp.get("/q/<path:code>")
@login_required
def open_label(code):
    """A scanned label: go to the lot's, depot's, bin's or waybill's page."""
    try:
        kind, found = service.resolve(db.session, code)
    except DomainError as error:
        return render_template("labels/error.html", error=error), error.status
    if kind == "lot":
        if _on_a_phone():  # the keeper wants to act on the lot, which only the scan screen does
            return redirect(url_for("scan.screen", code=code))
        return redirect(url_for("stock.lot", lot_id=found.id))
    if kind == "depot":
        return redirect(url_for("stock.depot", code=found.code))
    if kind == "waybill":
        return redirect(url_for("transport.waybill", waybill_id=found.id))
    return redirect(url_for("stock.depot", code=found.depot.code, bin=found.code))


def _on_a_phone() -> bool:
    """Whether the request comes from a phone's browser (as its camera app opens labels)."""
    agent = request.user_agent.string
    return any(mark in agent for mark in ("Mobile", "Android", "iPhone", "iPad"))


def _ids(name: str) -> list[int]:
    values = request.args.getlist(name)
    try:
        ids = [int(value) for value in values]
    except ValueError:
        abort(400, description=gettext("%(name)s 须为编号。", name=name))
    return ids


def _depots(codes: list[str]) -> list[Depot]:
    """:raise 404: when a code names no depot."""
    depots, unknown = queries.depots_by_code(db.session, codes)
    if unknown:
        abort(404, description=gettext("没有编码为 %(code)s 的储备库。", code=unknown[0]))
    return depots


def _too_many(most: int):
    """:raise 400: a sheet past the limit is refused whole rather than cut short unseen."""
    abort(400, description=gettext("一次最多打印 %(count)d 张标签，请分批打印。", count=most))


@bp.get("/labels.pdf")
@download
@login_required
def label_sheet():
    """Labels for any selection: ?lot=1&lot=2 (lot ids), ?depot=XZ-01 (depot codes), ?bin=4,
    ?depot_lots=XZ-01 (every lot in stock at a depot); ?layout=sheet (3 × 8 on A4, the default)
    or pallet (one per page). API clients send their bearer token."""
    layout = request.args.get("layout", "sheet")
    if layout not in pdf.LAYOUTS:
        abort(400, description=gettext("layout 须为 sheet 或 pallet。"))
    lot_ids, bin_ids = _ids("lot"), _ids("bin")
    depot_codes, depot_lots = request.args.getlist("depot"), request.args.getlist("depot_lots")
    most = current_app.config.get("LABELS_MAX", MAX_LABELS)
    if len(lot_ids) + len(depot_codes) + len(bin_ids) + len(depot_lots) > most:
        _too_many(most)
    labels = []
    if lot_ids:
        labels += [service.lot_label(lot) for lot in queries.lots_by_id(db.session, lot_ids)]
    for depot in _depots(depot_lots):
        # One more than may be printed, to tell a sheet that fits from one that does not.
        lots = queries.lots_in_stock(db.session, depot, most + 1 - len(labels))
        labels += [service.lot_label(lot) for lot in lots]
        if len(labels) > most:
            _too_many(most)
    labels += [service.depot_label(depot) for depot in _depots(depot_codes)]
    if bin_ids:
        labels += [service.bin_label(bin_) for bin_ in queries.bins_by_id(db.session, bin_ids)]
    if not labels:
        abort(404, description=gettext("没有找到要打印的对象。"))
    if len(labels) > most:
        _too_many(most)
    body = pdf.render(labels, layout, title="物资标签")
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": 'inline; filename="labels.pdf"'})
