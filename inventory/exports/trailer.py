"""What every export carries about itself: when it was made, its filter, how many rows, the
last row's id and hash, and the SHA-256 of its rows.

The rows' digest is the SHA-256 of the rows written as CSV (UTF-8, CRLF, the cells exactly as
``queries.cells`` gives them), so the same rows give the same digest whether they travel as
CSV, XLSX or PDF, and a file read back is checked by writing its rows again.
"""

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import datetime

from inventory import clock

#: the first cell of the lines (or rows) that describe an export rather than hold a row
MARK = "#"
FORMAT = "ledger-export/1"


class RowDigest:
    """The SHA-256 of rows as CSV lines, and each line's text for a writer that wants it."""

    def __init__(self):
        self.sha = hashlib.sha256()
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")
        self.rows = 0
        self.last_id = ""
        self.last_hash = ""

    def lines(self, rows: list[list[str]]) -> bytes:
        """Digest a batch of rows; return them as CSV bytes."""
        self._writer.writerows(rows)
        data = self._buffer.getvalue().encode()
        self._buffer.seek(0)
        self._buffer.truncate()
        self.sha.update(data)
        if rows:
            self.rows += len(rows)
            self.last_id, self.last_hash = rows[-1][0], rows[-1][-1]
        return data

    def add(self, data: bytes, rows: int, last_id: str, last_hash: str) -> None:
        """Digest rows already written as CSV lines."""
        self.sha.update(data)
        if rows:
            self.rows += rows
            self.last_id, self.last_hash = last_id, last_hash

    def hexdigest(self) -> str:
        return self.sha.hexdigest()


@dataclass
class Trailer:
    """An export's description of itself, as (key, value…) lines."""

    exported_at: datetime
    filter: str
    rows: int = 0
    last_id: str = ""
    last_hash: str = ""
    rows_sha256: str = ""
    extra: dict = field(default_factory=dict)

    @classmethod
    def of(cls, exported_at: datetime, filter_text: str, digest: RowDigest) -> "Trailer":
        return cls(exported_at, filter_text, digest.rows, digest.last_id, digest.last_hash,
                   digest.hexdigest())

    def lines(self) -> list[list[str]]:
        """The trailer as rows whose first cell starts with ``#``."""
        return [[f"{MARK}format", FORMAT],
                [f"{MARK}exported_at", clock.local_time(self.exported_at)
                 .isoformat(" ", "seconds")],
                [f"{MARK}filter", self.filter],
                [f"{MARK}rows", str(self.rows)],
                [f"{MARK}last_row", self.last_id, self.last_hash],
                [f"{MARK}rows_sha256", self.rows_sha256]]

    @staticmethod
    def read(lines: list[list[str]]) -> dict[str, list[str]]:
        """Return the trailer's lines by key (without the ``#``)."""
        return {line[0][len(MARK):]: [cell for cell in line[1:]] for line in lines
                if line and line[0].startswith(MARK)}
