"""Whether an export an auditor holds still matches the ledger: the file's own digests, then
every row against the ledger row of the same id, cell by cell."""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice

from inventory.exports import csvfile, pdffile, queries, xlsxfile
from inventory.exports.queries import COLUMNS
from inventory.exports.trailer import MARK, RowDigest, Trailer

#: rows compared with the ledger per query
BATCH = 1_000
#: differences listed; the count is always whole
MAX_LISTED = 200


@dataclass
class ExportCheck:
    format: str
    rows_checked: int = 0
    problems: list[str] = field(default_factory=list)
    #: ids of the rows that differ from the ledger (or are not in it), in file order
    differing_rows: list[int] = field(default_factory=list)
    differences: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and not self.differences

    def differ(self, row_id: int | None, text: str) -> None:
        self.differences += 1
        if row_id is not None and row_id not in self.differing_rows[-1:]:
            self.differing_rows.append(row_id)
        if self.differences <= MAX_LISTED:
            self.problems.append(text)


def sniff(path) -> str:
    """Return the file's format by its first bytes."""
    with open(path, "rb") as handle:
        start = handle.read(5)
    if start.startswith(b"%PDF"):
        return "pdf"
    if start.startswith(b"PK"):
        return "xlsx"
    return "csv"


def _sha_line_matches(data: bytes) -> bool:
    body = data.rstrip(b"\r\n")
    cut = body.rfind(b"\n") + 1
    last = body[cut:].decode("utf-8", "replace").split(",")
    return (last[0] == f"{MARK}file_sha256" and len(last) > 1
            and hashlib.sha256(data[:cut]).hexdigest() == last[1].strip())


def _lines(path, check: ExportCheck) -> Iterator[list[str]]:
    if check.format == "csv":
        check.problems += csvfile.file_problems(path)
        return csvfile.lines(path)
    if check.format == "xlsx":
        return xlsxfile.lines(path)
    data = pdffile.attached_csv(path)
    if data is None:
        check.problems.append("the PDF holds no attached export to check")
        return iter(())
    if not _sha_line_matches(data):
        check.problems.append("the attached CSV's SHA-256 does not match its contents")
    return csvfile.lines_of(data)


def verify_export(session, path) -> ExportCheck:
    """Check an export file against its own digests and against the ledger."""
    check = ExportCheck(sniff(path))
    try:
        lines = _lines(path, check)
        digest, trailer_lines = RowDigest(), []
        rows = (line for line in lines if not _trailer(line, trailer_lines))
        while batch := list(islice(rows, BATCH)):
            _compare(session, batch, check)
            digest.lines(batch)
    except Exception as error:  # a file that is not an export at all: say so, never crash
        check.problems.append(f"the file cannot be read as a ledger export ({error})")
        return check
    _check_trailer(Trailer.read(trailer_lines), digest, check)
    return check


def _trailer(line: list[str], found: list) -> bool:
    if line and line[0].startswith(MARK):
        found.append(line)
        return True
    return False


def _compare(session, batch: list[list[str]], check: ExportCheck) -> None:
    ids = []
    for line in batch:
        if len(line) < len(COLUMNS) or not line[0].isdigit():
            check.differ(None, f"a line is not a ledger row: {','.join(line)[:80]}")
            continue
        ids.append(int(line[0]))
    ledger = queries.rows_by_id(session, ids)
    for line in batch:
        if len(line) < len(COLUMNS) or not line[0].isdigit():
            continue
        check.rows_checked += 1
        row_id = int(line[0])
        truth = ledger.get(row_id)
        if truth is None:
            check.differ(row_id, f"row {row_id}: not in the ledger")
            continue
        if tuple(line[:len(COLUMNS)]) == tuple(truth):
            continue
        for column, got, want in zip(COLUMNS, line, truth, strict=False):
            if got != want:
                check.differ(row_id, f"row {row_id}: {column} is {got!r} in the file, "
                                     f"{want!r} in the ledger")


def _check_trailer(trailer: dict, digest: RowDigest, check: ExportCheck) -> None:
    if "rows_sha256" not in trailer or "last_row" not in trailer:
        check.problems.append("the file has no trailer (rows, last row, SHA-256)")
        return
    if trailer.get("rows", [""])[0] != str(digest.rows):
        check.problems.append(f"the trailer counts {trailer['rows'][0]} rows, the file holds "
                              f"{digest.rows}")
    last = (trailer["last_row"] + ["", ""])[:2]
    if last != [digest.last_id, digest.last_hash]:
        check.problems.append(f"the trailer's last row {last[0]} ({last[1][:12]}…) is not the "
                              f"file's last row {digest.last_id}")
    if trailer["rows_sha256"][0] != digest.hexdigest():
        check.problems.append("the rows' SHA-256 does not match the trailer's "
                              "(rows changed, added or removed since export)")


def describe(check: ExportCheck, path) -> str:
    """Return the check as text for the command line."""
    head = f"{path} ({check.format}): {check.rows_checked} rows compared with the ledger"
    if check.ok:
        return head + " — matches the ledger."
    lines = [head + f" — does NOT match: {check.differences} difference(s)"
             + (f" in rows {', '.join(map(str, check.differing_rows[:20]))}"
                if check.differing_rows else "")]
    lines += [f"  - {problem}" for problem in check.problems]
    if check.differences > MAX_LISTED:
        lines.append(f"  … and {check.differences - MAX_LISTED} more")
    return "\n".join(lines)
