"""The export writers stream: the first bytes leave before the rows are read, and a writer
never holds more than a chunk of rows."""

import io
from datetime import UTC, datetime
from itertools import count

from openpyxl import load_workbook

from inventory.exports import csvfile, xlsxfile
from inventory.exports.trailer import RowDigest

MOMENT = datetime(2026, 6, 30, 10, 0, tzinfo=UTC)
HEADERS = [f"h{n}" for n in range(14)]


def endless_rows(taken: list):
    for n in count(1):
        taken.append(n)
        yield [str(n), "2026-06-30 18:00:00+08:00", "XZ-01", "SH-TENT-12", "L1", "issue", "-1",
               "5", "", "", "", "admin", "理由, \"引号\"", "a" * 64]


def test_the_csv_header_leaves_before_any_row_is_read():
    taken = []
    stream = csvfile.chunks(csvfile.batches_of(endless_rows(taken)), HEADERS, MOMENT, "*")
    assert next(stream).startswith(b"\xef\xbb\xbfh0,h1")
    assert taken == []
    next(stream)
    assert len(taken) <= csvfile.CHUNK_ROWS + 1


def test_the_workbook_leaves_a_chunk_at_a_time():
    taken = []
    stream = xlsxfile.chunks(endless_rows(taken), HEADERS, MOMENT, "*", "台账", "校验")
    first = next(stream)
    assert first.startswith(b"PK") and len(taken) <= xlsxfile.CHUNK_ROWS + 1


def test_rows_read_back_from_the_workbook_digest_as_the_csv_lines_do():
    rows = [[str(n), "2026-06-30 18:00:00+08:00", "XZ-01", "SH-TENT-12", "0012", "receipt", "3",
             "3", "12.50", "37.50", "RK-1", "admin", "", "b" * 64] for n in range(1, 6)]
    data = b"".join(xlsxfile.chunks(iter(rows), HEADERS, MOMENT, "*", "台账", "校验",
                                    sheet_rows=2))
    book = load_workbook(io.BytesIO(data), read_only=True)
    assert book.sheetnames == ["台账", "台账 2", "台账 3", "校验"]
    back = list(xlsxfile.lines(io.BytesIO(data)))
    assert back[:5] == rows
    written, read = RowDigest(), RowDigest()
    written.lines(rows)
    read.lines(back[:5])
    assert read.hexdigest() == written.hexdigest()
    trailer = {line[0]: line[1] for line in back[5:]}
    assert trailer["#rows"] == "5" and trailer["#rows_sha256"] == written.hexdigest()
