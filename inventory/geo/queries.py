"""Look-ups of depots and bins, and reads for the depot pages, callable without HTTP."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from inventory.audit import events_for
from inventory.auth.models import User
from inventory.errors import NotFound
from inventory.geo.models import DEPOT_FIELD_LABELS, Area, Bin, Depot


def get_depot(session, code: str) -> Depot:
    """:raise NotFound: when no depot has the code."""
    depot = session.scalar(select(Depot).where(Depot.code == code))
    if depot is None:
        raise NotFound(f"没有编号为 {code} 的储备库。", f"No depot with code {code}.",
                       {"depot": ["unknown depot"]})
    return depot


def depots(session, *, active_only: bool = True, shelters: bool = True,
           levels: tuple[str, ...] | None = None) -> list[Depot]:
    """Return depots by code: the active ones unless ``active_only`` is False, shelters'
    receiving points unless ``shelters`` is False, and only in areas at ``levels`` if given."""
    query = select(Depot).order_by(Depot.code)
    if active_only:
        query = query.where(Depot.active.is_(True))
    if not shelters:
        query = query.where(Depot.kind != "shelter")
    if levels is not None:
        query = query.join(Area, Area.id == Depot.area_id).where(Area.level.in_(levels))
    return list(session.scalars(query))


def areas(session, *, level: str | None = None) -> list[Area]:
    """Return the areas by code, or only those at ``level`` (county, township, village)."""
    query = select(Area).order_by(Area.code)
    if level is not None:
        query = query.where(Area.level == level)
    return list(session.scalars(query))


def get_bin(session, depot: Depot, code: str) -> Bin:
    """:raise NotFound: when the depot has no bin with the code."""
    found = session.scalar(select(Bin).where(Bin.depot_id == depot.id, Bin.code == code))
    if found is None:
        raise NotFound(f"{depot.name} 没有库位 {code}。", f"Depot {depot.code} has no bin {code}.")
    return found


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: object
    after: object


@dataclass(frozen=True)
class DepotChange:
    """One edit of a depot's details: when, by whom, and each field before and after."""

    at: datetime
    actor: User | None
    fields: list[FieldChange]


def depot_by_code(session, code: str) -> Depot | None:
    """Return the depot with the code, or None."""
    return session.scalar(select(Depot).where(Depot.code == code))


def depot_changes(session, depot: Depot) -> list[DepotChange]:
    """Return the edits of a depot's details, newest first, fields in the form's order."""
    changes = []
    for event in reversed(events_for(session, "depot", depot.id)):
        if event.action != "depot.update":
            continue
        before, after = event.data.get("before", {}), event.data.get("after", {})
        fields = [FieldChange(field, before.get(field), after.get(field))
                  for field in DEPOT_FIELD_LABELS if field in after]
        changes.append(DepotChange(event.at, event.actor, fields))
    return changes
