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


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_MONEY = {COLUMNS.index("unit_cost"), COLUMNS.index("value")}


def lines(source) -> Iterator[list[str]]:
    """Yield the rows of an XLSX export (every ledger sheet, without headers), then its
    trailer, as text cells the way ``queries.cells`` writes them.

    The sheets are parsed as they are read (openpyxl takes about half a millisecond a row,
    minutes for a million); shared strings, which a spreadsheet program writes when it saves
    the file again, are read too.
    """
    with zipfile.ZipFile(source) as archive:
        strings = _shared_strings(archive)
        for path in _sheet_paths(archive):
            first = True
            for values in _sheet_rows(archive, path, strings):
                if first:
                    first = False
                    if not (values and values[0].startswith("#")):
                        continue  # the headings
                    yield values
                    continue
                yield values


def _sheet_paths(archive: zipfile.ZipFile) -> list[str]:
    from xml.etree import ElementTree

    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target") for rel in rels.iter(_PKG_REL)}
    paths = []
    for sheet in book.iter(f"{_MAIN}sheet"):
        target = targets[sheet.get(_DOC_REL)]
        paths.append(target.lstrip("/") if target.startswith("/") else f"xl/{target}")
    return paths


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    from xml.etree import ElementTree

    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in item.iter(f"{_MAIN}t"))
            for item in root.iter(f"{_MAIN}si")]


def _column(reference: str | None, default: int) -> int:
    if not reference:
        return default
    number = 0
    for char in reference:
        if not char.isalpha():
            break
        number = number * 26 + ord(char.upper()) - 64
    return number - 1


def _sheet_rows(archive: zipfile.ZipFile, path: str, strings: list[str]) -> Iterator[list[str]]:
    from xml.etree import ElementTree

    with archive.open(path) as handle:
        for _event, element in ElementTree.iterparse(handle):
            if element.tag != f"{_MAIN}row":
                continue
            values: dict[int, str] = {}
            for n, cell in enumerate(element.iter(f"{_MAIN}c")):
                values[_column(cell.get("r"), n)] = _value(cell, strings)
            element.clear()
            width = max(values, default=-1) + 1
            row = [values.get(n, "") for n in range(width)]
            yield [_canonical(value, n) for n, value in enumerate(row)]


def _value(cell, strings: list[str]) -> str:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{_MAIN}t"))
    found = cell.find(f"{_MAIN}v")
    text = found.text if found is not None and found.text is not None else ""
    if kind == "s" and text:
        return strings[int(text)]
    return text if kind in ("str", "e", "b") else f"\0{text}" if text else ""


def _canonical(value: str, column: int) -> str:
    """A cell as ``queries.cells`` writes it; numbers are marked by a leading NUL."""
    if not value.startswith("\0"):
        return value
    number = value[1:]
    if column in _MONEY and not number.startswith("#"):
        return f"{float(number):.2f}"
    try:
        as_float = float(number)
    except ValueError:
        return number
    return str(int(as_float)) if as_float.is_integer() and "e" not in number.lower() \
        and abs(as_float) < 2 ** 53 else number
