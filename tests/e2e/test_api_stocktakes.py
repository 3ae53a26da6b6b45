"""Stocktakes over HTTP: count lot by lot, see what is left and the variances, approve."""

from inventory.db import db
from inventory.stock import services
from inventory.stock.ledger import verify_ledger


def receive(world, quantity, code, item="SH-TENT-12"):
    lot, _ = services.receive(db.session, world.users["keeper"], depot="XZ-01", item=item,
                              quantity=quantity, lot_code=code)
    return lot.id


def post(client, world, user, path, body=None, **headers):
    return client.post(f"/api/v1{path}", json=body if body is not None else {},
                       headers=world.headers(user, **headers))


def test_a_count_records_variances_and_approval_writes_adjustments(client, world):
    tents, water, quilts = (receive(world, 40, "ST-1"), receive(world, 100, "ST-2", "FW-WATER-5L"),
                            receive(world, 7, "ST-3", "FW-BISCUIT"))
    started = post(client, world, "keeper", "/stocktakes", {"depot": "XZ-01"})
    assert started.status_code == 201, started.json
    stocktake = started.json
    assert stocktake["number"].startswith("PD-") and stocktake["status"] == "counting"
    assert {lot["id"] for lot in stocktake["uncounted"]} == {tents, water, quilts}

    assert post(client, world, "keeper", f"/stocktakes/{stocktake['id']}/counts",
                {"lot": tents, "counted": 38}).status_code == 200
    assert post(client, world, "keeper", f"/stocktakes/{stocktake['id']}/counts",
                {"lot": water, "counted": 100}).status_code == 200
    # A recount replaces the first figure.
    post(client, world, "keeper", f"/stocktakes/{stocktake['id']}/counts",
         {"lot": tents, "counted": 37})
    detail = client.get(f"/api/v1/stocktakes/{stocktake['id']}",
                        headers=world.headers("auditor")).json
    assert {(c["lot"]["id"], c["expected"], c["counted"], c["variance"])
            for c in detail["counts"]} == {(tents, 40, 37, -3), (water, 100, 100, 0)}
    assert [lot["id"] for lot in detail["uncounted"]] == [quilts]

    # Stock issued after the count is neither lost nor counted twice.
    services.issue(db.session, world.users["keeper"], lot=tents, quantity=10)
    submitted = post(client, world, "keeper", f"/stocktakes/{stocktake['id']}/submit")
    assert submitted.json["status"] == "submitted"
    assert post(client, world, "keeper", f"/stocktakes/{stocktake['id']}/counts",
                {"lot": quilts, "counted": 7}).status_code == 409

    # The keeper cannot approve their own count; the bureau can.
    assert post(client, world, "keeper",
                f"/stocktakes/{stocktake['id']}/approve").status_code == 403
    approved = post(client, world, "bureau", f"/stocktakes/{stocktake['id']}/approve",
                    {"note": "同意"}, **{"Idempotency-Key": "approve-1"})
    assert approved.status_code == 200, approved.json
    [row] = approved.json["movements"]
    assert (row["kind"], row["lot"], row["quantity"], row["balance_after"]) == (
        "adjustment", tents, -3, 27)
    assert row["reference"] == stocktake["number"]
    again = post(client, world, "bureau", f"/stocktakes/{stocktake['id']}/approve",
                 {"note": "同意"}, **{"Idempotency-Key": "approve-1"})
    assert again.json == approved.json
    assert verify_ledger(db.session).ok


def test_one_open_count_per_depot_and_sending_back(client, world):
    lot = receive(world, 5, "ST-9")
    first = post(client, world, "keeper", "/stocktakes", {"depot": "XZ-01"}).json
    second = post(client, world, "keeper", "/stocktakes", {"depot": "XZ-01"})
    assert second.status_code == 409 and first["number"] in second.json["message"]
    assert post(client, world, "keeper", f"/stocktakes/{first['id']}/submit").status_code == 422
    post(client, world, "keeper", f"/stocktakes/{first['id']}/counts", {"lot": lot, "counted": 4})
    post(client, world, "keeper", f"/stocktakes/{first['id']}/submit")
    assert post(client, world, "bureau", f"/stocktakes/{first['id']}/reject",
                {"note": None}).status_code == 422
    back = post(client, world, "bureau", f"/stocktakes/{first['id']}/reject", {"note": "请复盘"})
    assert back.json["status"] == "counting" and back.json["decision_note"] == "请复盘"


def test_keepers_count_only_their_depots_and_only_their_lots(client, world):
    other = services.receive(db.session, world.users["keeper2"], depot="TS-01",
                             item="SH-TENT-12", quantity=3, lot_code="T-X")[0].id
    assert post(client, world, "keeper2", "/stocktakes", {"depot": "XZ-01"}).status_code == 403
    mine = post(client, world, "keeper", "/stocktakes", {"depot": "XZ-01"}).json
    wrong = post(client, world, "keeper", f"/stocktakes/{mine['id']}/counts",
                 {"lot": other, "counted": 3})
    assert wrong.status_code == 422 and "lot" in wrong.json["errors"]
    negative = post(client, world, "keeper", f"/stocktakes/{mine['id']}/counts",
                    {"lot": other, "counted": -1})
    assert negative.status_code == 422
