"""Printable receipt and issue documents: /documents/receipt.pdf?depot=XZ-01&reference=CG-2026-001
(or ?movement=<ledger row> for a row without a reference), and the same for issue.pdf."""

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required

from inventory.db import db
from inventory.documents import layout, papers, queries
from inventory.errors import DomainError, InvalidInput
from inventory.i18n import message_of

bp = Blueprint("documents", __name__, url_prefix="/documents")


def pdf_response(document: layout.Document) -> Response:
    """Send a document as a PDF the browser shows (and prints) inline."""
    return Response(layout.render(document), mimetype="application/pdf",
                    headers={"Content-Disposition":
                             f'inline; filename="{document.number}.pdf"'})


def refused(error: DomainError, title: str):
    """A page that says why a request was refused, with the error's status."""
    message = message_of(error)
    return render_template("documents/refused.html", title=title, message=message), error.status




@bp.app_template_global()
def document_url(movement) -> str | None:
    """The address of the receipt or issue document a ledger row belongs to, if any."""
    kind = queries.document_kind(movement)
    if kind is None:
        return None
    if movement.reference:
        return url_for("documents.stock_document", kind=kind, depot=movement.lot.depot.code,
                       reference=movement.reference)
    return url_for("documents.stock_document", kind=kind, movement=movement.id)


@bp.get("/<any(receipt, issue):kind>.pdf")
@login_required
def stock_document(kind):
    """A numbered A4 receipt (入库单) or issue document (出库单)."""
    try:
        raw = request.args.get("movement")
        if raw is not None and not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
            raise InvalidInput("台账记录须为编号。", "The ledger row must be a number.",
                               {"movement": ["number"]})
        found = queries.stock_document(
            db.session, kind, depot=request.args.get("depot"),
            reference=request.args.get("reference"), movement=int(raw) if raw else None)
    except DomainError as error:
        return refused(error, gettext("单据无法打印"))
    return pdf_response(papers.stock_paper(found))
