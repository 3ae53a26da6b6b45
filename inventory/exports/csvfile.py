"""The ledger as CSV: UTF-8 with a byte-order mark (so Excel opens Chinese text correctly),
a header, the rows, the trailer, and a last line holding the SHA-256 of everything above it."""

import csv
import hashlib
import io
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice

from inventory.exports.trailer import MARK, RowDigest, Trailer

BOM = "\ufeff".encode()
#: rows written per chunk sent to the client
CHUNK_ROWS = 2_000


def _csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode()


def chunks(rows: Iterable[list[str]], headers: list[str], exported_at: datetime,
           filter_text: str) -> Iterator[bytes]:
    """Yield the CSV file in pieces: the header at once, then the rows a chunk at a time."""
    file_sha, digest = hashlib.sha256(), RowDigest()

    def send(data: bytes) -> bytes:
        file_sha.update(data)
        return data

    yield send(BOM + _csv_bytes([headers]))
    rows = iter(rows)
    while batch := list(islice(rows, CHUNK_ROWS)):
        yield send(digest.lines(batch))
    yield send(_csv_bytes(Trailer.of(exported_at, filter_text, digest).lines()))
    yield _csv_bytes([[f"{MARK}file_sha256", file_sha.hexdigest()]])


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
