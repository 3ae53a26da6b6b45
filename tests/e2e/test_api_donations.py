"""Donations over the API: the bureau registers donors and pledges; the receiving depot's
keeper receives donated goods, each line into a new lot whose source is the donation (one
ledger row each, idempotent by key); money is recorded and never stocked; refusals change
nothing; the auditor reads everything and changes nothing; the donation's trace follows its
lots to the shelters; the disclosure adds up to the ledger and names no recipient."""

import io
import json

import pytest
from checks import assert_refused, nothing_changes
from openpyxl import load_workbook
from sqlalchemy import func, select

from inventory.db import db
from inventory.donations.models import DonationReceiptLine
from inventory.shelters import services as shelters
from inventory.stock import services as stock
from inventory.stock.models import Lot, Movement
from inventory.transfers import services as transfers
from inventory.transport import waybills

#: a well-formed resident identity number, as someone might type it into a free text
ID_NUMBER = "110101199003074514"


def _donor(client, world, who="bureau", **extra):
    body = {"name": "宁夏某商贸有限公司", "kind": "organisation", "contact_name": "王经理",
            "contact_phone": "13900001111", **extra}
    return client.post("/api/v1/donors", headers=world.headers(who), json=body)


def _pledge(client, world, donor_id, who="bureau", **extra):
    body = {"donor": donor_id, "purpose": "凤城镇受灾群众安置",
            "lines": [{"item": "SH-TENT-12", "quantity": 40},
                      {"item": "FW-WATER-5L", "quantity": 100, "purpose": "饮水保障"}],
            "amount": "50000.00", **extra}
    return client.post("/api/v1/pledges", headers=world.headers(who), json=body)


@pytest.fixture
def pledge(client, world):
    donor = _donor(client, world)
    assert donor.status_code == 201, donor.json
    made = _pledge(client, world, donor.json["id"])
    assert made.status_code == 201, made.json
    return made.json


def _receive(client, world, pledge, who="keeper", key=None, **extra):
    tents, water = pledge["lines"]
    body = {"depot": "XZ-01", "lines": [{"line": tents["id"], "quantity": 30},
                                         {"line": water["id"], "quantity": 100,
                                          "lot_code": "JZ-WATER-1"}], **extra}
    headers = world.headers(who, **({"Idempotency-Key": key} if key else {}))
    return client.post(f"/api/v1/pledges/{pledge['id']}/receipts", headers=headers, json=body)


def test_a_pledge_lists_its_lines_and_what_is_still_to_come(client, world, pledge):
    assert pledge["number"].startswith("JZ-") and pledge["status"] == "open"
    assert [(line["item"], line["quantity"], line["received"], line["outstanding"])
            for line in pledge["lines"]] == [("SH-TENT-12", 40, 0, 40),
                                              ("FW-WATER-5L", 100, 0, 100)]
    assert pledge["lines"][1]["purpose"] == "饮水保障" and pledge["amount"] == "50000.00"
    assert pledge["donor"]["contact_phone"] == "13900001111"  # the bureau sees contacts
    for who in ("keeper", "planner"):
        seen = client.get(f"/api/v1/pledges/{pledge['id']}", headers=world.headers(who)).json
        assert seen["donor"]["contact_phone"] is None and seen["donor"]["name"]
    auditor = client.get("/api/v1/donors", headers=world.headers("auditor")).json
    assert auditor[0]["contact_phone"] == "13900001111"


def test_the_keeper_receives_donated_goods_into_new_lots_through_the_ledger(
        client, world, pledge):
    made = _receive(client, world, pledge, key="don-1")
    assert made.status_code == 201, made.json
    receipt = made.json
    assert receipt["number"].startswith("JS-") and receipt["depot"] == "XZ-01"
    assert [(line["item"], line["quantity"]) for line in receipt["lines"]] == [
        ("SH-TENT-12", 30), ("FW-WATER-5L", 100)]
    db.session.rollback()
    for line in receipt["lines"]:
        lot = db.session.get(Lot, line["lot"])
        movement = db.session.get(Movement, line["movement"])
        assert lot.source == "donation" and lot.quantity == line["quantity"]
        assert (movement.kind, movement.quantity, movement.reference, movement.lot_id) == (
            "receipt", line["quantity"], receipt["number"], lot.id)
        assert lot.quantity == db.session.scalar(
            select(func.sum(Movement.quantity)).where(Movement.lot_id == lot.id))
    assert db.session.get(Lot, receipt["lines"][1]["lot"]).code == "JZ-WATER-1"
    assert db.session.get(Lot, receipt["lines"][0]["lot"]).code == f"{receipt['number']}-1"
    # The same key again answers the same and writes nothing.
    with nothing_changes(db.session):
        again = _receive(client, world, pledge, key="don-1")
    assert again.status_code == 201 and again.json == receipt
    seen = client.get(f"/api/v1/pledges/{pledge['id']}", headers=world.headers("auditor")).json
    assert [line["outstanding"] for line in seen["lines"]] == [10, 0]
    assert seen["receipts"][0]["number"] == receipt["number"]


