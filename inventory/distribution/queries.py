"""Reads of distributions: lists by depot and period, one record, a household's earlier
rations, a batch and its sign-off sheet."""

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from inventory import clock
from inventory.catalogue.models import Item
from inventory.distribution.models import (
    Distribution,
    DistributionBatch,
    DistributionLine,
)
from inventory.errors import NotFound
from inventory.geo.models import Depot
from inventory.readiness.models import Norm

#: days outside these bound nothing we hold; a bound beyond them (0001-01-01, 9999-12-31) is
#: no bound, and has no UTC moment to compare with
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(9000, 12, 31)


def list_distributions(session, *, depot: str | None = None, date_from: date | None = None,
                       date_to: date | None = None, batch: str | None = None):
    """Return a statement of distributions, newest first, by depot, local dates and batch."""
    stmt = select(Distribution).order_by(Distribution.occurred_at.desc(), Distribution.id.desc())
    if depot:
        stmt = stmt.join(Depot, Depot.id == Distribution.depot_id).where(Depot.code == depot)
    if date_from and date_from > EARLIEST_DAY:
        stmt = stmt.where(Distribution.occurred_at >= clock.start_of_day(date_from))
    if date_to and date_to < LATEST_DAY:
        stmt = stmt.where(Distribution.occurred_at
                          < clock.start_of_day(date_to + timedelta(days=1)))
    if batch:
        stmt = stmt.join(DistributionBatch, DistributionBatch.id == Distribution.batch_id
                         ).where(DistributionBatch.code == batch)
    return stmt


def get_distribution(session, distribution_id: int) -> Distribution:
    """:raise NotFound: when no distribution has the id."""
    found = session.get(Distribution, distribution_id)
    if found is None:
        raise NotFound(f"没有编号为 {distribution_id} 的发放记录。",
                       f"No distribution with id {distribution_id}.",
                       {"distribution": ["unknown distribution"]})
    return found


def get_batch(session, code: str) -> DistributionBatch:
    """:raise NotFound: when no batch has the code."""
    found = session.scalar(select(DistributionBatch).where(DistributionBatch.code == code))
    if found is None:
        raise NotFound(f"没有编号为 {code} 的批量发放。", f"No distribution batch {code}.",
                       {"batch": ["unknown batch"]})
    return found


def ration_hours(session, item_ids) -> dict[int, int]:
    """Return how many hours a ration of each item lasts: the longest duration among its norms
    (items without a norm have no ration to repeat)."""
    rows = session.execute(select(Norm.item_id, func.max(Norm.duration_hours))
                           .where(Norm.item_id.in_(list(item_ids))).group_by(Norm.item_id))
    return {item_id: int(hours) for item_id, hours in rows}


def earlier_rations(session, household_key: str, item_ids, since: datetime,
                    until: datetime) -> dict[int, list[tuple[str, datetime]]]:
    """Return the household's distributions of each item between two moments, by item."""
    rows = session.execute(
        select(DistributionLine.item_id, Distribution.number, Distribution.occurred_at)
        .join(Distribution, Distribution.id == DistributionLine.distribution_id)
        .where(Distribution.household_key == household_key,
               DistributionLine.item_id.in_(list(item_ids)),
               Distribution.occurred_at > since, Distribution.occurred_at < until)
        .distinct())
    found: dict[int, list[tuple[str, datetime]]] = {}
    for item_id, number, at in rows:
        found.setdefault(item_id, []).append((number, at))
    return found


def batch_repeats(session, batch: DistributionBatch, now: datetime) -> dict[int, list[str]]:
    """Return, by household (its index in the batch), the distributions that gave it one of
    its items within that ration's duration before ``now``: what issuing would warn about."""
    codes = {line["item"] for row in batch.households for line in row["items"]}
    items = items_by_code(session, codes)
    hours = ration_hours(session, [item.id for item in items.values()])
    keys = {row.get("household_key") for row in batch.households} - {None}
    if not hours or not keys or batch.status != "staged":
        return {}
    since = now - timedelta(hours=max(hours.values()))
    rows = session.execute(
        select(Distribution.household_key, DistributionLine.item_id, Distribution.number,
               Distribution.occurred_at)
        .join(DistributionLine, DistributionLine.distribution_id == Distribution.id)
        .where(Distribution.household_key.in_(keys), Distribution.occurred_at > since,
               DistributionLine.item_id.in_(list(hours))).distinct())
    earlier: dict[tuple[str, int], list[tuple[str, datetime]]] = {}
    for key, item_id, number, at in rows:
        earlier.setdefault((key, item_id), []).append((number, at))
    found = {}
    for index, row in enumerate(batch.households):
        numbers = sorted({number for line in row["items"]
                          for number, at in earlier.get((row.get("household_key"),
                                                         items[line["item"]].id), [])
                          if now - at < timedelta(hours=hours[items[line["item"]].id])})
        if numbers:
            found[index] = numbers
    return found


def batch_distributions(session, batch: DistributionBatch) -> list[Distribution]:
    """Return the distributions made from a batch, in the order of its households."""
    return list(session.scalars(select(Distribution).where(Distribution.batch_id == batch.id)
                                .order_by(Distribution.id)))


def recent_batches(session, limit: int = 20) -> list[DistributionBatch]:
    """Return the newest batches."""
    return list(session.scalars(select(DistributionBatch)
                                .order_by(DistributionBatch.id.desc()).limit(limit)))


def items_by_code(session, codes) -> dict[str, Item]:
    """Return the catalogue items with the codes, by code."""
    return {item.code: item for item in session.scalars(
        select(Item).where(Item.code.in_(list(codes))))}


def item_choices(session) -> list[Item]:
    """Return the catalogue, for the distribution screen's item list."""
    return list(session.scalars(select(Item).order_by(Item.code)))
