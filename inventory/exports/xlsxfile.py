"""The ledger as an XLSX workbook, written as it streams.

openpyxl's write-only mode keeps memory flat but sends nothing until the whole workbook is
saved, so a million rows would keep the client waiting a minute for the first byte. This
writer puts the sheets' XML straight into a ZIP archive that is written to the response as
it grows (``zipfile`` writes to a stream it cannot seek with data descriptors), and writes
the parts that list the sheets last. A new sheet starts before Excel's row limit.
"""

import re
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice
from xml.sax.saxutils import escape

from inventory.exports.queries import COLUMNS, NUMERIC
from inventory.exports.trailer import RowDigest, Trailer

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Excel's rows per sheet (1,048,576) less the header row
SHEET_ROWS = 1_048_575
#: bytes of XML a sheet may hold before a new sheet starts: a ZIP entry of unknown size must
#: stay under 4 GiB unless it is declared ZIP64 up front, which some readers refuse
SHEET_BYTES = 3_000_000_000
CHUNK_ROWS = 2_000
_LETTERS = [chr(ord("A") + n) for n in range(len(COLUMNS))]
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_SHEET_HEAD = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_NS}>'
               '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
               'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
               '<sheetFormatPr defaultRowHeight="15"/><sheetData>')
_SHEET_TAIL = "</sheetData></worksheet>"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_FIRST_PARTS = {
    "[Content_Types].xml":
        f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName='
        '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
    "_rels/.rels":
        f'{_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        '</Relationships>',
    "xl/styles.xml":
        f'{_HEAD}<styleSheet {_NS}><fonts count="2"><font><sz val="11"/><name val="Calibri"/>'
        '</font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2">'
        '<fill><patternFill patternType="none"/></fill><fill><patternFill patternType='
        '"gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/>'
        '<diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" '
        'fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" '
        'fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" '
        'borderId="0" xfId="0" applyFont="1"/></cellXfs><cellStyles count="1"><cellStyle '
        'name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>',
}


class _Sink:
    """A write-only file that collects what the archive writes until it is taken."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def _text(value: str) -> str:
    return escape(_CONTROL.sub("", value))


def _row(number: int, cells: list[str], numeric: list[bool], *, style: int = 0) -> str:
    out = [f'<row r="{number}">']
    s = f' s="{style}"' if style else ""
    for letter, value, is_number in zip(_LETTERS, cells, numeric, strict=False):
        if value == "":
            continue
        if is_number:
            out.append(f'<c r="{letter}{number}"{s}><v>{value}</v></c>')
        else:
            out.append(f'<c r="{letter}{number}" t="inlineStr"{s}><is><t xml:space="preserve">'
                       f"{_text(value)}</t></is></c>")
    out.append("</row>")
    return "".join(out)


class _Workbook:
    def __init__(self, sink: _Sink):
        self.archive = zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.sheets: list[str] = []
        self.entry = None
        # The parts that do not depend on how many sheets follow go first, the content
        # types among them, as readers expect; sheets are worksheets by their extension.
        for name, text in _FIRST_PARTS.items():
            self.archive.writestr(name, text.encode())

    def start_sheet(self, title: str, width: list[float]) -> None:
        self.end_sheet()
        self.sheets.append(title)
        self.entry = self.archive.open(f"xl/worksheets/sheet{len(self.sheets)}.xml", "w")
        columns = "".join(f'<col min="{n}" max="{n}" width="{w}" customWidth="1"/>'
                          for n, w in enumerate(width, 1))
        self.write(_SHEET_HEAD.replace("<sheetData>", f"<cols>{columns}</cols><sheetData>"))

    def write(self, text: str) -> int:
        data = text.encode()
        self.entry.write(data)
        return len(data)

    def end_sheet(self) -> None:
        if self.entry is not None:
            self.write(_SHEET_TAIL)
            self.entry.close()
            self.entry = None

    def close(self) -> None:
        self.end_sheet()
        count = len(self.sheets)
        sheets = "".join(f'<sheet name="{escape(title)}" sheetId="{n}" r:id="rId{n}"/>'
                         for n, title in enumerate(self.sheets, 1))
        rels = "".join(f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/'
                       f'officeDocument/2006/relationships/worksheet" '
                       f'Target="worksheets/sheet{n}.xml"/>' for n in range(1, count + 1))
        parts = {
            "xl/workbook.xml": f"{_HEAD}<workbook {_NS} {_REL_NS}><sheets>{sheets}</sheets>"
                               "</workbook>",
            "xl/_rels/workbook.xml.rels":
                f'{_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                f'relationships">{rels}<Relationship Id="rId{count + 1}" Type="http://'
                'schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
                'Target="styles.xml"/></Relationships>',
        }
        for name, text in parts.items():
            self.archive.writestr(name, text.encode())
        self.archive.close()


#: column widths in characters, in the order of ``COLUMNS``
WIDTHS = [10, 26, 10, 14, 16, 12, 10, 10, 10, 12, 18, 12, 30, 66]


def chunks(rows: Iterable[list[str]], headers: list[str], exported_at: datetime,
           filter_text: str, sheet_title: str, trailer_title: str, *,
           sheet_rows: int = SHEET_ROWS) -> Iterator[bytes]:
    """Yield the workbook in pieces: the ledger on as many sheets as it needs (each with the
    header), then a sheet holding the trailer."""
    sink, digest = _Sink(), RowDigest()
    book = _Workbook(sink)
    numeric = [column in NUMERIC for column in COLUMNS]
    rows = iter(rows)
    in_sheet = sheet_bytes = 0
    while True:
        if not book.sheets or in_sheet >= sheet_rows or sheet_bytes >= SHEET_BYTES:
            number = len(book.sheets) + 1
            book.start_sheet(sheet_title if number == 1 else f"{sheet_title} {number}", WIDTHS)
            sheet_bytes = book.write(_row(1, headers, [False] * len(headers), style=1))
            in_sheet = 0
        batch = list(islice(rows, min(CHUNK_ROWS, sheet_rows - in_sheet)))
        if not batch:
            break
        digest.lines(batch)
        sheet_bytes += book.write("".join(_row(in_sheet + n, cells, numeric)
                                          for n, cells in enumerate(batch, 2)))
        in_sheet += len(batch)
        yield sink.take()
    book.start_sheet(trailer_title, [16, 66, 66])
    trailer = Trailer.of(exported_at, filter_text, digest).lines()
    book.write("".join(_row(n, line, [False] * len(line)) for n, line in enumerate(trailer, 1)))
    book.close()
    yield sink.take()


def lines(source) -> Iterator[list[str]]:
    """Yield the rows of an XLSX export (every ledger sheet, without headers), then its
    trailer, as text cells the way ``queries.cells`` writes them."""
    from openpyxl import load_workbook

    book = load_workbook(source, read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:
            first = True
            for values in sheet.iter_rows(values_only=True):
                if first:
                    first = False
                    if values and str(values[0] or "").startswith("#"):
                        yield [_cell(value, False) for value in values]
                    continue
                yield [_cell(value, COLUMNS[n] in ("unit_cost", "value") if n < len(COLUMNS)
                             else False) for n, value in enumerate(values)]
    finally:
        book.close()


def _cell(value, money: bool) -> str:
    if value is None:
        return ""
    if money and isinstance(value, int | float):
        return f"{value:.2f}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
