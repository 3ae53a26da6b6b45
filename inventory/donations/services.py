"""Donation services: the bureau registers donors and their pledges and records money
received; the keeper of a depot receives donated goods there, each line into a new lot whose
source is the donation, through the stock receipt service (one ledger row per line).

Donations hold no identity numbers: a free text that carries one is refused, so none reaches
a page, an export, the application log or an API answer.
"""

import re
import uuid
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from inventory import audit, clock
from inventory.api.fields import is_free_of_control_characters
from inventory.auth.permissions import ensure_can_move_stock, ensure_role
from inventory.catalogue.models import Item
from inventory.db import fetch_one, utcnow
from inventory.donations.models import (
    DONOR_KINDS,
    DonationReceipt,
    DonationReceiptLine,
    Donor,
    Pledge,
    PledgeLine,
)
from inventory.errors import InvalidInput, NotFound, StateConflict
from inventory.geo.queries import get_depot
from inventory.stock import services as stock
from inventory.stock.models import Lot
from inventory.uow import unit_of_work

#: who keeps donors and pledges and records money received
EDITORS = ("admin", "bureau")
#: the most money one pledge or receipt records, in yuan
MAX_AMOUNT = Decimal("1000000000000")
MAX_LINES = 100
#: a resident identity number (居民身份证号码): 17 digits and a check digit
ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
#: free-text fields and their longest length
TEXT_LIMITS = {"name": 100, "contact_name": 50, "contact_phone": 30, "address": 200,
               "purpose": 200, "note": 1000, "lot_code": 64}
LABELS_ZH = {"name": "名称", "kind": "类型", "contact_name": "联系人", "contact_phone": "联系电话",
             "address": "地址", "purpose": "用途", "note": "备注", "lot_code": "批次号",
             "amount": "金额", "pledged_on": "登记日期", "lines": "物资明细",
             "quantity": "数量", "item": "物资", "line": "认捐明细", "received_at": "接收时间"}


# -- checks -----------------------------------------------------------------------------

def contains_id_number(text: str | None) -> bool:
    """Tell whether a text holds something shaped like a resident identity number."""
    return bool(text) and ID_NUMBER.search(text.replace(" ", "")) is not None


def _text(errors: dict, key: str, value, *, required: bool = False) -> str | None:
    """Return the text stripped (None when blank), noting in ``errors`` why it does not fit."""
    text = None if value is None else str(value).strip() or None
    where = key.rsplit(".", 1)[-1]
    if text is None:
        if required:
            errors[key] = ["required"]
        return None
    if len(text) > TEXT_LIMITS[where] or not is_free_of_control_characters(text):
        errors[key] = [f"1 to {TEXT_LIMITS[where]} characters, no control characters"]
    elif contains_id_number(text):
        errors[key] = ["must not hold an identity number"]
    return text


def _amount(errors: dict, key: str, value, *, required: bool = False) -> Decimal | None:
    if value is None or value == "":
        if required:
            errors[key] = ["required"]
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        errors[key] = ["a number of yuan"]
        return None
    if not amount.is_finite() or not Decimal("0.01") <= amount <= MAX_AMOUNT:
        errors[key] = [f"0.01 to {MAX_AMOUNT} yuan"]
        return None
    return amount.quantize(Decimal("0.01"))


def _raise(errors: dict, what_zh: str, what_en: str) -> None:
    """:raise InvalidInput: naming every field that does not fit, when any does not."""
    if not errors:
        return
    names = "、".join(dict.fromkeys(LABELS_ZH.get(key.rsplit(".", 1)[-1].split("[")[0], key)
                                    for key in errors))
    hint_zh = "（不得填写身份证号码）" if any(
        "identity number" in message for messages in errors.values() for message in messages
    ) else ""
    raise InvalidInput(f"{what_zh}未保存：{names}填写有误{hint_zh}。",
                       f"The {what_en} was not saved: check {', '.join(sorted(errors))}.",
                       errors)


def _number(prefix: str, row) -> str:
    return f"{prefix}-{clock.today().year}-{row.id:05d}"


# -- donors ------------------------------------------------------------------------------

DONOR_FIELDS = ("name", "kind", "contact_name", "contact_phone", "address", "anonymous", "note")


def donor_snapshot(donor: Donor) -> dict:
    """The donor's fields as the application log keeps them."""
    return {key: getattr(donor, key) for key in DONOR_FIELDS}


