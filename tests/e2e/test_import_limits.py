"""Imports are checked for size and rows before a file is read whole, and any request body
past the limit is answered 413: a large sheet cannot hold a worker, whoever sends it."""

import io

import pytest
from checks import BROWSER, assert_refused, nothing_changes
from factories import PASSWORD
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from test_imports import OPENING, csv_bytes, post, xlsx

from inventory.db import db
from inventory.imports import services

PREVIEW = "/api/v1/imports/opening_stock/preview"
ROW = ["XZ-01", "FW-WATER-5L", 1, "", "", "", ""]


def lots(count: int) -> list[list]:
    """A header and ``count`` rows, each a lot of its own."""
    return OPENING[:1] + [["XZ-01", "FW-WATER-5L", 1, f"L-{n}", "", "", ""]
                          for n in range(count)]


@pytest.fixture
def small_limits(app):
    app.config.update(IMPORT_MAX_ROWS=100, IMPORT_MAX_MB=0.05)
    return app


@pytest.fixture
def rows_read(monkeypatch):
    """How many rows the import read from the file, whatever its format."""
    count = [0]

    def counted(rows):
        for row in rows:
            count[0] += 1
            yield row

    reader, iter_rows = services.csv.reader, ReadOnlyWorksheet.iter_rows
    monkeypatch.setattr(services.csv, "reader", lambda *a, **k: counted(reader(*a, **k)))
    monkeypatch.setattr(ReadOnlyWorksheet, "iter_rows",
                        lambda self, *a, **k: counted(iter_rows(self, *a, **k)))
    return count


@pytest.mark.parametrize("user", ["admin", "auditor"])
def test_a_file_larger_than_the_import_limit_is_refused_unread(small_limits, client, world,
                                                               user):
    content = csv_bytes(OPENING[:1] + [ROW] * 90) + b"#" * 60_000
    with nothing_changes(db.session):
        body = assert_refused(post(client, world, PREVIEW, content, "big.csv", user), 413,
                              "too_large")
        assert_refused(post(client, world, "/api/v1/imports/opening_stock", content,
                            "big.csv"), 413, "too_large")
    assert "0.05 MB" in body["message"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_reading_stops_one_row_past_the_row_limit(small_limits, client, world, rows_read,
                                                  monkeypatch, fmt):
    rows = OPENING[:1] + [ROW] * 1000
    content = csv_bytes(rows) if fmt == "csv" else xlsx(rows)
    # A workbook whose dimension says nothing is read row by row as well.
    monkeypatch.setattr(ReadOnlyWorksheet, "max_row", property(lambda self: None))
    body = assert_refused(post(client, world, PREVIEW, content, f"many.{fmt}", "auditor"),
                          413, "too_large")
    assert "100" in body["message"]
    assert rows_read[0] <= 102


def test_a_workbook_that_says_it_has_too_many_rows_is_refused_before_any_row(
        small_limits, client, world, rows_read):
    content = xlsx(OPENING[:1] + [ROW] * 150)
    assert_refused(post(client, world, PREVIEW, content, "many.xlsx"), 413, "too_large")
    assert rows_read[0] == 0


def test_a_workbook_that_unpacks_to_more_than_the_limit_is_refused(app, client, world):
    app.config["IMPORT_MAX_UNPACKED_MB"] = 0.01
    body = assert_refused(post(client, world, PREVIEW, xlsx(OPENING), "o.xlsx"), 413,
                          "too_large")
    assert "0.01 MB" in body["message"]


def test_a_file_within_the_limits_still_imports(small_limits, client, world):
    response = post(client, world, PREVIEW, csv_bytes(lots(100)), "ok.csv")
    assert response.status_code == 200 and response.json["errors"] == []
    assert response.json["rows"] == 100


def test_the_import_page_says_the_file_is_too_large(small_limits, client, world):
    client.post("/login", data={"username": "bureau", "password": PASSWORD})
    content = csv_bytes(lots(3000))
    page = client.post("/imports/opening_stock/preview", headers=BROWSER, follow_redirects=True,
                       data={"file": (io.BytesIO(content), "many.csv")},
                       content_type="multipart/form-data")
    assert page.status_code == 200 and "文件过大" in page.get_data(as_text=True)


def test_a_request_body_past_the_limit_is_answered_413(app, client, world):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    content = csv_bytes(OPENING) + b"#" * 20_000
    with nothing_changes(db.session):
        assert_refused(post(client, world, PREVIEW, content, "o.csv"), 413, "too_large")
        response = client.post("/api/v1/receipts", headers=world.headers("admin"),
                               json={"depot": "XZ-01", "item": "SH-TENT-12", "quantity": 1,
                                     "note": "x" * 20_000})
        assert_refused(response, 413, "too_large")
