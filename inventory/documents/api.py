"""Printable documents for API clients: receipt (入库单) and issue documents (出库单) as PDF.
The transfer order is ``GET /transfers/<id>/order.pdf`` in the transfers API."""

from flask.views import MethodView
from flask_babel import force_locale
from flask_smorest import Blueprint
from marshmallow import fields

from inventory.api.errors import language
from inventory.api.fields import BigId, Strict, code_field, text_field
from inventory.db import db
from inventory.documents import papers, queries
from inventory.documents.views import pdf_response

blp = Blueprint("documents_api", __name__, description="Printable documents 单据")

#: how flask-smorest declares a file answer
PDF = {"format": "binary", "type": "string"}


def in_request_language():
    """The documents' language: English when the client prefers it, as for API messages."""
    return force_locale("en" if language() == "en" else "zh_CN")


class StockDocumentQuerySchema(Strict):
    depot = code_field(load_default=None)
    reference = text_field(100, load_default=None)
    movement = fields.Integer(load_default=None, validate=BigId,
                              metadata={"description": "a ledger row on the document "
                                                       "(for a row without a reference)"})


@blp.route("/documents/<any(receipt, issue):kind>.pdf")
class StockDocument(MethodView):
    @blp.arguments(StockDocumentQuerySchema(), location="query")
    @blp.response(200, PDF, content_type="application/pdf")
    def get(self, query, kind):
        """A numbered receipt (入库单) or issue document (出库单) as an A4 PDF: the depot's rows
        with one reference, or the document a ledger row belongs to"""
        found = queries.stock_document(db.session, kind, **query)
        with in_request_language():
            return pdf_response(papers.stock_paper(found))
