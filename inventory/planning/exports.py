"""A run's result as files: an XLSX workbook (a sheet per view of the plan) and an A4 PDF (the
reports' layout and CJK font), for each kind: a dispatch by site, source and item with its
shortages; pre-positioning's cases, moves and purchase list with costs; a rotation month by
month with the stock against the minimum, the cost, and what doing nothing would cost."""

import io
from functools import partial

from flask import Response
from flask_babel import gettext
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer

from inventory import clock
from inventory.db import utcnow
from inventory.documents.layout import MARGIN, Column, NumberedCanvas
from inventory.i18n import punctuation
from inventory.planning.models import KIND_LABELS, MODE_LABELS
from inventory.planning.results import DispatchResult, PrepositionResult, RunResult
from inventory.planorders.schedule import Schedule
from inventory.reports import pdf
from inventory.xlsx import add_table, send_workbook, workbook

FORMATS = ("xlsx", "pdf")


def filename(read: RunResult, fmt: str) -> str:
    """Name the file by the run: run-12-dispatch.xlsx."""
    return f"run-{read.run.id}-{read.kind}.{fmt}"


def _title(read: RunResult) -> str:
    return gettext("运行 #%(id)s %(kind)s：%(name)s", id=read.run.id,
                   kind=gettext(KIND_LABELS[read.kind]), name=read.run.scenario.name)


def _covers(read: RunResult) -> str:
    return gettext("方案日期 %(date)s，提交于 %(time)s", date=read.run.scenario.scenario_date,
                   time=clock.format_local(read.run.created_at))


# -- the tables, shared by both formats -------------------------------------------------

def tables(read: RunResult) -> list[tuple[str, list[str], list[list]]]:
    """Return the result as (title, headers, rows) tables with plain values."""
    if read.dispatch is not None:
        return _dispatch_tables(read, read.dispatch)
    if read.preposition is not None:
        return _preposition_tables(read, read.preposition)
    return _rotation_tables(read.rotation)


def _dispatch_tables(read: RunResult, plan: DispatchResult) -> list:
    names = read.names
    summary = [[gettext("完全保障人数"), plan.people_fully_supplied],
               [gettext("人数"), plan.people], [gettext("费用（元）"), plan.cost],
               [gettext("调运数量合计"), plan.shipped], [gettext("短缺数量合计"), plan.short],
               [gettext("加权缺口"), plan.weighted_shortage]]
    sites = [[s.site, names.place(s.site), s.people, s.fully_supplied, s.demand, s.shipped,
              s.short, punctuation("list").join(f"{names.item(line.item)} × {line.short}"
                                for line in s.shortages), s.cost] for s in plan.sites]
    sites.append([gettext("合计"), "", plan.people, plan.people_fully_supplied,
                  sum(s.demand for s in plan.sites), plan.shipped, plan.short, "", plan.cost])
    sources = [[s.source, names.place(s.source), gettext(MODE_LABELS.get(s.kind, s.kind)),
                s.units, s.cost] for s in plan.sources]
    sources.append([gettext("合计"), "", "", plan.shipped, plan.cost])
    items = [[line.item, names.item(line.item), line.demand, line.shipped, line.short,
              round(line.coverage, 4)] for line in plan.items]
    limiting = [[line.item, names.item(line.item), line.demand, line.shipped, line.short,
                 line.people_short] for line in plan.limiting]
    shipments = [[s.source, row["site"], row["item"], names.item(row["item"]), row["quantity"],
                  row["arrival_hours"], round(row["cost"], 2)]
                 for s in plan.sources for row in s.shipments]
    shortages = [[s.site, names.place(s.site), line.item, names.item(line.item), line.demand,
                  line.short] for s in plan.sites for line in s.shortages]
    return [
        (gettext("概要"), [gettext("指标"), gettext("数值")], summary),
        (gettext("按安置点"), [gettext("安置点"), gettext("名称"), gettext("人数"),
                           gettext("完全保障"), gettext("需求"), gettext("调运"),
                           gettext("缺口"), gettext("缺少"), gettext("费用（元）")], sites),
        (gettext("按来源"), [gettext("来源"), gettext("名称"), gettext("类型"), gettext("调运"),
                          gettext("费用（元）")], sources),
        (gettext("按物资"), [gettext("物资"), gettext("名称"), gettext("需求"), gettext("调运"),
                          gettext("缺口"), gettext("保障率")], items),
        (gettext("制约保障的物资"), [gettext("物资"), gettext("名称"), gettext("需求"),
                              gettext("调运"), gettext("缺口"), gettext("缺此物资的人数")],
         limiting),
        (gettext("调运"), [gettext("来源"), gettext("安置点"), gettext("物资"), gettext("名称"),
                         gettext("数量"), gettext("到达（小时）"), gettext("费用（元）")],
         shipments),
        (gettext("缺口"), [gettext("安置点"), gettext("名称"), gettext("物资"), gettext("名称"),
                         gettext("需求"), gettext("缺口")], shortages),
    ]


