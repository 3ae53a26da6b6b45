"""Reads of the contract and capacity reserves: what each agreement still commits, and every
item's reserves beyond the shelf."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select

from inventory import clock
from inventory.catalogue.models import Item
from inventory.contracts.models import (
    Agreement,
    CallOff,
    CapacityReserve,
)
from inventory.stock.models import Lot


def agreements_with_remaining(session) -> list[tuple[Agreement, int]]:
    """Return every agreement by status and end of validity, with what it still commits."""
    agreements = session.scalars(select(Agreement).order_by(Agreement.status,
                                                            Agreement.valid_until)).all()
    remaining = remaining_by_agreement(session)
    return [(agreement, remaining.get(agreement.id, 0)) for agreement in agreements]


def capacity_reserves(session) -> list[CapacityReserve]:
    """Return the capacity reserves in the order they were recorded."""
    return list(session.scalars(select(CapacityReserve).order_by(CapacityReserve.id)))


def remaining_by_agreement(session) -> dict[int, int]:
    """What each agreement still commits: committed minus what was called off."""
    called = (select(CallOff.agreement_id, func.coalesce(func.sum(CallOff.quantity), 0)
                     .label("called"))
              .where(CallOff.status != "cancelled").group_by(CallOff.agreement_id).subquery())
    rows = session.execute(
        select(Agreement.id, Agreement.committed_quantity - func.coalesce(called.c.called, 0))
        .outerjoin(called, called.c.agreement_id == Agreement.id)).all()
    return {agreement_id: int(remaining) for agreement_id, remaining in rows}


@dataclass
class ReserveLine:
    item: Item
    on_shelf: int
    usable: int
    contract: int
    capacity: int


def reserves_by_item(session, on: date | None = None) -> list[ReserveLine]:
    """Every item's physical stock beside its contract and capacity reserves (not on the shelf).

    Contract: what valid agreements still commit. Capacity: the most valid firms can make
    in one response.
    """
    day = on or clock.today()
    shelf = {item_id: (int(total), int(usable or 0)) for item_id, total, usable in session.execute(
        select(Lot.item_id, func.sum(Lot.quantity),
               func.sum(Lot.quantity).filter(Lot.status == "available",
                                             or_(Lot.expires_on.is_(None),
                                                 Lot.expires_on >= day)))
        .where(Lot.quantity > 0).group_by(Lot.item_id)).all()}
    remaining = remaining_by_agreement(session)
    contract: dict[int, int] = {}
    for agreement in session.scalars(select(Agreement).where(
            Agreement.status == "active", Agreement.valid_from <= day,
            Agreement.valid_until >= day)):
        contract[agreement.item_id] = (contract.get(agreement.item_id, 0)
                                       + max(0, remaining.get(agreement.id, 0)))
    capacity = dict(session.execute(
        select(CapacityReserve.item_id, func.sum(CapacityReserve.max_quantity))
        .where(CapacityReserve.valid_from <= day, CapacityReserve.valid_until >= day)
        .group_by(CapacityReserve.item_id)).all())
    ids = set(shelf) | set(contract) | set(capacity)
    items = session.scalars(select(Item).where(Item.id.in_(ids)).order_by(Item.category,
                                                                          Item.code)).all()
    return [ReserveLine(item, *shelf.get(item.id, (0, 0)), contract.get(item.id, 0),
                        int(capacity.get(item.id, 0))) for item in items]


@dataclass
class BeyondShelf:
    """How many reserves outside the depots the county can draw on today."""

    agreements: int
    firms: int


def beyond_the_shelf(session, on: date | None = None) -> BeyondShelf:
    """Count valid agreements that still commit something and valid capacity reserves."""
    day = on or clock.today()
    remaining = remaining_by_agreement(session)
    valid = session.scalars(select(Agreement.id).where(
        Agreement.status == "active", Agreement.valid_from <= day,
        Agreement.valid_until >= day)).all()
    firms = session.scalar(select(func.count(CapacityReserve.id)).where(
        CapacityReserve.valid_from <= day, CapacityReserve.valid_until >= day))
    return BeyondShelf(sum(1 for agreement_id in valid if remaining.get(agreement_id, 0) > 0),
                       int(firms or 0))