def get_donor(session, donor_id: int) -> Donor:
    """:raise NotFound: when no donor has the id."""
    donor = session.get(Donor, donor_id)
    if donor is None:
        raise NotFound(f"没有编号为 {donor_id} 的捐赠方。", f"No donor with id {donor_id}.",
                       {"donor": ["unknown donor"]})
    return donor


def _set_donor(donor: Donor, values: dict) -> None:
    errors: dict[str, list[str]] = {}
    for key in ("name", "contact_name", "contact_phone", "address", "note"):
        if key in values:
            setattr(donor, key, _text(errors, key, values[key], required=key == "name"))
    if "kind" in values:
        if values["kind"] not in DONOR_KINDS:
            errors["kind"] = ["organisation or person"]
        donor.kind = values["kind"]
    if "anonymous" in values and values["anonymous"] is not None:
        donor.anonymous = bool(values["anonymous"])
    _raise(errors, "捐赠方", "donor")


def create_donor(session, actor, *, name: str, kind: str, contact_name: str | None = None,
                 contact_phone: str | None = None, address: str | None = None,
                 anonymous: bool = False, note: str | None = None) -> Donor:
    """Register a donor (bureau, admin).

    :raise InvalidInput: naming each field that does not fit.
    """
    ensure_role(actor, *EDITORS)
    with unit_of_work(session):
        donor = Donor(created_at=utcnow(), updated_at=utcnow(), anonymous=False)
        with session.no_autoflush:
            _set_donor(donor, {"name": name, "kind": kind, "contact_name": contact_name,
                               "contact_phone": contact_phone, "address": address,
                               "anonymous": anonymous, "note": note})
        session.add(donor)
        session.flush()
        audit.record(session, actor, "donor.create", "donor", donor.id, before=None,
                     after=donor_snapshot(donor))
    return donor


def update_donor(session, actor, donor_id: int, **changes) -> Donor:
    """Change a donor's particulars (bureau, admin); nothing is logged when nothing changed.

    :raise NotFound: for an unknown donor.
    """
    ensure_role(actor, *EDITORS)
    with unit_of_work(session):
        donor = get_donor(session, donor_id)
        before = donor_snapshot(donor)
        with session.no_autoflush:
            _set_donor(donor, {k: v for k, v in changes.items() if k in DONOR_FIELDS})
        old, new = audit.changes(before, donor_snapshot(donor))
        if new:
            donor.updated_at = utcnow()
            audit.record(session, actor, "donor.update", "donor", donor.id, before=old,
                         after=new)
    return donor


# -- pledges -----------------------------------------------------------------------------

def get_pledge(session, pledge_id: int, *, lock: bool = False) -> Pledge:
    """:raise NotFound: when no pledge has the id."""
    pledge = fetch_one(session, Pledge, Pledge.id == pledge_id, lock=lock)
    if pledge is None:
        raise NotFound(f"没有编号为 {pledge_id} 的捐赠登记。", f"No pledge with id {pledge_id}.",
                       {"pledge": ["unknown pledge"]})
    return pledge


def pledge_snapshot(pledge: Pledge) -> dict:
    """The pledge as the application log keeps it."""
    return {"number": pledge.number, "donor": pledge.donor_id,
            "pledged_on": pledge.pledged_on.isoformat(), "amount": audit.plain(pledge.amount),
            "purpose": pledge.purpose, "note": pledge.note,
            "lines": [{"item": line.item.code, "quantity": line.quantity,
                       "purpose": line.purpose} for line in pledge.lines]}


def _pledge_lines(session, errors: dict, lines) -> list[PledgeLine]:
    made = []
    if not isinstance(lines, list) or len(lines) > MAX_LINES:
        errors["lines"] = [f"a list of at most {MAX_LINES} lines"]
        return made
    for index, line in enumerate(lines):
        where = f"lines[{index}]"
        item = session.scalar(select(Item).where(Item.code == line.get("item")))
        if item is None:
            errors[f"{where}.item"] = ["unknown item"]
        quantity = line.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not (
                0 < quantity <= stock.MAX_BALANCE):
            errors[f"{where}.quantity"] = ["a positive whole number"]
        purpose = _text(errors, f"{where}.purpose", line.get("purpose"))
        if item is not None:
            made.append(PledgeLine(item_id=item.id, item=item, quantity=quantity,
                                   purpose=purpose))
    return made


