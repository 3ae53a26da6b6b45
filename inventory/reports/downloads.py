"""A report as a file to download, XLSX or PDF, named by the report and what it covers."""

from flask import Response

from inventory import clock
from inventory.errors import InvalidInput
from inventory.reports import pdf, workbooks
from inventory.reports.queries import StockReport
from inventory.reports.settlements import SettlementReport
from inventory.xlsx import send_workbook

#: the most lines a PDF prints (about 250 pages); a larger report is narrowed first
MAX_PDF_LINES = 5_000
FILE_NAMES = {"stock_summary": "stock-summary", "stock_on_hand": "stock-on-hand",
              "settlements": "settlements"}


def filename(report: StockReport | SettlementReport, kind: str, fmt: str) -> str:
    """Name the file by the report and its period or moment:
    stock-summary-2026-01-01-2026-06-30.xlsx."""
    if report.period is not None:
        covers = f"{report.period.first}-{report.period.last}"
    else:
        covers = clock.format_local(report.at, "%Y-%m-%d-%H%M")
    return f"{FILE_NAMES[kind]}-{covers}.{fmt}"


def send(report: StockReport | SettlementReport, kind: str, fmt: str) -> Response:
    """Answer with the report as an XLSX workbook (a download) or a PDF (shown inline).

    :raise InvalidInput: for a PDF of more than ``MAX_PDF_LINES`` lines.
    """
    name = filename(report, kind, fmt)
    if fmt == "pdf" and kind != "settlements" and len(report.lines) > MAX_PDF_LINES:
        raise InvalidInput(
            f"报表有 {len(report.lines)} 行，超过打印上限 {MAX_PDF_LINES} 行；"
            f"请按储备库、层级或类别筛选后再打印，或导出 Excel。",
            f"The report has {len(report.lines)} lines, more than the {MAX_PDF_LINES} a PDF "
            f"prints; narrow it by depot, tier or category, or export it to Excel.")
    if fmt == "xlsx":
        book = (workbooks.settlements_workbook(report) if kind == "settlements"
                else workbooks.stock_workbook(report, kind))
        return send_workbook(book, name)
    content = (pdf.settlements_pdf(report) if kind == "settlements"
               else pdf.stock_pdf(report, kind))
    return Response(content, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})
