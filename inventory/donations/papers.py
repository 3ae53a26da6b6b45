"""What donations print: the acknowledgement letter (捐赠接收确认书) for each receipt, A4, in
the documents' layout; and the public disclosure as an A4 PDF and an XLSX workbook."""

from flask import Response
from flask_babel import gettext

from inventory import clock
from inventory.db import utcnow
from inventory.documents.layout import Column, Document
from inventory.documents.papers import _depot, _item, _person, _printed
from inventory.donations.disclosure import Disclosure
from inventory.donations.models import DONOR_KIND_LABELS, DonationReceipt
from inventory.reports import pdf as report_pdf
from inventory.xlsx import add_table, send_workbook, workbook


def _yuan(amount) -> str:
    return f"¥{amount:,.2f}"


def acknowledgement(receipt: DonationReceipt) -> Document:
    """The letter that thanks the donor and states what was received, when and where."""
    pledge = receipt.pledge
    donor = pledge.donor
    parties = [(gettext("捐赠方"), donor.name),
               (gettext("类型"), gettext(DONOR_KIND_LABELS[donor.kind])),
               (gettext("捐赠登记号"), pledge.number),
               (gettext("接收时间"), clock.format_local(receipt.received_at)),
               (gettext("定向用途"), pledge.purpose or gettext("未指定用途")),
               (gettext("经办人"), _person(receipt.received_by))]
    if receipt.kind == "goods":
        parties.insert(4, (gettext("接收单位"), _depot(receipt.depot)))
        rows = [[str(index), _item(line.lot.item), line.lot.code, line.lot.item.unit,
                 str(line.quantity)] for index, line in enumerate(receipt.lines, start=1)]
        columns = [Column(gettext("序号"), 0.08), Column(gettext("物资"), 0.4),
                   Column(gettext("批次号"), 0.24), Column(gettext("单位"), 0.1),
                   Column(gettext("数量"), 0.18, True)]
        totals = ["", gettext("合计"), "", "", str(sum(line.quantity for line in receipt.lines))]
        what = gettext("上列物资")
    else:
        rows = [["1", gettext("捐赠资金"), _yuan(receipt.amount)]]
        columns = [Column(gettext("序号"), 0.08), Column(gettext("项目"), 0.6),
                   Column(gettext("金额（元）"), 0.32, True)]
        totals = None
        what = gettext("捐赠资金 %(amount)s", amount=_yuan(receipt.amount))
    notes = [gettext("%(donor)s：", donor=donor.name),
             gettext("您捐赠的%(what)s已于 %(date)s 收到，将按您指定的用途用于应急救灾，"
                     "使用情况将在捐赠物资接收和使用情况公示中公开。衷心感谢您对防灾减灾"
                     "救灾工作的支持！", what=what,
                     date=clock.format_local(receipt.received_at, "%Y-%m-%d"))]
    if receipt.note:
        notes.append(gettext("备注：%(note)s", note=receipt.note))
    return Document(title=gettext("捐赠接收确认书"), number=receipt.number, parties=parties,
                    columns=columns, rows=rows, totals=totals, notes=notes,
                    signatures=[gettext("接收单位（盖章）"), gettext("经办人")],
                    footer=_printed())


# -- the disclosure ----------------------------------------------------------------------

def title() -> str:
    """Return the disclosure's title."""
    return gettext("捐赠物资接收和使用情况公示")


def covers(report: Disclosure) -> str:
    """Return the line that says which days the disclosure covers."""
    return gettext("公示期间 %(first)s 至 %(last)s", first=report.period.first.isoformat(),
                   last=report.period.last.isoformat())


def _kind(kind: str | None) -> str:
    return gettext(DONOR_KIND_LABELS[kind]) if kind else ""


