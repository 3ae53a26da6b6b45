"""Transfers over HTTP: draft, dispatch (in transit), receive with discrepancies."""

from checks import assert_refused, nothing_changes

from inventory.db import db
from inventory.stock.ledger import verify_ledger


def stock(client, world, item="FW-WATER-5L", quantity=20, code="W1", expires="2028-01-01"):
    return client.post("/api/v1/receipts", headers=world.headers("keeper"), json={
        "depot": "XZ-01", "item": item, "quantity": quantity, "lot_code": code,
        "expires_on": expires}).json["lot"]


def draft(client, world, lines, user="keeper"):
    return client.post("/api/v1/transfers", headers=world.headers(user), json={
        "from_depot": "XZ-01", "to_depot": "TS-01", "lines": lines, "reason": "汛前预置"})


def balance(client, world, depot):
    return {row["item"]: row["quantity"] for row in client.get(
        f"/api/v1/balances?depot={depot}", headers=world.headers("bureau")).json}


def test_a_transfer_moves_stock_and_keeps_lot_code_and_expiry(client, world):
    source = stock(client, world)
    transfer = draft(client, world, [{"item": "FW-WATER-5L", "quantity": 12}]).json
    assert transfer["status"] == "draft" and transfer["number"].startswith("DB-")

    sent = client.post(f"/api/v1/transfers/{transfer['id']}/dispatch",
                       headers=world.headers("keeper"), json={})
    assert sent.status_code == 200, sent.json
    assert sent.json["transfer"]["status"] == "dispatched"
    assert [(m["kind"], m["quantity"]) for m in sent.json["movements"]] == [("transfer_out", -12)]
    assert balance(client, world, "XZ-01") == {"FW-WATER-5L": 8}
    in_transit = client.get("/api/v1/transfers?status=dispatched",
                            headers=world.headers("keeper2")).json
    assert [t["id"] for t in in_transit] == [transfer["id"]]

    got = client.post(f"/api/v1/transfers/{transfer['id']}/receive",
                      headers=world.headers("keeper2"), json={})
    assert got.status_code == 200, got.json
    assert got.json["transfer"]["status"] == "received"
    [movement] = got.json["movements"]
    assert (movement["kind"], movement["quantity"], movement["depot"]) == (
        "transfer_in", 12, "TS-01")
    new_lot = client.get(f"/api/v1/lots/{movement['lot']}", headers=world.headers("keeper2")).json
    assert (new_lot["code"], new_lot["expires_on"]) == (source["code"], source["expires_on"])
    assert balance(client, world, "TS-01") == {"FW-WATER-5L": 12}
    assert verify_ledger(db.session).ok


def test_goods_in_transit_show_in_the_receiving_depots_balances(client, world):
    stock(client, world)
    transfer = draft(client, world, [{"item": "FW-WATER-5L", "quantity": 5}]).json
    client.post(f"/api/v1/transfers/{transfer['id']}/dispatch", headers=world.headers("keeper"),
                json={})
    rows = client.get("/api/v1/balances?item=FW-WATER-5L", headers=world.headers("bureau")).json
    assert rows == [
        {"depot": "TS-01", "item": "FW-WATER-5L", "quantity": 0, "in_transit": 5},
        {"depot": "XZ-01", "item": "FW-WATER-5L", "quantity": 15, "in_transit": 0},
    ]


def test_a_partial_receipt_records_the_discrepancy(client, world):
    source = stock(client, world)
    transfer = draft(client, world, [{"lot": source["id"], "quantity": 10}]).json
    client.post(f"/api/v1/transfers/{transfer['id']}/dispatch", headers=world.headers("keeper"),
                json={})
    got = client.post(f"/api/v1/transfers/{transfer['id']}/receive",
                      headers=world.headers("keeper2"),
                      json={"lines": [{"lot": source["id"], "quantity": 7}]})
    [line] = got.json["transfer"]["lines"]
    assert (line["quantity"], line["quantity_received"], line["discrepancy"]) == (10, 7, 3)
    assert balance(client, world, "TS-01") == {"FW-WATER-5L": 7}
    assert balance(client, world, "XZ-01") == {"FW-WATER-5L": 10}


