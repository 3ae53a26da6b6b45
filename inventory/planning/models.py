"""Planning scenarios (规划方案) and their runs: the optimizer's input built from the live data,
solved as a background job, with the exact input and result kept."""

import json
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inventory.auth.models import User
from inventory.base import N_
from inventory.db import UTCDateTime, db, utcnow
from inventory.jobs.models import Job
from inventory.readiness.models import Target

KINDS = ("dispatch", "preposition", "rotation")
KIND_LABELS = {"dispatch": N_("应急调度"), "preposition": N_("汛前预置"),
               "rotation": N_("轮换更新")}
#: reserve modes a scenario may draw on, as the optimizer names its source kinds
MODES = ("physical", "contract", "capacity")
MODE_LABELS = {"physical": N_("实物储备"), "contract": N_("协议储备"), "capacity": N_("产能储备")}


class Scenario(db.Model):
    """A question for the optimizer, in the bureau's terms: who needs what, by when, from what."""

    __tablename__ = "planning_scenarios"
    __table_args__ = (
        CheckConstraint("kind IN ('dispatch', 'preposition', 'rotation')", name="kind"),
        CheckConstraint("deadline_hours IS NULL OR deadline_hours > 0", name="deadline_positive"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(12))
    #: the day the scenario plays out: stock must still be usable then (plus the deadline)
    scenario_date: Mapped[date]
    #: hours within which supplies must arrive (dispatch and pre-positioning)
    deadline_hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    #: the season whose norms turn people into items
    season: Mapped[str] = mapped_column(String(8), default="all")
    #: the target the sites were spread from, if any (the sites stay editable)
    target_id: Mapped[int | None] = mapped_column(ForeignKey("targets.id"))
    #: [{"shelter": code, "people": n, "priority": p}]
    sites: Mapped[list] = mapped_column(JSON, default=list)
    #: reserve modes the plan may use, a subset of MODES
    modes: Mapped[list] = mapped_column(JSON, default=lambda: list(MODES))
    #: depot codes that send nothing (a road is cut)
    excluded_depots: Mapped[list] = mapped_column(JSON, default=list)
    #: [{"depot": code, "shelter": code}]: routes that cannot be travelled
    excluded_pairs: Mapped[list] = mapped_column(JSON, default=list)
    #: the kind's own parameters (pre-positioning's cases and budget, rotation's outlets, …)
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)
    #: seconds the solver may take (empty: the kind's default)
    time_limit_seconds: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    #: raised by every change, so a run knows whether it ran this version
    version: Mapped[int] = mapped_column(default=1)
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("planning_scenarios.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    target: Mapped[Target | None] = relationship()
    created_by: Mapped[User | None] = relationship()


class Run(db.Model):
    """One solve of a scenario: the exact input given to the solver and what it printed.

    Its status, phase and times are those of its background job.
    """

    __tablename__ = "planning_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("planning_scenarios.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    #: the scenario's version when the run was asked for
    scenario_version: Mapped[int]
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), unique=True)
    time_limit_seconds: Mapped[int]
    #: the input document, byte for byte as the solver read it
    input: Mapped[bytes | None] = mapped_column(LargeBinary)
    input_sha256: Mapped[str | None] = mapped_column(String(64))
    #: markers of the data the input was built from (see planning.queries.data_marks)
    data_marks: Mapped[dict | None] = mapped_column(JSON)
    build_seconds: Mapped[float | None] = mapped_column(Float)
    #: what ``python -m optimizer`` printed on standard output, as it printed it
    result: Mapped[str | None] = mapped_column(Text)
    exit_code: Mapped[int | None]
    #: the solver's statistics (the result's ``stats``) and the wall time of the solve
    stats: Mapped[dict | None] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    scenario: Mapped[Scenario] = relationship(lazy="joined")
    job: Mapped[Job | None] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship()

    #: what changed since the input was built; set by ``queries.mark_stale`` (None: not looked)
    stale_reasons = None

    @property
    def status(self) -> str:
        return self.job.status if self.job is not None else "queued"

    @property
    def outcome(self):
        """The result as JSON values, or None before there is one."""
        return json.loads(self.result) if self.result else None

    @property
    def elapsed_seconds(self) -> float:
        """Seconds the run has been running, or ran; 0 while it waits."""
        job = self.job
        if job is None or job.started_at is None:
            return 0.0
        end = job.finished_at or utcnow()
        return round(max(0.0, (end - job.started_at).total_seconds()), 1)
