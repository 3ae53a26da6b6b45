"""Bringing a bureau's spreadsheets in: read XLSX or CSV, check every row, then write all or
nothing.

``preview`` reads and checks a file without writing; ``commit`` does the same and, when no
row has an error, writes every row in one transaction. Opening stock is received as receipts
with reference "期初", each row under a key made from its contents, so importing the same
file again finds its rows already imported and doubles nothing.
"""

import csv
import hashlib
import io
import itertools
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select

from inventory import audit
from inventory.auth.permissions import ensure_role
from inventory.base import N_
from inventory.catalogue.models import Item
from inventory.contracts import services as contracts
from inventory.contracts.models import Agreement, CapacityReserve
from inventory.errors import DomainError, InvalidInput, NotFound
from inventory.geo.models import Area, Depot
from inventory.imports.columns import KINDS, Column
from inventory.readiness import services as readiness
from inventory.shelters import services as shelters
from inventory.shelters.models import Shelter
from inventory.stock import bulk
from inventory.stock import services as stock
from inventory.stock.models import Movement
from inventory.uow import unit_of_work
from inventory.values import MAX_WHOLE, bad_character

#: who may import
IMPORTERS = ("admin", "bureau")
#: what a row will do, for the pages
ACTION_LABELS = {"create": N_("新增"), "update": N_("更新"), "already imported": N_("已导入过"),
                 "unchanged": N_("无变化")}
OPENING = "期初"
#: the defaults of IMPORT_MAX_ROWS, IMPORT_MAX_MB and IMPORT_MAX_UNPACKED_MB: a county's
#: spreadsheets are far smaller, and a file past them would hold a worker for seconds
MAX_ROWS = 50_000
MAX_MB = 5
MAX_UNPACKED_MB = 50


class FileTooLarge(DomainError):
    code = "too_large"
    status = 413


@dataclass(frozen=True)
class Limits:
    """The most an import reads (IMPORT_MAX_ROWS, IMPORT_MAX_MB, IMPORT_MAX_UNPACKED_MB)."""

    rows: int = MAX_ROWS
    bytes: int = MAX_MB * 1024 * 1024
    unpacked_bytes: int = MAX_UNPACKED_MB * 1024 * 1024

    @classmethod
    def of(cls, config) -> "Limits":
        """Take the limits from the app's settings."""
        return cls(int(config["IMPORT_MAX_ROWS"]),
                   int(float(config["IMPORT_MAX_MB"]) * 1024 * 1024),
                   int(float(config["IMPORT_MAX_UNPACKED_MB"]) * 1024 * 1024))


def read_upload(stream, limits: Limits = Limits()) -> bytes:
    """Read an uploaded file, no more than the import limit allows.

    :raise FileTooLarge: when the file is larger than IMPORT_MAX_MB.
    """
    data = stream.read(limits.bytes + 1)
    _check_size(len(data), limits.bytes)
    return data


def _check_size(size: int, most: int) -> None:
    if size > most:
        mb = f"{round(most / 1024 / 1024, 2):g}"
        raise FileTooLarge(f"文件过大：导入文件最大 {mb} MB，请分成几个文件。",
                           f"The file is too large: imports take at most {mb} MB; split it.",
                           {"file": [f"at most {mb} MB"]})


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str
    message_en: str


