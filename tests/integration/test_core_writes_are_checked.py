"""Rows written by plain Core statements (the ledger's rows on every path, the lean issue, lots
created in bulk) are held to what the ORM's flush check holds every other row to: no control
characters, no lone surrogates, nothing longer than its column. A refused write changes
nothing."""

import pytest
from checks import nothing_changes

from inventory.db import db
from inventory.errors import InvalidInput
from inventory.stock import bulk, services
from inventory.stock.models import Lot
from inventory.values import check_row, stored_problem


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def county(request):
    app = request.getfixturevalue("app" if request.param == "sqlite" else "pg_app")
    world = request.getfixturevalue("world" if request.param == "sqlite" else "pg_world")
    return app, world


@pytest.mark.parametrize("field, value", [("reason", "坏\x00了"), ("recipient", "张\x1b三"),
                                          ("reference", "RK\ud800"), ("reference", "R" * 101)])
def test_an_issue_on_a_core_connection_refuses_what_no_column_may_hold(county, field, value):
    _app, world = county
    admin = world.users["admin"]
    lot, _ = services.receive(db.session, admin, depot="XZ-01", item="SH-TENT-12", quantity=5,
                              lot_code="CORE-1")
    lot_id = lot.id
    db.session.commit()
    with nothing_changes(db.session), pytest.raises(InvalidInput) as refused:
        with db.engine.begin() as connection:  # as the lean route runs it
            services.issue_from_lot(connection, admin, lot=lot_id, quantity=1, **{field: value})
    assert field in refused.value.errors
    with db.engine.begin() as connection:
        [row] = services.issue_from_lot(connection, admin, lot=lot_id, quantity=1,
                                        reason="发放")
    assert row.balance_after == 4


@pytest.mark.parametrize("delivery, field", [
    (bulk.Delivery("XZ-01", "SH-TENT-12", 3, lot_code="A\x07B"), "code"),
    (bulk.Delivery("XZ-01", "SH-TENT-12", 3, lot_code="L-1", reason="x\x1by"), "reason"),
])
def test_bulk_receipts_refuse_what_no_column_may_hold(county, delivery, field):
    _app, world = county
    good = bulk.Delivery("TS-01", "FW-BISCUIT", 2, lot_code="GOOD-1")
    with nothing_changes(db.session), pytest.raises(InvalidInput) as refused:
        bulk.receive_many(db.session, world.users["admin"], [good, delivery])
    assert field in refused.value.errors


def test_the_row_check_names_each_kind_of_bad_value():
    table = Lot.__table__
    assert stored_problem(table.c.code, "A" * 65) == "longer than 64 characters"
    assert stored_problem(table.c.code, "A\x00") == "contains control characters"
    assert stored_problem(table.c.quantity, 2**31) == "out of the integer range"
    assert stored_problem(table.c.unit_cost, float("nan")) == "not a finite number"
    assert stored_problem(table.c.code, "帐篷 A-1") is None
    check_row(table, {"code": "好", "quantity": 3})
    with pytest.raises(InvalidInput) as refused:
        check_row(table, {"code": "好", "quantity": -2**40})
    assert refused.value.errors == {"quantity": ["out of the integer range"]}


def test_an_idempotency_key_with_control_characters_is_refused(client, world):
    answer = client.post("/api/v1/issues", json={"depot": "XZ-01", "item": "SH-TENT-12",
                                                 "quantity": 1},
                         headers=world.headers("keeper", **{"Idempotency-Key": "k\x01ey"}))
    assert answer.status_code == 422, answer.get_json()
    assert "Idempotency-Key" in answer.get_json()["errors"]
