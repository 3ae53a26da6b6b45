"""The backend also decides how the long reads run: on PostgreSQL the ledger export streams
text made by the server and a period report gets memory for its one big query; elsewhere
Python makes the text. Both give the same files."""

import pytest
from sqlalchemy import text

from inventory import db as db_module
from inventory.db import backend, db
from inventory.exports import queries as exports
from inventory.stock import services as stock


def _ledger(world) -> list[int]:
    """Rows whose text needs quoting, a cost with cents and a reversal; return their ids."""
    admin = world.users["admin"]
    lot, _ = stock.receive(db.session, admin, depot="XZ-01", item="SH-TENT-12", quantity=40,
                           unit_cost="950.5", reference='RK,"1"', lot_code='L"1',
                           reason="入库\n第二行")
    issued = stock.issue(db.session, admin, lot=lot.id, quantity=3, reason='救灾, "紧急"')
    stock.reverse(db.session, admin, movement=issued[0].id, reason="录入错误")
    stock.receive(db.session, admin, depot="TS-01", item="FW-WATER-5L", quantity=12)
    db.session.commit()
    return [issued[0].id, lot.id]


def _export() -> tuple[bytes, list]:
    batches = list(exports.csv_batches(db.session, exports.LedgerFilter(), batch=2))
    return b"".join(data for data, *_ in batches), [tuple(rest) for _, *rest in batches]


def test_sqlite_makes_the_exports_text_in_python_and_has_no_memory_to_give(app, world):
    assert not backend(db.engine).server_text
    _ledger(world)
    backend(db.engine).make_room(db.session, "64MB")  # nothing to set, nothing refused
    data, batches = _export()
    assert data.count(b"\r\n") == 4 and [count for count, *_ in batches] == [2, 2]


@pytest.mark.postgres
def test_the_servers_export_text_is_the_text_python_makes(pg_app, pg_world, monkeypatch):
    assert backend(db.engine).server_text
    ids = _ledger(pg_world)
    by_server, server_batches = _export()
    server_rows = exports.rows_by_id(db.session, ids)
    monkeypatch.setattr(db_module, "_BACKENDS", {})
    assert not backend(db.engine).server_text
    by_python, python_batches = _export()
    assert by_server == by_python and server_batches == python_batches
    assert {key: list(row) for key, row in server_rows.items()} == exports.rows_by_id(
        db.session, ids)
    assert b'"RK,""1"""' in by_server and '"入库\n第二行"'.encode() in by_server


@pytest.mark.postgres
def test_a_report_gets_its_memory_for_its_own_transaction_only(pg_app, pg_world):
    before = db.session.scalar(text("SHOW work_mem"))
    db.session.commit()
    backend(db.engine).make_room(db.session, "64MB")
    assert db.session.scalar(text("SHOW work_mem")) == "64MB"
    assert db.session.scalar(text("SHOW jit")) == "off"
    db.session.commit()
    assert db.session.scalar(text("SHOW work_mem")) == before
