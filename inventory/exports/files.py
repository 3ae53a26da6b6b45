"""An export as a file: its name, content type and bytes in the order they are sent."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext

from inventory import clock
from inventory.db import utcnow
from inventory.errors import InvalidInput
from inventory.exports import csvfile, pdffile, queries, xlsxfile
from inventory.exports.queries import LedgerFilter

FORMATS = {"csv": "text/csv; charset=utf-8", "xlsx": xlsxfile.MIMETYPE,
           "pdf": pdffile.MIMETYPE}


@dataclass
class Export:
    filename: str
    mimetype: str
    chunks: Iterator[bytes]


def headers() -> list[str]:
    """The column headings in the language of the request (Chinese by default)."""
    return [gettext("台账行号"), gettext("发生时间（%(zone)s）", zone=clock.TIMEZONE.key),
            gettext("储备库"), gettext("物资"), gettext("批次"), gettext("类型"), gettext("数量"),
            gettext("结存"), gettext("单价（元）"), gettext("金额（元）"), gettext("单据号"),
            gettext("经办人"), gettext("原因"), gettext("本行哈希")]


def filename(flt: LedgerFilter, exported_at: datetime, fmt: str) -> str:
    """Name the file by what it covers and when it was made: ledger-20261205-2130.csv."""
    made = clock.format_local(exported_at, "%Y%m%d-%H%M%S")
    # Codes go into a header, which holds ASCII only.
    parts = [re.sub(r"[^A-Za-z0-9_.-]", "_", value) for value in (flt.depot, flt.item, flt.kind)
             if value]
    return "-".join(["ledger", *parts, made]) + f".{fmt}"


def covers(flt: LedgerFilter, exported_at: datetime) -> str:
    """What the export covers and when it was made, as printed on every page."""
    return gettext("筛选：%(filter)s · 导出时间 %(time)s（%(zone)s）", filter=flt.describe(),
                   time=clock.format_local(exported_at, "%Y-%m-%d %H:%M:%S"),
                   zone=clock.TIMEZONE.key)


def export(session, flt: LedgerFilter, fmt: str, *, exported_at: datetime | None = None,
           batch: int = queries.BATCH) -> Export:
    """Return the export of the rows the filter covers; CSV and XLSX are produced as they
    are sent.

    :raise InvalidInput: for a PDF of more than ``pdffile.MAX_ROWS`` rows.
    """
    exported_at = exported_at or utcnow()
    name, heads, text = filename(flt, exported_at, fmt), headers(), flt.describe()
    if fmt == "csv":
        chunks = csvfile.chunks(queries.csv_batches(session, flt, batch=batch), heads,
                                exported_at, text)
    elif fmt == "xlsx":
        rows = queries.ledger_rows(session, flt, batch=batch)
        chunks = xlsxfile.chunks(rows, heads, exported_at, text, gettext("台账"),
                                 gettext("校验"))
    else:
        count = queries.count_rows(session, flt)
        if count > pdffile.MAX_ROWS:
            raise InvalidInput(
                f"所选台账有 {count} 行，超过 PDF 打印上限 {pdffile.MAX_ROWS} 行；"
                f"请缩小期间或按储备库、物资筛选，或导出 CSV、Excel。",
                f"The selection has {count} ledger rows, more than the {pdffile.MAX_ROWS} a PDF "
                f"prints; narrow the period, depot or item, or export CSV or Excel.",
                {"format": [f"at most {pdffile.MAX_ROWS} rows in a PDF"]})
        rows = list(queries.ledger_rows(session, flt, batch=batch))
        csv_bytes = b"".join(csvfile.chunks(csvfile.batches_of(rows), heads, exported_at,
                                            text))
        chunks = iter([pdffile.document(rows, heads, exported_at, text,
                                        gettext("库存台账"), covers(flt, exported_at),
                                        csv_bytes)])
    return Export(name, FORMATS[fmt], chunks)