def test_dispatch_picks_first_expiring_lots_for_item_lines(client, world):
    stock(client, world, code="LATE", expires="2029-01-01", quantity=10)
    early = stock(client, world, code="EARLY", expires="2027-01-01", quantity=5)
    transfer = draft(client, world, [{"item": "FW-WATER-5L", "quantity": 8}]).json
    sent = client.post(f"/api/v1/transfers/{transfer['id']}/dispatch",
                       headers=world.headers("keeper"), json={}).json
    lines = [(line["lot_code"], line["quantity"]) for line in sent["transfer"]["lines"]]
    assert lines == [("EARLY", 5), ("LATE", 3)]
    assert sent["movements"][0]["lot"] == early["id"]


def test_dispatching_more_than_is_held_is_refused_and_changes_nothing(client, world):
    stock(client, world, quantity=5)
    transfer = draft(client, world, [{"item": "FW-WATER-5L", "quantity": 8}]).json
    refused = client.post(f"/api/v1/transfers/{transfer['id']}/dispatch",
                          headers=world.headers("keeper"), json={})
    assert refused.status_code == 409
    again = client.get(f"/api/v1/transfers/{transfer['id']}", headers=world.headers("keeper"))
    assert again.json["status"] == "draft"
    assert balance(client, world, "XZ-01") == {"FW-WATER-5L": 5}


def test_only_the_receiving_keeper_may_receive_and_only_once(client, world):
    stock(client, world)
    transfer = draft(client, world, [{"item": "FW-WATER-5L", "quantity": 2}]).json
    path = f"/api/v1/transfers/{transfer['id']}"
    with nothing_changes(db.session):
        assert_refused(client.post(path + "/receive", headers=world.headers("keeper2"),
                                   json={}), 409, "state_conflict")  # still a draft
    client.post(path + "/dispatch", headers=world.headers("keeper"), json={})
    with nothing_changes(db.session):
        assert_refused(client.post(path + "/receive", headers=world.headers("keeper"),
                                   json={}), 403, "forbidden")
    received = client.post(path + "/receive", headers=world.headers("keeper2"), json={})
    assert received.status_code == 200, received.json
    assert received.json["transfer"]["status"] == "received"
    with nothing_changes(db.session):
        assert_refused(client.post(path + "/receive", headers=world.headers("keeper2"),
                                   json={}), 409, "state_conflict")
    assert balance(client, world, "TS-01") == {"FW-WATER-5L": 2}


def test_transfer_rows_cannot_be_reversed(client, world):
    stock(client, world)
    transfer = draft(client, world, [{"item": "FW-WATER-5L", "quantity": 2}]).json
    sent = client.post(f"/api/v1/transfers/{transfer['id']}/dispatch",
                       headers=world.headers("keeper"), json={}).json
    with nothing_changes(db.session):
        response = client.post("/api/v1/reversals", headers=world.headers("keeper"), json={
            "movement": sent["movements"][0]["id"], "reason": "x"})
        assert_refused(response, 409, "state_conflict")


def test_a_transfer_to_the_same_depot_or_with_a_foreign_lot_is_invalid(client, world):
    lot = stock(client, world)
    with nothing_changes(db.session):
        same = client.post("/api/v1/transfers", headers=world.headers("keeper"), json={
            "from_depot": "XZ-01", "to_depot": "XZ-01",
            "lines": [{"lot": lot["id"], "quantity": 1}]})
        assert "to_depot" in assert_refused(same, 422, "invalid_input")["errors"]
        foreign = client.post("/api/v1/transfers", headers=world.headers("keeper2"), json={
            "from_depot": "TS-01", "to_depot": "XZ-01",
            "lines": [{"lot": lot["id"], "quantity": 1}]})
        assert "lines[0].lot" in assert_refused(foreign, 422, "invalid_input")["errors"]
        empty = draft(client, world, [])
        assert "lines" in assert_refused(empty, 422, "invalid_input")["errors"]


def test_a_draft_can_be_cancelled_but_not_a_dispatched_transfer(client, world):
    stock(client, world)
    first = draft(client, world, [{"item": "FW-WATER-5L", "quantity": 1}]).json
    assert client.post(f"/api/v1/transfers/{first['id']}/cancel",
                       headers=world.headers("keeper")).json["status"] == "cancelled"
    second = draft(client, world, [{"item": "FW-WATER-5L", "quantity": 1}]).json
    client.post(f"/api/v1/transfers/{second['id']}/dispatch", headers=world.headers("keeper"),
                json={})
    assert client.post(f"/api/v1/transfers/{second['id']}/cancel",
                       headers=world.headers("keeper")).status_code == 409
