"""Period reports for API clients: JSON, and the same reports as XLSX and PDF downloads (in
English when the client prefers it, as API messages are)."""

from flask import g, jsonify
from flask.views import MethodView
from flask_smorest import Blueprint

from inventory.db import db
from inventory.documents.api import in_request_language
from inventory.reports import build, downloads
from inventory.reports.schemas import (
    OnHandQuerySchema,
    PeriodQuerySchema,
    SettlementReportSchema,
    StockReportSchema,
    SummaryQuerySchema,
    report_json,
    settlements_json,
)

blp = Blueprint("reports_api", __name__, description="Period reports 报表")

#: how flask-smorest declares a file answer
FILE = {"format": "binary", "type": "string"}
FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "pdf": "application/pdf"}


def _json(answer: dict):
    """Answer with the report as JSON as it stands: the response schema documents it, and
    marshmallow would take seconds to copy a city's 20,000 lines into the same shape."""
    return jsonify(answer)


def _file_routes(path: str, kind: str, schema, make, what: str) -> None:
    """Declare a report's XLSX and PDF downloads, each with its own content type."""
    for fmt, content_type in FORMATS.items():
        def get(self, query, fmt=fmt):
            report = make(db.session, g.user, query)
            with in_request_language():
                return downloads.send(report, kind, fmt)

        get.__doc__ = f"{what} as {'an XLSX workbook' if fmt == 'xlsx' else 'an A4 PDF'}"
        view = type(f"{kind.title().replace('_', '')}{fmt.upper()}", (MethodView,), {
            "get": blp.response(200, FILE, content_type=content_type)(
                blp.arguments(schema, location="query")(get))})
        blp.route(f"{path}.{fmt}")(view)


@blp.route("/reports/stock-summary")
class StockSummary(MethodView):
    @blp.arguments(SummaryQuerySchema(), location="query")
    @blp.response(200, StockReportSchema)
    def get(self, query):
        """Stock summary (进销存) for a period: per depot and item the opening balance, receipts,
        issues, transfers in and out, adjustments, write-offs, rotations, reversals and the
        closing balance, in quantities and values, grouped by tier and category; each line
        checks opening + movements = closing. Keepers read their own depots only."""
        return _json(report_json(build.summary(db.session, g.user, query)))


@blp.route("/reports/stock-on-hand")
class StockOnHand(MethodView):
    @blp.arguments(OnHandQuerySchema(), location="query")
    @blp.response(200, StockReportSchema)
    def get(self, query):
        """Stock on hand at any past moment, rebuilt from the ledger (rows that happened up to
        and including it), per depot and item with values, grouped by tier and category"""
        return _json(report_json(build.on_hand(db.session, g.user, query)))


@blp.route("/reports/settlements")
class Settlements(MethodView):
    @blp.arguments(PeriodQuerySchema(), location="query")
    @blp.response(200, SettlementReportSchema)
    def get(self, query):
        """Contract settlements for a period: per agreement what was called off, received and
        is owed at the tender price, what was settled and what remained unsettled (not for
        keepers)"""
        return _json(settlements_json(build.settlements(db.session, g.user, query)))


_file_routes("/reports/stock-summary", "stock_summary", SummaryQuerySchema(), build.summary,
             "The stock summary (进销存)")
_file_routes("/reports/stock-on-hand", "stock_on_hand", OnHandQuerySchema(), build.on_hand,
             "Stock on hand at a moment")
_file_routes("/reports/settlements", "settlements", PeriodQuerySchema(), build.settlements,
             "Contract settlements")
