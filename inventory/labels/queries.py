"""What a label sheet prints: the lots, depots and bins a selection names, callable without
HTTP."""

from sqlalchemy import select

from inventory.geo.models import Bin, Depot
from inventory.stock.models import Lot


def lots_by_id(session, ids: list[int]) -> list[Lot]:
    """The lots with the ids, in the order asked; unknown ids are left out."""
    found = {lot.id: lot for lot in session.scalars(select(Lot).where(Lot.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def lots_in_stock(session, depot: Depot, limit: int) -> list[Lot]:
    """Up to ``limit`` lots holding stock at the depot, by item and expiry."""
    return list(session.scalars(select(Lot).where(Lot.depot_id == depot.id, Lot.quantity > 0)
                                .order_by(Lot.item_id, Lot.expires_on).limit(limit)))


def depots_by_code(session, codes: list[str]) -> tuple[list[Depot], list[str]]:
    """The depots with the codes in the order asked, and the codes that name none."""
    depots = session.scalars(select(Depot).where(Depot.code.in_(codes))).all()
    unknown = sorted(set(codes) - {depot.code for depot in depots})
    return sorted(depots, key=lambda depot: codes.index(depot.code)), unknown


def bins_by_id(session, ids: list[int]) -> list[Bin]:
    """The bins with the ids."""
    return list(session.scalars(select(Bin).where(Bin.id.in_(ids))))
