"""Receipt (入库单) and issue (出库单) documents read from the ledger.

A document is the receipt (or issue) rows of one depot that carry the same reference, with
the reversals of those rows; a row without a reference is a document of its own. Its number
is made from the document's first ledger row, which never changes because the ledger is
insert-only: RK-2026-000123 is the receipt whose first row is row 123, written in 2026.
"""

from dataclasses import dataclass

from sqlalchemy import select

from inventory import clock
from inventory.errors import InvalidInput, NotFound
from inventory.geo.models import Depot
from inventory.geo.queries import get_depot
from inventory.stock.models import Movement

#: the ledger kinds each document lists
KINDS = {"receipt": ("receipt",), "issue": ("issue", "rotation_out")}
PREFIXES = {"receipt": "RK", "issue": "CK"}


@dataclass(frozen=True)
class StockDocument:
    kind: str
    depot: Depot
    reference: str | None
    #: the document's rows, then the reversals of any of them, in the order written
    movements: list[Movement]

    @property
    def number(self) -> str:
        first = min(m.id for m in self.movements if m.kind in KINDS[self.kind])
        year = clock.local_time(self.movements[0].occurred_at).year
        return f"{PREFIXES[self.kind]}-{year}-{first:06d}"


def document_kind(movement) -> str | None:
    """Name the document a ledger row belongs to: receipt, issue, or None."""
    return next((kind for kind, kinds in KINDS.items() if movement.kind in kinds), None)


def stock_document(session, kind: str, *, depot: str | None = None,
                   reference: str | None = None, movement: int | None = None) -> StockDocument:
    """Return the document by its depot and reference, or the one a ledger row belongs to.

    :raise InvalidInput: for an unknown kind, or neither a reference nor a row.
    :raise NotFound: when the depot has no such rows, or the row is not of this kind.
    """
    if kind not in KINDS:
        raise InvalidInput(f"没有 {kind} 这种单据。", f"No document of kind {kind}.",
                           {"kind": list(KINDS)})
    if movement is not None:
        row = session.get(Movement, movement)
        if row is None or row.kind not in KINDS[kind]:
            raise NotFound(f"台账记录 {movement} 不属于此类单据。",
                           f"Ledger row {movement} is not on a document of this kind.")
        depot_row = session.get(Depot, row.depot_id)
        reference = row.reference
        rows = [row] if reference is None else _rows(session, kind, depot_row, reference)
    elif depot and reference:
        depot_row = get_depot(session, depot)
        rows = _rows(session, kind, depot_row, reference)
    else:
        raise InvalidInput("请指定储备库和单据号，或台账记录。",
                           "Give a depot and a reference, or a ledger row.",
                           {"reference": ["required"], "movement": ["or this"]})
    if not rows:
        raise NotFound(f"{depot_row.name} 没有单据号为 {reference} 的记录。",
                       f"Depot {depot_row.code} has no rows with reference {reference}.")
    reversals = session.scalars(select(Movement).where(
        Movement.reverses_id.in_([m.id for m in rows])).order_by(Movement.id)).all()
    return StockDocument(kind, depot_row, reference, [*rows, *reversals])


def _rows(session, kind: str, depot: Depot, reference: str) -> list[Movement]:
    return list(session.scalars(
        select(Movement).where(Movement.depot_id == depot.id, Movement.reference == reference,
                               Movement.kind.in_(KINDS[kind])).order_by(Movement.id)))
