"""Printable QR labels as PDF: A4 sheets of 3 × 8 labels (70 × 37 mm label paper), or one
large label per A4 page for pallets.

The QR modules are drawn as vector rectangles (sharp at any printer resolution). Chinese
text is set in a TrueType CJK font found on the server (``LABEL_FONT``, else a usual system
location), embedded as a subset so that the sheet prints the same everywhere. Without one,
the PDF falls back to the standard CID font STSong-Light, which Chinese systems' PDF readers
supply but other readers may not.
"""

import io
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

#: TrueType CJK fonts looked for when LABEL_FONT is not set (Debian/Ubuntu, Windows, macOS)
FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/simsun.ttc",
    "/System/Library/Fonts/Supplemental/Songti.ttc",
]

COLUMNS, ROWS = 3, 8
LAYOUTS = ("sheet", "pallet")


@dataclass(frozen=True)
class Label:
    """What one label shows: the QR (a URL), a title and a few short lines."""

    url: str
    title: str
    lines: list[str] = field(default_factory=list)
    #: a word printed small above the title: 批次, 储备库, 库位
    kind: str = ""


@cache
def font_name() -> str:
    """Register and return the font for label text (see the module's docstring)."""
    configured = os.environ.get("LABEL_FONT")
    for path in [configured] if configured else FONT_CANDIDATES:
        if path and Path(path).is_file():
            try:
                pdfmetrics.registerFont(TTFont("LabelCJK", path, subfontIndex=0))
                return "LabelCJK"
            except Exception:  # a font reportlab cannot read (e.g. CFF outlines): try the next
                continue
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def qr_matrix(data: str) -> list[list[bool]]:
    """Return the QR code's modules (True = dark), without quiet zone."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    """Draw a QR code filling a square of ``size`` with its lower left corner at (x, y),
    keeping a quiet zone of 2 modules inside the square."""
    matrix = qr_matrix(data)
    count = len(matrix)
    module = size / (count + 4)
    top = y + size - 2 * module
    canvas.setFillColorRGB(0, 0, 0)
    path = canvas.beginPath()
    for row, cells in enumerate(matrix):
        column = 0
        while column < count:
            if cells[column]:
                start = column
                while column < count and cells[column]:
                    column += 1
                path.rect(x + (2 + start) * module, top - (row + 1) * module,
                          (column - start) * module, module)
            else:
                column += 1
    canvas.drawPath(path, stroke=0, fill=1)


def _wrap(text: str, size: float, width: float) -> list[str]:
    """Break text (Chinese has no spaces) into lines that fit the width."""
    lines, current = [], ""
    for char in text:
        if pdfmetrics.stringWidth(current + char, font_name(), size) > width and current:
            lines.append(current)
            current = char.lstrip()
        else:
            current += char
    if current:
        lines.append(current)
    return lines


def _text_block(canvas: Canvas, label: Label, x: float, top: float, width: float,
                title_size: float, line_size: float, max_lines: int) -> None:
    y = top
    if label.kind:
        canvas.setFont(font_name(), line_size * 0.85)
        canvas.setFillColorRGB(0.35, 0.35, 0.35)
        y -= line_size
        canvas.drawString(x, y, label.kind)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(font_name(), title_size)
    for line in _wrap(label.title, title_size, width)[:2]:
        y -= title_size * 1.15
        canvas.drawString(x, y, line)
    canvas.setFont(font_name(), line_size)
    written = 0
    for text in label.lines:
        for line in _wrap(text, line_size, width):
            if written == max_lines:
                return
            y -= line_size * 1.3
            canvas.drawString(x, y, line)
            written += 1


def render(labels: list[Label], layout: str = "sheet", *, title: str = "标签") -> bytes:
    """Return a PDF of the labels: 24 per A4 page (``sheet``) or one per page (``pallet``)."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}")
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(title)
    canvas.setCreator("county-reserves")
    page_width, page_height = A4
    if layout == "pallet":
        for label in labels:
            size = 150 * mm
            draw_qr(canvas, label.url, (page_width - size) / 2, page_height - 25 * mm - size,
                    size)
            _text_block(canvas, label, 25 * mm, page_height - 190 * mm, page_width - 50 * mm,
                        30, 18, 5)
            canvas.showPage()
    else:
        width, height = page_width / COLUMNS, page_height / ROWS
        for index, label in enumerate(labels):
            slot = index % (COLUMNS * ROWS)
            if index and slot == 0:
                canvas.showPage()
            column, row = slot % COLUMNS, slot // COLUMNS
            x, y = column * width, page_height - (row + 1) * height
            size = height - 4 * mm
            draw_qr(canvas, label.url, x + 2 * mm, y + 2 * mm, size)
            _text_block(canvas, label, x + size + 3 * mm, y + height - 2.5 * mm,
                        width - size - 6 * mm, 9, 7, 3)
        if labels:
            canvas.showPage()
    if not labels:
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
