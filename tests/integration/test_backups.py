"""``flask backup`` and ``restore``: a round trip on SQLite (the online backup API) and on
PostgreSQL (pg_dump/pg_restore) brings back exactly the backed-up rows, and verify-ledger
accepts the ledger restored; a file is never overwritten, and a file that is not a backup of
the database's kind is refused with the database unchanged."""

import uuid

import pytest
from apps import _config, upgrade
from factories import make_world
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from inventory import create_app
from inventory.db import db
from inventory.stock import services as stock
from inventory.stock.models import Lot, Movement


def _state():
    db.session.rollback()  # read afresh
    return (db.session.scalar(select(func.count(Movement.id))),
            sorted(db.session.execute(select(Lot.code, Lot.quantity)).all()))


def _round_trip(app, tmp_path):
    world = make_world(db.session)
    admin = world.users["admin"]
    stock.receive(db.session, admin, depot="XZ-01", item="FW-WATER-5L", quantity=40,
                  lot_code="BACKED-UP")
    db.session.commit()
    kept = _state()
    runner = app.test_cli_runner()
    out = tmp_path / "reserves.backup"
    made = runner.invoke(args=["backup", "--out", str(out)])
    assert made.exit_code == 0, made.output
    assert out.stat().st_size > 0 and "Backup written" in made.output
    again = runner.invoke(args=["backup", "--out", str(out)])
    assert again.exit_code == 2 and "不会覆盖" in again.output
    # Work after the backup: a receipt and an issue the restore takes away.
    lot, _ = stock.receive(db.session, admin, depot="XZ-01", item="SH-TENT-12", quantity=9,
                           lot_code="AFTER")
    stock.issue(db.session, admin, lot=lot.id, quantity=2)
    db.session.commit()
    assert _state() != kept
    restored = runner.invoke(args=["restore", str(out), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert "Restored" in restored.output
    assert _state() == kept
    verified = runner.invoke(args=["verify-ledger"])
    assert verified.exit_code == 0, verified.output
    # A file that is not a backup: refused, nothing changed.
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a backup")
    refused = runner.invoke(args=["restore", str(bogus), "--yes"])
    assert refused.exit_code == 2 and "not a" in refused.output
    assert _state() == kept
    # Without --yes the operator is asked, and saying no changes nothing.
    declined = runner.invoke(args=["restore", str(out)], input="n\n")
    assert declined.exit_code == 1 and _state() == kept


def test_a_sqlite_database_comes_back_from_its_backup(app, tmp_path):
    _round_trip(app, tmp_path)


@pytest.mark.postgres
def test_a_postgresql_database_comes_back_from_its_backup(postgres_url, tmp_path):
    # A database of its own: a restore replaces every table of the database it is given.
    name = f"reserves_backup_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(postgres_url).set(database=name).render_as_string(
            hide_password=False)
        upgrade(url)
        app = create_app(_config(url, tmp_path))
        with app.app_context():
            try:
                _round_trip(app, tmp_path)
            finally:
                db.session.remove()
                db.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
