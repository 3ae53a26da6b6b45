"""What no column may hold, whichever path writes it.

Requests are checked at the door (``inventory.inputs``), but a value can also come from an
import, a job or a service's own arithmetic. So every write is checked once more just before
it reaches the database: the ORM's flushes by ``refuse_bad_values`` (every service), and the
Core statements of the stock path (the lean issue, stocktakes and imports in bulk, the
idempotency record) by ``check_row``. Plain Python, no Flask: services import it.
"""

import math
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import BigInteger, Float, Integer, Numeric
from sqlalchemy import inspect as sa_inspect

from inventory.errors import InvalidInput

#: the control characters refused: all of C0 but tab, line feed and carriage return
CONTROL = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\r"}
#: the largest whole number a form may give: what a 32-bit column holds
MAX_WHOLE = 2**31 - 1
#: the earliest and latest days a form or filter may name: a day's first moment in the bureau's
#: zone, and the day after the last, stay times every database and Python can hold
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def bad_character(text: str) -> str | None:
    """Name what is wrong with a text a person could have typed, or None when nothing is."""
    if text.isprintable() or text.isascii() and not CONTROL.intersection(text):
        return None
    if CONTROL.intersection(text):
        return "contains control characters"
    if any("\ud800" <= c <= "\udfff" for c in text):
        return "contains an unpaired surrogate"
    return None


def decimal_between(value, key: str, label: str, low, high) -> Decimal | None:
    """A number a person gave for ``key`` (``label`` in Chinese), within ``low``..``high``;
    None when left empty. Booleans, NaN and infinities are not numbers here."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        number = Decimal(str(value).strip())
        if not number.is_finite():
            raise ValueError
    except (ValueError, ArithmeticError):
        raise InvalidInput(f"{label}须为数字。", f"{key} must be a number.",
                           {key: ["number"]}) from None
    if not low <= number <= high:
        raise InvalidInput(f"{label}须在 {low} 到 {high} 之间。",
                           f"{key} must be between {low} and {high}.",
                           {key: [f"between {low} and {high}"]})
    return number


def stored_problem(column, value) -> str | None:
    """What is wrong with a value about to be written to a column, or None."""
    if isinstance(value, str):
        length = getattr(column.type, "length", None)
        if length is not None and len(value) > length:
            return f"longer than {length} characters"
        return bad_character(value)
    if isinstance(value, (Decimal, float, int)) and not isinstance(value, bool):
        return _number_problem(column.type, value)
    return None


def _number_problem(kind, value: Decimal | float | int) -> str | None:
    """What is wrong with a number about to be written to a column of the kind, or None."""
    if isinstance(value, (Decimal, float)) and not math.isfinite(value):
        return "not a finite number"
    if isinstance(kind, Integer) and isinstance(value, int):
        bits = 63 if isinstance(kind, BigInteger) else 31
        if not -(2**bits) <= value < 2**bits:
            return "out of the integer range"
    elif isinstance(kind, Numeric) and not isinstance(kind, Float) and kind.precision:
        # PostgreSQL refuses a number with more whole digits than NUMERIC(p, s) holds,
        # once rounded to s decimals as it rounds them; SQLite would keep it.
        scale = kind.scale or 0
        rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-scale), ROUND_HALF_UP)
        if abs(rounded) >= Decimal(10) ** (kind.precision - scale):
            return f"more than {kind.precision - scale} digits before the decimal point"
    return None


def refuse_bad_values(session, flush_context, instances) -> None:
    """Refuse to write a row holding what no field may hold, whichever form or service
    let it through: a text longer than its column or a number wider than it (SQLite would
    keep either, PostgreSQL fail), control characters, NaN or infinity (SQLite would keep it
    as NULL)."""
    for obj in (*session.new, *session.dirty):
        state = sa_inspect(obj)
        for attr in state.mapper.column_attrs:
            if not state.pending and not state.attrs[attr.key].history.has_changes():
                continue  # what was stored before is not this request's to refuse
            column = attr.columns[0]
            problem = stored_problem(column, getattr(obj, attr.key, None))
            if problem:
                raise InvalidInput("输入有误，请检查标出的字段。",
                                   "The input is wrong; check the marked field.",
                                   {attr.key: [problem]})



def check_row(table, row: dict, names=None) -> None:
    """Refuse a row a Core statement is about to write to ``table`` when one of its values
    (those named, or all) is one no column may hold; see ``stored_problem``.

    :raise InvalidInput: naming the field.
    """
    columns = table.c
    for name in row if names is None else names:
        problem = stored_problem(columns[name], row[name])
        if problem:
            raise InvalidInput("输入有误，请检查标出的字段。",
                               "The input is wrong; check the marked field.", {name: [problem]})
