"""The database's backend decides, in one place, how ledger rows are written: on PostgreSQL one
combined statement on the driver's cursor and the lean route open; elsewhere two portable
statements. Both write the same ledger."""

import pytest
from sqlalchemy import select

from inventory import db as db_module
from inventory.db import backend, db
from inventory.stock import bulk, services
from inventory.stock.ledger import verify_ledger
from inventory.stock.models import Movement
from inventory.stock.writes import ledger_writes


def test_sqlite_writes_portably_without_the_lean_route(app, world):
    assert backend(db.engine).name == "portable" and not backend(db.engine).driver
    assert not ledger_writes(db.engine).lean


@pytest.mark.postgres
def test_postgresql_writes_through_the_driver_with_the_lean_route(pg_app, pg_world):
    assert backend(db.engine).name == "postgresql" and backend(db.engine).driver
    assert ledger_writes(db.engine).lean


def _movements(world, suffix: str) -> list[tuple]:
    """Receive, issue, adjust and bulk-receive on lots of their own; return their rows."""
    admin = world.users["admin"]
    lot, _ = services.receive(db.session, admin, depot="XZ-01", item="FW-WATER-5L",
                              quantity=40, lot_code=f"W-{suffix}")
    services.issue(db.session, admin, lot=lot.id, quantity=15, reason="发放")
    services.adjust(db.session, admin, lot=lot.id, counted_quantity=20, reason="盘点")
    bulk.receive_many(db.session, admin, [
        bulk.Delivery("XZ-01", "SH-TENT-12", 5, lot_code=f"T-{suffix}"),
        bulk.Delivery("TS-01", "FW-BISCUIT", 7, lot_code=f"B-{suffix}"),
        bulk.Delivery("XZ-01", "SH-TENT-12", 3, lot_code=f"T-{suffix}"),
    ])
    rows = db.session.execute(
        select(Movement.kind, Movement.quantity, Movement.balance_after, Movement.seq)
        .where(Movement.lot.has(code=f"W-{suffix}") | Movement.lot.has(code=f"T-{suffix}")
               | Movement.lot.has(code=f"B-{suffix}"))
        .order_by(Movement.id))
    return [tuple(row) for row in rows]


@pytest.mark.postgres
def test_the_portable_statements_write_the_same_ledger_on_postgresql(pg_app, pg_world,
                                                                     monkeypatch):
    combined = _movements(pg_world, "driver")
    monkeypatch.setattr(db_module, "_BACKENDS", {})
    assert not ledger_writes(db.engine).lean
    portable = _movements(pg_world, "portable")
    assert combined == portable
    assert [row[0] for row in combined] == ["receipt", "issue", "adjustment", "receipt",
                                            "receipt", "receipt"]
    assert verify_ledger(db.session).ok