@pytest.mark.parametrize("who", ["bureau", "planner", "auditor", "keeper2"])
def test_only_the_depots_keeper_or_an_admin_receives_goods(client, world, pledge, who):
    with nothing_changes(db.session):
        assert_refused(_receive(client, world, pledge, who=who), 403, "forbidden")


@pytest.mark.parametrize("who", ["keeper", "planner", "auditor"])
def test_only_the_bureau_and_admins_keep_donors_pledges_and_money(client, world, pledge, who):
    with nothing_changes(db.session):
        assert_refused(_donor(client, world, who=who), 403, "forbidden")
        assert_refused(_pledge(client, world, pledge["donor"]["id"], who=who), 403, "forbidden")
        assert_refused(client.patch(f"/api/v1/donors/{pledge['donor']['id']}",
                                    headers=world.headers(who), json={"name": "改名"}),
                       403, "forbidden")
        assert_refused(client.post(f"/api/v1/pledges/{pledge['id']}/money",
                                   headers=world.headers(who), json={"amount": "100"}),
                       403, "forbidden")


def test_bad_receipts_are_refused_with_the_line_named_and_change_nothing(
        client, world, pledge):
    tents, water = pledge["lines"]
    url = f"/api/v1/pledges/{pledge['id']}/receipts"
    stock.receive(db.session, world.users["admin"], depot="XZ-01", item="FW-WATER-5L",
                  quantity=5, lot_code="TAKEN")
    cases = [
        ({"depot": "XZ-01", "lines": [{"line": tents["id"], "quantity": 41}]}, 422,
         "lines[0].quantity"),
        ({"depot": "XZ-01", "lines": [{"line": 999999, "quantity": 1}]}, 422, "lines[0].line"),
        ({"depot": "XZ-01", "lines": [{"line": tents["id"], "quantity": 1},
                                      {"line": water["id"], "quantity": 1,
                                       "lot_code": "TAKEN"}]}, 409, "lines[1].lot_code"),
        ({"depot": "XZ-01", "lines": [{"line": tents["id"], "quantity": 1}],
          "note": f"领取人身份证 {ID_NUMBER}"}, 422, "note"),
        ({"depot": "XZ-01", "lines": []}, 422, "lines"),
    ]
    for body, status, field in cases:
        with nothing_changes(db.session):
            response = client.post(url, headers=world.headers("keeper"), json=body)
            refused = assert_refused(response, status, "invalid_input" if status == 422
                                     else "state_conflict")
        assert field in json.dumps(refused["errors"]), refused
    unknown = client.post("/api/v1/pledges/999999/receipts", headers=world.headers("keeper"),
                          json={"depot": "XZ-01", "lines": [{"line": 1, "quantity": 1}]})
    assert_refused(unknown, 404, "not_found")


def test_no_identity_number_is_kept_in_a_donor_or_pledge(client, world, pledge):
    with nothing_changes(db.session):
        refused = assert_refused(_donor(client, world, note=f"身份证号 {ID_NUMBER}"), 422,
                                 "invalid_input")
        assert "身份证" in refused["message"]
        assert_refused(_donor(client, world, name=f"张三{ID_NUMBER[:6]} {ID_NUMBER[6:]}"),
                       422, "invalid_input")
        assert_refused(_pledge(client, world, pledge["donor"]["id"],
                               purpose=f"给 {ID_NUMBER.lower()}"), 422, "invalid_input")