def create_pledge(session, actor, *, donor: int, lines: list[dict] | None = None,
                  amount=None, purpose: str | None = None, pledged_on: date | None = None,
                  note: str | None = None) -> Pledge:
    """Register what a donor promises: goods by line (item, quantity, the use asked) and/or
    an amount of money, for a use they ask (bureau, admin).

    :raise InvalidInput: naming each field that does not fit; a pledge of nothing.
    """
    ensure_role(actor, *EDITORS)
    with unit_of_work(session):
        donor_row = get_donor(session, donor)
        errors: dict[str, list[str]] = {}
        made = _pledge_lines(session, errors, lines or [])
        money = _amount(errors, "amount", amount)
        if not lines and money is None and "amount" not in errors:
            errors["lines"] = ["give goods lines or an amount of money"]
        pledge = Pledge(number=uuid.uuid4().hex, donor_id=donor_row.id, donor=donor_row,
                        pledged_on=pledged_on or clock.today(), amount=money,
                        purpose=_text(errors, "purpose", purpose),
                        note=_text(errors, "note", note), created_by_id=actor.id)
        if pledged_on is not None and pledged_on > clock.today():
            errors["pledged_on"] = ["not in the future"]
        _raise(errors, "捐赠登记", "pledge")
        session.add(pledge)
        session.flush()
        pledge.number = _number("JZ", pledge)
        for line in made:
            line.pledge_id = pledge.id
            session.add(line)
        session.flush()
        session.refresh(pledge)
        audit.record(session, actor, "pledge.create", "pledge", pledge.id, before=None,
                     after=pledge_snapshot(pledge))
    return pledge


def received_by_line(pledge: Pledge) -> dict[int, int]:
    """Return the quantity received so far against each pledge line, by line id."""
    received = {line.id: 0 for line in pledge.lines}
    for receipt in pledge.receipts:
        for line in receipt.lines:
            received[line.pledge_line_id] += line.quantity
    return received


def money_received(pledge: Pledge) -> Decimal:
    """Return the money received so far against the pledge."""
    return sum((r.amount for r in pledge.receipts if r.kind == "money"), Decimal("0.00"))


# -- receipts ----------------------------------------------------------------------------

def get_receipt(session, receipt_id: int) -> DonationReceipt:
    """:raise NotFound: when no donation receipt has the id."""
    receipt = session.get(DonationReceipt, receipt_id)
    if receipt is None:
        raise NotFound(f"没有编号为 {receipt_id} 的捐赠接收单。",
                       f"No donation receipt with id {receipt_id}.",
                       {"receipt": ["unknown receipt"]})
    return receipt


def _new_receipt(session, actor, pledge: Pledge, **values) -> DonationReceipt:
    receipt = DonationReceipt(number=uuid.uuid4().hex, pledge_id=pledge.id,
                              received_by_id=actor.id, **values)
    session.add(receipt)
    session.flush()
    receipt.number = _number("JS", receipt)
    return receipt


def _checked_goods(session, pledge: Pledge, lines) -> list[dict]:
    """Check the lines received against the pledge: each names a pledge line, a quantity no
    more than still outstanding, and optionally a lot code, dates and a unit value.

    :raise InvalidInput: naming each line that does not fit.
    """
    errors: dict[str, list[str]] = {}
    if not isinstance(lines, list) or not 1 <= len(lines) <= MAX_LINES:
        _raise({"lines": [f"1 to {MAX_LINES} lines"]}, "捐赠接收", "donation receipt")
    by_id = {line.id: line for line in pledge.lines}
    outstanding = {line_id: by_id[line_id].quantity - done
                   for line_id, done in received_by_line(pledge).items()}
    checked = []
    for index, line in enumerate(lines):
        where = f"lines[{index}]"
        pledge_line = by_id.get(line.get("line"))
        if pledge_line is None:
            errors[f"{where}.line"] = ["not a line of this pledge"]
            continue
        quantity = line.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
            errors[f"{where}.quantity"] = ["a positive whole number"]
            continue
        if quantity > outstanding[pledge_line.id]:
            errors[f"{where}.quantity"] = [
                f"more than the {outstanding[pledge_line.id]} still to come on this line"]
            continue
        outstanding[pledge_line.id] -= quantity
        checked.append({**line, "pledge_line": pledge_line, "quantity": quantity,
                        "lot_code": _text(errors, f"{where}.lot_code", line.get("lot_code"))})
    _raise(errors, "捐赠接收", "donation receipt")
    return checked


