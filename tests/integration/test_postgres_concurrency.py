"""Concurrency and idempotency against the real PostgreSQL server."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy import func, select

from inventory.auth.models import User
from inventory.db import db
from inventory.errors import InsufficientStock
from inventory.stock import services
from inventory.stock.ledger import verify_ledger
from inventory.stock.models import Lot, Movement

pytestmark = pytest.mark.postgres


def test_many_keepers_issuing_from_one_lot_never_lose_a_movement_or_go_negative(
        pg_app, pg_world):
    admin_id = pg_world.users["admin"].id
    lot, _ = services.receive(db.session, pg_world.users["admin"], depot="XZ-01",
                              item="SH-TENT-12", quantity=100, lot_code="HOT")
    lot_id = lot.id
    threads, attempts = 16, 10
    barrier = threading.Barrier(threads)

    def keeper(_):
        done = refused = 0
        with pg_app.app_context():
            actor = db.session.get(User, admin_id)
            barrier.wait()
            for _ in range(attempts):
                try:
                    services.issue(db.session, actor, lot=lot_id, quantity=1)
                    done += 1
                except InsufficientStock:
                    refused += 1
            db.session.remove()
        return done, refused

    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(keeper, range(threads)))
    done = sum(r[0] for r in results)
    refused = sum(r[1] for r in results)
    assert (done, refused) == (100, threads * attempts - 100)
    db.session.expire_all()
    assert db.session.get(Lot, lot_id).quantity == 0
    assert db.session.scalar(select(func.count(Movement.id))) == 101
    balances = db.session.scalars(
        select(Movement.balance_after).where(Movement.lot_id == lot_id).order_by(Movement.seq))
    assert list(balances) == [100] + list(range(99, -1, -1))
    assert verify_ledger(db.session).ok


def test_concurrent_issues_by_item_across_lots_keep_every_balance_true(pg_app, pg_world):
    admin = pg_world.users["admin"]
    for n in range(4):
        services.receive(db.session, admin, depot="XZ-01", item="FW-WATER-5L", quantity=25,
                         lot_code=f"W{n}", expires_on=date(2028, n + 1, 1))
    admin_id = admin.id

    def keeper(_):
        with pg_app.app_context():
            actor = db.session.get(User, admin_id)
            taken = 0
            for _ in range(8):
                try:
                    services.issue(db.session, actor, depot="XZ-01", item="FW-WATER-5L",
                                   quantity=3)
                    taken += 3
                except InsufficientStock:
                    pass
            db.session.remove()
            return taken

    with ThreadPoolExecutor(8) as pool:
        taken = sum(pool.map(keeper, range(8)))
    remaining = db.session.scalar(select(func.sum(Lot.quantity)))
    assert taken + remaining == 100 and remaining < 3
    assert verify_ledger(db.session).ok


def test_the_same_idempotency_key_sent_at_once_from_many_threads_writes_once(pg_app, pg_world):
    services.receive(db.session, pg_world.users["admin"], depot="XZ-01", item="SH-TENT-12",
                     quantity=50, lot_code="T1")
    headers = pg_world.headers("keeper", **{"Idempotency-Key": "offline-queue-42"})
    body = {"depot": "XZ-01", "item": "SH-TENT-12", "quantity": 2, "reason": "安置点"}
    threads = 8
    barrier = threading.Barrier(threads)

    def phone(_):
        client = pg_app.test_client()
        barrier.wait()
        response = client.post("/api/v1/issues", json=body, headers=headers)
        return response.status_code, response.get_json()

    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(phone, range(threads)))
    assert {status for status, _ in results} == {201}
    assert len({str(body) for _, body in results}) == 1
    issued = db.session.scalar(select(func.count(Movement.id)).where(Movement.kind == "issue"))
    assert issued == 1
    assert db.session.scalar(select(Lot.quantity)) == 48


def test_a_refused_movement_on_postgres_changes_no_balance(pg_app, pg_world):
    client = pg_app.test_client()
    lot = client.post("/api/v1/receipts", headers=pg_world.headers("keeper"), json={
        "depot": "XZ-01", "item": "SH-TENT-12", "quantity": 3}).get_json()["lot"]
    refused = client.post("/api/v1/issues", headers=pg_world.headers("keeper"),
                          json={"lot": lot["id"], "quantity": 4})
    assert refused.status_code == 409
    assert client.get(f"/api/v1/lots/{lot['id']}", headers=pg_world.headers("keeper")
                      ).get_json()["quantity"] == 3