def disclosure_pdf(report: Disclosure) -> bytes:
    """The disclosure as an A4 landscape PDF: received by donor, money, used by use and place."""
    printed = report_pdf.Printed(
        title(), covers(report),
        [Column(gettext("捐赠方 / 用途"), 0.3), Column(gettext("类型 / 使用地点"), 0.25),
         Column(gettext("物资"), 0.25), Column(gettext("单位"), 0.08),
         Column(gettext("数量 / 金额"), 0.12, True)],
        footer=gettext("制表时间 %(time)s", time=clock.format_local(utcnow())))
    printed.heading(gettext("一、接收捐赠物资（按捐赠方）"))
    for row in report.received:
        printed.rows.append([row.donor, _kind(row.donor_kind), row.item.name_zh, row.item.unit,
                             f"{row.quantity:,}"])
    if not report.received:
        printed.rows.append([gettext("本期未接收捐赠物资。"), "", "", "", ""])
    for code, quantity in sorted(report.received_by_item().items()):
        item = next(i for i in report.items() if i.code == code)
        printed.total([gettext("合计"), "", item.name_zh, item.unit, f"{quantity:,}"])
    printed.heading(gettext("二、接收捐赠资金（按捐赠方）"))
    for row in report.money:
        printed.rows.append([row.donor, _kind(row.donor_kind), "", gettext("元"),
                             f"{row.amount:,.2f}"])
    printed.total([gettext("合计"), "", "", gettext("元"), f"{report.money_total:,.2f}"])
    printed.heading(gettext("三、捐赠物资使用（按用途和地点）"))
    for row in report.used:
        printed.rows.append([row.purpose, f"{row.place} · {row.area}", row.item.name_zh,
                             row.item.unit, f"{row.quantity:,}"])
    if not report.used:
        printed.rows.append([gettext("本期未使用捐赠物资。"), "", "", "", ""])
    for code, quantity in sorted(report.used_by_item().items()):
        item = next(i for i in report.items() if i.code == code)
        printed.total([gettext("合计"), "", item.name_zh, item.unit, f"{quantity:,}"])
    printed.notes = notes()
    return report_pdf.render(printed)


def notes() -> list[str]:
    """Return the disclosure's notes: where its figures come from."""
    return [gettext("接收和使用数量均取自库存台账：接收为捐赠批次的入库记录，使用为这些批次"
                    "及其调拨后的批次在各地的发放出库记录（均扣除冲正）。"),
            gettext("本公示不含受助人的任何个人信息。")]


def disclosure_workbook(report: Disclosure):
    """The disclosure as a workbook: a sheet each for goods received, money and goods used."""
    book = workbook()
    preamble = [[title()], [covers(report)],
                [gettext("制表时间 %(time)s", time=clock.format_local(utcnow()))]]
    add_table(book, gettext("接收物资"),
              [gettext("捐赠方"), gettext("类型"), gettext("物资编号"), gettext("物资"),
               gettext("单位"), gettext("数量")],
              [[r.donor, _kind(r.donor_kind), r.item.code, r.item.name_zh, r.item.unit,
                r.quantity] for r in report.received], preamble=preamble)
    add_table(book, gettext("接收资金"),
              [gettext("捐赠方"), gettext("类型"), gettext("金额（元）")],
              [*([r.donor, _kind(r.donor_kind), r.amount] for r in report.money),
               [gettext("合计"), "", report.money_total]], preamble=preamble)
    add_table(book, gettext("物资使用"),
              [gettext("用途"), gettext("使用地点"), gettext("所在区域"), gettext("物资编号"),
               gettext("物资"), gettext("单位"), gettext("数量")],
              [[r.purpose, r.place, r.area, r.item.code, r.item.name_zh, r.item.unit,
                r.quantity] for r in report.used], preamble=preamble)
    return book


def send_disclosure(report: Disclosure, fmt: str) -> Response:
    """Answer with the disclosure as an XLSX download or a PDF shown inline."""
    name = f"donations-disclosure-{report.period.first}-{report.period.last}.{fmt}"
    if fmt == "xlsx":
        return send_workbook(disclosure_workbook(report), name)
    return Response(disclosure_pdf(report), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})