@dataclass
class Preview:
    kind: str
    rows: list[tuple[int, dict]] = field(default_factory=list)
    actions: list[tuple[int, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for _row, action in self.actions:
            found[action] = found.get(action, 0) + 1
        return found


class ImportRejected(InvalidInput):
    """A file with errors: nothing was written."""

    code = "import_rejected"

    def __init__(self, preview: Preview):
        super().__init__(f"文件中有 {len(preview.errors)} 处错误，未导入任何数据。",
                         f"The file has {len(preview.errors)} error(s); nothing was imported.",
                         {"rows": [{"row": e.row, "column": e.column, "message": e.message,
                                    "message_en": e.message_en}
                                   for e in preview.errors[:500]]})
        self.preview = preview


def kind_columns(kind: str) -> list[Column]:
    """:raise NotFound: for an unknown import kind."""
    if kind not in KINDS:
        raise NotFound(f"不支持导入 {kind}。", f"There is no import of {kind}; one of "
                       f"{', '.join(KINDS)}.")
    return KINDS[kind][1]


# -- templates ---------------------------------------------------------------

def template_xlsx(kind: str) -> bytes:
    """An Excel template: Chinese headers, the English keys beneath, one example row."""
    columns = kind_columns(kind)
    book = Workbook()
    sheet = book.active
    sheet.title = KINDS[kind][0]
    sheet.append([c.header + ("*" if c.required else "") for c in columns])
    sheet.append([c.example for c in columns])
    for index, column in enumerate(columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(12, len(column.header) * 2 + 4)
        if column.choices:
            rule = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"')
            rule.add(f"{letter}2:{letter}{MAX_ROWS}")
            sheet.add_data_validation(rule)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template_csv(kind: str) -> bytes:
    """A CSV template (UTF-8 with BOM, so that Excel opens it in Chinese)."""
    columns = kind_columns(kind)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header + ("*" if c.required else "") for c in columns])
    writer.writerow([c.example for c in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# -- reading -----------------------------------------------------------------

def read_cells(data: bytes, filename: str, limits: Limits):
    """Yield the first sheet's rows, one at a time, so that reading can stop at the limit.

    :raise FileTooLarge: when a workbook unpacks to more than IMPORT_MAX_UNPACKED_MB or says
        it has more rows than the limit.
    """
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")):
        return _workbook_rows(data, limits)
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise InvalidInput("CSV 文件编码无法识别（请用 UTF-8 或 GBK）。",
                               "The CSV encoding is not UTF-8 or GBK.", {"file": ["encoding"]})
        return csv.reader(io.StringIO(text))
    raise InvalidInput("请上传 .xlsx 或 .csv 文件。", "Upload an .xlsx or .csv file.",
                       {"file": ["xlsx or csv"]})


def _workbook_rows(data: bytes, limits: Limits):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile as error:
        raise InvalidInput("无法读取该 Excel 文件。", f"The workbook cannot be read ({error}).",
                           {"file": ["not a readable .xlsx"]}) from error
    _check_size(unpacked, limits.unpacked_bytes)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        declared = sheet.max_row  # the sheet's own dimension, read without its rows
    except Exception as error:  # any unreadable workbook: say so, do not fail
        raise InvalidInput("无法读取该 Excel 文件。", f"The workbook cannot be read ({error}).",
                           {"file": ["not a readable .xlsx"]}) from error
    if declared and declared > limits.rows + 1:
        raise _too_many_rows(limits.rows)
    return (list(row) for row in sheet.iter_rows(values_only=True))


def _too_many_rows(max_rows: int) -> FileTooLarge:
    return FileTooLarge(f"行数超过 {max_rows}，请分成几个文件。",
                        f"More than {max_rows} rows; split the file.",
                        {"file": [f"at most {max_rows} rows"]})


def _header_key(cell, columns: list[Column]) -> str | None:
    text = str(cell or "").strip().rstrip("*").strip()
    for column in columns:
        if text in (column.header, column.key):
            return column.key
    return None


#: the largest decimal a cell may hold: no price or amount we keep comes near it
MAX_DECIMAL = Decimal(10**12)


def _parse(value, column: Column):
    """Return the typed value, or raise ValueError with (Chinese, English) messages."""
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        if column.required:
            raise ValueError("必填", "required")
        return None
    if column.type == "int":
        return _parse_int(value)
    if column.type == "decimal":
        return _parse_decimal(value)
    if column.type == "date":
        return _parse_date(value)
    value = str(value)
    if bad_character(value):  # it would be stored, and break every export of it
        raise ValueError("含有控制字符", "contains control characters")
    if column.type == "choice" and value not in column.choices:
        raise ValueError(f"只能为 {'、'.join(column.choices)}",
                         f"one of {', '.join(column.choices)}")
    return value


def _parse_int(value) -> int:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError("须为整数", "must be a whole number") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise ValueError("须为整数", "must be a whole number")
    if abs(number) > MAX_WHOLE:
        raise ValueError("数值过大", "too large")
    return int(number)


def _parse_decimal(value) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError("须为数字", "must be a number") from None
    if not number.is_finite() or abs(number) >= MAX_DECIMAL:
        raise ValueError("须为有限的数字", "must be a finite number of sensible size")
    return number


def _parse_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"):
        try:
            return datetime.strptime(str(value), pattern).date()
        except ValueError:
            continue
    raise ValueError("日期格式应为 2026-03-01", "dates look like 2026-03-01")


def read_rows(kind: str, data: bytes, filename: str, limits: Limits = Limits()) -> Preview:
    """Read a file into typed rows, with an error for every cell that does not fit."""
    columns = kind_columns(kind)
    by_key = {c.key: c for c in columns}
    found = Preview(kind)
    _check_size(len(data), limits.bytes)
    table = read_cells(data, filename, limits)
    header = next(table, None)
    if header is None:
        found.errors.append(RowError(1, "", "文件为空", "the file is empty"))
        return found
    keys = [_header_key(cell, columns) for cell in header]
    for column in columns:
        if column.required and column.key not in keys:
            found.errors.append(RowError(1, column.header, "缺少此列", "column missing"))
    if found.errors:
        return found
    # Reading stops one row past the limit: a sheet of 300,000 rows is refused as soon as the
    # limit is passed, never read whole.
    body = list(itertools.islice(table, limits.rows + 1))
    if len(body) > limits.rows:
        raise _too_many_rows(limits.rows)
    for number, cells in enumerate(body, start=2):
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        found.rows.append((number, _read_row(found, number, cells, keys, by_key)))
    return found


def _read_row(found: Preview, number: int, cells: list, keys: list[str | None],
              by_key: dict[str, Column]) -> dict:
    """One row's typed values by column key; each cell that does not fit adds an error."""
    values = {}
    for key, cell in zip(keys, cells, strict=False):
        if key is None:
            continue
        try:
            values[key] = _parse(cell, by_key[key])
        except ValueError as error:
            zh, en = error.args
            found.errors.append(RowError(number, by_key[key].header, zh, en))
            values[key] = None  # reported once: not "required" as well
    for column in by_key.values():
        if column.key not in values and column.required:
            found.errors.append(RowError(number, column.header, "必填", "required"))
        values.setdefault(column.key, None)
    return values


# -- checking against the database ------------------------------------------------

class _Lookup:
    def __init__(self, session):
        self.areas = {a.code: a for a in session.scalars(select(Area))}
        self.depots = {d.code: d for d in session.scalars(select(Depot))}
        self.items = {i.code: i for i in session.scalars(select(Item))}
        self.shelters = {s.code: s for s in session.scalars(select(Shelter))}
        #: ledger keys of the file's opening-stock rows already imported (``find_imported``)
        self.imported: set[str] = set()

    def find_imported(self, session, found: "Preview") -> None:
        """Note which of the file's opening-stock rows are in the ledger, a chunk at a time."""
        keys = sorted({_row_key(values) for _row, values in found.rows})
        for start in range(0, len(keys), bulk.CHUNK):
            self.imported.update(session.scalars(select(Movement.idempotency_key).where(
                Movement.idempotency_key.in_(keys[start:start + bulk.CHUNK]))))


#: the columns that make a row the same thing as another row of the file
ROW_KEYS = {
    "areas": ("code",), "depots": ("code",), "items": ("code",),
    "agreements": ("number",), "capacity": ("enterprise", "item"),
    "norms": ("item", "season"), "travel_times": ("depot", "area"),
    "shelters": ("code",), "shelter_travel_times": ("depot", "shelter"),
    "opening_stock": ("depot", "item", "lot_code", "manufactured_on", "expires_on", "quantity"),
}


def _key(kind: str, values: dict) -> tuple:
    return tuple(values[k] for k in ROW_KEYS[kind])


def opening_key(values: dict) -> str:
    """The idempotency key of an opening-stock row: the same row always gets the same key."""
    raw = "|".join(str(values.get(k) or "") for k in
                   ("depot", "item", "lot_code", "manufactured_on", "expires_on", "quantity"))
    return "opening:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def _row_key(values: dict) -> str:
    """The ledger key of an opening-stock row's receipt."""
    return stock.movement_key(opening_key(values), 1)


def _check(session, found: Preview) -> None:
    """Add the errors only the database can tell, and what each good row will do."""
    look = _Lookup(session)
    if found.kind == "opening_stock":
        look.find_imported(session, found)
    columns = {c.key: c for c in kind_columns(found.kind)}
    seen: dict[tuple, int] = {}
    bad_rows = {e.row for e in found.errors}

    def error(row, key, zh, en):
        found.errors.append(RowError(row, columns[key].header if key in columns else key, zh, en))

    for row, values in found.rows:
        key = _key(found.kind, values)
        # A row with a cell that did not parse is checked further, but not for repeats.
        if row not in bad_rows:
            if key in seen:
                error(row, next(iter(columns)), f"与第 {seen[key]} 行重复",
                      f"repeats row {seen[key]}")
                continue
            seen[key] = row
        _check_references(found, values, look, row, error)
        _check_shelter_row(found.kind, values, look, row, error)
        _check_numbers_and_dates(values, row, error)
    bad_rows = {e.row for e in found.errors}
    found.actions = [(row, _action(session, look, found.kind, values))
                     for row, values in found.rows if row not in bad_rows]


def _check_references(found: Preview, values: dict, look: _Lookup, row: int, error) -> None:
    """Every depot, item, area, shelter and parent area a row names exists, in the database or
    (areas for depots and parents) earlier in the same file."""
    for field_key, table, zh in (("depot", look.depots, "储备库"), ("item", look.items, "物资"),
                                 ("area", look.areas, "区划"),
                                 ("shelter", look.shelters, "避难场所")):
        if field_key in values and values[field_key] is not None and \
                values[field_key] not in table and not (
                    found.kind == "depots" and field_key == "area"
                    and values[field_key] in _file_codes(found, "code")):
            error(row, field_key, f"未知的{zh}编号 {values[field_key]}",
                  f"unknown {field_key} {values[field_key]}")
    if found.kind == "areas" and values["parent"] and values["parent"] not in look.areas \
            and values["parent"] not in _file_codes(found, "code"):
        error(row, "parent", f"未知的上级区划 {values['parent']}",
              f"unknown parent area {values['parent']}")


def _check_numbers_and_dates(values: dict, row: int, error) -> None:
    """Quantities are positive, other amounts not negative, and periods run forwards."""
    for number_key in ("quantity", "committed_quantity", "max_quantity", "per_person",
                       "rate_per_hour", "hours", "response_hours", "ramp_hours",
                       "capacity_m3", "handling_hours", "unit_price", "unit_cost",
                       "capacity_people", "site_area_m2"):
        value = values.get(number_key)
        strict = number_key in ("quantity", "committed_quantity", "max_quantity",
                                "per_person", "rate_per_hour", "capacity_people")
        if value is not None and (value <= 0 if strict else value < 0):
            error(row, number_key, "须为正数" if strict else "不能为负",
                  "must be positive" if strict else "cannot be negative")
    if values.get("valid_from") and values.get("valid_until") and \
            values["valid_until"] < values["valid_from"]:
        error(row, "valid_until", "有效期止早于起", "ends before it starts")
    if values.get("manufactured_on") and values.get("expires_on") and \
            values["expires_on"] < values["manufactured_on"]:
        error(row, "expires_on", "有效期早于生产日期", "expires before it was made")


def _check_shelter_row(kind: str, values: dict, look: _Lookup, row: int, report) -> None:
    """The rules of shelters and their receiving points that a row can break."""
    def error(key, zh, en):
        report(row, key, zh, en)

    code = values.get("code")
    if kind == "depots" and code in look.shelters:
        error("code", f"{code} 是避难场所的接收点，请在避难场所中修改",
              f"{code} is a shelter's receiving point; change it as a shelter")
    if kind != "shelters":
        if kind == "shelter_travel_times" and values.get("shelter") in look.shelters and \
                look.shelters[values["shelter"]].depot.code == values.get("depot"):
            error("depot", "出发地就是该避难场所的接收点", "the shelter's own receiving point")
        return
    if code in look.depots and code not in look.shelters:
        error("code", f"编号 {code} 已被储备库使用", f"the code {code} is a depot's")
    elif code and not shelters.CODE.fullmatch(code):
        error("code", "编号只能由字母、数字和 - _ . 组成", "letters, digits, - _ . only")
    if (values.get("latitude") is None) != (values.get("longitude") is None):
        error("longitude", "纬度和经度须同时填写", "give both latitude and longitude")
    for key, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
        if values.get(key) is not None and not low <= values[key] <= high:
            error(key, f"须在 {low} 到 {high} 之间", f"between {low} and {high}")
    if values.get("capacity_people") is not None and \
            values["capacity_people"] > shelters.MAX_PEOPLE:
        error("capacity_people", "人数过大", "too many people")


def _file_codes(found: Preview, key: str) -> set:
    return {values.get(key) for _row, values in found.rows}


def _action(session, look: _Lookup, kind: str, values: dict) -> str:
    if kind in ("areas", "depots", "items"):
        table = {"areas": look.areas, "depots": look.depots, "items": look.items}[kind]
        return "update" if values["code"] in table else "create"
    if kind == "opening_stock":
        return "already imported" if _row_key(values) in look.imported else "create"
    if kind == "agreements":
        return "update" if session.scalar(select(Agreement.id).where(
            Agreement.number == values["number"])) else "create"
    if kind == "shelters":
        return "update" if values["code"] in look.shelters else "create"
    if kind == "capacity":
        item = look.items[values["item"]]
        return "update" if session.scalar(select(CapacityReserve.id).where(
            CapacityReserve.enterprise == values["enterprise"],
            CapacityReserve.item_id == item.id)) else "create"
    return "update"  # norms and travel times are set, whether new or not


def preview(session, kind: str, data: bytes, filename: str,
            limits: Limits = Limits()) -> Preview:
    """Read and check a file; write nothing."""
    found = read_rows(kind, data, filename, limits)
    if not found.errors or found.rows:
        _check(session, found)
    found.errors.sort(key=lambda e: (e.row, e.column))
    return found


# -- writing -----------------------------------------------------------------

def commit(session, actor, kind: str, data: bytes, filename: str,
           limits: Limits = Limits()) -> Preview:
    """Write every row of a file without errors, in one transaction.

    :raise ImportRejected: when any row has an error; nothing is written.
    """
    # Opening stock is received into depots, which only an admin (or the depot's keeper) may do.
    ensure_role(actor, *(("admin",) if kind == "opening_stock" else IMPORTERS))
    with unit_of_work(session):
        found = preview(session, kind, data, filename, limits)
        if not found.ok:
            raise ImportRejected(found)
        actions = dict(found.actions)
        todo = [(row, values) for row, values in found.rows
                if actions[row] not in ("already imported", "unchanged")]
        if kind == "opening_stock":
            _receive_opening_stock(session, actor, todo)
        else:
            look = _Lookup(session)
            for row, values in todo:
                _apply(session, actor, look, kind, values, row)
    return found


def _receive_opening_stock(session, actor, rows: list[tuple[int, dict]]) -> None:
    """Receive every row as a receipt (source opening, reference 期初) under its row's key."""
    bulk.receive_many(session, actor, [
        bulk.Delivery(depot=values["depot"], item=values["item"], quantity=values["quantity"],
                      lot_code=values["lot_code"], manufactured_on=values["manufactured_on"],
                      expires_on=values["expires_on"], unit_cost=values["unit_cost"],
                      reason=f"期初导入第 {row} 行", key=opening_key(values))
        for row, values in rows], source="opening", reference=OPENING)


def _logged(session, actor, kind: str, subject: str, obj, before: dict | None, row: int):
    """Record one imported row's change in the audit trail, with the values it replaced."""
    was, now = audit.changes(before, audit.snapshot(obj))
    if now:
        audit.record(session, actor, f"{subject}.import", subject, obj.id, row=row,
                     before=was, after=now)


def _before(obj) -> dict | None:
    return None if obj is None else audit.snapshot(obj)


def _apply(session, actor, look: _Lookup, kind: str, values: dict, row: int) -> None:
    if kind == "areas":
        _apply_area(session, actor, look, values, row)
    elif kind == "depots":
        _apply_depot(session, actor, look, values, row)
    elif kind == "items":
        _apply_item(session, actor, look, values, row)
    elif kind == "agreements":
        _apply_agreement(session, actor, look, values, row)
    elif kind == "capacity":
        _apply_capacity(session, actor, look, values, row)
    elif kind == "norms":
        readiness.load_norms(session, [readiness.NormRow(
            values["item"], values["per_person"], values["duration_hours"], values["season"],
            values["basis"] or "", values["source"] or "")], actor=actor)
    elif kind == "shelters":
        fields = {key: value for key, value in values.items() if key != "code"}
        if values["code"] in look.shelters:
            shelters.update_shelter(session, actor, values["code"], **fields)
        else:
            look.shelters[values["code"]] = shelters.create_shelter(
                session, actor, code=values["code"], **fields)
    elif kind == "shelter_travel_times":
        shelters.set_travel_time(session, actor, depot=values["depot"],
                                 shelter=values["shelter"], hours=values["hours"],
                                 source="import")
    elif kind == "travel_times":
        readiness.set_travel_time(session, actor, depot=values["depot"], area=values["area"],
                                 hours=float(values["hours"]), source="import")


def _apply_area(session, actor, look: _Lookup, values: dict, row: int) -> None:
    found = look.areas.get(values["code"])
    before = _before(found)
    area = found or Area(code=values["code"])
    parent = look.areas.get(values["parent"]) if values["parent"] else None
    area.name, area.level, area.parent = values["name"], values["level"], parent
    area.latitude, area.longitude = values["latitude"], values["longitude"]
    session.add(area)
    session.flush()
    look.areas[area.code] = area
    _logged(session, actor, "areas", "area", area, before, row)


def _apply_depot(session, actor, look: _Lookup, values: dict, row: int) -> None:
    found = look.depots.get(values["code"])
    before = _before(found)
    depot = found or Depot(code=values["code"], active=True)
    depot.area = look.areas[values["area"]]
    for key in ("name", "kind", "capacity_m3", "latitude", "longitude", "address",
                "keeper_name", "keeper_phone"):
        setattr(depot, key, values[key])
    if values["handling_hours"] is not None:
        depot.handling_hours = values["handling_hours"]
    session.add(depot)
    session.flush()
    look.depots[depot.code] = depot
    _logged(session, actor, "depots", "depot", depot, before, row)


def _apply_item(session, actor, look: _Lookup, values: dict, row: int) -> None:
    found = look.items.get(values["code"])
    before = _before(found)
    item = found or Item(code=values["code"], active=True)
    for key in ("name_zh", "name_en", "category", "unit", "shelf_life_days",
                "unit_volume_m3", "unit_weight_kg"):
        setattr(item, key, values[key])
    session.add(item)
    session.flush()
    look.items[item.code] = item
    _logged(session, actor, "items", "item", item, before, row)


def _apply_agreement(session, actor, look: _Lookup, values: dict, row: int) -> None:
    existing = session.scalar(select(Agreement).where(Agreement.number == values["number"]))
    if existing is None:
        contracts.create_agreement(session, actor, **{k: v for k, v in values.items()})
        return
    before = audit.snapshot(existing)
    existing.item_id = look.items[values["item"]].id
    for key in ("supplier", "committed_quantity", "response_hours", "response_to",
                "unit_price", "valid_from", "valid_until", "contact_name",
                "contact_phone"):
        setattr(existing, key, values[key])
    session.flush()
    _logged(session, actor, "agreements", "agreement", existing, before, row)


def _apply_capacity(session, actor, look: _Lookup, values: dict, row: int) -> None:
    item = look.items[values["item"]]
    existing = session.scalar(select(CapacityReserve).where(
        CapacityReserve.enterprise == values["enterprise"],
        CapacityReserve.item_id == item.id))
    if existing is None:
        contracts.create_capacity(session, actor, **values)
        return
    before = audit.snapshot(existing)
    existing.area_id = look.areas[values["area"]].id
    for key in ("rate_per_hour", "ramp_hours", "max_quantity", "valid_from",
                "valid_until", "unit_price"):
        setattr(existing, key, values[key])
    session.flush()
    _logged(session, actor, "capacity", "capacity", existing, before, row)
