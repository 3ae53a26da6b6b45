"""The lean path of POST /issues from a lot (PostgreSQL) answers and writes as the general path."""

import pytest
from sqlalchemy import select

from inventory.db import db
from inventory.stock import lean, services
from inventory.stock.ledger import verify_ledger
from inventory.stock.models import IdempotencyRecord, Movement

pytestmark = pytest.mark.postgres

#: what differs between two otherwise equal movements
VARYING = {"id", "seq", "balance_after", "occurred_at", "recorded_at", "hash"}


@pytest.fixture
def lot(pg_app, pg_world):
    client = pg_app.test_client()
    return client.post("/api/v1/receipts", headers=pg_world.headers("keeper"), json={
        "depot": "XZ-01", "item": "SH-TENT-12", "quantity": 10, "lot_code": "L-1"}).json["lot"]


@pytest.fixture(params=["lean", "general"])
def path(request, monkeypatch):
    """Which way POST /issues goes; the lean path must be the one taken on PostgreSQL."""
    taken = []
    if request.param == "general":
        monkeypatch.setattr(lean, "issue_from_lot", lambda: None)
    else:
        real = lean.services.issue_from_lot
        monkeypatch.setattr(lean.services, "issue_from_lot",
                            lambda *a, **kw: taken.append(1) or real(*a, **kw))
    yield request.param
    if request.param == "lean":
        assert taken, "the request did not take the lean path"


def answer(client, world, body, key=None, user="keeper"):
    headers = world.headers(user, **({"Idempotency-Key": key} if key else {}))
    return client.post("/api/v1/issues", json=body, headers=headers)


def stable(movement):
    return {k: v for k, v in movement.items() if k not in VARYING}


def test_an_issue_from_a_lot_answers_the_same_on_both_paths(pg_app, pg_world, lot, path):
    client = pg_app.test_client()
    body = {"lot": lot["id"], "quantity": 2, "reason": "转移安置", "recipient": "凤城镇",
            "reference": "CK-1", "depot": "XZ-01"}
    first = answer(client, pg_world, body, key="k-1")
    assert first.status_code == 201, first.json
    [movement] = first.json["movements"]
    assert stable(movement) == {
        "kind": "issue", "lot": lot["id"], "lot_code": "L-1", "depot": "XZ-01",
        "item": "SH-TENT-12", "quantity": -2, "actor": "keeper", "reason": "转移安置",
        "recipient": "凤城镇", "reference": "CK-1", "transfer": None, "reverses": None,
        "device_at": None}
    assert movement["balance_after"] == 8 and movement["seq"] == 2
    row = db.session.get(Movement, movement["id"])
    keeper = pg_world.users["keeper"].id  # keys are each user's own
    assert (row.idempotency_key, row.hash, row.balance_after) == (
        f"{keeper}:k-1#1", movement["hash"], 8)
    record = db.session.get(IdempotencyRecord, f"{keeper}:k-1")
    assert record.response == first.get_data(as_text=True) and record.status_code == 201

    replayed = answer(client, pg_world, body, key="k-1")
    assert replayed.status_code == 201 and replayed.json == first.json
    assert replayed.headers["Idempotent-Replayed"] == "true"
    reused = answer(client, pg_world, body | {"quantity": 3}, key="k-1")
    assert reused.status_code == 409 and reused.json["code"] == "idempotency_key_reused"

    unkeyed = answer(client, pg_world, body | {"quantity": 8})
    assert unkeyed.status_code == 201 and unkeyed.json["movements"][0]["balance_after"] == 0
    assert db.session.scalar(select(Movement.idempotency_key).where(
        Movement.id == unkeyed.json["movements"][0]["id"])) is None
    assert verify_ledger(db.session).ok


@pytest.mark.parametrize("body, user, status, code", [
    ({"quantity": 11}, "keeper", 409, "insufficient_stock"),
    ({"quantity": 1, "lot": 999_999}, "keeper", 404, "not_found"),
    ({"quantity": 1}, "keeper2", 403, "forbidden"),
    ({"quantity": 1, "depot": "TS-01"}, "keeper", 422, "invalid_input"),
    ({"quantity": 1, "occurred_at": "2099-01-01T00:00:00+08:00"}, "keeper", 422, "invalid_input"),
    ({"quantity": 1, "kind": "transfer_out"}, "keeper", 422, "invalid_input"),
    ({"quantity": 0}, "keeper", 422, "invalid_input"),
    ({"quantity": 1, "colour": "red"}, "keeper", 422, "invalid_input"),
])
def test_a_refused_issue_from_a_lot_is_the_same_error_on_both_paths(
        pg_app, pg_world, lot, body, user, status, code, monkeypatch):
    client = pg_app.test_client()
    answers = {}
    for way in ("lean", "general"):
        with monkeypatch.context() as patch:
            if way == "general":
                patch.setattr(lean, "issue_from_lot", lambda: None)
            answers[way] = answer(client, pg_world, {"lot": lot["id"]} | body, key=f"k-{way}",
                                  user=user)
    assert answers["lean"].status_code == answers["general"].status_code == status
    assert answers["lean"].json == answers["general"].json
    assert answers["lean"].json["code"] == code
    assert db.session.scalar(select(Movement.id).where(Movement.kind == "issue")) is None
    # a refused request leaves its key free
    assert db.session.get(IdempotencyRecord, f"{pg_world.users[user].id}:k-lean") is None


def test_an_issue_by_item_still_goes_the_general_way(pg_app, pg_world, lot, monkeypatch):
    called = []
    real = services.issue
    monkeypatch.setattr(services, "issue", lambda *a, **kw: called.append(1) or real(*a, **kw))
    response = answer(pg_app.test_client(), pg_world,
                      {"depot": "XZ-01", "item": "SH-TENT-12", "quantity": 1})
    assert response.status_code == 201 and called
