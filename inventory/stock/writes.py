"""How ledger rows reach the database, chosen once per database (``ledger_writes``).

Every stock change ends in the same writes: the ledger row inserted, and its lot's balance,
seq and chain head moved to it. On PostgreSQL both go in one statement run on the driver's
cursor (one round trip), and the lean route of ``POST /issues`` is open (see ``lean.py``).
Elsewhere (SQLite, the embedded default) they are two portable Core statements.
"""

from sqlalchemy import bindparam, insert, select, update

from inventory.db import DriverStatement, backend
from inventory.stock import domain
from inventory.stock.models import Lot, Movement

#: rows per statement: well under the bound parameters a statement may carry
CHUNK = 1000

_MOVEMENT_COLUMNS = domain.STORED_FIELDS + ("prev_hash", "hash")

# Built once: a statement object reused with bound values skips construction and caching work.
INSERT_MOVEMENT = insert(Movement.__table__).returning(Movement.__table__.c.id)
UPDATE_LOT = (
    update(Lot.__table__)
    .where(Lot.__table__.c.id == bindparam("lot"))
    .values(quantity=bindparam("balance"), seq=bindparam("new_seq"), head_hash=bindparam("head"))
)
# Both in one statement: the row is inserted by a data-modifying CTE and the lot's update
# returns the new row's id.
_WRITTEN = (
    insert(Movement.__table__)
    .values({name: bindparam(f"m_{name}") for name in _MOVEMENT_COLUMNS})
    .returning(Movement.__table__.c.id)
    .cte("written")
)
_WRITE_MOVEMENT = DriverStatement(
    UPDATE_LOT.add_cte(_WRITTEN).returning(select(_WRITTEN.c.id).scalar_subquery()))


class Inserts:
    """Rows of one table inserted in order, their new ids returned in the same order."""

    def __init__(self, table, columns: tuple[str, ...]):
        # Through the driver, one row per statement, pipelined: the statement's text is
        # parsed once (see DriverStatement.execute_many). Elsewhere, one multi-row INSERT.
        self.statement = DriverStatement(
            insert(table).values({name: bindparam(name) for name in columns})
            .returning(table.c.id),
            portable=insert(table).returning(table.c.id, sort_by_parameter_order=True))

    def ids(self, connection, rows: list[dict]) -> list[int]:
        """Insert the rows; return their ids."""
        found: list[int] = []
        for start in range(0, len(rows), CHUNK):
            found.extend(row[0] for row in self.statement.run_many(
                connection, rows[start:start + CHUNK]))
        return found


MOVEMENTS = Inserts(Movement.__table__, _MOVEMENT_COLUMNS)


class LedgerWrites:
    """Two portable statements per ledger row; no lean route."""

    #: whether ``POST /issues`` from a lot may take the lean route
    lean = False

    def movement(self, connection, row: dict, lot_values: dict) -> int:
        """Insert the ledger row and move its lot to it; return the row's id."""
        movement_id = connection.execute(INSERT_MOVEMENT, row).scalar_one()
        connection.execute(UPDATE_LOT, lot_values)
        return movement_id


class CombinedLedgerWrites(LedgerWrites):
    """One statement on the driver's cursor per ledger row; the lean route is open."""

    lean = True

    def movement(self, connection, row: dict, lot_values: dict) -> int:
        values = {f"m_{name}": value for name, value in row.items()} | lot_values
        return _WRITE_MOVEMENT.execute(connection, values).fetchone()[0]


_PORTABLE, _COMBINED = LedgerWrites(), CombinedLedgerWrites()


def ledger_writes(bind) -> LedgerWrites:
    """Return how ledger rows are written on an engine or connection's database."""
    return _COMBINED if backend(bind).driver else _PORTABLE
