"""The reports as A4 landscape PDFs: a title, what the report covers (repeated at the top of
every page), one table with group headings and totals, notes, and "page n of N" in the footer.

Each figure cell holds the quantity above its value, so the stock summary's ten columns fit
across the page. Text is set in the CJK font the documents use.
"""

import io
from dataclasses import dataclass, field
from functools import partial
from xml.sax.saxutils import escape

from flask_babel import gettext, pgettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

from inventory import clock
from inventory.documents.layout import GRID, MARGIN, SHADE, Column, NumberedCanvas
from inventory.geo.models import LEVEL_LABELS
from inventory.i18n import punctuation
from inventory.labels.pdf import font_name
from inventory.reports import labels
from inventory.reports.queries import MOVEMENT_COLUMNS, Figures, StockReport
from inventory.reports.settlements import SettlementReport

PAGE = landscape(A4)
#: points; the stock summary's thirteen columns fit across the page at this size
FONT_SIZE = 7
#: points between a cell's text and its borders, left and right
PADDING = 2.5
HEADING_SHADE = colors.HexColor("#dde3ea")


@dataclass
class Printed:
    """A report as printed: ``rows`` hold markup-free text; headings span the table."""

    title: str
    covers: str
    columns: list[Column]
    rows: list[list[str]] = field(default_factory=list)
    #: indexes (into ``rows``) of group headings, of details under a row, and of total rows
    headings: set[int] = field(default_factory=set)
    details: set[int] = field(default_factory=set)
    totals: set[int] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    footer: str = ""

    def heading(self, text: str) -> None:
        """Add a group heading across the table."""
        self.headings.add(len(self.rows))
        self.rows.append([text] + [""] * (len(self.columns) - 1))

    def detail(self, text: str) -> None:
        """Add a line of detail across the table, under the row it belongs to."""
        self.details.add(len(self.rows))
        self.rows.append([text] + [""] * (len(self.columns) - 1))

    def total(self, cells: list[str]) -> None:
        """Add a row of totals."""
        self.totals.add(len(self.rows))
        self.rows.append(cells)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font_name(), fontSize=FONT_SIZE, leading=9,
                          wordWrap="CJK")
    return {"title": ParagraphStyle("title", base, fontSize=16, leading=22, alignment=TA_CENTER),
            "covers": ParagraphStyle("covers", base, fontSize=9, leading=13,
                                     alignment=TA_CENTER),
            "cell": base, "numeric": ParagraphStyle("numeric", base, alignment=TA_RIGHT),
            "note": ParagraphStyle("note", base, fontSize=8, leading=11)}


def _paragraph(text: str, style) -> Paragraph:
    # Paragraph reads a little markup, so data (names, codes) is escaped.
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


class _Cells:
    """Table cells as plain strings, which reportlab sets many times faster than paragraphs;
    only text too wide for its column becomes a paragraph, which wraps."""

    def __init__(self, columns: list[Column], width: float, styles):
        share = sum(column.width for column in columns)
        self.columns, self.styles = columns, styles
        self.widths = [width * column.width / share for column in columns]
        self.font = font_name()

    def row(self, texts: list[str]) -> list:
        return [self.cell(text, column, width)
                for text, column, width in zip(texts, self.columns, self.widths, strict=True)]

    def cell(self, text: str, column: Column, width: float):
        widest = max((stringWidth(line, self.font, FONT_SIZE) for line in text.split("\n")),
                     default=0)
        if widest <= width - 2 * PADDING:
            return text
        return _paragraph(text, self.styles["numeric" if column.numeric else "cell"])

    def table(self, heading: str | None, rows: list[list[str]], totals: set[int],
              details: set[int]) -> Table:
        """A table of the rows under the group's heading and the columns' headings, both
        repeated on every page the table runs over."""
        top = [self.row([heading] + [""] * (len(self.columns) - 1))] if heading else []
        data = [*top, self.row([column.title for column in self.columns])]
        first = len(data)
        data += [self.row(row) for row in rows]
        table = Table(data, colWidths=self.widths, repeatRows=first)
        style = [("GRID", (0, 0), (-1, -1), 0.4, GRID),
                 ("BACKGROUND", (0, first - 1), (-1, first - 1), SHADE),
                 ("FONT", (0, 0), (-1, -1), self.font, FONT_SIZE, 9),
                 ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                 ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                 ("LEFTPADDING", (0, 0), (-1, -1), PADDING),
                 ("RIGHTPADDING", (0, 0), (-1, -1), PADDING)]
        if heading:
            style += [("SPAN", (0, 0), (-1, 0)), ("BACKGROUND", (0, 0), (-1, 0), HEADING_SHADE),
                      ("FONT", (0, 0), (-1, 0), self.font, 9, 12)]
        style += [("ALIGN", (n, first - 1), (n, -1), "RIGHT")
                  for n, column in enumerate(self.columns) if column.numeric]
        style += [("BACKGROUND", (0, n + first), (-1, n + first), SHADE) for n in totals]
        style += [("SPAN", (0, n + first), (-1, n + first)) for n in details]
        table.setStyle(style)
        return table