def test_money_is_recorded_and_never_stocked_with_a_letter_for_each_receipt(
        client, world, pledge):
    with nothing_changes(db.session) as before:
        pass
    money = client.post(f"/api/v1/pledges/{pledge['id']}/money", headers=world.headers("bureau"),
                        json={"amount": "20000.50", "note": "银行转账"})
    assert money.status_code == 201, money.json
    assert money.json["kind"] == "money" and money.json["amount"] == "20000.50"
    db.session.rollback()
    assert db.session.scalar(select(func.max(Movement.id))) == before.ledger["newest_movement"]
    seen = client.get(f"/api/v1/pledges/{pledge['id']}", headers=world.headers("planner")).json
    assert seen["money_received"] == "20000.50" and seen["status"] == "open"
    goods = _receive(client, world, pledge).json
    for receipt in (money.json, goods):
        letter = client.get(receipt["letter"], headers=world.headers("auditor"))
        assert letter.status_code == 200 and letter.mimetype == "application/pdf"
        assert letter.data.startswith(b"%PDF") and len(letter.data) > 2000
    assert_refused(client.post(f"/api/v1/pledges/{pledge['id']}/money",
                               headers=world.headers("bureau"), json={"amount": "0"}),
                   422, "invalid_input")


def test_a_donor_is_changed_by_the_bureau_and_named_anonymous_when_asked(
        client, world, pledge):
    changed = client.patch(f"/api/v1/donors/{pledge['donor']['id']}",
                           headers=world.headers("bureau"), json={"anonymous": True})
    assert changed.status_code == 200 and changed.json["anonymous"] is True
    _receive(client, world, pledge)
    report = client.get("/api/v1/donations/disclosure", headers=world.headers("planner")).json
    assert {row["donor"] for row in report["received"]} == {"匿名捐赠人"}
    english = client.get("/api/v1/donations/disclosure",
                         headers=world.headers("planner", **{"Accept-Language": "en"})).json
    assert {row["donor"] for row in english["received"]} == {"Anonymous donor"}


# -- the chain: received, transferred with a waybill, handed out at a shelter -----------

@pytest.fixture
def chain(client, world, pledge):
    """The tents go to a shelter with a waybill; some are handed out there, one to a person
    whose identity number someone typed into the ledger's recipient."""
    receipt = _receive(client, world, pledge).json
    tents_lot = receipt["lines"][0]["lot"]
    bureau, keeper, admin = world.users["bureau"], world.users["keeper"], world.users["admin"]
    shelter = shelters.create_shelter(db.session, bureau, code="BN-01", name="凤城镇中学体育馆",
                                      shelter_class="II", capacity_people=400, area="140522100")
    transfer = transfers.create(db.session, bureau, from_depot="XZ-01", to_depot="BN-01",
                                lines=[{"lot": tents_lot, "quantity": 20}], reason="安置点")
    transfers.dispatch(db.session, keeper, transfer.id)
    waybill = waybills.record_for_transfer(db.session, keeper, transfer.id, plate="宁B12345",
                                           seal_number="QF-1")
    waybills.record_arrival(db.session, admin, waybill.id)
    transfers.receive(db.session, admin, transfer.id)
    db.session.refresh(transfer)
    shelter_lot = transfer.lines[0].received_lot_id
    stock.issue(db.session, admin, lot=shelter_lot, quantity=6, reference="FF-2026-00001",
                recipient=f"张三 {ID_NUMBER}")
    stock.issue(db.session, admin, lot=shelter_lot, quantity=4, reference="FF-2026-00002")
    stock.issue(db.session, admin, lot=tents_lot, quantity=3, reference="CK-1",
                recipient="县城救助站")
    db.session.commit()
    return {"receipt": receipt, "tents": tents_lot, "shelter_lot": shelter_lot,
            "transfer": transfer.number, "waybill": waybill.number, "shelter": shelter.code}


