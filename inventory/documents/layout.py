"""One A4 layout for every printed document: a title and number, the parties, a table of
lines (which may carry QR codes), notes, signature lines, and on each page a footer with the
document's number and "page n of N".

Text is set in the CJK font the label sheets embed (``inventory.labels.pdf.font_name``) and
QR codes are drawn as vectors by the same code, so documents and labels scan alike.
"""

import io
from dataclasses import dataclass, field
from functools import partial
from xml.sax.saxutils import escape

from flask_babel import gettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table

from inventory.labels.pdf import draw_qr, font_name

MARGIN = 15 * mm
#: printed size of a QR code in a table cell: large enough for a phone at arm's length
QR_SIZE = 22 * mm
#: a document's own QR code (a waybill's), large enough to scan off the dashboard of a lorry
DOCUMENT_QR_SIZE = 30 * mm
GRID = colors.HexColor("#555555")
SHADE = colors.HexColor("#eeeeee")


@dataclass(frozen=True)
class Qr:
    """A table cell holding a QR code of the text (a label's URL)."""

    text: str


@dataclass(frozen=True)
class Column:
    title: str
    #: share of the table's width
    width: float
    numeric: bool = False


@dataclass
class Document:
    """What a printed document says; ``render`` lays it out."""

    title: str
    number: str
    #: (label, value) pairs, set two to a row
    parties: list[tuple[str, str]]
    columns: list[Column]
    rows: list[list["str | Qr"]]
    totals: list[str] | None = None
    notes: list[str] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)
    #: the last words of the footer, e.g. when it was printed
    footer: str = ""
    #: the text of the document's own QR code (a waybill's label), printed beside its number
    qr: str | None = None


class _QrCell(Flowable):
    def __init__(self, text: str, size: float = QR_SIZE):
        super().__init__()
        self.text, self.size = text, size

    def wrap(self, available_width, available_height):
        return self.size, self.size

    def draw(self):
        draw_qr(self.canv, self.text, 0, 0, self.size)


class NumberedCanvas(Canvas):
    """Holds each page back until the last, so that every footer can say how many there are.

    A ``header`` (a report's filter, say) is printed at the top of every page.
    """

    def __init__(self, *args, footer_left: str = "", footer_right: str = "", header: str = "",
                 **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []
        self._footer_left, self._footer_right = footer_left, footer_right
        self._header = header

    def showPage(self):  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._draw_footer(number, len(self._pages))
            super().showPage()
        super().save()

    def _draw_footer(self, page: int, pages: int) -> None:
        width, height = self._pagesize
        self.setFont(font_name(), 8)
        self.setFillColor(colors.HexColor("#444444"))
        if self._header:
            self.drawString(MARGIN, height - 9 * mm, self._header)
        self.drawString(MARGIN, 9 * mm, self._footer_left)
        self.drawRightString(width - MARGIN, 9 * mm, self._footer_right)
        self.drawCentredString(width / 2, 9 * mm,
                               gettext("第 %(page)d 页，共 %(pages)d 页", page=page, pages=pages))


def _styles() -> dict[str, ParagraphStyle]:
    font = font_name()
    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", base, fontSize=18, leading=24, alignment=TA_CENTER),
        "number": ParagraphStyle("number", base, fontSize=10, leading=14, alignment=TA_RIGHT),
        "cell": base,
        "numeric": ParagraphStyle("numeric", base, alignment=TA_RIGHT),
        "label": ParagraphStyle("label", base, textColor=colors.HexColor("#444444")),
        "note": ParagraphStyle("note", base, fontSize=8.5, leading=11),
    }


def _text(value, style) -> Paragraph:
    # Paragraph reads a little markup, so data (lot codes, reasons) is escaped; lines break
    # where the text had them.
    return Paragraph(escape(f"{value}").replace("\n", "<br/>"), style)


def _parties(document: Document, width: float, styles) -> Table:
    cells = [(_text(label, styles["label"]), _text(value, styles["cell"]))
             for label, value in document.parties]
    if len(cells) % 2:
        cells.append(("", ""))
    rows = [[*cells[i], *cells[i + 1]] for i in range(0, len(cells), 2)]
    table = Table(rows, colWidths=[width * share for share in (0.15, 0.35, 0.15, 0.35)])
    table.setStyle([("GRID", (0, 0), (-1, -1), 0.5, GRID),
                    ("BACKGROUND", (0, 0), (0, -1), SHADE),
                    ("BACKGROUND", (2, 0), (2, -1), SHADE),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE")])
    return table


def _lines(document: Document, width: float, styles) -> Table:
    columns = document.columns
    total_share = sum(column.width for column in columns)

    def cell(value, column: Column):
        if isinstance(value, Qr):
            return _QrCell(value.text)
        return _text(value, styles["numeric" if column.numeric else "cell"])

    data = [[_text(column.title, styles["numeric" if column.numeric else "cell"])
             for column in columns]]
    data += [[cell(value, column) for value, column in zip(row, columns, strict=True)]
             for row in document.rows]
    style = [("GRID", (0, 0), (-1, -1), 0.5, GRID),
             ("BACKGROUND", (0, 0), (-1, 0), SHADE),
             ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
    if document.totals:
        data.append([cell(value, column) for value, column in zip(document.totals, columns,
                                                                  strict=True)])
        style.append(("BACKGROUND", (0, -1), (-1, -1), SHADE))
    table = Table(data, colWidths=[width * column.width / total_share for column in columns],
                  repeatRows=1)
    table.setStyle(style)
    return table


def _signatures(document: Document, width: float, styles) -> Table:
    cells = [_text(gettext("%(label)s：", label=title), styles["cell"])
             for title in document.signatures]
    if len(cells) % 2:
        cells.append("")
    date_word = gettext("日期：")
    rows = [[cells[i], date_word if cells[i] else "", cells[i + 1],
             date_word if cells[i + 1] else ""] for i in range(0, len(cells), 2)]
    rows = [[_text(value, styles["cell"]) if isinstance(value, str) else value
             for value in row] for row in rows]
    table = Table(rows, colWidths=[width * share for share in (0.32, 0.18, 0.32, 0.18)],
                  rowHeights=14 * mm)
    table.setStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.5, GRID)])
    return table


def render(document: Document) -> bytes:
    """Return the document as a PDF on as many A4 pages as its lines need."""
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN + 5 * mm, title=f"{document.title} {document.number}",
        creator="county-reserves", pageCompression=1)
    width = A4[0] - 2 * MARGIN
    styles = _styles()
    number = _text(gettext("编号：%(number)s", number=document.number), styles["number"])
    if document.qr:
        number = Table([[number, _QrCell(document.qr, DOCUMENT_QR_SIZE)]],
                       colWidths=[width - DOCUMENT_QR_SIZE - 2 * mm, DOCUMENT_QR_SIZE + 2 * mm],
                       style=[("VALIGN", (0, 0), (-1, -1), "BOTTOM")])
    story = [_text(document.title, styles["title"]), number,
             Spacer(1, 3 * mm), _parties(document, width, styles), Spacer(1, 4 * mm),
             _lines(document, width, styles)]
    if document.notes:
        story.append(Spacer(1, 2 * mm))
    story += [_text(note, styles["note"]) for note in document.notes]
    if document.signatures:
        story.append(KeepTogether([Spacer(1, 6 * mm), _signatures(document, width, styles)]))
    canvas = partial(NumberedCanvas, footer_left=f"{document.title} {document.number}",
                     footer_right=document.footer)
    template.build(story, canvasmaker=canvas)
    return buffer.getvalue()
