"""The report pages: /reports/ and a page per report (filters, tables grouped by tier and
category with totals, the check, downloads), and the downloads in the page's language."""

from flask import Blueprint, render_template, request
from flask_babel import gettext
from flask_login import current_user, login_required
from marshmallow import ValidationError

from inventory import clock
from inventory.db import db
from inventory.documents.views import refused
from inventory.errors import DomainError, InvalidInput
from inventory.geo.models import AREA_LEVELS
from inventory.i18n import message_of
from inventory.reports import build, downloads, labels
from inventory.reports.queries import MOVEMENT_COLUMNS
from inventory.reports.schemas import OnHandQuerySchema, PeriodQuerySchema, SummaryQuerySchema
from inventory.reports.scope import READ_EVERY_DEPOT
from inventory.web import download

bp = Blueprint("reports", __name__, url_prefix="/reports")

PAGES = {"stock_summary": (SummaryQuerySchema, build.summary, "reports/stock.html"),
         "stock_on_hand": (OnHandQuerySchema, build.on_hand, "reports/stock.html"),
         "settlements": (PeriodQuerySchema, build.settlements, "reports/settlements.html")}


def _query(schema) -> dict:
    """Read a page's filters; a field left empty is no filter.

    :raise InvalidInput: for a date, tier or code the form cannot hold.
    """
    given = {name: value.strip() for name, value in request.args.items() if value.strip()}
    try:
        return schema().load(given)
    except ValidationError as error:
        raise InvalidInput("筛选条件有误：日期形如 2026-06-30，时间形如 2026-06-30T18:00。",
                           "Check the filters: dates look like 2026-06-30, times like "
                           "2026-06-30T18:00.", error.messages) from None


def _page(kind: str):
    schema, make, template = PAGES[kind]
    filters = {name: value for name, value in request.args.items() if value.strip()}
    try:
        report = make(db.session, current_user, _query(schema))
    except DomainError as error:
        if error.status == 403:
            return refused(error, gettext("您无权查看此报表"))
        return render_template(template, kind=kind, report=None, filters=filters,
                               shown=filters,
                               error=message_of(error),
                               **_form()), error.status
    return render_template(template, kind=kind, report=report, filters=filters,
                           shown=_shown(report, filters), error=None, **_form())


def _shown(report, filters: dict) -> dict:
    """The filters as the form shows them: the period or moment the report covers."""
    if report.period is not None:
        return {"from": report.period.first.isoformat(), "to": report.period.last.isoformat(),
                **filters}
    # The picker holds minutes; a day asked for shows as its last minute.
    return {**filters, "at": clock.format_local(report.at, "%Y-%m-%dT%H:%M")}


def _form() -> dict:
    return {**build.choices(db.session, current_user), "tiers": AREA_LEVELS,
            "movement_columns": MOVEMENT_COLUMNS, "labels": labels,
            "reads_every_depot": current_user.role in READ_EVERY_DEPOT}


def _file(kind: str, fmt: str):
    schema, make, _ = PAGES[kind]
    try:
        return downloads.send(make(db.session, current_user, _query(schema)), kind, fmt)
    except DomainError as error:
        return refused(error, gettext("报表无法导出"))


@bp.get("/")
@login_required
def index():
    """The reports the user may read."""
    return render_template("reports/index.html",
                           reads_settlements=current_user.role in READ_EVERY_DEPOT)


@bp.get("/stock-summary")
@login_required
def stock_summary():
    """The stock summary (进销存) for a period."""
    return _page("stock_summary")


@bp.get("/stock-on-hand")
@login_required
def stock_on_hand():
    """Stock on hand at a past moment, rebuilt from the ledger."""
    return _page("stock_on_hand")


@bp.get("/settlements")
@login_required
def settlements():
    """Contract settlements for a period."""
    return _page("settlements")


@bp.get("/stock-summary.<any(xlsx, pdf):fmt>")
@download
@login_required
def stock_summary_file(fmt):
    """The stock summary as XLSX or PDF, in the page's language."""
    return _file("stock_summary", fmt)


@bp.get("/stock-on-hand.<any(xlsx, pdf):fmt>")
@download
@login_required
def stock_on_hand_file(fmt):
    """Stock on hand as XLSX or PDF, in the page's language."""
    return _file("stock_on_hand", fmt)


@bp.get("/settlements.<any(xlsx, pdf):fmt>")
@download
@login_required
def settlements_file(fmt):
    """Contract settlements as XLSX or PDF, in the page's language."""
    return _file("settlements", fmt)
