"""Idempotency records are kept for a retention period and then purged (command, job); a
retry after the purge is still refused by the ledger's own keys, never applied twice."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from inventory.db import db
from inventory.stock.models import IdempotencyRecord, Movement

RECEIPT = {"depot": "XZ-01", "item": "SH-TENT-12", "quantity": 2}


def receive(client, world, key):
    return client.post("/api/v1/receipts", json=RECEIPT,
                       headers=world.headers("keeper", **{"Idempotency-Key": key}))


def age(key, days):
    """Date back the record of the keeper's key (stored as ``<user id>:<key>``)."""
    db.session.execute(update(IdempotencyRecord).where(IdempotencyRecord.key.endswith(f":{key}"))
                       .values(created_at=datetime.now(UTC) - timedelta(days=days)))
    db.session.commit()


def keys():
    db.session.rollback()
    return {key.split(":", 1)[1] for key in db.session.scalars(select(IdempotencyRecord.key))}


def movements():
    return db.session.scalar(select(func.count(Movement.id)))


def test_the_command_purges_only_the_records_past_their_retention(app, client, world):
    for key in ("old", "recent"):
        assert receive(client, world, key).status_code == 201
    age("old", 31)
    age("recent", 29)
    result = app.test_cli_runner().invoke(args=["purge-idempotency"])
    assert result.exit_code == 0 and "Purged 1 " in result.output
    assert keys() == {"recent"}
    replayed = receive(client, world, "recent")
    assert replayed.headers.get("Idempotent-Replayed") == "true"


def test_a_retry_after_the_purge_is_refused_and_moves_nothing(app, client, world):
    assert receive(client, world, "phone-1").status_code == 201
    age("phone-1", 40)
    app.test_cli_runner().invoke(args=["purge-idempotency"])
    before = movements()
    late = receive(client, world, "phone-1")
    assert late.status_code == 409 and movements() == before


def test_the_retention_cannot_be_shorter_than_a_phones_offline_queue(app, client, world):
    assert receive(client, world, "k").status_code == 201
    age("k", 3)
    result = app.test_cli_runner().invoke(args=["purge-idempotency", "--days", "2"])
    assert result.exit_code == 2 and keys() == {"k"}


@pytest.mark.parametrize("role, allowed", [("admin", True), ("bureau", False),
                                           ("auditor", False), ("keeper", False)])
def test_an_admin_may_run_the_purge_as_a_job(app, client, world, role, allowed):
    assert receive(client, world, "old").status_code == 201
    age("old", 31)
    submitted = client.post("/api/v1/jobs", json={"kind": "idempotency.purge"},
                            headers=world.headers(role))
    assert submitted.status_code == (202 if allowed else 403), submitted.json
    if allowed:
        job = client.get(f"/api/v1/jobs/{submitted.json['id']}",
                         headers=world.headers(role)).json
        assert job["status"] == "finished"
        assert job["result"] == {"purged": 1, "retention_days": 30.0}
    assert keys() == (set() if allowed else {"old"})
