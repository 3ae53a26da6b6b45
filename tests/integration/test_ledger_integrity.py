"""The ledger is the truth: the guard trigger, the hash chain, the seals and verify-ledger."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from inventory.db import db
from inventory.stock import services
from inventory.stock.ledger import take_seal, verify_ledger


@pytest.fixture
def history(world):
    admin = world.users["admin"]
    lot, _ = services.receive(db.session, admin, depot="XZ-01", item="SH-TENT-12", quantity=50,
                              lot_code="T1")
    other, _ = services.receive(db.session, admin, depot="XZ-01", item="FW-WATER-5L",
                                quantity=30, lot_code="W1")
    services.issue(db.session, admin, lot=lot.id, quantity=5)
    services.issue(db.session, admin, lot=lot.id, quantity=7)
    services.issue(db.session, admin, lot=other.id, quantity=3)
    return lot.id, other.id


def drop_guard():
    """What someone with direct database access would do first."""
    for name in ("stock_movements_no_update", "stock_movements_no_delete"):
        db.session.execute(text(f"DROP TRIGGER {name}"))
    db.session.commit()


def test_a_clean_ledger_verifies(history):
    report = verify_ledger(db.session)
    assert report.ok, report.problems
    assert (report.lots_checked, report.movements_checked) == (2, 5)


@pytest.mark.parametrize("statement", [
    "UPDATE stock_movements SET quantity = -1 WHERE seq = 2",
    "DELETE FROM stock_movements WHERE seq = 3",
])
def test_the_database_refuses_to_change_or_delete_ledger_rows(history, statement):
    with pytest.raises(DatabaseError, match="never changed"):
        db.session.execute(text(statement))
    db.session.rollback()


def test_editing_a_row_is_detected(history):
    drop_guard()
    db.session.execute(text("UPDATE stock_movements SET reason = 'edited' WHERE seq = 2"))
    db.session.commit()
    report = verify_ledger(db.session)
    assert not report.ok
    assert any("hash does not match" in problem for problem in report.problems)


def test_editing_a_quantity_and_the_lot_balance_together_is_still_detected(history):
    lot_id, _ = history
    drop_guard()
    db.session.execute(text(
        f"UPDATE stock_movements SET quantity = -1, balance_after = 49 "
        f"WHERE lot_id = {lot_id} AND seq = 2"))
    db.session.execute(text(f"UPDATE lots SET quantity = quantity + 4 WHERE id = {lot_id}"))
    db.session.commit()
    assert any("hash" in p for p in verify_ledger(db.session).problems)


def test_removing_a_middle_row_breaks_the_chain(history):
    lot_id, _ = history
    drop_guard()
    db.session.execute(text(f"DELETE FROM stock_movements WHERE lot_id = {lot_id} AND seq = 2"))
    db.session.commit()
    problems = verify_ledger(db.session).problems
    assert any("chain gap" in p for p in problems)
    assert any("ledger sum" in p for p in problems)


def test_removing_the_newest_rows_and_fixing_the_lot_is_caught_by_the_seal(history):
    lot_id, _ = history
    take_seal(db.session)
    assert verify_ledger(db.session).ok
    drop_guard()
    # Remove the last issue and make the lot row agree, as a careful forger would.
    db.session.execute(text(f"DELETE FROM stock_movements WHERE lot_id = {lot_id} AND seq = 3"))
    row = db.session.execute(text(
        f"SELECT hash, balance_after FROM stock_movements WHERE lot_id = {lot_id} AND seq = 2"
    )).one()
    db.session.execute(text(
        f"UPDATE lots SET seq = 2, quantity = {row.balance_after}, head_hash = '{row.hash}' "
        f"WHERE id = {lot_id}"))
    db.session.commit()
    problems = verify_ledger(db.session).problems
    assert problems and all("seal" in p for p in problems)


def test_each_seal_covers_only_the_lots_that_changed_and_chains_to_the_last(history, world):
    lot_id, other_id = history
    first = take_seal(db.session)
    services.issue(db.session, world.users["admin"], lot=lot_id, quantity=1)
    second = take_seal(db.session)
    heads = db.session.execute(text(
        f"SELECT lot_id, seq FROM ledger_seal_heads WHERE seal_id = {second.id}")).all()
    assert [tuple(h) for h in heads] == [(lot_id, 4)]
    assert second.prev_digest == first.digest
    assert second.movements_count == 6
    assert verify_ledger(db.session).ok


def test_a_tampered_seal_is_detected(history):
    seal = take_seal(db.session)
    db.session.execute(text(f"UPDATE ledger_seal_heads SET seq = 1 WHERE seal_id = {seal.id}"))
    db.session.commit()
    assert any("seal" in p for p in verify_ledger(db.session).problems)


def test_verify_ledger_command_exits_1_with_a_report_on_mismatch(app, history):
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["verify-ledger"])
    assert ok.exit_code == 0 and "all consistent" in ok.output
    drop_guard()
    db.session.execute(text("UPDATE stock_movements SET quantity = -2 WHERE seq = 2"))
    db.session.commit()
    bad = runner.invoke(args=["verify-ledger"])
    assert bad.exit_code == 1
    assert "problem" in bad.output and "hash does not match" in bad.output


def test_seal_ledger_command_takes_a_daily_seal_only_when_due(app, history):
    runner = app.test_cli_runner()
    assert "Seal 1 taken" in runner.invoke(args=["seal-ledger", "--if-due"]).output
    assert "nothing to do" in runner.invoke(args=["seal-ledger", "--if-due"]).output
    assert "Seal 2 taken" in runner.invoke(args=["seal-ledger"]).output