def _sections(printed: Printed, cells: _Cells) -> list:
    """The rows as one table per group heading: reportlab splits a long table across pages
    in time that grows with its length, so groups keep every table short."""
    story, rows, totals, details = [], [], set(), set()
    heading = None

    def flush():
        if rows:
            story.extend([cells.table(heading, rows, totals, details), Spacer(1, 3 * mm)])
            rows.clear(), totals.clear(), details.clear()

    for index, row in enumerate(printed.rows):
        if index in printed.headings:
            flush()
            heading = row[0]
            continue
        if index in printed.totals:
            totals.add(len(rows))
        if index in printed.details:
            details.add(len(rows))
        rows.append(row)
    flush()
    return story


def render(printed: Printed) -> bytes:
    """Return the report as a PDF on as many A4 landscape pages as it needs."""
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN + 3 * mm, title=printed.title, creator="county-reserves",
        pageCompression=1)
    styles = _styles()
    cells = _Cells(printed.columns, PAGE[0] - 2 * MARGIN, styles)
    story = [_paragraph(printed.title, styles["title"]),
             _paragraph(printed.covers, styles["covers"]), Spacer(1, 2 * mm),
             *_sections(printed, cells), Spacer(1, 2 * mm)]
    story += [_paragraph(note, styles["note"]) for note in printed.notes]
    canvas = partial(NumberedCanvas, pagesize=PAGE, header=printed.covers,
                     footer_left=printed.title, footer_right=printed.footer)
    template.build(story, canvasmaker=canvas)
    return buffer.getvalue()


# -- the reports ------------------------------------------------------------

def _quantity(value: int) -> str:
    return f"{value:,}"


def _money(value) -> str:
    return gettext("无招标价") if value is None else f"{value:,.2f}"


def _made(made_at) -> str:
    return gettext("制表时间 %(time)s", time=clock.format_local(made_at))


def _figure_cell(figures: Figures, column: str, *, quantities: bool) -> str:
    quantity, cents = figures.quantity[column], figures.cents[column]
    if column in MOVEMENT_COLUMNS and quantity == 0 and cents == 0:
        return ""  # a movement column without movement stays blank, so the figures stand out
    value = _money(figures.value(column))
    if not quantities:
        return value
    return f"{_quantity(quantity)}\n{value}{' *' if figures.unpriced_lots else ''}"


def _figure_cells(report: StockReport, figures: Figures, *, quantities: bool) -> list[str]:
    cells = [_figure_cell(figures, column, quantities=quantities) for column in report.columns]
    if report.period is not None:
        cells.append(gettext("相符") if figures.balanced else gettext(
            "差 %(quantity)s\n%(value)s", quantity=_quantity(figures.quantity_difference)
            if quantities else "—", value=_money(figures.value_difference)))
    return cells


