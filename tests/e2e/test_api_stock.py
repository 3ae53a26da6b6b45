"""The stock API over HTTP: shapes, errors, permissions and idempotency."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from checks import assert_refused, nothing_changes

from inventory.db import db
from inventory.stock.ledger import verify_ledger
from inventory.stock.models import Movement

SHANGHAI = ZoneInfo("Asia/Shanghai")


def receive(client, world, user="keeper", **body):
    payload = {"depot": "XZ-01", "item": "SH-TENT-12", "quantity": 40, "lot_code": "T-001",
               "reference": "RK-2026-0001"} | body
    return client.post("/api/v1/receipts", json=payload, headers=world.headers(user))


def test_a_receipt_creates_the_lot_and_its_first_ledger_row(client, world):
    response = receive(client, world, unit_cost=950.0, source="purchase")
    assert response.status_code == 201, response.json
    lot, [movement] = response.json["lot"], response.json["movements"]
    assert {k: lot[k] for k in ("code", "item", "depot", "quantity", "status")} == {
        "code": "T-001", "item": "SH-TENT-12", "depot": "XZ-01", "quantity": 40,
        "status": "available"}
    assert movement["kind"] == "receipt" and movement["quantity"] == 40
    assert movement["balance_after"] == 40 and movement["lot"] == lot["id"]
    assert movement["actor"] == "keeper" and movement["reference"] == "RK-2026-0001"
    assert len(movement["hash"]) == 64
    assert client.get(f"/api/v1/lots/{lot['id']}", headers=world.headers("auditor")).json == lot


def test_expiry_is_derived_from_the_shelf_life_when_not_given(client, world):
    response = receive(client, world, item="FW-WATER-5L", manufactured_on="2026-01-10")
    assert response.json["lot"]["expires_on"] == "2028-01-10"


def test_issuing_by_item_takes_the_lot_that_expires_first(client, world):
    receive(client, world, item="FW-WATER-5L", lot_code="LATE", expires_on="2028-06-01",
            quantity=10)
    receive(client, world, item="FW-WATER-5L", lot_code="EARLY", expires_on="2027-06-01",
            quantity=4)
    response = client.post("/api/v1/issues", headers=world.headers("keeper"), json={
        "depot": "XZ-01", "item": "FW-WATER-5L", "quantity": 6, "reason": "防汛演练"})
    assert response.status_code == 201, response.json
    taken = [(m["lot"], m["quantity"]) for m in response.json["movements"]]
    lots = {lot["code"]: lot["id"] for lot in client.get(
        "/api/v1/lots?item=FW-WATER-5L", headers=world.headers("keeper")).json}
    assert taken == [(lots["EARLY"], -4), (lots["LATE"], -2)]


def test_issuing_more_than_the_lot_holds_is_a_409_and_changes_nothing(client, world):
    lot = receive(client, world, quantity=5).json["lot"]
    response = client.post("/api/v1/issues", headers=world.headers("keeper"),
                           json={"lot": lot["id"], "quantity": 6})
    assert response.status_code == 409
    assert response.json["code"] == "insufficient_stock"
    assert "库存不足" in response.json["message"]
    assert client.get(f"/api/v1/lots/{lot['id']}", headers=world.headers("keeper")).json[
        "quantity"] == 5
    assert db.session.query(Movement).count() == 1


def test_messages_are_in_english_when_the_client_prefers_it(client, world):
    lot = receive(client, world, quantity=5).json["lot"]
    response = client.post("/api/v1/issues", json={"lot": lot["id"], "quantity": 6},
                           headers=world.headers("keeper", **{"Accept-Language": "en"}))
    assert response.json["message"].startswith("Insufficient stock")


def test_an_expired_lot_cannot_be_issued_by_lot(client, world):
    lot = receive(client, world, item="FW-BISCUIT", lot_code="OLD", quantity=5,
                  expires_on="2020-01-01", accept_expired=True).json["lot"]
    assert lot["status"] == "expired"
    response = client.post("/api/v1/issues", headers=world.headers("keeper"),
                           json={"lot": lot["id"], "quantity": 1})
    assert response.status_code == 409
    assert response.json["code"] == "lot_not_usable"
    assert "过期" in response.json["message"]


def test_a_receipt_of_goods_already_expired_is_refused_unless_the_keeper_confirms(
        client, world):
    with nothing_changes(db.session):
        body = assert_refused(receive(client, world, item="FW-BISCUIT", lot_code="OLD",
                                      quantity=5, expires_on="2020-01-01"), 422, "invalid_input")
    assert "过期" in body["message"] and "expires_on" in body["errors"]
    accepted = receive(client, world, item="FW-BISCUIT", lot_code="OLD", quantity=5,
                       expires_on="2020-01-01", accept_expired=True)
    assert accepted.status_code == 201 and accepted.json["lot"]["status"] == "expired"


@pytest.mark.parametrize("code", ["   ", "\t", "A\nB", "A\r\nB", " \n "])
def test_a_lot_code_that_is_blank_or_holds_a_line_break_is_refused(client, world, code):
    with nothing_changes(db.session):
        body = assert_refused(receive(client, world, lot_code=code), 422, "invalid_input")
    assert "lot_code" in body["errors"]


def test_a_lot_code_is_stored_without_the_spaces_around_it(client, world):
    response = receive(client, world, lot_code="  T-9  ")
    assert response.status_code == 201 and response.json["lot"]["code"] == "T-9"
    again = receive(client, world, lot_code="T-9")
    assert again.json["lot"]["id"] == response.json["lot"]["id"]


def test_a_lot_is_judged_on_the_day_the_movement_happened(client, world):
    """A phone that issued yesterday from a lot that expired at midnight sends it today."""
    from datetime import timedelta

    from inventory import clock

    yesterday = clock.today() - timedelta(days=1)
    received = f"{(yesterday - timedelta(days=1)).isoformat()}T09:00:00+08:00"
    lot = receive(client, world, item="FW-BISCUIT", lot_code="EDGE", quantity=5,
                  expires_on=yesterday.isoformat(), occurred_at=received).json["lot"]
    when = f"{yesterday.isoformat()}T20:00:00+08:00"
    late = client.post("/api/v1/issues", headers=world.headers("keeper"),
                       json={"lot": lot["id"], "quantity": 2, "occurred_at": when})
    assert late.status_code == 201, late.json
    now = client.post("/api/v1/issues", headers=world.headers("keeper"),
                      json={"lot": lot["id"], "quantity": 1})
    assert now.status_code == 409 and now.json["code"] == "lot_not_usable"
    by_item = client.post("/api/v1/issues", headers=world.headers("keeper"),
                          json={"depot": "XZ-01", "item": "FW-BISCUIT", "quantity": 1,
                                "occurred_at": when})
    assert by_item.status_code == 201, by_item.json
    assert by_item.json["movements"][0]["lot"] == lot["id"]


def test_a_quarantined_lot_is_never_picked_and_cannot_be_issued(client, world):
    lot = receive(client, world, quantity=5).json["lot"]
    status = client.post(f"/api/v1/lots/{lot['id']}/status", headers=world.headers("keeper"),
                         json={"status": "quarantined", "reason": "待质检"})
    assert status.json["status"] == "quarantined"
    by_lot = client.post("/api/v1/issues", headers=world.headers("keeper"),
                         json={"lot": lot["id"], "quantity": 1})
    by_item = client.post("/api/v1/issues", headers=world.headers("keeper"),
                          json={"depot": "XZ-01", "item": "SH-TENT-12", "quantity": 1})
    assert (by_lot.json["code"], by_item.json["code"]) == ("lot_not_usable", "insufficient_stock")


@pytest.mark.parametrize("path, body", [
    ("/api/v1/receipts", {"depot": "TS-01", "item": "SH-TENT-12", "quantity": 1}),
    ("/api/v1/issues", {"depot": "TS-01", "item": "SH-TENT-12", "quantity": 1}),
])
def test_a_keeper_gets_403_outside_their_depots(client, world, path, body):
    response = client.post(path, json=body, headers=world.headers("keeper"))
    assert response.status_code == 403
    assert response.json["code"] == "forbidden"


@pytest.mark.parametrize("user", ["bureau", "auditor", "planner"])
def test_read_only_roles_cannot_move_stock(client, world, user):
    lot = receive(client, world, quantity=5).json["lot"]
    headers = world.headers(user)
    with nothing_changes(db.session):
        assert_refused(receive(client, world, user=user), 403, "forbidden")
        for path, body in [("/api/v1/issues", {"lot": lot["id"], "quantity": 1}),
                           ("/api/v1/adjustments", {"lot": lot["id"], "counted_quantity": 4}),
                           ("/api/v1/write-offs", {"lot": lot["id"], "reason": "水浸"})]:
            assert_refused(client.post(path, json=body, headers=headers), 403, "forbidden")


def test_every_request_needs_a_bearer_token(client, world):
    assert client.get("/api/v1/depots").status_code == 401
    bad = client.get("/api/v1/depots", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.json["code"] == "unauthorized"


def test_logging_in_returns_a_token_that_works(client, world):
    from factories import PASSWORD

    response = client.post("/api/v1/tokens", json={"username": "keeper", "password": PASSWORD})
    assert response.status_code == 201
    token = response.json["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json == {"username": "keeper", "display_name": None, "role": "keeper",
                       "depots": ["XZ-01"]}
    wrong = client.post("/api/v1/tokens", json={"username": "keeper", "password": "x"})
    assert wrong.status_code == 401


@pytest.mark.parametrize("body, field", [
    ({"depot": "XZ-01", "item": "SH-TENT-12", "quantity": 0}, "quantity"),
    ({"depot": "XZ-01", "item": "SH-TENT-12", "quantity": -3}, "quantity"),
    ({"depot": "XZ-01", "item": "SH-TENT-12", "quantity": "many"}, "quantity"),
    ({"depot": "XZ-01", "item": "SH-TENT-12", "quantity": 1.5}, "quantity"),
    ({"depot": "XZ-01", "quantity": 1}, "item"),
    ({"depot": "XZ-01", "item": "SH-TENT-12", "quantity": 1, "expires_on": "soon"}, "expires_on"),
    ({"depot": "XZ-01", "item": "SH-TENT-12", "quantity": 1, "source": "theft"}, "source"),
    ({"depot": "XZ-01", "item": "SH-TENT-12", "quantity": 1, "colour": "red"}, "colour"),
    ({"depot": "XZ-01", "item": "SH-TENT-12", "quantity": 1,
      "occurred_at": "2026-01-01T10:00:00"}, "occurred_at"),
])
def test_invalid_receipts_get_422_naming_the_field(client, world, body, field):
    response = client.post("/api/v1/receipts", json=body, headers=world.headers("keeper"))
    assert response.status_code == 422, response.json
    assert response.json["code"] == "invalid_input"
    assert field in response.json["errors"]
    assert db.session.query(Movement).count() == 0


@pytest.mark.parametrize("path, body, status", [
    ("/api/v1/receipts", {"depot": "NOPE", "item": "SH-TENT-12", "quantity": 1}, 404),
    ("/api/v1/receipts", {"depot": "XZ-01", "item": "NOPE", "quantity": 1}, 404),
    ("/api/v1/issues", {"lot": 999, "quantity": 1}, 404),
    ("/api/v1/issues", {"depot": "XZ-01", "quantity": 1}, 422),
    ("/api/v1/adjustments", {"lot": 999, "counted_quantity": 1}, 404),
    ("/api/v1/reversals", {"movement": 999, "reason": "x"}, 404),
    ("/api/v1/write-offs", {"lot": 999, "reason": "x"}, 404),
])
def test_unknown_ids_and_missing_fields_are_clear_errors(client, world, path, body, status):
    response = client.post(path, json=body, headers=world.headers("admin"))
    assert response.status_code == status, response.json
    assert response.json["message"]


def test_malformed_json_is_a_400_not_a_500(client, world):
    with nothing_changes(db.session):
        response = client.post("/api/v1/receipts", data="{not json", headers=world.headers(
            "keeper", **{"Content-Type": "application/json"}))
        assert_refused(response, 400, "bad_request")


def test_a_repeated_idempotency_key_returns_the_first_result_and_writes_nothing(client, world):
    headers = world.headers("keeper", **{"Idempotency-Key": "phone-1-0001"})
    body = {"depot": "XZ-01", "item": "SH-TENT-12", "quantity": 3, "lot_code": "A"}
    first = client.post("/api/v1/receipts", json=body, headers=headers)
    second = client.post("/api/v1/receipts", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json == second.json
    assert second.headers["Idempotent-Replayed"] == "true"
    assert db.session.query(Movement).count() == 1
    # The keyed answer names the rows it wrote, as an unkeyed one does (a reversal needs it).
    [movement] = first.json["movements"]
    assert movement["id"] == db.session.query(Movement.id).scalar()
    assert first.json["lot"]["id"] == movement["lot"]


def test_the_same_idempotency_key_with_another_body_is_a_409(client, world):
    headers = world.headers("keeper", **{"Idempotency-Key": "phone-1-0002"})
    body = {"depot": "XZ-01", "item": "SH-TENT-12", "quantity": 3}
    assert client.post("/api/v1/receipts", json=body, headers=headers).status_code == 201
    other = client.post("/api/v1/receipts", json=body | {"quantity": 4}, headers=headers)
    assert other.status_code == 409
    assert other.json["code"] == "idempotency_key_reused"


@pytest.mark.parametrize("path", ["/api/v1/receipts", "/api/v1/issues"])
def test_two_users_may_use_the_same_idempotency_key_independently(client, world, path):
    lot = receive(client, world, quantity=10).json["lot"]
    body = ({"depot": "XZ-01", "item": "SH-TENT-12", "quantity": 3} if path.endswith("receipts")
            else {"lot": lot["id"], "quantity": 1})
    rows = db.session.query(Movement).count()
    for user in ("keeper", "admin"):  # the same key on two phones, by chance
        headers = world.headers(user, **{"Idempotency-Key": "phone-0001"})
        answer = client.post(path, json=body, headers=headers)
        assert answer.status_code == 201, answer.json
        assert "Idempotent-Replayed" not in answer.headers
        again = client.post(path, json=body, headers=headers)
        assert again.headers["Idempotent-Replayed"] == "true" and again.json == answer.json
        other = client.post(path, json=body | {"quantity": 2}, headers=headers)
        assert other.status_code == 409 and other.json["code"] == "idempotency_key_reused"
    assert db.session.query(Movement).count() == rows + 2


def test_a_refused_request_leaves_its_key_free_for_a_retry(client, world):
    lot = receive(client, world, quantity=2).json["lot"]
    headers = world.headers("keeper", **{"Idempotency-Key": "phone-1-0003"})
    body = {"lot": lot["id"], "quantity": 3}
    with nothing_changes(db.session):
        assert_refused(client.post("/api/v1/issues", json=body, headers=headers), 409,
                       "insufficient_stock")
    receive(client, world, quantity=5)  # same lot code T-001 tops the lot up to 7
    issued = client.post("/api/v1/issues", json=body, headers=headers)
    assert issued.status_code == 201, issued.json
    assert "Idempotent-Replayed" not in issued.headers
    assert issued.json["movements"][0]["balance_after"] == 4


@pytest.mark.parametrize("path, body", [
    ("/api/v1/issues", {"quantity": 5}),  # the first issue took the last units
    ("/api/v1/write-offs", {"reason": "水浸"}),  # the first write-off emptied the lot
    ("/api/v1/adjustments", {"counted_quantity": 0}),  # the count already agrees
])
def test_a_retry_replays_the_first_answer_even_when_it_could_not_be_done_again(
        client, world, path, body):
    lot = receive(client, world, quantity=5).json["lot"]
    headers = world.headers("keeper", **{"Idempotency-Key": "phone-1-0004"})
    first = client.post(path, json=body | {"lot": lot["id"]}, headers=headers)
    rows = db.session.query(Movement).count()
    again = client.post(path, json=body | {"lot": lot["id"]}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    assert db.session.query(Movement).count() == rows


def test_a_key_reused_for_a_request_that_fails_is_still_named_as_reused(client, world):
    lot = receive(client, world, quantity=5).json["lot"]
    headers = world.headers("keeper", **{"Idempotency-Key": "phone-1-0005"})
    assert client.post("/api/v1/issues", json={"lot": lot["id"], "quantity": 5},
                       headers=headers).status_code == 201
    other = client.post("/api/v1/issues", json={"lot": lot["id"], "quantity": 1},
                        headers=headers)
    assert other.status_code == 409 and other.json["code"] == "idempotency_key_reused"


def test_adjustment_brings_the_lot_to_the_counted_quantity(client, world):
    lot = receive(client, world, quantity=10).json["lot"]
    response = client.post("/api/v1/adjustments", headers=world.headers("keeper"),
                           json={"lot": lot["id"], "counted_quantity": 8, "reason": "季度盘点"})
    assert [(m["kind"], m["quantity"], m["balance_after"]) for m in
            response.json["movements"]] == [("adjustment", -2, 8)]
    agreeing = client.post("/api/v1/adjustments", headers=world.headers("keeper"),
                           json={"lot": lot["id"], "counted_quantity": 8})
    assert agreeing.status_code == 201 and agreeing.json["movements"] == []


def test_writing_off_a_whole_lot_marks_it_written_off(client, world):
    lot = receive(client, world, item="FW-BISCUIT", quantity=10).json["lot"]
    response = client.post("/api/v1/write-offs", headers=world.headers("keeper"),
                           json={"lot": lot["id"], "reason": "受潮霉变"})
    assert response.json["movements"][0]["quantity"] == -10
    assert client.get(f"/api/v1/lots/{lot['id']}", headers=world.headers("keeper")).json[
        "status"] == "written_off"


def test_a_reversal_cancels_a_row_once_and_names_it(client, world):
    lot = receive(client, world, quantity=10).json["lot"]
    issued = client.post("/api/v1/issues", headers=world.headers("keeper"),
                         json={"lot": lot["id"], "quantity": 4}).json["movements"][0]
    response = client.post("/api/v1/reversals", headers=world.headers("keeper"),
                           json={"movement": issued["id"], "reason": "数量录错"})
    assert response.status_code == 201
    reversal = response.json["movements"][0]
    assert (reversal["kind"], reversal["quantity"], reversal["balance_after"],
            reversal["reverses"]) == ("reversal", 4, 10, issued["id"])
    again = client.post("/api/v1/reversals", headers=world.headers("keeper"),
                        json={"movement": issued["id"], "reason": "again"})
    assert again.status_code == 409
    of_reversal = client.post("/api/v1/reversals", headers=world.headers("keeper"),
                              json={"movement": reversal["id"], "reason": "again"})
    assert of_reversal.status_code == 409


def test_reversing_a_receipt_already_issued_is_refused(client, world):
    received = receive(client, world, quantity=10).json
    client.post("/api/v1/issues", headers=world.headers("keeper"),
                json={"lot": received["lot"]["id"], "quantity": 4})
    response = client.post("/api/v1/reversals", headers=world.headers("keeper"),
                           json={"movement": received["movements"][0]["id"], "reason": "x"})
    assert response.status_code == 409 and response.json["code"] == "insufficient_stock"


def _days_ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).astimezone(SHANGHAI).isoformat()


def test_balances_now_and_as_of_a_past_moment(client, world):
    receive(client, world, quantity=10, occurred_at=_days_ago(5))
    client.post("/api/v1/issues", headers=world.headers("keeper"), json={
        "depot": "XZ-01", "item": "SH-TENT-12", "quantity": 3, "occurred_at": _days_ago(1)})
    now = client.get("/api/v1/balances?depot=XZ-01", headers=world.headers("bureau")).json
    assert now == [{"depot": "XZ-01", "item": "SH-TENT-12", "quantity": 7, "in_transit": 0}]
    then = client.get("/api/v1/balances", headers=world.headers("bureau"),
                      query_string={"item": "SH-TENT-12", "as_of": _days_ago(3)})
    assert then.json == [{"depot": "XZ-01", "item": "SH-TENT-12", "quantity": 10}]


def test_a_movement_dated_further_back_than_the_setting_allows_is_refused(app, client, world):
    with nothing_changes(db.session):
        refused = receive(client, world, occurred_at=_days_ago(8))
        body = assert_refused(refused, 422, "invalid_input")
    assert "7 天" in body["errors"]["occurred_at"][0]
    app.config["MOVEMENT_BACKDATE_DAYS"] = 30  # a bureau that lets phones stay offline longer
    assert receive(client, world, occurred_at=_days_ago(8)).status_code == 201


def test_a_movement_dated_before_the_lots_last_row_is_dated_on_arrival_and_keeps_its_time(
        client, world):
    lot = receive(client, world, quantity=10, occurred_at=_days_ago(4)).json["lot"]["id"]
    issued = client.post("/api/v1/issues", headers=world.headers("keeper"),
                         json={"lot": lot, "quantity": 6, "occurred_at": _days_ago(2)})
    assert issued.status_code == 201, issued.json
    # An offline phone's issue of the same lot, dated before the last row: recorded, dated
    # when it arrived (the lot's history runs in order), with the phone's time kept.
    phone_time = _days_ago(3)
    late = client.post("/api/v1/issues", headers=world.headers("keeper"),
                       json={"lot": lot, "quantity": 3, "occurred_at": phone_time})
    assert late.status_code == 201, late.json
    [row] = late.json["movements"]
    assert datetime.fromisoformat(row["device_at"]) == datetime.fromisoformat(phone_time)
    assert row["occurred_at"] == row["recorded_at"] and row["balance_after"] == 1
    # One dated before the receipt itself, the same.
    early = client.post("/api/v1/issues", headers=world.headers("keeper"),
                        json={"lot": lot, "quantity": 1, "occurred_at": _days_ago(5)})
    assert early.status_code == 201 and early.json["movements"][0]["device_at"]
    # A row dated in order keeps its own time and has no device time.
    assert issued.json["movements"][0]["device_at"] is None
    # Every moment's balance is that of a row: never below zero.
    for days in (5, 4, 3.5, 3, 2.5, 2, 1, 0):
        then = client.get("/api/v1/balances", headers=world.headers("bureau"),
                          query_string={"depot": "XZ-01", "as_of": _days_ago(days)}).json
        assert all(row["quantity"] >= 0 for row in then), (days, then)
    listed = client.get(f"/api/v1/movements?lot={lot}", headers=world.headers("auditor")).json
    assert [m["device_at"] is not None for m in listed] == [False, False, True, True]
    assert verify_ledger(db.session).ok


def test_a_count_dated_before_the_lots_last_row_is_refused(client, world):
    lot = receive(client, world, quantity=10, occurred_at=_days_ago(4)).json["lot"]["id"]
    issued = client.post("/api/v1/issues", headers=world.headers("keeper"),
                         json={"lot": lot, "quantity": 6, "occurred_at": _days_ago(2)})
    assert issued.status_code == 201
    # The lot has moved since the count: applying it would undo the issue.
    with nothing_changes(db.session):
        stale = client.post("/api/v1/adjustments", headers=world.headers("keeper"),
                            json={"lot": lot, "counted_quantity": 10, "reason": "盘点",
                                  "occurred_at": _days_ago(3)})
        body = assert_refused(stale, 422, "invalid_input")
    assert "重新盘点" in body["message"] and "T-001" in body["message"]


@pytest.mark.parametrize("path, body", [
    ("/api/v1/receipts", {"occurred_at": "0001-01-01T00:00:00+14:00"}),
    ("/api/v1/balances?as_of=0001-01-01T00:00:00%2B14:00", None),
    ("/api/v1/movements?since=0001-01-01T00:00:00%2B14:00", None),
])
def test_a_time_beyond_what_utc_can_hold_is_refused_not_a_crash(client, world, path, body):
    with nothing_changes(db.session):
        if body is None:
            answer = client.get(path, headers=world.headers("bureau"))
        else:
            answer = receive(client, world, **body)
        assert_refused(answer, 422, "invalid_input")


def test_movements_are_filtered_and_paginated(client, world):
    for n in range(5):
        receive(client, world, quantity=1, lot_code=f"L{n}")
    response = client.get("/api/v1/movements", headers=world.headers("auditor"),
                          query_string={"depot": "XZ-01", "kind": "receipt", "page_size": 2,
                                        "page": 2})
    assert [m["lot_code"] for m in response.json] == ["L2", "L3"]
    assert '"total": 5' in response.headers["X-Pagination"]


def test_a_device_time_in_the_future_is_refused(client, world):
    response = receive(client, world, occurred_at="2099-01-01T00:00:00+08:00")
    assert response.status_code == 422 and "occurred_at" in response.json["errors"]


def test_the_openapi_document_lists_the_contracted_paths(client):
    spec = client.get("/api/v1/openapi.json").json
    for path in ["/api/v1/receipts", "/api/v1/issues", "/api/v1/adjustments",
                 "/api/v1/write-offs", "/api/v1/reversals", "/api/v1/transfers",
                 "/api/v1/transfers/{transfer_id}/dispatch",
                 "/api/v1/transfers/{transfer_id}/receive", "/api/v1/balances",
                 "/api/v1/movements", "/api/v1/lots/{lot_id}", "/api/v1/areas",
                 "/api/v1/depots", "/api/v1/items"]:
        assert path in spec["paths"], path


@pytest.mark.parametrize("body", [
    {"depot": "XZ-01", "item": "SH-TENT-12", "quantity": 1, "lot_code": "A\x00B"},
    {"depot": "XZ-01", "item": "SH-TENT-12", "quantity": 1, "reference": "\x07"},
])
def test_control_characters_are_refused_before_they_reach_the_database(client, world, body):
    with nothing_changes(db.session):
        response = client.post("/api/v1/receipts", json=body, headers=world.headers("keeper"))
        refused = assert_refused(response, 422, "invalid_input")
    assert set(refused["errors"]) == set(body) - {"depot", "item", "quantity"}, refused


def test_a_lot_cannot_grow_past_the_largest_storable_quantity(client, world):
    for _ in range(2):
        response = receive(client, world, quantity=1_000_000_000)
    third = receive(client, world, quantity=1_000_000_000)
    assert response.status_code == 201 and third.status_code == 422


def test_healthz_answers_with_the_database_reachable(client):
    assert client.get("/healthz").json == {"status": "ok", "database": "ok"}


def test_topping_up_a_lot_into_a_bin_keeps_the_rules_of_topping_up(client, world):
    from inventory.geo.models import Bin

    db.session.add(Bin(depot_id=world.depots["XZ-01"].id, code="A-01-01"))
    db.session.commit()
    first = {"depot": "XZ-01", "item": "FW-WATER-5L", "quantity": 5, "lot_code": "W-B",
             "expires_on": "2028-01-01", "bin": "A-01-01"}
    assert client.post("/api/v1/receipts", json=first,
                       headers=world.headers("keeper")).status_code == 201
    other = first | {"expires_on": "2029-01-01"}
    refused = client.post("/api/v1/receipts", json=other, headers=world.headers("keeper"))
    assert refused.status_code == 409 and refused.json["errors"].get("lot_code")
    assert db.session.query(Movement).count() == 1
