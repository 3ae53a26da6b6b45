"""Reads of the outlets register."""

from sqlalchemy import select

from inventory.catalogue.models import Item
from inventory.errors import NotFound
from inventory.outlets.models import Outlet


def list_outlets(session, *, active: bool | None = None, item: str | None = None
                 ) -> list[Outlet]:
    """Return the outlets by name and item, all or only the active (or inactive) ones."""
    stmt = select(Outlet).join(Item, Item.id == Outlet.item_id).order_by(Outlet.name, Item.code)
    if active is not None:
        stmt = stmt.where(Outlet.active.is_(active))
    if item:
        stmt = stmt.where(Item.code == item)
    return list(session.scalars(stmt))


def get_outlet(session, outlet_id: int) -> Outlet:
    """:raise NotFound: when no outlet has the id."""
    outlet = session.get(Outlet, outlet_id)
    if outlet is None:
        raise NotFound(f"没有编号为 {outlet_id} 的轮换去向。", f"No outlet with id {outlet_id}.",
                       {"outlet": ["unknown outlet"]})
    return outlet