def test_the_donation_trace_follows_its_lots_to_the_shelter(client, world, pledge, chain):
    trace = client.get(f"/api/v1/pledges/{pledge['id']}/trace",
                       headers=world.headers("keeper2")).json
    tents = next(lot for lot in trace["lots"] if lot["item"] == "SH-TENT-12")
    assert (tents["received"], tents["handed_out"], tents["in_transit"]) == (30, 13, 0)
    assert {(row["depot"], row["quantity"]) for row in tents["on_hand"]} == {
        ("XZ-01", 7), ("BN-01", 10)}
    [leg] = tents["transfers"]
    assert (leg["transfer"], leg["to_depot"], leg["sent"], leg["received"], leg["waybill"]) == (
        chain["transfer"], "BN-01", 20, 20, chain["waybill"])
    assert leg["departed_at"] and leg["arrived_at"] and leg["trip_hours"] is not None
    assert {(p["depot"], p["item"], p["quantity"]) for p in trace["places"]} == {
        ("BN-01", "SH-TENT-12", 10), ("XZ-01", "SH-TENT-12", 3)}


def test_the_lot_trace_shows_receipt_transfer_with_waybill_and_what_was_handed_out(
        client, world, chain):
    trace = client.get(f"/api/v1/lots/{chain['shelter_lot']}/trace",
                       headers=world.headers("planner")).json
    assert trace["first"]["id"] == chain["tents"] and trace["first"]["source"] == "donation"
    kinds = [(step["kind"], step["depot"], step["quantity"]) for step in trace["steps"]]
    # The county lot's own issue (CK-1) is not the shelter lot's history.
    assert kinds == [("receipt", "XZ-01", 30), ("transfer_out", "XZ-01", -20),
                     ("transfer_in", "BN-01", 20), ("issue", "BN-01", -6),
                     ("issue", "BN-01", -4)]
    assert [s["reference"] for s in trace["steps"] if s["handed_out"]] == [
        "FF-2026-00001", "FF-2026-00002"]
    assert trace["steps"][1]["waybill"]["number"] == chain["waybill"]
    assert trace["transfers"][0]["waybill"]["arrived_at"]
    assert trace["handed_out"] == 10
    [section] = trace["sections"]
    assert section["key"] == "donation" and section["rows"][0][2] == chain["receipt"]["number"]
    down = client.get(f"/api/v1/lots/{chain['tents']}/trace", headers=world.headers("keeper")).json
    assert down["handed_out"] == 13 and [lot["id"] for lot in down["lots"]] == [
        chain["tents"], chain["shelter_lot"]]


def test_the_shelter_trace_shows_what_arrived_and_what_was_handed_out(client, world, chain):
    trace = client.get(f"/api/v1/shelters/{chain['shelter']}/trace",
                       headers=world.headers("auditor")).json
    [arrival] = trace["arrivals"]
    assert arrival["transfer"] == chain["transfer"] and arrival["waybill"]["arrived_at"]
    assert arrival["lines"][0]["received"] == 20
    assert [(row["quantity"], row["reference"]) for row in trace["handed_out"]] == [
        (-6, "FF-2026-00001"), (-4, "FF-2026-00002")]
    assert trace["totals"] == [{"item": "SH-TENT-12", "arrived": 20, "handed_out": 10}]
    assert_refused(client.get("/api/v1/shelters/NOPE/trace", headers=world.headers("auditor")),
                   404, "not_found")
    assert_refused(client.get("/api/v1/lots/999999/trace", headers=world.headers("auditor")),
                   404, "not_found")


def _ledger_sums() -> tuple[dict, dict]:
    """Received and used by item, computed from the ledger alone: donated lots are those
    whose source is the donation, and the lots received from them by transfer (origin)."""
    db.session.rollback()
    lots = {lot.id: lot for lot in db.session.scalars(select(Lot))}

    def donated(lot) -> bool:
        while lot.origin_lot_id is not None:
            lot = lots[lot.origin_lot_id]
        return lot.source == "donation"

    received: dict[str, int] = {}
    used: dict[str, int] = {}
    for movement in db.session.scalars(select(Movement)):
        lot = lots[movement.lot_id]
        if not donated(lot):
            continue
        code = lot.item.code
        if movement.kind == "receipt":
            received[code] = received.get(code, 0) + movement.quantity
        elif movement.kind == "issue":
            used[code] = used.get(code, 0) - movement.quantity
    return received, used


