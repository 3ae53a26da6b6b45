"""The export page, /exports/: the bureau or the auditor picks a filter, sees how many ledger
rows it covers and downloads them as CSV, XLSX or PDF (in the page's language)."""

from datetime import timedelta

from flask import Blueprint, render_template, request
from flask_babel import gettext
from flask_login import current_user, login_required
from marshmallow import ValidationError

from inventory import clock
from inventory.auth.permissions import ensure_role
from inventory.db import db
from inventory.documents.views import refused
from inventory.errors import DomainError, InvalidInput
from inventory.exports import EXPORT_ROLES, files, pdffile, queries
from inventory.exports.downloads import send
from inventory.exports.schemas import ExportPageQuerySchema
from inventory.geo.models import AREA_LEVELS
from inventory.i18n import message_of
from inventory.reports import build
from inventory.stock.models import MOVEMENT_KINDS
from inventory.web import download

bp = Blueprint("exports", __name__, url_prefix="/exports")


def _filter() -> queries.LedgerFilter:
    """The page's filters as a ledger filter: calendar days in the bureau's time zone.

    :raise InvalidInput: for a date or value the form cannot hold.
    :raise NotFound: for an unknown depot, item or user.
    """
    given = {name: value.strip() for name, value in request.args.items() if value.strip()}
    try:
        query = ExportPageQuerySchema().load(given)
    except ValidationError as error:
        raise InvalidInput("筛选条件有误：日期形如 2026-06-30。",
                           "Check the filters: dates look like 2026-06-30.",
                           error.messages) from None
    first, last = query.pop("first"), query.pop("last")
    if first and last and last < first:
        raise InvalidInput("起始日期晚于截止日期。", "The period starts after it ends.",
                           {"from": ["after to"]})
    return queries.ledger_filter(
        db.session, since=clock.start_of_day(first) if first else None,
        until=clock.start_of_day(last + timedelta(days=1)) if last else None, **query)


@bp.get("/")
@login_required
def index():
    """Pick a filter and download the ledger."""
    try:
        ensure_role(current_user, *EXPORT_ROLES)
    except DomainError as error:
        return refused(error, gettext("您无权导出台账"))
    filters = {name: value for name, value in request.args.items() if value.strip()}
    form = {**build.choices(db.session, current_user), "tiers": AREA_LEVELS,
            "kinds": MOVEMENT_KINDS, "filters": filters, "max_pdf_rows": pdffile.MAX_ROWS}
    try:
        flt = _filter()
    except DomainError as error:
        message = message_of(error)
        return render_template("exports/index.html", count=None, error=message, **form), \
            error.status
    return render_template("exports/index.html", count=queries.count_rows(db.session, flt),
                           error=None, **form)


@bp.get("/ledger.<any(csv, xlsx, pdf):fmt>")
@download
@login_required
def ledger_file(fmt):
    """The ledger for the page's filters as CSV, XLSX or PDF."""
    try:
        ensure_role(current_user, *EXPORT_ROLES)
        return send(files.export(db.session, _filter(), fmt))
    except DomainError as error:
        return refused(error, gettext("台账无法导出"))
