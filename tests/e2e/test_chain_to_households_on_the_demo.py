"""From the shelf to the person, on the demo county over the API: a dispatch plan's transfer to
a shelter is dispatched with a waybill, its label scanned on arrival, received, and handed
out to a list of households through a distribution batch (households sheet uploaded, issued).
Then the lot's trace shows every step and the distributions by number and household code;
the shelter's trace shows the arrival and what was handed out; the recipient trace finds one
household by its ID number; the disclosure adds up to the ledger; and no answer, export or
log line holds a full ID number."""

import csv
import io
import logging
from datetime import datetime, timedelta

import pytest
from apps import sqlite_app
from crawl import DEMO_USERS, logged_in
from distribution_helpers import id_number, signature_png
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select
from test_trace_chain_on_the_demo import SHELTER, _keeper_of, _plan_orders, _token

from inventory import clock
from inventory.db import db, utcnow
from inventory.distribution.models import Distribution
from inventory.stock.models import Lot, Movement
from inventory.transfers.models import Transfer

IDS = [id_number(701), id_number(702)]
NAMES = ["马小兰", "杨大山", "丁一"]
PHONES = ["13995100001", "13995100002", "13995100003"]


@pytest.fixture(scope="module")
def county(demo_copies, tmp_path_factory):
    yield from sqlite_app(demo_copies.database(), tmp_path_factory.mktemp("households"))


