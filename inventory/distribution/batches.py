"""Batch mode: a households list from a spreadsheet (XLSX or CSV), checked row by row.

Columns: 姓名 (name), 家庭人口 (household size), 电话 (phone), 身份证号 (ID number, optional),
and the items: a column 物资 (items) holding ``FW-WATER-5L×2，FW-BISCUIT×3``, and/or one column
per item whose header is the item's code and whose cells are quantities. ID numbers are
masked and hashed as they are read and never kept in clear.
"""

import re

from inventory.distribution import domain, queries
from inventory.errors import DomainError, InvalidInput
from inventory.imports.services import Limits, read_cells

#: the most households one batch may list (one transaction issues them all)
MAX_HOUSEHOLDS = 1000
HEADERS = {
    "name": ("姓名", "name", "户主姓名"),
    "household_size": ("家庭人口", "household_size", "household size", "人口"),
    "phone": ("电话", "phone", "联系电话"),
    "id_number": ("身份证号", "id_number", "ID number", "身份证号码"),
    "items": ("物资", "items", "发放物资"),
}
_ITEM_PART = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9\-_.]*)\s*[×xX*:：]\s*(\d+)\s*$")


def template_xlsx() -> bytes:
    """A households list to fill in: the headers and one example row (ID numbers as text)."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "户表"
    sheet.append(["姓名", "家庭人口", "电话", "身份证号", "物资"])
    sheet.append(["张三", 4, "13800000000", "", "FW-WATER-5L×2，FW-BISCUIT×3"])
    for row in range(1, 1002):
        sheet.cell(row=row, column=4).number_format = "@"  # 18 digits would lose precision
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_households(data: bytes, filename: str, limits: Limits | None = None) -> list[dict]:
    """Read the sheet's rows as households: {row, name, household_size, phone, id_number,
    items}; quantities and sizes as typed (checked later).

    :raise InvalidInput: for an unreadable file, a missing column or an empty list.
    :raise FileTooLarge: beyond the import limits (size, unpacked size, rows).
    """
    cells = [row for row in read_cells(data, filename, limits or Limits())
             if any(c not in (None, "") for c in row)]
    if not cells:
        raise InvalidInput("文件中没有数据。", "The file holds no rows.", {"file": ["empty"]})
    keys = [_key(cell) for cell in cells[0]]
    if "name" not in keys or "household_size" not in keys:
        raise InvalidInput("缺少“姓名”或“家庭人口”列。",
                           "The sheet needs the columns name and household size.",
                           {"file": ["columns: name, household_size"]})
    households = []
    for number, row in enumerate(cells[1:], start=2):
        values = {"row": number, "items": []}
        for key, cell in zip(keys, row, strict=False):
            if key is None or cell in (None, ""):
                continue
            if key.startswith("item:"):
                values["items"].append({"item": key[5:], "quantity": _whole(cell)})
            elif key == "items":
                values["items"].extend(_items(str(cell)))
            else:
                values[key] = _whole(cell) if key == "household_size" else str(cell).strip()
        households.append(values)
    return households


def _key(cell) -> str | None:
    text = str(cell or "").strip().rstrip("*").strip()
    for key, names in HEADERS.items():
        if text.lower() in (n.lower() for n in names):
            return key
    match = re.search(r"([A-Z]{2}-[A-Z0-9\-]+)", text)
    return f"item:{match.group(1)}" if match else None


def _whole(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


def _items(text: str) -> list[dict]:
    found = []
    for part in re.split(r"[,;，；、\n]", text):
        if not part.strip():
            continue
        match = _ITEM_PART.match(part)
        found.append({"item": match.group(1), "quantity": int(match.group(2))} if match
                     else {"item": part.strip(), "quantity": None})
    return found


def checked_households(session, key: bytes, households: list[dict]) -> list[dict]:
    """Check every household and return them as a batch keeps them: ID numbers masked and
    hashed.

    :raise InvalidInput: naming each row that does not fit (a household listed twice among
        them), the ID number never repeated.
    """
    from inventory.distribution.services import checked_items

    if not 1 <= len(households) <= MAX_HOUSEHOLDS:
        raise InvalidInput(f"每批须有 1–{MAX_HOUSEHOLDS} 户。",
                           f"A batch lists 1 to {MAX_HOUSEHOLDS} households.",
                           {"households": [f"1 to {MAX_HOUSEHOLDS}"]})
    codes = {line.get("item") for h in households for line in h.get("items") or []}
    known = queries.items_by_code(session, [c for c in codes if isinstance(c, str)])
    errors, rows, seen = {}, [], {}
    for index, household in enumerate(households, start=1):
        where = f"row {household.get('row', index)}"
        try:
            who = domain.recipient(key, name=household.get("name"),
                                   household_size=household.get("household_size"),
                                   phone=household.get("phone"),
                                   id_number=household.get("id_number"))
            items = checked_items(household.get("items"))
        except DomainError as error:
            errors[where] = [f"{k}: {', '.join(v)}" for k, v in error.errors.items()]
            continue
        unknown = [code for code, _ in items if code not in known]
        if unknown:
            errors[where] = [f"unknown item {', '.join(unknown)}"]
            continue
        household_key = who.household_key(key)
        if household_key in seen:
            errors[where] = [f"the same household as {seen[household_key]}"]
            continue
        seen[household_key] = where
        rows.append({"row": household.get("row", index), "name": who.name,
                     "household_size": who.household_size, "phone": who.phone,
                     "id_masked": who.id_masked, "id_hash": who.id_hash,
                     "household_key": household_key,
                     "items": [{"item": code, "quantity": q} for code, q in items]})
    if errors:
        raise InvalidInput(f"有 {len(errors)} 行有误，未导入：" + "；".join(
            f"{w}（{'，'.join(e)}）" for w, e in list(errors.items())[:10]),
            f"{len(errors)} row(s) do not fit; nothing was staged.", errors)
    return rows