def test_the_disclosure_adds_up_to_the_ledger_and_names_no_recipient(
        client, world, pledge, chain):
    client.post(f"/api/v1/pledges/{pledge['id']}/money", headers=world.headers("bureau"),
                json={"amount": "1000"})
    stock.receive(db.session, world.users["admin"], depot="XZ-01", item="SH-TENT-12",
                  quantity=50)  # bought, not given: in no figure of the disclosure
    report = client.get("/api/v1/donations/disclosure", headers=world.headers("keeper")).json
    received, used = _ledger_sums()
    assert report["received_by_item"] == received == {"SH-TENT-12": 30, "FW-WATER-5L": 100}
    assert report["used_by_item"] == used == {"SH-TENT-12": 13}
    assert sum(row["quantity"] for row in report["used"]) == sum(used.values())
    assert {(row["purpose"], row["place"], row["quantity"]) for row in report["used"]} == {
        ("凤城镇受灾群众安置", "凤城镇中学体育馆", 10),
        ("凤城镇受灾群众安置", "县级救灾物资储备库", 3)}
    assert report["money_total"] == "1000.00"
    assert {row["donor"] for row in report["received"]} == {"宁夏某商贸有限公司"}
    files = [client.get(f"/api/v1/donations/disclosure.{fmt}", headers=world.headers("keeper"))
             for fmt in ("xlsx", "pdf")]
    assert [f.status_code for f in files] == [200, 200]
    sheets = load_workbook(io.BytesIO(files[0].data))
    cells = [str(c) for sheet in sheets for row in sheet.iter_rows(values_only=True)
             for c in row if c is not None]
    sheet_used = [row[-1] for row in sheets["物资使用"].iter_rows(min_row=5, values_only=True)]
    sheet_received = [row[-1] for row in sheets["接收物资"].iter_rows(min_row=5,
                                                                   values_only=True)]
    assert sum(sheet_used) == sum(used.values()) and sum(sheet_received) == sum(
        received.values())
    text = json.dumps(report, ensure_ascii=False) + " ".join(cells)
    for personal in (ID_NUMBER, "张三", "县城救助站", "13900001111"):
        assert personal not in text
    assert ID_NUMBER.encode() not in files[1].data


def test_no_trace_answer_or_export_holds_a_recipient_or_an_identity_number(
        client, world, pledge, chain):
    answers = [client.get(url, headers=world.headers("auditor")) for url in (
        f"/api/v1/lots/{chain['tents']}/trace", f"/api/v1/lots/{chain['shelter_lot']}/trace",
        f"/api/v1/lots/{chain['shelter_lot']}/trace.csv",
        f"/api/v1/lots/{chain['shelter_lot']}/trace.xlsx",
        f"/api/v1/shelters/{chain['shelter']}/trace", f"/api/v1/pledges/{pledge['id']}/trace",
        f"/api/v1/pledges/{pledge['id']}", "/api/v1/donation-receipts")]
    assert [a.status_code for a in answers] == [200] * len(answers)
    csv_text = answers[2].data.decode("utf-8-sig")
    assert chain["waybill"] in csv_text and "FF-2026-00001" in csv_text
    book = load_workbook(io.BytesIO(answers[3].data))
    texts = [a.get_data(as_text=True) for a in answers if a.mimetype != "application/vnd."
             "openxmlformats-officedocument.spreadsheetml.sheet"]
    texts += [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
    for text in texts:
        assert ID_NUMBER not in text and "张三" not in text and "县城救助站" not in text


def test_the_auditor_reads_every_donation_answer_and_changes_nothing(client, world, pledge):
    receipt = _receive(client, world, pledge).json
    for url in ("/api/v1/donors", f"/api/v1/donors/{pledge['donor']['id']}", "/api/v1/pledges",
                f"/api/v1/pledges/{pledge['id']}", f"/api/v1/pledges/{pledge['id']}/trace",
                "/api/v1/donation-receipts", f"/api/v1/donation-receipts/{receipt['id']}",
                receipt["letter"], "/api/v1/donations/disclosure",
                "/api/v1/donations/disclosure.xlsx", "/api/v1/donations/disclosure.pdf",
                f"/api/v1/lots/{receipt['lines'][0]['lot']}/trace"):
        assert client.get(url, headers=world.headers("auditor")).status_code == 200, url
    with nothing_changes(db.session):
        assert_refused(_receive(client, world, pledge, who="auditor"), 403, "forbidden")
        assert_refused(_donor(client, world, who="auditor"), 403, "forbidden")
    assert db.session.scalar(select(func.count(DonationReceiptLine.id))) == 2
