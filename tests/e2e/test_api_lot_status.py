"""Quarantine (待检/封存) and release of a lot over HTTP: who may, with a reason, recorded in the
application log, and safe to retry with an Idempotency-Key."""

import pytest

from inventory.audit import events_for
from inventory.db import db
from inventory.stock import services as stock


@pytest.fixture
def lot(world):
    lot, _ = stock.receive(db.session, world.users["admin"], depot="XZ-01", item="FW-BISCUIT",
                           quantity=10)
    return lot.id


def set_status(client, world, lot, user="keeper", status="quarantined", reason="包装破损待检",
               **headers):
    return client.post(f"/api/v1/lots/{lot}/status", json={"status": status, "reason": reason},
                       headers=world.headers(user, **headers))


def lot_events(lot):
    db.session.rollback()
    return [e.data for e in events_for(db.session, "lot", lot)]


@pytest.mark.parametrize("user, allowed", [
    ("admin", True), ("keeper", True), ("keeper2", False), ("bureau", False),
    ("planner", False), ("auditor", False)])
def test_who_may_quarantine_a_lot(client, world, lot, user, allowed):
    response = set_status(client, world, lot, user=user)
    assert response.status_code == (200 if allowed else 403)
    assert lot_events(lot) == ([{"from": "available", "to": "quarantined",
                                 "reason": "包装破损待检"}] if allowed else [])


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501, "坏\x00"])
def test_a_status_change_needs_a_reason(client, world, lot, reason):
    response = set_status(client, world, lot, reason=reason)
    assert response.status_code == 422 and "reason" in response.json["errors"]
    assert lot_events(lot) == []


def test_setting_the_status_a_lot_has_records_nothing(client, world, lot):
    assert set_status(client, world, lot).status_code == 200
    assert set_status(client, world, lot, reason="再次提交").status_code == 200
    assert lot_events(lot) == [{"from": "available", "to": "quarantined",
                                "reason": "包装破损待检"}]


def test_a_repeated_status_change_with_its_key_is_answered_once(client, world, lot):
    key = {"Idempotency-Key": "phone-lot-0001"}
    first = set_status(client, world, lot, **key)
    released = set_status(client, world, lot, status="available", reason="质检合格")
    assert released.status_code == 200
    again = set_status(client, world, lot, **key)
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    assert [e["to"] for e in lot_events(lot)] == ["quarantined", "available"]


def test_a_written_off_lot_keeps_its_status(client, world, lot):
    stock.write_off(db.session, world.users["admin"], lot=lot, reason="水浸")
    response = set_status(client, world, lot, status="available", reason="误报废")
    assert response.status_code == 409 and response.json["code"] == "state_conflict"
    assert lot_events(lot) == []
