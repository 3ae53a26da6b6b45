"""The reports as XLSX workbooks: one row per depot and item with its tier and category (so a
spreadsheet can filter and pivot), quantities and values in columns of their own, then a
sheet of totals by tier and category. Headers are in the language of the request."""

from flask_babel import gettext
from openpyxl import Workbook

from inventory import clock
from inventory.contracts.models import CALL_OFF_STATUS_LABELS
from inventory.geo.models import LEVEL_LABELS
from inventory.reports import labels
from inventory.reports.queries import Figures, StockReport
from inventory.reports.settlements import SettlementReport
from inventory.xlsx import add_table, workbook


def _preamble(title: str, covers: str, made_at) -> list[list]:
    return [[title], [covers],
            [gettext("制表时间 %(time)s（%(zone)s）", time=clock.format_local(made_at),
                     zone=clock.TIMEZONE.key)], []]


def _figure_headers(report: StockReport) -> list[str]:
    quantities = [gettext("%(column)s数量", column=labels.column(c)) for c in report.columns]
    values = [gettext("%(column)s金额", column=labels.column(c)) for c in report.columns]
    headers = [*quantities, *values]
    if report.period is not None:
        headers += [gettext("核对差额（数量）"), gettext("核对差额（金额）")]
    return headers + [gettext("批次数"), gettext("无单价批次数"), gettext("无单价批次结存数量")]


def _figure_cells(report: StockReport, figures: Figures, *, quantities: bool = True) -> list:
    cells = [figures.quantity[c] if quantities else None for c in report.columns]
    cells += [figures.value(c) for c in report.columns]
    if report.period is not None:
        cells += [figures.quantity_difference if quantities else None, figures.value_difference]
    return cells + [figures.lots, figures.unpriced_lots, figures.unpriced_quantity]


def stock_workbook(report: StockReport, kind: str) -> Workbook:
    """The stock summary or stock on hand: its lines, then its totals."""
    book = workbook()
    preamble = _preamble(labels.title(kind), labels.covers(report), report.made_at)
    headers = [gettext("层级"), gettext("类别"), gettext("储备库编号"), gettext("储备库"),
               gettext("物资编号"), gettext("物资"), gettext("单位"), *_figure_headers(report)]
    rows = ([gettext(LEVEL_LABELS[line.depot.tier]), line.item.category, line.depot.code,
             line.depot.name, line.item.code, line.item.name, line.item.unit,
             *_figure_cells(report, line.figures)] for line in report.lines)
    add_table(book, gettext("明细"), headers, rows, preamble=preamble)
    # Totals add up items of different units, so only their values are given.
    total_rows = []
    for tier in report.groups:
        tier_name = gettext(LEVEL_LABELS[tier.tier])
        for category in tier.categories:
            total_rows.append([tier_name, category.category,
                               *_figure_cells(report, category.totals, quantities=False)])
        total_rows.append([tier_name, gettext("小计"),
                           *_figure_cells(report, tier.totals, quantities=False)])
    total_rows.append([gettext("合计"), "", *_figure_cells(report, report.totals,
                                                          quantities=False)])
    add_table(book, gettext("合计"), [gettext("层级"), gettext("类别"), *_figure_headers(report)],
              total_rows, preamble=preamble)
    return book


def _money(amount):
    """An amount, or words saying why there is none (an agreement without a tender price)."""
    return gettext("无招标价") if amount is None else amount


def settlements_workbook(report: SettlementReport) -> Workbook:
    """The settlements: a row per agreement, then a row per call-off."""
    book = workbook()
    preamble = _preamble(labels.title("settlements"), labels.period_text(report.period),
                         report.made_at)
    headers = [gettext("协议编号"), gettext("供应商"), gettext("物资编号"), gettext("物资"),
               gettext("单位"), gettext("招标单价"), gettext("协议数量"), gettext("本期调用"),
               gettext("本期取消"), gettext("本期到货"), gettext("本期应付金额"),
               gettext("本期已结算金额"), gettext("期末未结算金额")]
    rows = [[a.number, a.supplier, a.item, a.item_name, a.unit, _money(a.unit_price),
             a.committed_quantity, a.called, a.cancelled, a.received, _money(a.owed),
             a.settled, _money(a.unsettled)] for a in report.agreements]
    rows.append([gettext("合计"), "", "", "", "", None, None, report.total("called"),
                 report.total("cancelled"), report.total("received"),
                 _money(report.total("owed")), report.total("settled"),
                 _money(report.total("unsettled"))])
    add_table(book, gettext("协议"), headers, rows, preamble=preamble)
    headers = [gettext("协议编号"), gettext("调用编号"), gettext("储备库"), gettext("调用数量"),
               gettext("状态"), gettext("调用时间"), gettext("到货时间"), gettext("到货数量"),
               gettext("结算时间"), gettext("结算金额"), gettext("结算单号")]
    rows = ([a.number, c.id, c.depot, c.quantity, gettext(CALL_OFF_STATUS_LABELS[c.status]),
             clock.spreadsheet_time(c.called_at), clock.spreadsheet_time(c.received_at),
             c.received_quantity, clock.spreadsheet_time(c.settled_at), c.settled_amount,
             c.settlement_reference] for a in report.agreements for c in a.call_offs)
    add_table(book, gettext("调用明细"), headers, rows, preamble=preamble)
    return book
