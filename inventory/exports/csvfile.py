"""The ledger as CSV: UTF-8 with a byte-order mark (so Excel opens Chinese text correctly),
a header, the rows, the trailer, and a last line holding the SHA-256 of everything above it."""

import csv
import hashlib
import io
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice

from inventory.exports.queries import csv_lines
from inventory.exports.trailer import MARK, RowDigest, Trailer

BOM = "\ufeff".encode()
#: rows written per chunk sent to the client
CHUNK_ROWS = 2_000


def batches_of(rows: Iterable[list[str]]) -> Iterator[tuple[bytes, int, str, str]]:
    """Rows of text cells as the batches ``chunks`` takes."""
    rows = iter(rows)
    while batch := list(islice(rows, CHUNK_ROWS)):
        yield csv_lines(batch), len(batch), batch[-1][0], batch[-1][-1]


def chunks(batches: Iterable[tuple[bytes, int, str, str]], headers: list[str],
           exported_at: datetime, filter_text: str) -> Iterator[bytes]:
    """Yield the CSV file in pieces: the header at once, then the rows a batch at a time
    (``queries.csv_batches``: the lines, how many, the last row's id and hash), the
    trailer, and the SHA-256 of all that."""
    file_sha, digest = hashlib.sha256(), RowDigest()

    def send(data: bytes) -> bytes:
        file_sha.update(data)
        return data

    yield send(BOM + csv_lines([headers]))
    for data, count, last_id, last_hash in batches:
        digest.add(data, count, last_id, last_hash)
        yield send(data)
    yield send(csv_lines(Trailer.of(exported_at, filter_text, digest).lines()))
    yield csv_lines([[f"{MARK}file_sha256", file_sha.hexdigest()]])


def file_problems(path) -> list[str]:
    """Check the last line's SHA-256 against the bytes above it; return what is wrong.

    A file saved again by a spreadsheet program fails this check; its rows can still be
    compared with the ledger.
    """
    with open(path, "rb") as handle:
        handle.seek(0, io.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 4096))
        tail = handle.read()
        body = tail.rstrip(b"\r\n")
        cut = size - len(tail) + body.rfind(b"\n") + 1
        last = next(csv.reader([body[body.rfind(b"\n") + 1:].decode("utf-8", "replace")]), [])
        if last[:1] != [f"{MARK}file_sha256"] or len(last) < 2:
            return ["the file's last line does not hold its SHA-256"]
        handle.seek(0)
        sha, left = hashlib.sha256(), cut
        while left > 0 and (block := handle.read(min(left, 1 << 20))):
            sha.update(block)
            left -= len(block)
    if sha.hexdigest() != last[1]:
        return ["the file's SHA-256 does not match its contents (changed since export)"]
    return []


def lines(path) -> Iterator[list[str]]:
    """Yield a CSV export's lines after the header: rows, then the trailer."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        yield from reader


def lines_of(data: bytes) -> Iterator[list[str]]:
    """Yield the lines after the header of a CSV export held in memory."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    next(reader, None)
    yield from reader
