"""Trace pages: a lot's (with its CSV and XLSX) and a shelter's, linked from the lot page and
the shelter page."""

from flask import Blueprint, abort, render_template
from flask_login import login_required

from inventory.db import db
from inventory.errors import NotFound
from inventory.trace import exports, queries
from inventory.web import download

bp = Blueprint("trace", __name__, url_prefix="/trace")


@bp.get("/lots/<int:lot_id>")
@login_required
def lot(lot_id):
    """Where the lot's goods came from and where they went, step by step."""
    try:
        found = queries.lot_trace(db.session, lot_id)
    except NotFound:
        abort(404)
    return render_template("trace/lot.html", trace=found, label=exports.step_label)


@bp.get("/lots/<int:lot_id>.<any(csv, xlsx):fmt>")
@download
@login_required
def lot_file(lot_id, fmt):
    """The lot's trace as CSV or XLSX."""
    try:
        found = queries.lot_trace(db.session, lot_id)
    except NotFound:
        abort(404)
    return exports.send_csv(found) if fmt == "csv" else exports.send_xlsx(found)


@bp.get("/shelters/<code>")
@login_required
def shelter(code):
    """What arrived at the shelter, when, and what was handed out there."""
    try:
        found = queries.shelter_trace(db.session, code)
    except NotFound:
        abort(404)
    return render_template("trace/shelter.html", trace=found)

