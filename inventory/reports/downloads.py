"""A report as a file to download, XLSX or PDF, named by the report and what it covers."""

from flask import Response

from inventory import clock
from inventory.reports import pdf, workbooks
from inventory.reports.queries import StockReport
from inventory.reports.settlements import SettlementReport
from inventory.xlsx import send_workbook

FILE_NAMES = {"stock_summary": "stock-summary", "stock_on_hand": "stock-on-hand",
              "settlements": "settlements"}


def filename(report: StockReport | SettlementReport, kind: str, fmt: str) -> str:
    """Name the file by the report and its period or moment: stock-summary-2026-01-01-2026-06-30.xlsx."""
    if report.period is not None:
        covers = f"{report.period.first}-{report.period.last}"
    else:
        covers = clock.format_local(report.at, "%Y-%m-%d-%H%M")
    return f"{FILE_NAMES[kind]}-{covers}.{fmt}"


def send(report: StockReport | SettlementReport, kind: str, fmt: str) -> Response:
    """Answer with the report as an XLSX workbook (a download) or a PDF (shown inline)."""
    name = filename(report, kind, fmt)
    if fmt == "xlsx":
        book = (workbooks.settlements_workbook(report) if kind == "settlements"
                else workbooks.stock_workbook(report, kind))
        return send_workbook(book, name)
    content = (pdf.settlements_pdf(report) if kind == "settlements"
               else pdf.stock_pdf(report, kind))
    return Response(content, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})
