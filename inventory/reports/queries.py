"""Stock reports rebuilt from the ledger: the period's stock summary (进销存) and stock on hand
at any past moment, by depot and item, grouped by tier and category.

Both read ``stock_movements`` by ``occurred_at`` (when a movement happened, which an offline
phone may send later), so a period's figures change when a late movement arrives. The SQL
first sums each lot's rows by column, then sums the lots of each depot and item, valuing each
lot at its unit cost in whole cents, so that every value — and the check — is exact. Lots
without a unit cost count in the quantities and are counted apart from the values.

Columns are signed: into the depot positive, out of it negative. A reversal (冲正) has a
column of its own, whatever kind of row it cancels; transfers count out at the sending depot
when dispatched and in at the receiving depot when received (stock in transit is in neither).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, and_, case, cast, func, select

from inventory.catalogue.models import Item
from inventory.db import backend, utcnow
from inventory.geo.models import AREA_LEVELS, Area, Depot
from inventory.reports.scope import Period, Scope
from inventory.stock.models import Lot, Movement

#: the period's movement columns, in the order the report shows them
MOVEMENT_COLUMNS = ("receipt", "issue", "transfer_in", "transfer_out", "adjustment",
                    "write_off", "rotation_out", "reversal")
SUMMARY_COLUMNS = ("opening", *MOVEMENT_COLUMNS, "closing")
OPENING_AND_MOVEMENTS = ("opening", *MOVEMENT_COLUMNS)
ON_HAND_COLUMNS = ("on_hand",)
#: every depot and item
EVERYTHING = Scope()


@dataclass
class Figures:
    """Quantities and values (in cents) by column, for one depot and item or for a total."""

    quantity: dict[str, int]
    cents: dict[str, int]
    #: lots with ledger rows up to the report's end, and those without a unit cost
    lots: int = 0
    unpriced_lots: int = 0
    #: what the unpriced lots hold at the end (closing, or on hand)
    unpriced_quantity: int = 0

    @classmethod
    def zero(cls, columns) -> "Figures":
        """Figures of nothing, to add lines to."""
        return cls(dict.fromkeys(columns, 0), dict.fromkeys(columns, 0))

    def add(self, other: "Figures") -> None:
        """Add another line's figures to these."""
        for column in self.quantity:
            self.quantity[column] += other.quantity[column]
            self.cents[column] += other.cents[column]
        self.lots += other.lots
        self.unpriced_lots += other.unpriced_lots
        self.unpriced_quantity += other.unpriced_quantity

    def value(self, column: str) -> Decimal:
        """The column's value in yuan."""
        return Decimal(self.cents[column]).scaleb(-2)

    def differences(self) -> tuple[int, int]:
        """Closing − (opening + the period's movements), in quantity and in cents: (0, 0)
        when the line balances."""
        return (self.quantity["closing"] - sum(self.quantity[c] for c in OPENING_AND_MOVEMENTS),
                self.cents["closing"] - sum(self.cents[c] for c in OPENING_AND_MOVEMENTS))

    @property
    def quantity_difference(self) -> int:
        """The check's difference in quantity."""
        return self.differences()[0]

    @property
    def value_difference(self) -> Decimal:
        """The check's difference in value, in yuan."""
        return Decimal(self.differences()[1]).scaleb(-2)

    @property
    def balanced(self) -> bool:
        """Whether opening + movements = closing, in quantities and in values."""
        return self.differences() == (0, 0)


@dataclass(frozen=True)
class DepotRef:
    code: str
    name: str
    tier: str


@dataclass(frozen=True)
class ItemRef:
    code: str
    name: str
    category: str
    unit: str


@dataclass
class Line:
    depot: DepotRef
    item: ItemRef
    figures: Figures


@dataclass
class CategoryGroup:
    category: str
    lines: list[Line]
    totals: Figures


@dataclass
class TierGroup:
    tier: str
    categories: list[CategoryGroup]
    totals: Figures


@dataclass
class StockReport:
    """A stock report: lines grouped by tier, then category, with totals at each level."""

    columns: tuple[str, ...]
    scope: Scope
    groups: list[TierGroup]
    totals: Figures
    period: Period | None = None
    #: the moment a stock-on-hand report reads up to (inclusive)
    at: datetime | None = None
    #: when the report was made
    made_at: datetime | None = None

    @property
    def lines(self) -> list[Line]:
        """Every line, in the report's order."""
        return [line for tier in self.groups for category in tier.categories
                for line in category.lines]

    @property
    def unbalanced(self) -> list[Line]:
        """Lines whose opening + movements differ from the closing (none, in a sound ledger)."""
        return [line for line in self.lines if not line.figures.balanced]


# -- the SQL ----------------------------------------------------------------

def _column_sum(condition, quantity):
    return func.coalesce(func.sum(case((condition, quantity), else_=0)), 0)


def _summary_conditions(period: Period) -> dict:
    m = Movement.__table__.c
    in_period = m.occurred_at >= period.starts_at
    return {"opening": m.occurred_at < period.starts_at,
            **{kind: and_(in_period, m.kind == kind) for kind in MOVEMENT_COLUMNS},
            "closing": None}


def _scoped(query, scope: Scope):
    m = Movement.__table__.c
    if scope.depot_ids is not None:
        query = query.where(m.depot_id.in_(scope.depot_ids or (-1,)))
    if scope.item_id is not None:
        query = query.where(m.item_id == scope.item_id)
    if scope.tier is not None:
        query = query.where(m.depot_id.in_(
            select(Depot.id).join(Area, Area.id == Depot.area_id).where(Area.level == scope.tier)))
    if scope.category is not None:
        query = query.where(m.item_id.in_(select(Item.id).where(Item.category == scope.category)))
    return query


