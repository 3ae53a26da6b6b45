"""export-ledger and verify-export: an untouched file matches the ledger; an edited file, or a
ledger row changed behind the application's back, is named by its row id."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from inventory.db import db
from inventory.stock import services
from inventory.stock.ledger import verify_ledger


@pytest.fixture
def history(world):
    admin = world.users["admin"]
    lot, _ = services.receive(db.session, admin, depot="XZ-01", item="SH-TENT-12", quantity=50,
                              lot_code="T1", unit_cost="950")
    other, _ = services.receive(db.session, admin, depot="TS-01", item="FW-WATER-5L",
                                quantity=30, lot_code="W1")
    services.issue(db.session, admin, lot=lot.id, quantity=5, reason="演练")
    services.issue(db.session, admin, lot=lot.id, quantity=7)
    services.issue(db.session, admin, lot=other.id, quantity=3)
    db.session.commit()
    return lot.id, other.id


def drop_guard():
    """What someone with direct database access would do first."""
    for name in ("stock_movements_no_update", "stock_movements_no_delete"):
        db.session.execute(text(f"DROP TRIGGER {name}"))
    db.session.commit()


def second_issue_id(lot_id: int) -> int:
    return db.session.execute(text(
        f"SELECT id FROM stock_movements WHERE lot_id = {lot_id} AND seq = 2")).scalar_one()


def export(runner, tmp_path, fmt: str, *args: str):
    out = tmp_path / f"ledger.{fmt}"
    result = runner.invoke(args=["export-ledger", "--from", "2000-01-01", "--to", "2999-12-31",
                                 "--format", fmt, "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    assert out.exists() and (tmp_path / f"ledger.{fmt}.sha256").exists()
    return out


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_an_untouched_export_matches_the_ledger(app, history, tmp_path, fmt):
    runner = app.test_cli_runner()
    out = export(runner, tmp_path, fmt)
    result = runner.invoke(args=["verify-export", str(out)])
    assert result.exit_code == 0, result.output
    assert "5 rows compared" in result.output and "matches the ledger" in result.output


def test_export_ledger_applies_its_filters(app, history, tmp_path):
    runner = app.test_cli_runner()
    out = export(runner, tmp_path, "csv", "--depot", "TS-01", "--kind", "issue")
    rows = [line for line in csv.reader(io.StringIO(out.read_text("utf-8-sig")))
            if line and not line[0].startswith("#")][1:]
    assert [(row[2], row[5], row[6]) for row in rows] == [("TS-01", "issue", "-3")]


def test_export_ledger_refuses_an_unknown_depot_with_a_message(app, history, tmp_path):
    result = app.test_cli_runner().invoke(args=[
        "export-ledger", "--depot", "NOPE", "--out", str(tmp_path / "x.csv")])
    assert result.exit_code == 2 and "NOPE" in result.output
    assert not (tmp_path / "x.csv").exists()


def test_an_edited_csv_names_the_row_that_differs(app, history, tmp_path):
    lot_id, _ = history
    runner = app.test_cli_runner()
    out = export(runner, tmp_path, "csv")
    row_id = second_issue_id(lot_id)
    lines = out.read_bytes().split(b"\r\n")
    edited = [line.replace(b",-5,45,", b",-4,45,") if line.startswith(f"{row_id},".encode())
              else line for line in lines]
    assert edited != lines
    out.write_bytes(b"\r\n".join(edited))
    result = runner.invoke(args=["verify-export", str(out)])
    assert result.exit_code == 1
    assert f"in rows {row_id}\n" in result.output
    assert f"row {row_id}: quantity is '-4' in the file, '-5' in the ledger" in result.output
    assert "SHA-256 does not match" in result.output


def test_an_edited_workbook_names_the_row_that_differs(app, history, tmp_path):
    lot_id, _ = history
    runner = app.test_cli_runner()
    out = export(runner, tmp_path, "xlsx")
    row_id = second_issue_id(lot_id)
    book = load_workbook(out)
    sheet = book.worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == row_id:
            row[12].value = "改过的原因"
    book.save(out)
    result = runner.invoke(args=["verify-export", str(out)])
    assert result.exit_code == 1
    assert f"in rows {row_id}\n" in result.output
    assert (f"row {row_id}: reason is '改过的原因' in the file, '演练' in the ledger"
            in result.output)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_a_ledger_row_changed_behind_the_applications_back_is_named_by_the_export_check(
        app, history, tmp_path, fmt):
    lot_id, _ = history
    runner = app.test_cli_runner()
    out = export(runner, tmp_path, fmt)
    row_id = second_issue_id(lot_id)
    drop_guard()
    db.session.execute(text(f"UPDATE stock_movements SET quantity = -4 WHERE id = {row_id}"))
    db.session.commit()
    result = runner.invoke(args=["verify-export", str(out)])
    assert result.exit_code == 1
    assert f"in rows {row_id}\n" in result.output
    assert f"row {row_id}: quantity is '-5' in the file, '-4' in the ledger" in result.output


@pytest.mark.parametrize("change", [
    "quantity = -4", "reason = 'edited'", "balance_after = 44",
    "occurred_at = '2020-01-01 00:00:00.000000'",
])
def test_verify_ledger_names_exactly_the_row_changed_behind_the_applications_back(
        app, history, change):
    lot_id, _ = history
    row_id = second_issue_id(lot_id)
    drop_guard()
    db.session.execute(text(f"UPDATE stock_movements SET {change} WHERE id = {row_id}"))
    db.session.commit()
    report = verify_ledger(db.session)
    assert not report.ok
    assert report.broken_rows == [row_id]
    output = app.test_cli_runner().invoke(args=["verify-ledger"]).output
    assert f"row {row_id} " in output


def test_a_row_removed_from_the_file_is_reported_by_the_trailer(app, history, tmp_path):
    runner = app.test_cli_runner()
    out = export(runner, tmp_path, "csv")
    lines = out.read_bytes().split(b"\r\n")
    del lines[2]  # the second row
    out.write_bytes(b"\r\n".join(lines))
    result = runner.invoke(args=["verify-export", str(out)])
    assert result.exit_code == 1
    assert "the trailer counts 5 rows, the file holds 4" in result.output
    assert "rows' SHA-256 does not match" in result.output


@pytest.mark.parametrize("content", [b"not an export at all\n", b"PK\x03\x04broken", b"%PDF-1.4\n"])
def test_a_file_that_is_not_an_export_is_reported_not_crashed_on(app, history, tmp_path,
                                                                  content):
    path = tmp_path / "odd.bin"
    path.write_bytes(content)
    result = app.test_cli_runner().invoke(args=["verify-export", str(path)])
    assert result.exit_code == 1, result.output
    assert "does NOT match" in result.output and "Traceback" not in result.output
