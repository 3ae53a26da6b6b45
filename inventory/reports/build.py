"""A report as a request asks for it — from the API's query or a page's filters — within
what the requesting user may read."""

from sqlalchemy import select

from inventory.catalogue.models import Item
from inventory.geo.models import Depot
from inventory.reports import queries, scope
from inventory.reports import settlements as settlement_queries

FILTERS = ("depot", "item", "tier", "category")


def summary(session, user, query: dict) -> queries.StockReport:
    """The stock summary for the period and filters asked for."""
    return queries.stock_summary(
        session, scope.period(query.get("first"), query.get("last")),
        scope.scope(session, user, **{name: query.get(name) for name in FILTERS}))


def on_hand(session, user, query: dict) -> queries.StockReport:
    """The stock on hand at the moment and for the filters asked for."""
    return queries.stock_on_hand(
        session, scope.moment(query.get("at")),
        scope.scope(session, user, **{name: query.get(name) for name in FILTERS}))


def settlements(session, user, query: dict) -> settlement_queries.SettlementReport:
    """The contract settlements for the period asked for.

    :raise Forbidden: for keepers.
    """
    scope.ensure_can_read_settlements(user)
    return settlement_queries.settlements(
        session, scope.period(query.get("first"), query.get("last")))


def choices(session, user) -> dict:
    """What the filter form offers: the depots the user may read, items and categories."""
    depots = select(Depot).order_by(Depot.code)
    if user.role not in scope.READ_EVERY_DEPOT:
        depots = depots.where(Depot.id.in_([d.id for d in user.depots] or [-1]))
    return {"depots": session.scalars(depots).all(),
            "items": session.scalars(select(Item).order_by(Item.code)).all(),
            "categories": session.scalars(select(Item.category).distinct()
                                          .order_by(Item.category)).all()}