def _preposition_tables(read: RunResult, plan: PrepositionResult) -> list:
    names = read.names
    summary = [[gettext("支出（元）"), plan.spend], [gettext("预算（元）"), plan.budget],
               [gettext("采购费用（元）"), plan.purchase_cost],
               [gettext("库间调整费用（元）"), plan.relocation_cost],
               [gettext("调整前期望加权缺口"), plan.expected_weighted_shortage_before],
               [gettext("期望加权缺口"), plan.expected_weighted_shortage]]
    cases = [[c["id"], c.get("weight"), c.get("weighted_shortage_before"),
              c.get("weighted_shortage_after")] for c in plan.cases]
    moves = [[r["from"], r["to"], r["item"], names.item(r["item"]), r["quantity"], r["hours"],
              r["cost"]] for r in plan.relocations]
    moves.append([gettext("合计"), "", "", "", sum(r["quantity"] for r in plan.relocations), "",
                  plan.relocation_cost])
    bought = [[p["depot"], names.place(p["depot"]), p["item"], names.item(p["item"]),
               p["quantity"], p["unit_cost"], p["cost"]] for p in plan.purchases]
    bought.append([gettext("合计"), "", "", "", sum(p["quantity"] for p in plan.purchases), "",
                   plan.purchase_cost])
    stock = [[r["depot"], names.place(r["depot"]), r["item"], names.item(r["item"]),
              r.get("before"), r["quantity"]] for r in plan.depot_stock]
    return [
        (gettext("概要"), [gettext("指标"), gettext("数值")], summary),
        (gettext("汛期情景"), [gettext("情景"), gettext("权重"), gettext("调整前加权缺口"),
                           gettext("调整后加权缺口")], cases),
        (gettext("库间调整"), [gettext("调出"), gettext("调入"), gettext("物资"), gettext("名称"),
                           gettext("数量"), gettext("小时"), gettext("费用（元）")], moves),
        (gettext("采购清单"), [gettext("储备库"), gettext("名称"), gettext("物资"), gettext("名称"),
                           gettext("数量"), gettext("单价（元）"), gettext("金额（元）")], bought),
        (gettext("调整后库存"), [gettext("储备库"), gettext("名称"), gettext("物资"),
                            gettext("名称"), gettext("调整前"), gettext("调整后")], stock),
    ]


