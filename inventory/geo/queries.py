"""Reads for the depot pages, callable without HTTP."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from inventory.audit import events_for
from inventory.auth.models import User
from inventory.geo.models import DEPOT_FIELD_LABELS, Depot


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
