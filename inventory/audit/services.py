"""Writing the application log: one event per change, with the values before and after."""

import json
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import inspect

from inventory.audit.models import AuditEvent

#: columns never written to the log, whatever the row
SECRET_COLUMNS = frozenset({"password_hash", "token_hash", "auth_version"})


def record(session, actor, action: str, subject_type: str, subject_id: int, **details) -> None:
    """Append one event to the application log, in the caller's transaction.

    ``before`` and ``after`` among the details hold what changed (``before`` is None for a
    creation); the trail shows them side by side.
    """
    session.add(AuditEvent(
        actor_id=actor.id if actor is not None else None, action=action,
        subject_type=subject_type, subject_id=subject_id,
        details=json.dumps(details, ensure_ascii=False, default=str) if details else None))


def plain(value):
    """A value as the log's JSON holds it: exact numbers as strings, dates in ISO 8601."""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def snapshot(row, *, exclude: tuple[str, ...] = ()) -> dict:
    """Return a row's column values as plain JSON values, secrets left out."""
    skip = SECRET_COLUMNS | set(exclude)
    return {attr.key: plain(getattr(row, attr.key))
            for attr in inspect(type(row)).column_attrs if attr.key not in skip}


def changes(before: dict | None, after: dict) -> tuple[dict | None, dict]:
    """Return only the fields that differ, before and after; a creation keeps all of after."""
    if before is None:
        return None, after
    changed = [key for key in after if before.get(key) != after[key]]
    return {key: before.get(key) for key in changed}, {key: after[key] for key in changed}