def households_xlsx(item: str) -> bytes:
    """Three households, two with ID numbers (typed as text), one known by name and phone."""
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "家庭人口", "电话", "身份证号", "物资"])
    for name, size, phone, number in zip(NAMES, (4, 2, 1), PHONES, IDS + [None], strict=True):
        sheet.append([name, size, phone, number, f"{item}×1"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_text(data: bytes) -> str:
    book = load_workbook(io.BytesIO(data))
    return "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True)
                     for cell in row if cell is not None)


def _pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _dispatched_and_received(client, transfer):
    """Dispatch the transfer with its waybill two hours ago, scan the waybill's label on
    arrival, receive it; return the waybill and the scan's answer."""
    sender = _token(client, _keeper_of(transfer.from_depot.code))
    receiver = _token(client, _keeper_of(SHELTER))
    last = db.session.scalar(select(func.max(Movement.occurred_at)).where(
        Movement.lot_id.in_([x.lot_id for x in transfer.lines])))
    left = max(utcnow() - timedelta(hours=2), clock.local_time(last) + timedelta(minutes=1))
    arrived = left + (utcnow() - left) / 2
    dispatched = client.post(
        f"/api/v1/transfers/{transfer.id}/dispatch",
        headers={**sender, "Idempotency-Key": "households-dispatch"},
        json={"occurred_at": clock.local_time(left).isoformat(),
              "waybill": {"plate": "宁B·E2202", "seal_number": "QF-9102",
                          "driver_name": "李师傅"}})
    assert dispatched.status_code == 200, dispatched.json
    waybill = client.get(f"/api/v1/transfers/{transfer.id}/waybill", headers=sender).json
    scanned = client.post("/api/v1/waybills/arrivals", headers=receiver,
                          json={"code": waybill["label_url"],
                                "occurred_at": clock.local_time(arrived).isoformat()})
    assert scanned.status_code == 200, scanned.json
    received = client.post(f"/api/v1/transfers/{transfer.id}/receive", headers=receiver,
                           json={"occurred_at": clock.local_time(
                               arrived + timedelta(minutes=5)).isoformat()})
    assert received.status_code == 200, received.json
    return waybill, scanned.json, (left, arrived)


def _handed_to_households(client, item: str) -> dict:
    """Stage the households sheet at the shelter and issue it."""
    receiver = _token(client, _keeper_of(SHELTER))
    staged = client.post("/api/v1/distribution-batches", headers=receiver,
                         content_type="multipart/form-data",
                         data={"depot": SHELTER,
                               "file": (io.BytesIO(households_xlsx(item)), "户表.xlsx")})
    assert staged.status_code == 201, staged.json
    issued = client.post(f"/api/v1/distribution-batches/{staged.json['code']}/issue",
                         headers={**receiver, "Idempotency-Key": "households-issue"}, json={})
    assert issued.status_code == 201, issued.json
    assert len(issued.json["distributions"]) == 3
    return issued.json


def _donated_goods_handed_out(client) -> tuple[int, dict]:
    """Send two of the demo's donated quilts to the shelter by a transfer of that lot, receive
    them and hand them to the first household; return the donated lot and the distribution."""
    donated = db.session.scalars(select(Lot).where(Lot.source == "donation", Lot.quantity >= 2,
                                                   Lot.expires_on.is_(None))).first()
    ordered = client.post("/api/v1/transfers", headers=_token(client, "bureau"), json={
        "from_depot": donated.depot.code, "to_depot": SHELTER,
        "lines": [{"lot": donated.id, "quantity": 2}]})
    assert ordered.status_code == 201, ordered.json
    sent = client.post(f"/api/v1/transfers/{ordered.json['id']}/dispatch",
                       headers=_token(client, _keeper_of(donated.depot.code)),
                       json={"waybill": {"plate": "宁B·E3303"}})
    assert sent.status_code == 200, sent.json
    receiver = _token(client, _keeper_of(SHELTER))
    received = client.post(f"/api/v1/transfers/{ordered.json['id']}/receive",
                           headers=receiver, json={})
    assert received.status_code == 200, received.json
    handed = client.post("/api/v1/distributions", headers=receiver, json={
        "depot": SHELTER, "name": NAMES[0], "household_size": 4, "phone": PHONES[0],
        "id_number": IDS[0], "items": [{"item": donated.item.code, "quantity": 2}],
        "confirmation": {"kind": "signature", "image": signature_png()}})
    assert handed.status_code == 201, handed.json
    return donated.id, handed.json


def test_a_planned_transfer_reaches_three_households_and_every_trace_shows_it(county, caplog):
    caplog.set_level(logging.DEBUG)
    client = county.test_client()
    transfer = next(t for t in _plan_orders(client) if t.to_depot.code == SHELTER)
    line = transfer.lines[0]
    waybill, scanned, (left, arrived) = _dispatched_and_received(client, transfer)
    assert datetime.fromisoformat(scanned["arrived_at"]) == arrived
    db.session.rollback()
    shelter_lot = db.session.get(Transfer, transfer.id).lines[0].received_lot_id
    # The shelter holds no other usable lot of the item, so first-expiry-first-out takes
    # the goods that just arrived.
    others = db.session.scalars(select(Lot).where(
        Lot.depot_id == transfer.to_depot_id, Lot.item_id == line.item_id,
        Lot.id != shelter_lot, Lot.quantity > 0)).all()
    assert others == [] and line.quantity >= 3
    batch = _handed_to_households(client, line.item.code)
    db.session.rollback()
    made = db.session.scalars(select(Distribution).where(
        Distribution.number.in_(batch["distributions"])).order_by(Distribution.id)).all()
    assert {ln.lot_id for d in made for ln in d.lines} == {shelter_lot}
    answers: list[tuple[str, str]] = [("batch", str(batch))]

    # The lot's trace: receipt → the transfer with its waybill → three distributions.
    auditor = _token(client, "auditor")
    trace = client.get(f"/api/v1/lots/{shelter_lot}/trace", headers=auditor)
    answers.append(("lot trace", trace.get_data(as_text=True)))
    trace = trace.json
    steps = [(s["kind"], s["depot"], s["transfer"], s["reference"]) for s in trace["steps"]]
    assert steps[0][0] == "receipt"
    ours = [s for s in steps if s[2] == transfer.number]
    assert [s[:2] for s in ours] == [("transfer_out", transfer.from_depot.code),
                                     ("transfer_in", SHELTER)]
    assert steps[-3:] == [("issue", SHELTER, None, d.number) for d in made]
    leg = next(leg for leg in trace["transfers"] if leg["transfer"] == transfer.number)
    assert leg["waybill"]["number"] == waybill["number"]
    assert leg["waybill"]["departed_at"] == clock.local_time(left).isoformat()
    assert leg["waybill"]["arrived_at"] == clock.local_time(arrived).isoformat()
    assert leg["waybill"]["trip_hours"] == pytest.approx(
        (arrived - left).total_seconds() / 3600, abs=0.01)
    [section] = [s for s in trace["sections"] if s["key"] == "distributions"]
    assert [(row[0], row[3], row[4]) for row in section["rows"]] == [
        (d.number, d.household_code, str(d.household_size)) for d in made]
    assert trace["handed_out"] == 3

    exported = client.get(f"/api/v1/lots/{shelter_lot}/trace.csv", headers=auditor)
    answers.append(("lot trace CSV", exported.data.decode("utf-8-sig")))
    rows = list(csv.reader(io.StringIO(answers[-1][1])))
    assert any(waybill["number"] in row for row in rows)
    assert [row[0] for row in rows if row and row[0].startswith("FF-")] == [
        d.number for d in made]
    book = client.get(f"/api/v1/lots/{shelter_lot}/trace.xlsx", headers=auditor)
    answers.append(("lot trace XLSX", _xlsx_text(book.data)))
    assert made[0].household_code in answers[-1][1] and waybill["number"] in answers[-1][1]

    # The shelter's trace: the arrival with its trip time, and what was handed out.
    shelter = client.get(f"/api/v1/shelters/{SHELTER}/trace", headers=_token(client, "planner"))
    answers.append(("shelter trace", shelter.get_data(as_text=True)))
    arrival = next(a for a in shelter.json["arrivals"] if a["transfer"] == transfer.number)
    assert arrival["waybill"]["trip_hours"] == leg["waybill"]["trip_hours"]
    assert [h["reference"] for h in shelter.json["handed_out"]][-3:] == [d.number for d in made]
    [handed] = [s for s in shelter.json["sections"] if s["key"] == "distributions"]
    assert [row[0] for row in handed["rows"]][-3:] == [d.number for d in made]
    for label, text in answers[1:]:  # the traces, read by every role, name no one
        for private in NAMES + PHONES:
            assert private not in text, (label, private)

    # The recipient trace finds the second household by its ID number, and no one else.
    found = client.post("/api/v1/recipients/trace", headers=_token(client, "bureau"),
                        json={"id_number": IDS[1]})
    answers.append(("recipient trace", found.get_data(as_text=True)))
    assert [d["number"] for d in found.json["distributions"]] == [made[1].number]
    assert found.json["id_number"] == IDS[1][:4] + "*" * 10 + IDS[1][-4:]
    assert found.json["lots"] == [shelter_lot]

    # Donated goods sent on to the shelter and handed to a household show in the disclosure,
    # which adds up to the ledger.
    before = client.get("/api/v1/donations/disclosure?from=2000-01-01", headers=auditor).json
    donated_lot, quilts = _donated_goods_handed_out(client)
    answers.append(("donated goods handed out", str(quilts)))
    report = client.get("/api/v1/donations/disclosure?from=2000-01-01", headers=auditor).json
    assert sum(report["used_by_item"].values()) == sum(before["used_by_item"].values()) + 2
    donated_trace = client.get(f"/api/v1/lots/{donated_lot}/trace", headers=auditor).json
    assert [s["key"] for s in donated_trace["sections"]] == ["donation", "distributions"]
    assert donated_trace["sections"][1]["rows"][0][0] == quilts["number"]
    first = client.post("/api/v1/recipients/trace", headers=auditor, json={"id_number": IDS[0]})
    answers.append(("recipient trace, first household", first.get_data(as_text=True)))
    assert [d["number"] for d in first.json["distributions"]] == [made[0].number,
                                                                   quilts["number"]]
    db.session.rollback()
    lots = {lot.id: lot for lot in db.session.scalars(select(Lot))}

    def root(lot):
        while lot.origin_lot_id is not None:
            lot = lots[lot.origin_lot_id]
        return lot

    used = -sum(m.quantity for m in db.session.scalars(select(Movement).where(
        Movement.kind == "issue")) if root(lots[m.lot_id]).source == "donation")
    assert sum(report["used_by_item"].values()) == used
    received = db.session.scalar(select(func.sum(Movement.quantity)).join(
        Lot, Lot.id == Movement.lot_id).where(Lot.source == "donation",
                                              Movement.kind == "receipt"))
    assert sum(report["received_by_item"].values()) == received

    # No answer, export or log line holds a full ID number.
    for path in ("/api/v1/ledger/export.csv", "/api/v1/movements",
                 f"/api/v1/distribution-batches/{batch['code']}",
                 f"/api/v1/distributions?batch={batch['code']}", "/api/v1/audit-events.csv"):
        response = client.get(path, headers=auditor)
        assert response.status_code == 200, path
        answers.append((path, response.data.decode("utf-8-sig")))
    ledger = client.get("/api/v1/ledger/export.xlsx", headers=auditor)
    answers.append(("ledger XLSX", _xlsx_text(ledger.data)))
    pdf = client.get("/api/v1/ledger/export.pdf", headers=auditor)
    answers.append(("ledger PDF", _pdf_text(pdf.data)))
    pages = logged_in(county, _keeper_of(SHELTER), "demo-keeper")
    sheet = pages.get(f"/distributions/batches/{batch['code']}/sheet.pdf")
    assert sheet.status_code == 200
    answers.append(("sign-off sheet", _pdf_text(sheet.data)))
    assert NAMES[0] in answers[-1][1] and IDS[0][:4] in answers[-1][1]
    planner = logged_in(county, *DEMO_USERS["planner"])
    page = planner.get(f"/trace/lots/{shelter_lot}")
    answers.append(("lot trace page", page.get_data(as_text=True)))
    assert made[2].number in answers[-1][1] and waybill["number"] in answers[-1][1]
    page = planner.get(f"/trace/shelters/{SHELTER}")
    answers.append(("shelter trace page", page.get_data(as_text=True)))
    assert made[2].number in answers[-1][1] and made[2].household_code in answers[-1][1]
    assert not any(name in answers[-1][1] for name in NAMES)
    answers.append(("log", "\n".join(r.getMessage() for r in caplog.records)))
    assert made[0].number in answers[-1][1]
    for label, text in answers:
        flat = "".join(text.split())
        for number in IDS:
            assert number not in flat and number[:17] not in flat, label