def _rotation_tables(plan: Schedule) -> list:
    summary = [[gettext("方案费用（元）"), round(plan.cost, 2)],
               [gettext("采购费用（元）"), round(plan.purchase_cost, 2)],
               [gettext("回收价值（元）"), round(plan.value_recovered, 2)],
               [gettext("报废损失（元）"), round(plan.write_off_cost, 2)],
               [gettext("不作为的损失（元）"), round(plan.idle_cost, 2)],
               [gettext("不作为将报废"),
                punctuation("list").join(f"{item} × {quantity}"
                                         for item, quantity in plan.idle_written_off.items())]]
    months = []
    for month in plan.months:
        for item in plan.items:
            months.append([
                month.month.strftime("%Y-%m"), item,
                sum(r["quantity"] for r in month.rotations if r["item"] == item),
                sum(p["quantity"] for p in month.purchases if p["item"] == item),
                sum(w["quantity"] for w in month.write_offs if w["item"] == item),
                month.stock.get(item), plan.minimum.get(item, 0), month.idle_stock.get(item),
                sum(w["quantity"] for w in month.idle_write_offs if w["item"] == item)])
    costs = [[month.month.strftime("%Y-%m"), round(month.cost, 2), round(month.idle_cost, 2)]
             for month in plan.months]
    costs.append([gettext("合计"), round(plan.cost, 2), round(plan.idle_cost, 2)])
    moves = [[month.month.strftime("%Y-%m"), r["lot"], r["item"], r["outlet"], r["quantity"],
              round(r["value"], 2)] for month in plan.months for r in month.rotations]
    return [
        (gettext("概要"), [gettext("指标"), gettext("数值")], summary),
        (gettext("逐月库存"), [gettext("月份"), gettext("物资"), gettext("轮换出库"),
                           gettext("采购"), gettext("报废"), gettext("库存"), gettext("下限"),
                           gettext("不作为：库存"), gettext("不作为：报废")], months),
        (gettext("逐月费用"), [gettext("月份"), gettext("方案费用（元）"),
                           gettext("不作为的损失（元）")], costs),
        (gettext("轮换出库"), [gettext("月份"), gettext("批次"), gettext("物资"), gettext("去向"),
                           gettext("数量"), gettext("回收价值（元）")], moves),
    ]


# -- the files ----------------------------------------------------------------------------

def result_workbook(read: RunResult):
    """Return the result as a workbook, a sheet per table, the run named above each."""
    book = workbook()
    for title, headers, rows in tables(read):
        add_table(book, title[:31], headers, rows, preamble=[[_title(read)], [_covers(read)]])
    return book


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def result_pdf(read: RunResult) -> bytes:
    """Return the result as an A4 landscape PDF: each table under its own heading, its
    columns as wide as the page, the run named at the top of every page."""
    buffer = io.BytesIO()
    title, covers = _title(read), _covers(read)
    template = SimpleDocTemplate(
        buffer, pagesize=pdf.PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN + 3 * mm, title=title, creator="county-reserves", pageCompression=1)
    styles = pdf._styles()
    story = [pdf._paragraph(title, styles["title"]), pdf._paragraph(covers, styles["covers"]),
             Spacer(1, 2 * mm)]
    for heading, headers, rows in tables(read):
        numeric = [bool(rows) and all(isinstance(row[n], int | float) or row[n] is None
                                      for row in rows[:-1] or rows)
                   for n in range(len(headers))]
        columns = [Column(header, 1.0, numeric=flag) for header, flag in zip(headers, numeric,
                                                                            strict=True)]
        cells = pdf._Cells(columns, pdf.PAGE[0] - 2 * MARGIN, styles)
        texts = [[_text(value) for value in row] for row in rows] or [[""] * len(headers)]
        story += [cells.table(heading, texts, set(), set()), Spacer(1, 3 * mm)]
    made = gettext("制表时间 %(time)s", time=clock.format_local(utcnow()))
    template.build(story, canvasmaker=partial(NumberedCanvas, pagesize=pdf.PAGE, header=covers,
                                              footer_left=title, footer_right=made))
    return buffer.getvalue()


def send(read: RunResult, fmt: str) -> Response:
    """Answer with the result as an XLSX download or a PDF shown inline."""
    name = filename(read, fmt)
    if fmt == "xlsx":
        return send_workbook(result_workbook(read), name)
    return Response(result_pdf(read), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})
