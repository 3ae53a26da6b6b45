"""What a report covers: a period of calendar days or a moment in the bureau's time zone, and
the depots and items it reads — limited to a keeper's own depots.

Who reads reports: the bureau, planners (rotation), auditors and admins read every depot;
a keeper reads only the depots assigned to them (naming another depot is refused with 403);
contract settlements are money owed to suppliers, read by everyone but keepers.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from inventory import clock, values
from inventory.catalogue.queries import get_item
from inventory.errors import Forbidden, InvalidInput
from inventory.geo.models import AREA_LEVELS
from inventory.geo.queries import get_depot

#: roles that read every depot's reports
READ_EVERY_DEPOT = ("admin", "bureau", "planner", "auditor")
#: the earliest and latest days a report may name (the ledger's times stay representable)
FIRST_DAY, LAST_DAY = values.FIRST_DAY, values.LAST_DAY


@dataclass(frozen=True)
class Period:
    """Calendar days ``first`` to ``last``, both included, in the bureau's time zone."""

    first: date
    last: date

    @property
    def starts_at(self) -> datetime:
        """The period's first moment: ``first`` at 00:00 local."""
        return clock.start_of_day(self.first)

    @property
    def ends_before(self) -> datetime:
        """The moment after the period: the day after ``last`` at 00:00 local."""
        return clock.start_of_day(self.last + timedelta(days=1))


@dataclass(frozen=True)
class Scope:
    """The depots and items a report reads, as asked for and as the user may see them."""

    depot: str | None = None
    item: str | None = None
    tier: str | None = None
    category: str | None = None
    #: the depots read (None: every depot); a keeper's own depots when none is named
    depot_ids: tuple[int, ...] | None = None
    item_id: int | None = None

    def asked(self) -> dict[str, str]:
        """The filters the user gave, by name."""
        return {name: value for name, value in (("depot", self.depot), ("item", self.item),
                                                ("tier", self.tier),
                                                ("category", self.category)) if value}


def _check_day(day: date, name: str) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidInput(f"日期须在 {FIRST_DAY} 至 {LAST_DAY} 之间。",
                           f"Dates must lie between {FIRST_DAY} and {LAST_DAY}.",
                           {name: [f"between {FIRST_DAY} and {LAST_DAY}"]})
    return day


def period(first: date | None = None, last: date | None = None) -> Period:
    """Return the period from ``first`` to ``last``; by default this year up to today.

    :raise InvalidInput: when ``first`` is after ``last``, or either is out of range.
    """
    last = _check_day(last, "to") if last else clock.today()
    first = _check_day(first, "from") if first else date(last.year, 1, 1)
    if first > last:
        raise InvalidInput("起始日期晚于截止日期。", "The period starts after it ends.",
                           {"from": ["after to"]})
    return Period(first, last)


def moment(at: datetime | date | None = None) -> datetime:
    """Return the moment a stock-on-hand report reads up to (inclusive): now by default; a
    calendar day means the end of that day, a time without a zone the bureau's local time.

    :raise InvalidInput: when the day is out of range.
    """
    if at is None:
        return clock.local_time(datetime.now(clock.TIMEZONE))
    if not isinstance(at, datetime):
        _check_day(at, "at")
        return datetime.combine(at, time.max, clock.TIMEZONE)
    _check_day(at.date(), "at")
    return at if at.tzinfo else at.replace(tzinfo=clock.TIMEZONE)


def ensure_can_read_settlements(user) -> None:
    """:raise Forbidden: for keepers, who see stock but not what suppliers are owed."""
    if user.role not in READ_EVERY_DEPOT:
        raise Forbidden("您的角色无权查看协议结算报表。",
                        "Your role may not read the contract settlements report.")


def scope(session, user, *, depot: str | None = None, item: str | None = None,
          tier: str | None = None, category: str | None = None) -> Scope:
    """Return what a report reads for the user, given the filters asked for.

    :raise InvalidInput: for an unknown tier.
    :raise NotFound: for an unknown depot or item.
    :raise Forbidden: when a keeper names a depot not assigned to them.
    """
    if tier is not None and tier not in AREA_LEVELS:
        raise InvalidInput("层级须为县级、乡镇或村/社区。", "The tier must be county, township or "
                           "village.", {"tier": ["county, township or village"]})
    keeper_depots = None if user.role in READ_EVERY_DEPOT else tuple(
        sorted(d.id for d in user.depots))
    depot_ids = keeper_depots
    if depot:
        found = get_depot(session, depot)
        if keeper_depots is not None and found.id not in keeper_depots:
            raise Forbidden(f"您只能查看自己负责的储备库，不能查看 {found.name}（{found.code}）。",
                            f"You may read reports of your own depots only, not "
                            f"{found.name} ({found.code}).")
        depot_ids = (found.id,)
    item_id = get_item(session, item).id if item else None
    return Scope(depot=depot, item=item, tier=tier, category=category or None,
                 depot_ids=depot_ids, item_id=item_id)
