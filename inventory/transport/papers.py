"""The printable waybill (运单): A4, with its own QR code for the arrival scan and the goods it
carries."""

from flask_babel import gettext

from inventory import clock
from inventory.documents.layout import Column, Document
from inventory.documents.papers import _depot, _item, _person, _printed
from inventory.transport import queries
from inventory.transport.models import Waybill
from inventory.transport.scanning import label_url


def waybill_paper(session, waybill: Waybill) -> Document:
    """The waybill: route, carrier, vehicle, driver, seal, times; the goods; signatures."""
    expected = queries.expected_arrival(session, waybill)
    if waybill.transfer is not None:
        reference = (gettext("调拨单"), waybill.transfer.number)
        lines = [(line.item, line.lot.code if line.lot else "", line.quantity)
                 for line in waybill.transfer.lines]
        sender = _depot(waybill.from_depot)
    else:
        agreement = waybill.call_off.agreement
        reference = (gettext("协议调用"), agreement.number)
        lines = [(agreement.item, "", waybill.call_off.quantity)]
        sender = agreement.supplier
    carrier = waybill.carrier
    parties = [
        (gettext("发货单位"), sender),
        (gettext("收货单位"), _depot(waybill.to_depot)),
        reference,
        (gettext("承运单位"), carrier.name if carrier else ""),
        (gettext("车牌号"), waybill.plate),
        (gettext("驾驶员"), " ".join(p for p in (waybill.driver_name, waybill.driver_phone) if p)),
        (gettext("铅封号"), waybill.seal_number or ""),
        (gettext("发车时间"), clock.format_local(waybill.departed_at)),
        (gettext("预计到达"), clock.format_local(expected)),
        (gettext("到达时间"), clock.format_local(waybill.arrived_at)),
        (gettext("开单"),
         f"{_person(waybill.created_by)} {clock.format_local(waybill.created_at)}"),
    ]
    rows = [[str(index), _item(item), lot_code, item.unit, str(quantity)]
            for index, (item, lot_code, quantity) in enumerate(lines, start=1)]
    return Document(
        title=gettext("应急物资运单"), number=waybill.number, parties=parties,
        columns=[Column(gettext("序号"), 0.08), Column(gettext("物资"), 0.4),
                 Column(gettext("批次号"), 0.24), Column(gettext("单位"), 0.1),
                 Column(gettext("数量"), 0.18, True)],
        rows=rows, totals=["", gettext("合计"), "", "", str(sum(q for _, _, q in lines))],
        notes=[gettext("随车携带。到达后收货库管员扫描本单二维码（或第一个批次标签）登记到达，"
                       "核对铅封完好后卸货验收。")],
        signatures=[gettext("发货经办人"), gettext("驾驶员"), gettext("收货验收人")],
        footer=_printed(), qr=label_url(waybill))
