"""The ledger as files for auditors: ``GET /ledger/export.csv``, ``.xlsx`` and ``.pdf``, with
the filters of ``GET /movements`` plus tier, category and actor."""

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from inventory.auth.permissions import ensure_role
from inventory.db import db
from inventory.documents.api import in_request_language
from inventory.exports import EXPORT_ROLES, files, queries
from inventory.exports.downloads import send
from inventory.exports.schemas import ExportQuerySchema

blp = Blueprint("exports_api", __name__, description="Ledger exports 台账导出")

#: how flask-smorest declares a file answer
FILE = {"format": "binary", "type": "string"}
WHAT = {"csv": "as CSV (UTF-8 with a byte-order mark), streamed",
        "xlsx": "as an XLSX workbook, streamed (a new sheet every 1,048,575 rows)",
        "pdf": f"as an A4 landscape PDF (at most {files.pdffile.MAX_ROWS} rows)"}


def _route(fmt: str) -> None:
    def get(self, query, fmt=fmt):
        ensure_role(g.user, *EXPORT_ROLES)
        flt = queries.ledger_filter(db.session, **query)
        with in_request_language():
            return send(files.export(db.session, flt, fmt))

    get.__doc__ = (f"The stock ledger {WHAT[fmt]}; the last lines (XLSX: the last sheet, PDF: "
                   "the last page and the attached CSV) give the last row's hash and the "
                   "SHA-256 of the rows (auditor, bureau, admin)")
    content_type = files.FORMATS[fmt].split(";")[0]
    view = type(f"LedgerExport{fmt.upper()}", (MethodView,), {
        "get": blp.response(200, FILE, content_type=content_type)(
            blp.arguments(ExportQuerySchema(), location="query")(get))})
    blp.route(f"/ledger/export.{fmt}")(view)


for _fmt in files.FORMATS:
    _route(_fmt)