def stock_pdf(report: StockReport, kind: str) -> bytes:
    """The stock summary or stock on hand as a PDF, grouped by tier and category."""
    figures = [Column(labels.column(c), 0.07, numeric=True) for c in report.columns]
    if report.period is not None:
        figures.append(Column(gettext("核对"), 0.045, numeric=True))
    printed = Printed(labels.title(kind), labels.covers(report),
                      [Column(pgettext("field", "储备库"), 0.11), Column(gettext("物资"), 0.11),
                       Column(gettext("单位"), 0.03), *figures],
                      footer=_made(report.made_at))
    for tier in report.groups:
        tier_name = gettext(LEVEL_LABELS[tier.tier])
        for category in tier.categories:
            printed.heading(f"{tier_name} · {category.category}")
            for line in category.lines:
                printed.rows.append([f"{line.depot.name}\n{line.depot.code}",
                                     f"{line.item.name}\n{line.item.code}", line.item.unit,
                                     *_figure_cells(report, line.figures, quantities=True)])
            printed.total([gettext("%(name)s 小计", name=category.category), "", "",
                           *_figure_cells(report, category.totals, quantities=False)])
        printed.heading(gettext("%(name)s 合计", name=tier_name))
        printed.total([gettext("%(name)s 合计", name=tier_name), "", "",
                       *_figure_cells(report, tier.totals, quantities=False)])
    printed.heading(gettext("总计"))
    printed.total([gettext("总计"), "", "", *_figure_cells(report, report.totals,
                                                         quantities=False)])
    printed.notes = _stock_notes(report)
    return render(printed)


def _stock_notes(report: StockReport) -> list[str]:
    notes = [gettext("每格上为数量，下为金额（元，按各批次单价计）；"
                     "小计和合计只列金额，因各物资单位不同。")]
    if report.period is not None:
        notes.append(gettext("各列带符号：入库为正，出库为负。"
                             "核对：期初结存 + 本期各列 = 期末结存。"
                             "期间按发生时间计（%(zone)s）。", zone=clock.TIMEZONE.key))
    if report.totals.unpriced_lots:
        notes.append(gettext("* %(lots)s 个批次无单价：数量计入，"
                             "金额未计入（期末共 %(quantity)s）。",
                             lots=report.totals.unpriced_lots,
                             quantity=_quantity(report.totals.unpriced_quantity)))
    return notes


def settlements_pdf(report: SettlementReport) -> bytes:
    """The settlements as a PDF: a row per agreement, its call-offs beneath it."""
    number = partial(Column, numeric=True)
    printed = Printed(
        labels.title("settlements"), labels.period_text(report.period),
        [Column(gettext("协议编号"), 0.1), Column(gettext("供应商"), 0.14),
         Column(gettext("物资"), 0.12), number(gettext("招标单价"), 0.07),
         number(gettext("本期调用"), 0.07), number(gettext("本期取消"), 0.07),
         number(gettext("本期到货"), 0.07), number(gettext("本期应付金额"), 0.09),
         number(gettext("本期已结算金额"), 0.09), number(gettext("期末未结算金额"), 0.09)],
        footer=_made(report.made_at))
    for a in report.agreements:
        printed.rows.append([a.number, a.supplier, f"{a.item_name}\n{a.item}",
                             _money(a.unit_price), _quantity(a.called), _quantity(a.cancelled),
                             _quantity(a.received), _money(a.owed), _money(a.settled),
                             _money(a.unsettled)])
        for c in a.call_offs:
            printed.detail(gettext(
                "调用 %(id)s：%(depot)s，%(quantity)s%(unit)s，"
                "调用于 %(called)s，到货 %(received)s，结算 %(settled)s",
                id=c.id, depot=c.depot, quantity=_quantity(c.quantity), unit=a.unit,
                called=clock.format_local(c.called_at),
                received=_when(c.received_at, c.received_quantity),
                settled=_when(c.settled_at, c.settled_amount)))
    printed.total([gettext("合计"), "", "", "", _quantity(report.total("called")),
                   _quantity(report.total("cancelled")), _quantity(report.total("received")),
                   _money(report.total("owed")), _money(report.total("settled")),
                   _money(report.total("unsettled"))])
    printed.notes = [gettext("应付金额 = 到货数量 × 招标单价（先使用后结算）。"
                             "按调用、到货、结算各自的时间计入期间（%(zone)s）。",
                             zone=clock.TIMEZONE.key)]
    return render(printed)


def _when(moment, amount) -> str:
    if moment is None:
        return gettext("无")
    amount = _money(amount) if not isinstance(amount, int) else _quantity(amount)
    return f"{clock.format_local(moment)}{punctuation('open')}{amount}{punctuation('close')}"
