"""The application log's one table: an append-only record of changes that are not stock
movements. The database refuses to update or delete its rows (migration 7a3c5e9d1b20)."""

import json
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inventory.auth.models import User
from inventory.db import UTCDateTime, db, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_subject", "subject_type", "subject_id"),
                      # the trail is filtered by period and by user
                      Index("ix_audit_events_at", "at"),
                      Index("ix_audit_events_actor_id", "actor_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: empty for the system itself (e.g. the daily seal, the command line)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: what happened, e.g. ``lot.status``, ``user.create``
    action: Mapped[str] = mapped_column(String(40))
    #: the kind of thing changed (the trail's ``entity`` filter), e.g. ``depot``, ``user``
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int]
    #: JSON with the particulars; ``before`` and ``after`` hold the changed fields' values
    details: Mapped[str | None] = mapped_column(Text)

    actor: Mapped[User | None] = relationship(lazy="joined")

    @property
    def data(self) -> dict:
        return json.loads(self.details) if self.details else {}

    @property
    def before(self):
        return self.data.get("before")

    @property
    def after(self):
        return self.data.get("after")

    @property
    def particulars(self) -> dict:
        """The details other than the values before and after."""
        return {key: value for key, value in self.data.items()
                if key not in ("before", "after")}
