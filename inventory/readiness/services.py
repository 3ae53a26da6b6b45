"""Changes to what readiness is measured against: norms (seeded from the packaged table and
edited by the bureau), targets, minimum stock per tier and travel times."""

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources

from sqlalchemy import select

from inventory import audit
from inventory.auth.permissions import MANAGERS, ensure_role
from inventory.catalogue.models import Item
from inventory.catalogue.queries import get_item
from inventory.errors import InvalidInput, NotFound
from inventory.geo.models import AREA_LEVELS, Area, Depot
from inventory.readiness.models import SEASONS, Norm, StockMinimum, Target, TravelTime
from inventory.readiness.queries import get_target
from inventory.uow import unit_of_work

#: what a norm may ask of each person: the column keeps four decimals, and no supply is
#: counted in thousands a head
PER_PERSON_RANGE = (0.0001, 1000)
#: the longest a norm's supplies are meant to last: a year
MAX_NORM_HOURS = 8760


@dataclass(frozen=True)
class NormRow:
    item_code: str
    per_person: Decimal
    duration_hours: int
    season: str
    basis: str
    source: str
    basis_zh: str = ""


def _packaged(name: str) -> str:
    return resources.files("inventory.catalogue").joinpath(f"data/{name}").read_text(
        encoding="utf-8")


def _chinese_bases() -> dict[tuple[str, str], str]:
    """The bases of the packaged norms in Chinese, by item and season."""
    return {(record["item_code"], record["season"]): record["basis_zh"].strip()
            for record in csv.DictReader(_packaged("norms_zh.csv").splitlines())}


def read_norms(text: str | None = None) -> list[NormRow]:
    """Parse norms CSV text (the packaged copy of ../shared/domain/norms.csv by default, with
    the Chinese bases from norms_zh.csv beside it)."""
    chinese = _chinese_bases() if text is None else {}
    if text is None:
        text = _packaged("norms.csv")
    rows = []
    for number, record in enumerate(csv.DictReader(text.splitlines()), start=2):
        try:
            rows.append(NormRow(record["item_code"].strip(), Decimal(record["per_person"]),
                                int(record["duration_hours"]), record["season"].strip(),
                                record["basis"].strip(), record["source"].strip(),
                                chinese.get((record["item_code"].strip(),
                                             record["season"].strip()), "")))
        except (KeyError, ArithmeticError, ValueError) as error:
            raise ValueError(f"norms line {number}: {error}") from error
    return rows


def load_norms(session, rows: list[NormRow] | None = None, actor=None) -> int:
    """Insert or update the norms by item and season; return how many were written.

    Each norm created or changed is one event of the audit trail, by ``actor`` (none for the
    packaged norms loaded by the system)."""
    rows = read_norms() if rows is None else rows
    with unit_of_work(session):
        items = dict(session.execute(select(Item.code, Item.id)).all())
        existing = {(n.item_id, n.season): n for n in session.scalars(select(Norm))}
        written = 0
        for row in rows:
            item_id = items.get(row.item_code)
            if item_id is None:
                raise NotFound(f"人均标准中的物资 {row.item_code} 不在物资目录中。",
                               f"The norms name item {row.item_code}, not in the catalogue.")
            norm = existing.get((item_id, row.season))
            before = None if norm is None else audit.snapshot(norm)
            if norm is None:
                norm = Norm(item_id=item_id, season=row.season)
                session.add(norm)
                existing[(item_id, row.season)] = norm
            norm.per_person, norm.duration_hours = row.per_person, row.duration_hours
            norm.basis, norm.source = row.basis, row.source
            norm.basis_zh = row.basis_zh or norm.basis_zh
            session.flush()
            was, now = audit.changes(before, audit.snapshot(norm))
            if now:
                audit.record(session, actor, "norm.set", "norm", norm.id, item=row.item_code,
                             season=row.season, before=was, after=now)
            written += 1
    return written


def ensure_season(season: str) -> str:
    """:raise InvalidInput: when the season is not one the pages offer."""
    if season not in SEASONS:
        raise InvalidInput(f"季节须为 {'、'.join(SEASONS)} 之一。",
                           f"The season must be one of {', '.join(SEASONS)}.",
                           {"season": [f"one of {', '.join(SEASONS)}"]})
    return season


def set_norm(session, actor, *, item: str, per_person: float, season: str = "all",
             duration_hours: int = 72, basis: str = "", source: str = "",
             basis_zh: str = "") -> Norm:
    """Set the norm of an item for a season (the bureau edits the seeded norms)."""
    ensure_role(actor, *MANAGERS)
    ensure_season(season)
    least, most = PER_PERSON_RANGE
    if not least <= per_person <= most:
        raise InvalidInput(f"人均数量须在 {least:g} 至 {most:g} 之间。",
                           f"The quantity per person must be from {least:g} to {most:g}.",
                           {"per_person": [f"between {least:g} and {most:g}"]})
    if not 1 <= duration_hours <= MAX_NORM_HOURS:
        raise InvalidInput(f"持续时间须在 1 至 {MAX_NORM_HOURS} 小时之间。",
                           f"The duration must be from 1 to {MAX_NORM_HOURS} hours.",
                           {"duration_hours": [f"between 1 and {MAX_NORM_HOURS}"]})
    with unit_of_work(session):
        load_norms(session, [NormRow(item, Decimal(str(per_person)), duration_hours, season,
                                     basis, source, basis_zh)], actor=actor)
        norm = session.scalar(select(Norm).join(Item).where(Item.code == item,
                                                            Norm.season == season))
    return norm


