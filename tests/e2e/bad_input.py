"""Hand-made bad values, by category, and the checks that nothing bad was stored.

Both generated tests (every API operation of the OpenAPI document, every form of the pages)
send these values and then look at every text and number column of the database.
"""

import math
from contextlib import contextmanager

from sqlalchemy import Float, Numeric, String, Text, event, select

from inventory.db import db

#: a million characters: longer than any text field a keeper types
HUGE = "x" * 1_000_000

#: bad strings, as Python strings (sent as JSON: a lone surrogate becomes ``\\ud800``)
STRINGS = {
    "nul": "ab\x00cd",
    "control": "ab\x07\x1bcd",
    "surrogate": "ab\ud800cd",
    "huge": HUGE,
}
#: bad strings in a URL (path segment or query), percent-encoded
URL_STRINGS = {
    "nul": "ab%00cd",
    "control": "ab%07%1Bcd",
    "surrogate": "ab%ED%A0%80cd",  # the UTF-8-like encoding of a lone surrogate
    "bad-utf8": "ab%FF%FEcd",
    "huge": "x" * 20_000,
}
#: bad numbers, as raw JSON tokens (NaN and Infinity are not JSON, but Python reads them)
NUMBER_TOKENS = {
    "nan": "NaN",
    "inf": "Infinity",
    "-inf": "-Infinity",
    "1e300": "1e300",
    "2^31": str(2**31),
    "2^63": str(2**63),
    "-2^63-1": str(-(2**63) - 1),
    "10^30": str(10**30),
}
#: bad numbers as a form or a query string carries them; a billion is the most a form's number
#: may be, and wider than many NUMERIC columns, which PostgreSQL refuses and SQLite keeps
NUMBER_TEXTS = {"nan": "nan", "inf": "inf", "-inf": "-inf", "1e10": "1e10",
                "1e300": "1e300", "huge-int": "99999999999", "2^63": str(2**63),
                "1e9": "1000000000"}
#: moments that have no UTC time, or none a database stores
MOMENTS = {
    "min+14": "0001-01-01T00:00:00+14:00",
    "max-14": "9999-12-31T23:59:59-14:00",
    "year-0": "0000-01-01T00:00:00+00:00",
}
DATES = {"year-1": "0001-01-01", "year-9999": "9999-12-31", "not-a-date": "2026-02-30"}
#: ids beyond what a 32-bit and a 64-bit key hold
BIG_IDS = {"2^31": str(2**31), "2^63": str(2**63), "11-digits": "99999999999"}

_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r"}


def stored_bad_values(session) -> list[tuple[str, str, str]]:
    """Name every stored value that should have been refused: control characters, lone
    surrogates or a million characters in a text column, NaN or infinity in a number column."""
    found = []
    session.rollback()
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns
                   if isinstance(c.type, (String, Text, Float, Numeric))]
        if not columns:
            continue
        for row in session.execute(select(*columns)):
            for column, value in zip(columns, row, strict=True):
                problem = _problem(value)
                if problem:
                    found.append((table.name, column.name, problem))
    session.rollback()
    return sorted(set(found))


def _problem(value) -> str | None:
    if isinstance(value, str):
        if any(c in _CONTROL for c in value):
            return "control character"
        if any("\ud800" <= c <= "\udfff" for c in value):
            return "lone surrogate"
        if len(value) >= 100_000:
            return "a huge text"
    elif value is not None and not isinstance(value, bool):
        try:
            if not math.isfinite(float(value)):
                return "not a finite number"
        except (TypeError, ValueError):
            return None
    return None


@contextmanager
def written_bad_values(engine):
    """Collect the bad values (as ``_problem`` names them) written by INSERT and UPDATE
    statements in the block: SQLite keeps a NaN as NULL, so the tables alone cannot tell."""
    found: list[tuple[str, str]] = []

    def look(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
            return
        rows = parameters if executemany else [parameters]
        for row in rows:
            values = row.values() if isinstance(row, dict) else row
            for value in values or ():
                problem = _problem(value)
                if problem:
                    found.append((statement.split("(")[0][:60], problem))

    event.listen(engine, "before_cursor_execute", look)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", look)
