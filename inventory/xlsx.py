"""Excel exports: every table of the dashboard as a workbook, with Chinese headers in bold."""

import io

from flask import send_file
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook() -> Workbook:
    """A workbook without openpyxl's blank first sheet: ``add_table`` adds each one."""
    book = Workbook()
    book.remove(book.active)
    return book


def add_table(book: Workbook, title: str, headers: list[str], rows, *,
              preamble: list[list] = ()) -> Worksheet:
    """Add a sheet holding a table; ``preamble`` rows (a title, a summary) come above the
    headers."""
    sheet = book.create_sheet(title)
    for line in preamble:
        sheet.append([_cell(value) for value in line])
    sheet.append(headers)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(value) for value in row])
    return sheet


def _cell(value):
    """A value a sheet can hold: control characters stored before they were refused would
    otherwise make openpyxl refuse the whole workbook."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def send_workbook(book: Workbook, filename: str):
    """Answer with the workbook as a download."""
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return send_file(buffer, mimetype=MIMETYPE, as_attachment=True, download_name=filename)