def receive_goods(session, actor, pledge_id: int, *, depot: str, lines: list[dict],
                  occurred_at: datetime | None = None, note: str | None = None,
                  key: str | None = None) -> DonationReceipt:
    """Receive donated goods at a depot against a pledge (the depot's keeper, an admin):
    each line becomes a new lot whose source is the donation, through the stock receipt
    service, its ledger row carrying the receipt's number.

    :raise InvalidInput: for a line not on the pledge or more than is still to come.
    :raise StateConflict: when a lot code given is already used at the depot.
    :raise Forbidden: unless the actor may move stock at the depot.
    """
    with unit_of_work(session):
        pledge = get_pledge(session, pledge_id, lock=True)
        depot_row = get_depot(session, depot)
        ensure_can_move_stock(actor, depot_row)
        errors: dict[str, list[str]] = {}
        note = _text(errors, "note", note)
        _raise(errors, "捐赠接收", "donation receipt")
        checked = _checked_goods(session, pledge, lines)
        when = occurred_at or utcnow()
        receipt = _new_receipt(session, actor, pledge, kind="goods", depot_id=depot_row.id,
                               depot=depot_row, received_at=when, note=note)
        for index, line in enumerate(checked, start=1):
            _receive_line(session, actor, receipt, index, line, occurred_at, key)
        session.flush()
        session.refresh(receipt)
        audit.record(session, actor, "donation.receive", "pledge", pledge.id, before=None,
                     after={"receipt": receipt.number, "depot": depot_row.code,
                            "lines": [{"item": line.lot.item.code, "lot": line.lot_id,
                                       "quantity": line.quantity} for line in receipt.lines]})
    return receipt


def _receive_line(session, actor, receipt: DonationReceipt, index: int, line: dict,
                  occurred_at, key: str | None) -> None:
    item = line["pledge_line"].item
    code = line["lot_code"] or f"{receipt.number}-{index}"
    taken = session.scalar(select(Lot.id).where(Lot.depot_id == receipt.depot_id,
                                                Lot.item_id == item.id, Lot.code == code))
    if taken is not None:
        raise StateConflict(
            f"{receipt.depot.name} 已有 {item.name_zh} 批次 {code}；捐赠物资须入新批次，"
            "请换一个批次号。",
            f"{receipt.depot.code} already has a lot {code} of {item.code}; donated goods go "
            "into a lot of their own: give another lot code.",
            {f"lines[{index - 1}].lot_code": ["already used at this depot"]})
    lot, movements = stock.receive(
        session, actor, depot=receipt.depot.code, item=item.code, quantity=line["quantity"],
        lot_code=code, expires_on=line.get("expires_on"),
        manufactured_on=line.get("manufactured_on"), unit_cost=line.get("unit_cost"),
        source="donation", reference=receipt.number,
        reason=f"捐赠接收 {receipt.pledge.number}", occurred_at=occurred_at,
        key=None if key is None else f"{key}:{index}", bin=line.get("bin"))
    session.add(DonationReceiptLine(receipt_id=receipt.id, pledge_line_id=line["pledge_line"].id,
                                    lot_id=lot.id, movement_id=movements[0].id,
                                    quantity=line["quantity"]))


def receive_money(session, actor, pledge_id: int, *, amount, received_at: datetime | None = None,
                  note: str | None = None) -> DonationReceipt:
    """Record money received against a pledge (bureau, admin); nothing is stocked.

    :raise InvalidInput: for an amount that is not a positive sum, or a time ahead of now.
    """
    ensure_role(actor, *EDITORS)
    with unit_of_work(session):
        pledge = get_pledge(session, pledge_id, lock=True)
        errors: dict[str, list[str]] = {}
        money = _amount(errors, "amount", amount, required=True)
        note = _text(errors, "note", note)
        now = utcnow()
        if received_at is not None and (received_at.tzinfo is None
                                        or received_at > now + stock.CLOCK_SKEW):
            errors["received_at"] = ["with a time zone, not in the future"]
        _raise(errors, "资金接收", "money receipt")
        receipt = _new_receipt(session, actor, pledge, kind="money", amount=money,
                               received_at=received_at or now, note=note)
        audit.record(session, actor, "donation.money", "pledge", pledge.id, before=None,
                     after={"receipt": receipt.number, "amount": audit.plain(money)})
    return receipt
