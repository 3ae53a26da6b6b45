"""Look-ups in the catalogue."""

from sqlalchemy import select

from inventory.catalogue.models import Item
from inventory.errors import NotFound


def items(session) -> list[Item]:
    """Return the catalogue by code."""
    return list(session.scalars(select(Item).order_by(Item.code)))


def get_item(session, code: str) -> Item:
    """:raise NotFound: when no catalogue item has the code."""
    item = session.scalar(select(Item).where(Item.code == code))
    if item is None:
        raise NotFound(f"物资目录中没有编号 {code}。", f"No catalogue item with code {code}.",
                       {"item": ["unknown item"]})
    return item
