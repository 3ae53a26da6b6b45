"""Reading the audit trail: one object's events, and the whole trail filtered."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from inventory.audit.models import AuditEvent
from inventory.auth.models import User


@dataclass(frozen=True)
class TrailFilter:
    """What the auditor asks for: a period (``until`` excluded), a kind of thing, a user."""

    since: datetime | None = None
    until: datetime | None = None
    #: a subject type, e.g. ``depot``, ``user``, ``scenario``
    entity: str | None = None
    #: a username
    actor: str | None = None


def events_for(session, subject_type: str, subject_id: int) -> list[AuditEvent]:
    """Return the events about one object, oldest first."""
    return list(session.scalars(
        select(AuditEvent)
        .where(AuditEvent.subject_type == subject_type, AuditEvent.subject_id == subject_id)
        .order_by(AuditEvent.id)))


def trail(wanted: TrailFilter):
    """Return the statement selecting the filtered trail, newest first."""
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc())
    if wanted.since is not None:
        stmt = stmt.where(AuditEvent.at >= wanted.since)
    if wanted.until is not None:
        stmt = stmt.where(AuditEvent.at < wanted.until)
    if wanted.entity:
        stmt = stmt.where(AuditEvent.subject_type == wanted.entity)
    if wanted.actor:
        stmt = stmt.where(AuditEvent.actor_id.in_(
            select(User.id).where(User.username == wanted.actor)))
    return stmt


@dataclass(frozen=True)
class TrailPage:
    """One page of the filtered trail, with where it stands among the pages."""

    events: list[AuditEvent]
    total: int
    page: int
    pages: int


def trail_page(session, wanted: TrailFilter, page: int, size: int) -> TrailPage:
    """Return a page of the filtered trail, newest first; a page beyond the ends gives the
    nearest one."""
    stmt = trail(wanted)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    events = list(session.scalars(stmt.limit(size).offset((page - 1) * size)))
    return TrailPage(events, total, page, pages)


def entities(session) -> list[str]:
    """Return the subject types the trail holds, for the page's filter."""
    return list(session.scalars(select(AuditEvent.subject_type).distinct()
                                .order_by(AuditEvent.subject_type)))


def actors(session) -> list[str]:
    """Return every username, for the page's filter."""
    return list(session.scalars(select(User.username).order_by(User.username)))
