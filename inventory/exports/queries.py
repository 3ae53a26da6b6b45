"""The ledger rows an export covers: one filter, read from a server-side cursor in id order.

Each row becomes the same text cells in every format (``cells``), so a file read back can be
compared with the database cell by cell and its rows digested the same way.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import islice

from sqlalchemy import Text, case, cast, func, literal, select

from inventory import clock
from inventory.auth.models import User
from inventory.catalogue.models import Item
from inventory.catalogue.queries import get_item
from inventory.db import backend
from inventory.errors import InvalidInput, NotFound
from inventory.geo.models import AREA_LEVELS, Area, Depot
from inventory.geo.queries import get_depot
from inventory.reports.scope import FIRST_DAY, LAST_DAY
from inventory.stock.models import Lot, Movement

#: rows fetched from the server-side cursor at a time: large enough that the round trips do
#: not show, small enough that memory stays flat
BATCH = 5_000
#: the columns of every export, in order (the keys of ``cells``)
COLUMNS = ("id", "time", "depot", "item", "lot", "kind", "quantity", "balance_after",
           "unit_cost", "value", "reference", "actor", "reason", "hash")
#: the columns that hold numbers (written as numbers in a workbook)
NUMERIC = frozenset({"id", "quantity", "balance_after", "unit_cost", "value"})
CENT = Decimal("0.01")


@dataclass(frozen=True)
class LedgerFilter:
    """What an export covers, as asked for (codes and names, not ids)."""

    depot: str | None = None
    item: str | None = None
    lot: int | None = None
    kind: str | None = None
    reference: str | None = None
    transfer: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    tier: str | None = None
    category: str | None = None
    actor: str | None = None

    def asked(self) -> dict[str, str]:
        """The filters given, as text (times in the bureau's time zone)."""
        out = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if value is None or value == "":
                continue
            out[field.name] = (clock.local_time(value).isoformat(timespec="seconds")
                               if isinstance(value, datetime) else str(value))
        return out

    def describe(self) -> str:
        """The filters as one line: ``depot=XZ-01 since=2026-01-01T00:00:00+08:00``."""
        asked = self.asked()
        return " ".join(f"{name}={value}" for name, value in asked.items()) or "*"


def ledger_filter(session, **query) -> LedgerFilter:
    """Return the filter, having checked that what it names exists.

    :raise NotFound: for an unknown depot, item or actor.
    :raise InvalidInput: for an unknown tier, a time out of range or a period that ends
        before it starts.
    """
    found = LedgerFilter(**{name: query.get(name) for name in
                            (f.name for f in fields(LedgerFilter))})
    if found.depot:
        get_depot(session, found.depot)
    if found.item:
        get_item(session, found.item)
    if found.tier is not None and found.tier not in AREA_LEVELS:
        raise InvalidInput("层级须为县级、乡镇或村/社区。",
                           "The tier must be county, township or village.",
                           {"tier": ["county, township or village"]})
    if found.actor and session.scalar(select(User.id).where(User.username == found.actor)) is None:
        raise NotFound(f"没有用户 {found.actor}。", f"No user {found.actor}.",
                       {"actor": ["unknown user"]})
    for name, last in (("since", LAST_DAY), ("until", LAST_DAY + timedelta(days=1))):
        moment = getattr(found, name)
        if moment is not None and not FIRST_DAY <= moment.date() <= last:
            raise InvalidInput(f"时间须在 {FIRST_DAY} 至 {LAST_DAY} 之间。",
                               f"Times must lie between {FIRST_DAY} and {LAST_DAY}.",
                               {name: [f"between {FIRST_DAY} and {LAST_DAY}"]})
    if found.since and found.until and found.until <= found.since:
        raise InvalidInput("截止时间须晚于起始时间。", "The period must end after it starts.",
                           {"until": ["not after since"]})
    return found


def _columns() -> list:
    m = Movement
    return [m.id, m.occurred_at, Depot.code, Item.code, Lot.code, m.kind, m.quantity,
            m.balance_after, Lot.unit_cost, m.reference, User.username, m.reason, m.hash]


def _text_columns() -> list:
    """The columns as PostgreSQL writes them as text, exactly as ``cells`` does (the time in
    the session's time zone, which ``_server_rows`` sets to the bureau's)."""
    m, empty = Movement, literal("")
    return [cast(m.id, Text), func.to_char(m.occurred_at, "YYYY-MM-DD HH24:MI:SSTZH:TZM"),
            Depot.code, Item.code, Lot.code, m.kind, cast(m.quantity, Text),
            cast(m.balance_after, Text), func.coalesce(cast(Lot.unit_cost, Text), empty),
            func.coalesce(cast(Lot.unit_cost * m.quantity, Text), empty),
            func.coalesce(m.reference, empty), User.username, func.coalesce(m.reason, empty),
            m.hash]


def _quoted(text):
    """The text as Python's ``csv`` module writes a field: in double quotes, inner quotes
    doubled, when it holds a comma, a quote or a line break."""
    return case((text.regexp_match('[",\r\n]'),
                 func.concat('"', func.replace(text, '"', '""'), '"')), else_=text)


def _line_columns() -> list:
    """The row's id, its hash and the row as one CSV line, made by PostgreSQL."""
    cells = _text_columns()
    quoted = [_quoted(cell) if n in (2, 3, 4, 5, 10, 11, 12) else cell
              for n, cell in enumerate(cells)]
    return [cells[0], Movement.hash, func.concat_ws(",", *quoted)]


def _select(flt: LedgerFilter, columns: list | None = None):
    m = Movement
    stmt = (select(*(columns or _columns()))
            .join(Depot, Depot.id == m.depot_id).join(Item, Item.id == m.item_id)
            .join(Lot, Lot.id == m.lot_id).join(User, User.id == m.actor_id))
    if flt.depot:
        stmt = stmt.where(Depot.code == flt.depot)
    if flt.item:
        stmt = stmt.where(Item.code == flt.item)
    if flt.lot is not None:
        stmt = stmt.where(m.lot_id == flt.lot)
    if flt.kind:
        stmt = stmt.where(m.kind == flt.kind)
    if flt.reference is not None:
        stmt = stmt.where(m.reference == flt.reference)
    if flt.transfer is not None:
        stmt = stmt.where(m.transfer_id == flt.transfer)
    if flt.since:
        stmt = stmt.where(m.occurred_at >= flt.since)
    if flt.until:
        stmt = stmt.where(m.occurred_at < flt.until)
    if flt.tier:
        stmt = stmt.where(Depot.area_id.in_(select(Area.id).where(Area.level == flt.tier)))
    if flt.category:
        stmt = stmt.where(Item.category == flt.category)
    if flt.actor:
        stmt = stmt.where(User.username == flt.actor)
    return stmt


def count_rows(session, flt: LedgerFilter) -> int:
    """Return how many ledger rows the filter covers."""
    return session.scalar(select(func.count()).select_from(_select(flt).subquery()))


def ledger_rows(session, flt: LedgerFilter, *, batch: int = BATCH) -> Iterator[list[str]]:
    """Yield the text cells of every row the filter covers, oldest id first.

    The rows come from one statement (one snapshot of the ledger) through a server-side
    cursor, so a million rows take no more memory than a batch.
    """
    if backend(session.get_bind()).server_text:
        for chunk in _server_rows(session, _select(flt, _text_columns()), batch):
            yield from chunk
        return
    result = session.execute(_select(flt).order_by(Movement.id)
                             .execution_options(yield_per=batch))
    for row in result:
        yield cells(row)


def csv_batches(session, flt: LedgerFilter, *,
                batch: int = BATCH) -> Iterator[tuple[bytes, int, str, str]]:
    """Yield the rows the filter covers as CSV lines, a batch at a time: the lines' bytes,
    how many rows, the last row's id and hash.

    On PostgreSQL the server writes each line exactly as Python's ``csv`` module would
    (``_quoted``), so that Python only joins them: the export then runs at a good share of
    COPY's own rate (docs/benchmarks.md, "Ledger exports").
    """
    if not backend(session.get_bind()).server_text:
        rows = ledger_rows(session, flt, batch=batch)
        while chunk := list(islice(rows, batch)):
            yield csv_lines(chunk), len(chunk), chunk[-1][0], chunk[-1][-1]
        return
    for chunk in _server_rows(session, _select(flt, _line_columns()), batch):
        data = "\r\n".join(line for _id, _hash, line in chunk) + "\r\n"
        yield data.encode(), len(chunk), chunk[-1][0], chunk[-1][1]


def csv_lines(rows: list) -> bytes:
    """Return rows of text cells as CSV lines (UTF-8, CRLF)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode()


def _server_rows(session, stmt, batch: int) -> Iterator[list[tuple[str, ...]]]:
    """The statement's rows, text made by PostgreSQL, in batches from a named cursor of the
    driver: formatting in the server and skipping SQLAlchemy's result layer make the export
    several times faster than converting each value in Python."""
    connection = session.connection()
    session.execute(select(func.set_config("TimeZone", clock.TIMEZONE.key, True)))
    compiled = stmt.order_by(Movement.id).compile(dialect=connection.dialect)
    driver = connection.connection.dbapi_connection
    with driver.cursor(name="ledger_export") as cursor:
        cursor.itersize = batch
        cursor.execute(str(compiled), compiled.params)
        while rows := cursor.fetchmany(batch):
            yield rows


def rows_by_id(session, ids: list[int]) -> dict[int, list[str] | tuple[str, ...]]:
    """Return the text cells of the given ledger rows, by id (missing ids are left out)."""
    if not ids:
        return {}
    if backend(session.get_bind()).server_text:
        # The rows of a batch of a file are neighbours in id order: one range scan, formatted
        # by the server, instead of a thousand-value IN list.
        span = _select(LedgerFilter(), _text_columns()).where(
            Movement.id.between(min(ids), max(ids)))
        wanted = set(ids)
        return {int(row[0]): row for chunk in _server_rows(session, span, BATCH)
                for row in chunk if int(row[0]) in wanted}
    return {int(row[0]): cells(row) for row in
            session.execute(_select(LedgerFilter()).where(Movement.id.in_(ids)))}


def cells(row) -> list[str]:
    """Return a ledger row as the text every format shows (numbers as plain decimals, the
    time in the bureau's time zone with its offset, a missing value as empty text)."""
    (id_, occurred_at, depot, item, lot, kind, quantity, balance_after, unit_cost, reference,
     actor, reason, hash_) = row
    if unit_cost is None:
        cost = value = ""
    else:
        cost = f"{unit_cost:.2f}"
        value = f"{(unit_cost * quantity).quantize(CENT):.2f}"
    return [str(id_), occurred_at.astimezone(clock.TIMEZONE).isoformat(" ", "seconds"), depot,
            item, lot, kind, str(quantity), str(balance_after), cost, value, reference or "",
            actor, reason or "", hash_]
