"""The application log: an append-only record of changes that are not stock movements
(a lot quarantined or released, a user or token created, a seal taken)."""

import json
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inventory.auth.models import User
from inventory.db import UTCDateTime, db, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: empty for the system itself (e.g. the daily seal)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: what happened, e.g. ``lot.status``, ``user.create``
    action: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int]
    #: JSON with the particulars, e.g. {"from": "available", "to": "quarantined", "reason": …}
    details: Mapped[str | None] = mapped_column(Text)

    actor: Mapped[User | None] = relationship(lazy="joined")

    @property
    def data(self) -> dict:
        return json.loads(self.details) if self.details else {}


def record(session, actor, action: str, subject_type: str, subject_id: int, **details) -> None:
    """Append one event to the application log, in the caller's transaction."""
    session.add(AuditEvent(
        actor_id=actor.id if actor is not None else None, action=action,
        subject_type=subject_type, subject_id=subject_id,
        details=json.dumps(details, ensure_ascii=False, default=str) if details else None))


def events_for(session, subject_type: str, subject_id: int) -> list[AuditEvent]:
    """Return the events about one object, oldest first."""
    return list(session.scalars(
        select(AuditEvent)
        .where(AuditEvent.subject_type == subject_type, AuditEvent.subject_id == subject_id)
        .order_by(AuditEvent.id)))
