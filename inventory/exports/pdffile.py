"""The ledger as an A4 landscape PDF: the filter and the export time at the top of every page,
page numbers, the rows grouped by day, the trailer on the last page; the same export as CSV
travels inside as an attached file, which ``verify-export`` checks.

A PDF is laid out whole before its first byte, so it is for a period an auditor prints:
larger exports are refused with a pointer to CSV or XLSX.
"""

import io
from datetime import datetime

from flask_babel import gettext
from pypdf import PdfReader, PdfWriter

from inventory.documents.layout import Column
from inventory.exports.trailer import RowDigest, Trailer
from inventory.reports.pdf import Printed, render

MIMETYPE = "application/pdf"
#: the most rows a PDF prints (about 200 pages)
MAX_ROWS = 5_000
#: rows under one heading before it repeats, so that no table runs over many pages
GROUP_ROWS = 200
ATTACHMENT = "ledger-export.csv"
#: widths of the columns in points (scaled to the page), in the order of ``queries.COLUMNS``:
#: the time, a lot code and half a hash fit on one line at the reports' font size
WIDTHS = [30, 70, 38, 60, 64, 45, 30, 30, 40, 46, 50, 40, 78, 128]
NUMERIC = {0, 6, 7, 8, 9}


def document(rows: list[list[str]], headers: list[str], exported_at: datetime,
             filter_text: str, title: str, covers: str, csv_bytes: bytes) -> bytes:
    """Return the PDF of the rows, with ``csv_bytes`` (the same export as CSV) attached."""
    digest = RowDigest()
    digest.lines(rows)
    trailer = Trailer.of(exported_at, filter_text, digest)
    printed = Printed(title, covers, [Column(header, width, numeric=n in NUMERIC)
                                      for n, (header, width) in enumerate(zip(headers, WIDTHS,
                                                                              strict=True))],
                      footer=covers)
    day, in_group = None, 0
    for cells in rows:
        when = cells[1][:10]
        if when != day or in_group >= GROUP_ROWS:
            printed.heading(when if when != day else gettext("%(day)s（续）", day=when))
            day, in_group = when, 0
        printed.rows.append(_printed(cells))
        in_group += 1
    printed.notes = [
        gettext("共 %(rows)s 行。最后一行：%(id)s，哈希 %(hash)s。", rows=trailer.rows,
                id=trailer.last_id or "—", hash=trailer.last_hash or "—"),
        gettext("各行内容的 SHA-256：%(sha)s（按 CSV 逐行计算，与同一筛选导出的 CSV、Excel 相同）。"
                "本文件内附同一导出的 CSV（%(name)s），可用 verify-export 核对。",
                sha=trailer.rows_sha256, name=ATTACHMENT)]
    return _attach(render(printed), csv_bytes, trailer)


def _printed(cells: list[str]) -> list[str]:
    """A row as printed: the time without its offset (the header names the zone), the hash
    over two lines."""
    printed = list(cells)
    printed[1] = cells[1][:19]
    printed[-1] = f"{cells[-1][:32]}\n{cells[-1][32:]}"
    return printed


def _attach(pdf: bytes, csv_bytes: bytes, trailer: Trailer) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.add_attachment(ATTACHMENT, csv_bytes)
    writer.add_metadata({"/Subject": f"rows={trailer.rows} last_row={trailer.last_id} "
                                     f"last_hash={trailer.last_hash}",
                         "/Keywords": f"rows_sha256={trailer.rows_sha256}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def attached_csv(source) -> bytes | None:
    """Return the CSV attached to an exported PDF, or None when it has none."""
    reader = PdfReader(source)
    found = reader.attachments.get(ATTACHMENT)
    return found[0] if found else None
