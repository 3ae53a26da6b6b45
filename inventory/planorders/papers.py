"""Printed and exported orders: the rotation pick list (轮换工单, A4 with the lots' QR codes)
and a run's purchase list (采购清单) as A4 PDF and as a workbook, in the request's language."""

from decimal import Decimal

from flask_babel import gettext

from inventory import clock
from inventory.db import utcnow
from inventory.documents.layout import Column, Document, Qr
from inventory.labels.service import label_url
from inventory.planorders.models import KIND_LABELS, ROTATION_STATUS_LABELS
from inventory.planorders.queries import PurchaseList, RotationOrderView
from inventory.xlsx import add_table, workbook


def _printed() -> str:
    return gettext("打印于 %(time)s", time=clock.format_local(utcnow()))


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def _depot(depot) -> str:
    return gettext("%(name)s（%(code)s）", name=depot.name, code=depot.code)


def month_label(month) -> str:
    """A month as pages and papers name it: 2026-12."""
    return f"{month:%Y-%m}" if month else ""


def rotation_pick_list(view: RotationOrderView) -> Document:
    """The rotation work order: each lot, where it goes and how much, with its QR code."""
    order = view.order
    rows = []
    for index, progress in enumerate(view.lines, start=1):
        line = progress.line
        rows.append([str(index), f"{line.item.name_zh}\n{line.item.code}", line.lot.code,
                     line.lot.expires_on.isoformat() if line.lot.expires_on else gettext("长期"),
                     line.outlet, line.item.unit, str(line.quantity), str(progress.done),
                     Qr(label_url("lot", line.lot_id))])
    parties = [
        (gettext("储备库"), _depot(order.depot)),
        (gettext("月份"), month_label(order.month)),
        (gettext("依据方案"), f"RUN-{order.plan_orders.run_id}"),
        (gettext("状态"), gettext(ROTATION_STATUS_LABELS[view.state])),
    ]
    return Document(
        title=gettext("物资轮换工单"), number=order.number, parties=parties,
        columns=[Column(gettext("序号"), 0.06), Column(gettext("物资"), 0.17),
                 Column(gettext("批次号"), 0.13), Column(gettext("有效期至"), 0.11),
                 Column(gettext("去向"), 0.15), Column(gettext("单位"), 0.06),
                 Column(gettext("数量"), 0.08, True), Column(gettext("已出库"), 0.08, True),
                 Column(gettext("批次二维码"), 0.18)],
        rows=rows,
        notes=[gettext("在扫码作业的“轮换”页逐批扫描批次二维码出库，每次扫码记一笔轮换出库台账，"
                       "单据号为本工单号。")],
        signatures=[gettext("保管员"), gettext("接收单位"), gettext("经办人"), gettext("负责人")],
        footer=_printed())


def _purchase_columns() -> list[Column]:
    return [Column(gettext("序号"), 0.06), Column(gettext("月份"), 0.1),
            Column(gettext("储备库"), 0.2), Column(gettext("物资"), 0.22),
            Column(gettext("单位"), 0.06), Column(gettext("数量"), 0.1, True),
            Column(gettext("单价（元）"), 0.12, True), Column(gettext("金额（元）"), 0.14, True)]


def _purchase_cells(listed: PurchaseList) -> list[list]:
    return [[index, month_label(line.month), _depot(line.depot) if line.depot else "",
             f"{line.item.name_zh} {line.item.code}", line.item.unit, line.quantity,
             line.unit_cost, line.amount] for index, line in enumerate(listed.lines, start=1)]


def purchase_list_document(listed: PurchaseList) -> Document:
    """The purchase list of a run, with its prices and total."""
    record = listed.record
    rows = [[str(index), month, depot, item, unit, str(quantity), _money(cost), _money(amount)]
            for index, month, depot, item, unit, quantity, cost, amount in
            _purchase_cells(listed)]
    notes = [gettext("单价为方案计算时采用的价格，采购时以实际成交价为准。")]
    if listed.unpriced:
        notes.append(gettext("无单价的行不计入金额合计。"))
    return Document(
        title=gettext("应急物资采购清单"), number=f"RUN-{record.run_id}",
        parties=[(gettext("方案类型"), gettext(KIND_LABELS[record.kind])),
                 (gettext("生成"), f"{record.created_by.display_name or record.created_by.username}"
                                  f" {clock.format_local(record.created_at)}")],
        columns=_purchase_columns(), rows=rows,
        totals=["", gettext("合计"), "", "", "", str(sum(line.quantity for line in listed.lines))
                if len({line.item_id for line in listed.lines}) == 1 else "", "",
                _money(listed.total)],
        notes=notes, signatures=[gettext("编制"), gettext("审核")], footer=_printed())


def purchase_list_workbook(listed: PurchaseList):
    """The purchase list as a workbook, headers in the request's language."""
    book = workbook()
    headers = [column.title for column in _purchase_columns()]
    rows = [[index, month, depot, item, unit, quantity,
             None if cost is None else float(cost), None if amount is None else float(amount)]
            for index, month, depot, item, unit, quantity, cost, amount in
            _purchase_cells(listed)]
    rows.append(["", gettext("合计"), "", "", "", None, None,
                 None if listed.total is None else float(listed.total)])
    add_table(book, gettext("采购清单"), headers, rows,
              preamble=[[gettext("应急物资采购清单"), f"RUN-{listed.record.run_id}"]])
    return book
