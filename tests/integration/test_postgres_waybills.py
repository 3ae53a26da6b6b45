"""Waybills against the real PostgreSQL server: keepers racing to record the waybill of one
transfer, or its arrival, leave exactly one waybill and one arrival."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from inventory.audit import AuditEvent
from inventory.auth.models import User
from inventory.db import db
from inventory.errors import StateConflict
from inventory.stock import services as stock
from inventory.transfers import services as transfers
from inventory.transport import waybills
from inventory.transport.models import Waybill

pytestmark = pytest.mark.postgres
THREADS = 8


def _in_transit(world) -> int:
    admin = world.users["admin"]
    stock.receive(db.session, admin, depot="XZ-01", item="SH-TENT-12", quantity=10,
                  lot_code="T1")
    transfer = transfers.create(db.session, admin, from_depot="XZ-01", to_depot="TS-01",
                                lines=[{"item": "SH-TENT-12", "quantity": 4}])
    transfers.dispatch(db.session, admin, transfer.id)
    return transfer.id


def _race(pg_app, user_id, action):
    barrier = threading.Barrier(THREADS)

    def attempt(index):
        with pg_app.app_context():
            actor = db.session.get(User, user_id)
            barrier.wait()
            try:
                action(actor, index)
                return "done"
            except StateConflict:
                return "refused"
            finally:
                db.session.remove()

    with ThreadPoolExecutor(THREADS) as pool:
        return sorted(pool.map(attempt, range(THREADS)))


def test_keepers_racing_to_record_one_transfers_waybill_leave_one(pg_app, pg_world):
    transfer_id = _in_transit(pg_world)
    results = _race(pg_app, pg_world.users["keeper"].id, lambda actor, index: (
        waybills.record_for_transfer(db.session, actor, transfer_id, plate=f"宁B1000{index}")))
    assert results == ["done"] + ["refused"] * (THREADS - 1)
    assert db.session.scalar(select(func.count(Waybill.id))) == 1


def test_racing_arrival_scans_record_one_arrival(pg_app, pg_world):
    transfer_id = _in_transit(pg_world)
    waybill = waybills.record_for_transfer(db.session, pg_world.users["keeper"], transfer_id,
                                           plate="宁B12345")
    waybill_id = waybill.id
    results = _race(pg_app, pg_world.users["keeper2"].id, lambda actor, index: (
        waybills.record_arrival(db.session, actor, waybill_id)))
    assert results == ["done"] * THREADS  # a repeated scan keeps the first arrival
    db.session.expire_all()
    assert db.session.get(Waybill, waybill_id).arrived_at is not None
    arrivals = select(func.count(AuditEvent.id)).where(AuditEvent.action == "waybill.arrive")
    assert db.session.scalar(arrivals) == 1
