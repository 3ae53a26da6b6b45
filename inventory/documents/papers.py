"""What each printed document says: the transfer order (调拨单) and the receipt and issue
documents (入库单, 出库单), in the language of the request (Chinese unless English is chosen).
The layout is ``inventory.documents.layout``."""

from decimal import Decimal

from flask_babel import gettext

from inventory import clock
from inventory.db import utcnow
from inventory.documents.layout import Column, Document, Qr
from inventory.documents.queries import StockDocument
from inventory.labels.service import label_url
from inventory.stock.models import KIND_LABELS, SOURCE_LABELS
from inventory.transfers.models import STATUS_LABELS
from inventory.transfers.queries import TransferDetail


def _depot(depot) -> str:
    keeper = " ".join(part for part in (depot.keeper_name, depot.keeper_phone) if part)
    text = gettext("%(name)s（%(code)s）", name=depot.name, code=depot.code)
    return f"{text}\n{gettext('库管员')} {keeper}" if keeper else text


def _person(user) -> str:
    return user.display_name or user.username


def _printed() -> str:
    return gettext("打印于 %(time)s", time=clock.format_local(utcnow()))


def _item(item) -> str:
    return f"{item.name_zh}\n{item.code}"


def _expiry(lot) -> str:
    if lot is None:
        return ""
    return lot.expires_on.isoformat() if lot.expires_on else gettext("长期")


def _distinct(values) -> str:
    return gettext("；").join(dict.fromkeys(value for value in values if value))


def transfer_order(detail: TransferDetail) -> Document:
    """The transfer order: both depots, the lines with their lots' QR codes, signatures."""
    transfer = detail.transfer
    received = transfer.status == "received"
    rows = []
    for index, line in enumerate(detail.lines, start=1):
        rows.append([
            str(index), _item(line.item),
            line.lot.code if line.lot else gettext("发出时按先到期先出确定"),
            _expiry(line.lot), line.item.unit, str(line.quantity),
            "" if line.quantity_received is None else str(line.quantity_received),
            "" if line.discrepancy is None else str(line.discrepancy),
            Qr(label_url("lot", line.lot_id)) if line.lot_id else ""])
    parties = [
        (gettext("调出单位"), _depot(transfer.from_depot)),
        (gettext("调入单位"), _depot(transfer.to_depot)),
        (gettext("调拨事由"), transfer.reason or ""),
        (gettext("依据文号"), transfer.reference or ""),
        (gettext("开单"),
         f"{_person(transfer.created_by)} {clock.format_local(transfer.created_at)}"),
        (gettext("状态"), gettext(STATUS_LABELS[transfer.status])),
        (gettext("发出时间"), clock.format_local(transfer.dispatched_at)),
        (gettext("接收时间"), clock.format_local(transfer.received_at)),
    ]
    notes = [gettext("调入单位验收时逐批扫描批次二维码，清点数量；"
                     "实收与发出不符的，据实填写实收数量。")]
    if transfer.status == "draft":
        notes.append(gettext("本单为草稿，尚未发出；批次与数量以发出时为准。"))
    return Document(
        title=gettext("应急物资调拨单"), number=transfer.number, parties=parties,
        columns=[Column(gettext("序号"), 0.06), Column(gettext("物资"), 0.18),
                 Column(gettext("批次号"), 0.13), Column(gettext("有效期至"), 0.12),
                 Column(gettext("单位"), 0.06), Column(gettext("发出数量"), 0.1, True),
                 Column(gettext("实收数量"), 0.1, True), Column(gettext("差异"), 0.07, True),
                 Column(gettext("批次二维码"), 0.18)],
        rows=rows,
        totals=["", gettext("合计"), "", "", "", str(detail.sent),
                "" if detail.received is None else str(detail.received),
                "" if detail.discrepancy is None else str(detail.discrepancy), ""]
        if received else None,
        notes=notes,
        signatures=[gettext("调出单位经办人"), gettext("承运人"), gettext("调入单位验收人"),
                    gettext("批准人（局机关）")],
        footer=_printed())


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def stock_paper(document: StockDocument) -> Document:
    """The receipt or issue document: depot, date, lines with lots, unit cost and value."""
    receipt = document.kind == "receipt"
    # An issue document counts what left the depot, so its rows read as positive amounts.
    sign = 1 if receipt else -1
    rows, values, units = [], [], set()
    for index, movement in enumerate(document.movements, start=1):
        lot = movement.lot
        quantity = sign * movement.quantity
        value = None if lot.unit_cost is None else lot.unit_cost * quantity
        values.append(value)
        units.add(lot.item.unit)
        name = _item(lot.item)
        if movement.reverses_id:
            name += "\n" + gettext("（冲正 #%(id)s）", id=movement.reverses_id)
        rows.append([str(index), name, lot.code, _expiry(lot), lot.item.unit, str(quantity),
                     _money(lot.unit_cost), _money(value)])
    movements = document.movements
    when = sorted(clock.format_local(m.occurred_at) for m in movements)
    parties = [
        (gettext("入库单位") if receipt else gettext("出库单位"), _depot(document.depot)),
        (gettext("单据号"), document.reference or ""),
        (gettext("入库时间") if receipt else gettext("出库时间"),
         when[0] if when[0] == when[-1] else f"{when[0]} – {when[-1]}"),
        (gettext("经办人"), _distinct(_person(m.actor) for m in movements)),
    ]
    if receipt:
        parties.append((gettext("来源"), _distinct(gettext(SOURCE_LABELS[m.lot.source])
                                                 for m in movements)))
    else:
        parties.append((gettext("领用单位"), _distinct(m.recipient for m in movements)))
        parties.append((gettext("类型"), _distinct(gettext(KIND_LABELS[m.kind])
                                                 for m in movements if not m.reverses_id)))
    parties.append((gettext("事由"), _distinct(m.reason for m in movements)))
    quantity_total = sum(sign * m.quantity for m in movements) if len(units) == 1 else ""
    costed = [value for value in values if value is not None]
    value_total = sum(costed, Decimal(0)) if costed else None
    notes = []
    if len(costed) < len(values):
        notes.append(gettext("无单价的批次不计入金额合计。"))
    return Document(
        title=gettext("应急物资入库单") if receipt else gettext("应急物资出库单"),
        number=document.number, parties=parties,
        columns=[Column(gettext("序号"), 0.05), Column(gettext("物资"), 0.21),
                 Column(gettext("批次号"), 0.18), Column(gettext("有效期至"), 0.12),
                 Column(gettext("单位"), 0.06), Column(gettext("数量"), 0.09, True),
                 Column(gettext("单价（元）"), 0.12, True),
                 Column(gettext("金额（元）"), 0.15, True)],
        rows=rows,
        totals=["", gettext("合计"), "", "", "", str(quantity_total), "", _money(value_total)],
        notes=notes,
        signatures=([gettext("交货人"), gettext("验收人"), gettext("保管员"), gettext("负责人")]
                    if receipt else
                    [gettext("领用人"), gettext("经办人"), gettext("保管员"), gettext("批准人")]),
        footer=_printed())
