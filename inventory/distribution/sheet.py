"""The printable sign-off sheet (发放登记表) of a batch: A4, one row per household with its
masked ID number, the items and a column to sign in."""

from flask_babel import gettext

from inventory import clock
from inventory.distribution import queries
from inventory.distribution.models import DistributionBatch
from inventory.documents.layout import Column, Document
from inventory.documents.papers import _depot, _person, _printed

#: room for a signature: the row is three lines tall
SIGN_HERE = "\n\n"


def sign_off_sheet(session, batch: DistributionBatch) -> Document:
    """The sheet households sign when they receive their share; ID numbers masked only."""
    items = queries.items_by_code(session, {line["item"] for row in batch.households
                                            for line in row["items"]})
    made = queries.batch_distributions(session, batch)
    numbers = [d.number for d in made] if len(made) == len(batch.households) else []
    rows = []
    for index, row in enumerate(batch.households, start=1):
        goods = "\n".join(f"{items[line['item']].name_zh} × {line['quantity']}"
                          f" {items[line['item']].unit}" for line in row["items"])
        rows.append([str(index), row["name"], str(row["household_size"]),
                     row.get("id_masked") or "", row.get("phone") or "", goods,
                     numbers[index - 1] if numbers else "", SIGN_HERE])
    totals = {}
    for row in batch.households:
        for line in row["items"]:
            totals[line["item"]] = totals.get(line["item"], 0) + line["quantity"]
    summary = "；".join(f"{items[code].name_zh} {quantity} {items[code].unit}"
                       for code, quantity in sorted(totals.items()))
    return Document(
        title=gettext("应急物资发放登记表"), number=batch.code,
        parties=[(gettext("发放点"), _depot(batch.depot)),
                 (gettext("户数"), str(len(batch.households))),
                 (gettext("制表"), f"{_person(batch.created_by)} "
                                   f"{clock.format_local(batch.created_at)}"),
                 (gettext("合计"), summary)],
        columns=[Column(gettext("序号"), 0.05), Column(gettext("姓名"), 0.08),
                 Column(gettext("人口"), 0.05, True), Column(gettext("身份证号"), 0.21),
                 Column(gettext("电话"), 0.14), Column(gettext("物资及数量"), 0.18),
                 Column(gettext("发放单号"), 0.13), Column(gettext("领取人签名"), 0.16)],
        rows=rows,
        notes=[gettext("领取人核对物资数量无误后在本表签名；身份证号仅显示前四位和后四位。"
                       "全部发放后拍照上传本表。")],
        signatures=[gettext("发放人"), gettext("监督人")], footer=_printed())