def _whole(total):
    """A sum as a whole number (PostgreSQL sums whole numbers as NUMERIC, which the driver
    reads as Decimal); 0 for no rows."""
    return cast(func.coalesce(total, 0), BigInteger)


def _figures_query(conditions: dict, until, scope: Scope):
    """Sum the ledger rows by column for each lot, then each depot and item's lots, with
    values in cents at each lot's unit cost.

    ``until`` is the bound on ``occurred_at``: a (column, moment) comparison.
    """
    m = Movement.__table__.c
    per_lot = _scoped(
        select(m.lot_id, *[
            (func.coalesce(func.sum(m.quantity), 0) if condition is None
             else _column_sum(condition, m.quantity)).label(name)
            for name, condition in conditions.items()])
        .where(until).group_by(m.lot_id), scope).subquery("per_lot")
    lots = Lot.__table__.c
    cents = cast(func.round(lots.unit_cost * 100), BigInteger)
    unpriced = lots.unit_cost.is_(None)
    last = list(conditions)[-1]
    return (
        select(lots.depot_id, lots.item_id,
               *[_whole(func.sum(per_lot.c[name])) for name in conditions],
               *[_whole(func.sum(per_lot.c[name] * cents)) for name in conditions],
               func.count(),
               _whole(func.sum(case((unpriced, 1), else_=0))),
               _whole(func.sum(case((unpriced, per_lot.c[last]), else_=0))))
        .join_from(per_lot, Lot.__table__, lots.id == per_lot.c.lot_id)
        .group_by(lots.depot_id, lots.item_id)
    )


#: memory for the report's hash tables on PostgreSQL: at the default (4 MB) a city's 200,000
#: lots spill to disk; see docs/benchmarks.md, "Period reports"
REPORT_WORK_MEM = "64MB"


def _prepare(session) -> None:
    """Give the report's one big query room on PostgreSQL, for this transaction only."""
    backend(session.get_bind()).make_room(session, REPORT_WORK_MEM)


def _lines(session, conditions: dict, until, scope: Scope) -> list[Line]:
    _prepare(session)
    names = list(conditions)
    width = len(names)
    figures = {}
    for depot, item, *sums in session.execute(_figures_query(conditions, until, scope)):
        quantities, cents = sums[:width], sums[width:2 * width]
        if not any(quantities):
            continue
        lots, unpriced_lots, unpriced_quantity = sums[2 * width:]
        figures[depot, item] = Figures(dict(zip(names, quantities, strict=True)),
                                       dict(zip(names, cents, strict=True)), lots=lots,
                                       unpriced_lots=unpriced_lots,
                                       unpriced_quantity=unpriced_quantity)
    depots = _depots(session, {depot for depot, _ in figures})
    items = _items(session, {item for _, item in figures})
    return [Line(depots[depot], items[item], found)
            for (depot, item), found in figures.items()]


def _depots(session, ids: set[int]) -> dict[int, DepotRef]:
    if not ids:
        return {}
    rows = session.execute(select(Depot.id, Depot.code, Depot.name, Area.level)
                           .join(Area, Area.id == Depot.area_id).where(Depot.id.in_(ids)))
    return {id_: DepotRef(code, name, level) for id_, code, name, level in rows}


def _items(session, ids: set[int]) -> dict[int, ItemRef]:
    if not ids:
        return {}
    rows = session.execute(select(Item.id, Item.code, Item.name_zh, Item.category, Item.unit)
                           .where(Item.id.in_(ids)))
    return {id_: ItemRef(code, name, category, unit) for id_, code, name, category, unit in rows}


def group(lines: list[Line], columns) -> tuple[list[TierGroup], Figures]:
    """Group lines by tier (county, township, village), then category, with totals."""
    by_tier: dict[str, dict[str, list[Line]]] = defaultdict(lambda: defaultdict(list))
    for line in lines:
        by_tier[line.depot.tier][line.item.category].append(line)
    groups, grand = [], Figures.zero(columns)
    for tier in sorted(by_tier, key=AREA_LEVELS.index):
        categories, tier_totals = [], Figures.zero(columns)
        for category in sorted(by_tier[tier]):
            members = sorted(by_tier[tier][category],
                             key=lambda line: (line.depot.code, line.item.code))
            totals = Figures.zero(columns)
            for line in members:
                totals.add(line.figures)
            categories.append(CategoryGroup(category, members, totals))
            tier_totals.add(totals)
        groups.append(TierGroup(tier, categories, tier_totals))
        grand.add(tier_totals)
    return groups, grand


# -- the reports ------------------------------------------------------------

def stock_summary(session, period: Period, scope: Scope = EVERYTHING) -> StockReport:
    """Return the period's stock summary (进销存): for each depot and item the opening balance,
    the period's movements by kind and the closing balance, in quantities and values."""
    until = Movement.__table__.c.occurred_at < period.ends_before
    lines = _lines(session, _summary_conditions(period), until, scope)
    groups, totals = group(lines, SUMMARY_COLUMNS)
    return StockReport(SUMMARY_COLUMNS, scope, groups, totals, period=period,
                       made_at=utcnow())


def stock_on_hand(session, at: datetime, scope: Scope = EVERYTHING) -> StockReport:
    """Return the stock on hand at a moment (rows up to and including it), rebuilt from the
    ledger, for each depot and item with its value."""
    until = Movement.__table__.c.occurred_at <= at
    lines = _lines(session, {"on_hand": None}, until, scope)
    groups, totals = group(lines, ON_HAND_COLUMNS)
    return StockReport(ON_HAND_COLUMNS, scope, groups, totals, at=at, made_at=utcnow())