def create_target(session, actor, *, name: str, area: str, people: int,
                  deadline_hours: float = 10, season: str = "all",
                  target_date: date | None = None, note: str | None = None) -> Target:
    """Set a target: shelter ``people`` in ``area`` within ``deadline_hours``."""
    ensure_role(actor, *MANAGERS)
    ensure_season(season)
    if people <= 0 or deadline_hours <= 0:
        raise InvalidInput("人数和时限须为正数。", "People and hours must be positive.",
                           {"people": ["> 0"], "deadline_hours": ["> 0"]})
    with unit_of_work(session):
        area_row = session.scalar(select(Area).where(Area.code == area))
        if area_row is None:
            raise NotFound(f"没有编码为 {area} 的行政区。", f"No area with code {area}.",
                           {"area": ["unknown area"]})
        target = Target(name=name, area_id=area_row.id, people=people,
                        deadline_hours=Decimal(str(deadline_hours)), season=season,
                        target_date=target_date, note=note, active=True)
        session.add(target)
        session.flush()
        audit.record(session, actor, "target.create", "target", target.id, before=None,
                     after=audit.snapshot(target))
    return target


def end_target(session, actor, target_id: int) -> Target:
    """Stop tracking a target (it stays on record)."""
    ensure_role(actor, *MANAGERS)
    with unit_of_work(session):
        target = get_target(session, target_id)
        was = target.active
        target.active = False
        audit.record(session, actor, "target.end", "target", target.id,
                     before={"active": was}, after={"active": False})
    return target


def create_minimum(session, actor, *, level: str, people: int | None = None,
                   season: str = "all", item: str | None = None, quantity: int | None = None,
                   note: str | None = None) -> StockMinimum:
    """Set a minimum each depot of a tier holds: supplies for ``people`` (by the norms) or
    ``quantity`` of ``item``."""
    ensure_role(actor, *MANAGERS)
    if level not in AREA_LEVELS:
        raise InvalidInput("层级须为县级、乡镇或村/社区。", "The level must be county, township "
                           "or village.", {"level": ["county, township or village"]})
    if (people is None) == (item is None) or (item is None) != (quantity is None):
        raise InvalidInput("请给出保障人数，或给出物资及其数量，二者选一。",
                           "Give either a number of people, or an item with its quantity.",
                           {"people": ["people, or item and quantity"]})
    if (people is not None and people <= 0) or (quantity is not None and quantity <= 0):
        raise InvalidInput("人数和数量须为正整数。", "People and quantity must be positive.",
                           {"people": ["> 0"], "quantity": ["> 0"]})
    with unit_of_work(session):
        minimum = StockMinimum(level=level, people=people, season=season,
                               item_id=None if item is None else get_item(session, item).id,
                               quantity=quantity, note=note, active=True)
        session.add(minimum)
        session.flush()
        audit.record(session, actor, "minimum.create", "stock_minimum", minimum.id,
                     item=item, before=None, after=audit.snapshot(minimum))
    return minimum


def end_minimum(session, actor, minimum_id: int) -> StockMinimum:
    """Stop checking a minimum (it stays on record)."""
    ensure_role(actor, *MANAGERS)
    with unit_of_work(session):
        minimum = session.get(StockMinimum, minimum_id)
        if minimum is None:
            raise NotFound(f"没有编号为 {minimum_id} 的储备定额。",
                           f"No stock minimum with id {minimum_id}.", {"minimum": ["unknown"]})
        was = minimum.active
        minimum.active = False
        audit.record(session, actor, "minimum.end", "stock_minimum", minimum.id,
                     before={"active": was}, after={"active": False})
    return minimum


def set_travel_time(session, actor, *, depot: str, area: str, hours: float,
                    source: str = "manual") -> TravelTime:
    """Record the road hours from a depot to an area (replacing any earlier figure)."""
    ensure_role(actor, *MANAGERS)
    if hours < 0:
        raise InvalidInput("行驶时间不能为负。", "Hours cannot be negative.", {"hours": [">= 0"]})
    with unit_of_work(session):
        depot_row = session.scalar(select(Depot).where(Depot.code == depot))
        area_row = session.scalar(select(Area).where(Area.code == area))
        if depot_row is None or area_row is None:
            raise NotFound("储备库或行政区不存在。", "Unknown depot or area.")
        row = session.scalar(select(TravelTime).where(TravelTime.depot_id == depot_row.id,
                                                      TravelTime.area_id == area_row.id))
        before = None if row is None else {"hours": audit.plain(row.hours),
                                           "source": row.source}
        if row is None:
            row = TravelTime(depot_id=depot_row.id, area_id=area_row.id)
            session.add(row)
        row.hours, row.source = Decimal(str(hours)), source
        session.flush()
        was, now = audit.changes(before, {"hours": audit.plain(row.hours), "source": source})
        if now:
            audit.record(session, actor, "travel_time.set", "travel_time", row.id, depot=depot,
                         area=area, before=was, after=now)
    return row
