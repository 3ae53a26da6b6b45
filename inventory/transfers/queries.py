"""Reads for the transfer pages: the list and its filters, one transfer with its ledger rows,
and the lots a new transfer would take first-expiry-first-out."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from inventory import clock
from inventory.catalogue.models import Item
from inventory.catalogue.queries import get_item
from inventory.errors import InvalidInput, NotFound
from inventory.geo.models import Depot
from inventory.geo.queries import get_depot
from inventory.stock import domain
from inventory.stock.models import Lot, Movement
from inventory.transfers.models import TRANSFER_STATUSES, Transfer, TransferLine

#: transfers on one page of the list
PER_PAGE = 50


@dataclass(frozen=True)
class TransferFilter:
    """What the list is narrowed to; dates are calendar days in the bureau's time zone."""

    status: str | None = None
    from_depot: str | None = None
    to_depot: str | None = None
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class TransferPage:
    transfers: list[Transfer]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class TransferDetail:
    transfer: Transfer
    lines: list[TransferLine]
    #: the transfer's ledger rows: transfer_out at the source, transfer_in at the target
    movements: list[Movement]

    @property
    def sent(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def received(self) -> int | None:
        if self.transfer.status != "received":
            return None
        return sum(line.quantity_received or 0 for line in self.lines)

    @property
    def discrepancy(self) -> int | None:
        return None if self.received is None else self.sent - self.received


@dataclass(frozen=True)
class LotOffer:
    """A usable lot at the source and the quantity first-expiry-first-out takes from it."""

    lot: Lot
    proposed: int


@dataclass(frozen=True)
class ItemProposal:
    item: Item
    requested: int
    available: int
    #: every usable lot of the item at the source, first to expire first
    offers: list[LotOffer]

    @property
    def short(self) -> int:
        return max(self.requested - self.available, 0)


def list_transfers(session, filters: TransferFilter, page: int = 1,
                   per_page: int = PER_PAGE) -> TransferPage:
    """Return one page of the transfers matching the filters, newest first.

    :raise InvalidInput: for an unknown status or a range that ends before it starts.
    :raise NotFound: for an unknown depot code.
    """
    conditions = []
    if filters.status is not None:
        if filters.status not in TRANSFER_STATUSES:
            raise InvalidInput(f"状态 {filters.status} 无效。", f"Unknown status {filters.status}.",
                               {"status": list(TRANSFER_STATUSES)})
        conditions.append(Transfer.status == filters.status)
    if filters.from_depot:
        conditions.append(Transfer.from_depot_id == get_depot(session, filters.from_depot).id)
    if filters.to_depot:
        conditions.append(Transfer.to_depot_id == get_depot(session, filters.to_depot).id)
    if filters.since and filters.until and filters.until < filters.since:
        raise InvalidInput("结束日期早于开始日期。", "The end date is before the start date.",
                           {"until": ["before since"]})
    if filters.since:
        conditions.append(Transfer.created_at >= clock.start_of_day(filters.since))
    if filters.until:
        conditions.append(
            Transfer.created_at < clock.start_of_day(filters.until + timedelta(days=1)))
    total = session.scalar(select(func.count(Transfer.id)).where(*conditions))
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    transfers = session.scalars(
        select(Transfer).where(*conditions).order_by(Transfer.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    return TransferPage(list(transfers), total, page, pages)


def get_by_number(session, number: str) -> Transfer:
    """:raise NotFound: when no transfer has the number."""
    transfer = session.scalar(select(Transfer).where(Transfer.number == number))
    if transfer is None:
        raise NotFound(f"没有单号为 {number} 的调拨单。", f"No transfer numbered {number}.")
    return transfer


def transfer_detail(session, number: str) -> TransferDetail:
    """Return the transfer with its lines and its ledger rows in the order they were written.

    :raise NotFound: when no transfer has the number.
    """
    transfer = get_by_number(session, number)
    movements = session.scalars(select(Movement).where(Movement.transfer_id == transfer.id)
                                .order_by(Movement.id)).all()
    return TransferDetail(transfer, list(transfer.lines), list(movements))


def source_depots(session, user) -> list[Depot]:
    """The active depots the user may order a transfer out of."""
    query = select(Depot).where(Depot.active.is_(True)).order_by(Depot.code)
    if user.role not in ("admin", "bureau"):
        query = query.where(Depot.id.in_([depot.id for depot in user.depots]))
    return list(session.scalars(query))


def propose_lots(session, from_depot: str, wanted: list[tuple[str, int]],
                 today: date | None = None) -> list[ItemProposal]:
    """Offer, for each item and quantity, the usable lots at the source depot with the
    quantity first-expiry-first-out takes from each (all of them when there is too little).

    :raise NotFound: for an unknown depot or item.
    :raise InvalidInput: for a quantity that is not a positive whole number.
    """
    today = today or clock.today()
    depot = get_depot(session, from_depot)
    requested: dict[str, int] = {}
    for code, quantity in wanted:
        if not isinstance(quantity, int) or quantity <= 0:
            raise InvalidInput("数量须为正整数。", "Quantity must be a positive whole number.",
                               {"quantity": ["must be > 0"]})
        requested[code] = requested.get(code, 0) + quantity
    proposals = []
    for code, quantity in requested.items():
        item = get_item(session, code)
        lots = session.scalars(select(Lot).where(Lot.depot_id == depot.id,
                                                 Lot.item_id == item.id)).all()
        usable = [lot for lot in lots
                  if lot.quantity > 0 and domain.effective_status(lot, today) == "available"]
        available = sum(lot.quantity for lot in usable)
        label = f"{item.name_zh}（{item.code}）"
        # Taking everything lists every usable lot in the rule's own order.
        in_order = domain.pick_fefo(usable, available, today, label)
        taken = {pick.lot.id: pick.quantity
                 for pick in domain.pick_fefo(usable, min(quantity, available), today, label)}
        offers = [LotOffer(pick.lot, taken.get(pick.lot.id, 0)) for pick in in_order]
        proposals.append(ItemProposal(item, quantity, available, offers))
    return proposals
