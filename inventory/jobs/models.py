"""The record of a background job: what was asked, how far it got, and how it ended."""

import json
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inventory.auth.models import User
from inventory.base import N_
from inventory.db import UTCDateTime, db, utcnow

JOB_STATUSES = ("queued", "running", "finished", "failed", "cancelled")
#: statuses a job does not leave
ENDED = ("finished", "failed", "cancelled")
STATUS_LABELS = {"queued": N_("排队中"), "running": N_("运行中"), "finished": N_("已完成"),
                 "failed": N_("失败"), "cancelled": N_("已取消")}


class Job(db.Model):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'finished', 'failed', 'cancelled')",
                        name="status"),
        Index("ix_jobs_kind_status", "kind", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the registered kind that runs it, e.g. ``ledger.verify``
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), default="queued")
    #: JSON object: what the job was asked to do
    params: Mapped[str] = mapped_column(Text, default="{}")
    #: the step it is at, e.g. ``solve``, and a sentence for people about it
    phase: Mapped[str | None] = mapped_column(String(40))
    progress: Mapped[str | None] = mapped_column(String(200))
    #: JSON: what it produced, once finished
    result: Mapped[str | None] = mapped_column(Text)
    #: why it failed
    error: Mapped[str | None] = mapped_column(Text)
    #: set by a cancellation while running; the job stops at its next check
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    #: the queue's id of the task that runs it (for revoking it while it waits)
    task_id: Mapped[str | None] = mapped_column(String(64))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    requested_by: Mapped[User | None] = relationship(lazy="joined")

    @property
    def parameters(self) -> dict:
        return json.loads(self.params) if self.params else {}

    @property
    def outcome(self):
        return json.loads(self.result) if self.result else None
