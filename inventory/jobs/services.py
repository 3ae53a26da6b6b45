"""Background jobs: kinds registered by the features that run them, submitted, watched and
cancelled through one record per job.

A feature registers a kind in a module that ``create_app`` imports (see ``inventory.jobs.kinds``):

    @job_kind("ledger.verify", roles=("admin", "bureau", "auditor"), title_zh="核验台账",
              title_en="Verify the ledger")
    def verify(ctx: JobContext) -> dict:
        ...                       # ctx.params, ctx.session, ctx.actor
        ctx.progress("chains")    # records the step; raises JobCancelled once cancelled
        return {...}              # stored as the job's result (JSON)
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from inventory import audit
from inventory.auth.permissions import ensure_role
from inventory.db import fetch_one, utcnow
from inventory.errors import Forbidden, InvalidInput, NotFound, StateConflict
from inventory.jobs import queue
from inventory.jobs.models import ENDED, Job
from inventory.jobs.runner import JobContext
from inventory.uow import unit_of_work

#: roles that may cancel anyone's job; others cancel only their own
CANCELLERS = ("admin", "bureau")


@dataclass(frozen=True)
class JobKind:
    name: str
    run: Callable[[JobContext], object]
    #: roles that may submit it
    roles: tuple[str, ...]
    title_zh: str
    title_en: str


#: every kind, by name; filled as the modules that define kinds are imported
KINDS: dict[str, JobKind] = {}


def job_kind(name: str, *, roles: tuple[str, ...], title_zh: str, title_en: str):
    """Register the decorated function as the code of a job kind."""
    def register(run):
        if name in KINDS and KINDS[name].run is not run:
            raise ValueError(f"job kind {name} is registered twice")
        KINDS[name] = JobKind(name, run, tuple(roles), title_zh, title_en)
        return run
    return register


def kind_of(name: str) -> JobKind:
    """:raise InvalidInput: for a kind nobody registered."""
    if name not in KINDS:
        raise InvalidInput(f"没有名为 {name} 的任务类型。", f"There is no job kind {name}; one of "
                           + ", ".join(sorted(KINDS)) + ".", {"kind": sorted(KINDS)})
    return KINDS[name]


def submit(session, actor, kind: str, params: dict | None = None) -> Job:
    """Record a job and queue it once the record is committed.

    :raise Forbidden: when the actor's role may not run the kind.
    """
    found = kind_of(kind)
    ensure_role(actor, *found.roles)
    jobs = queue.current_queue()
    with unit_of_work(session):
        job = Job(kind=kind, status="queued", params=json.dumps(params or {}, ensure_ascii=False),
                  requested_by_id=actor.id if actor is not None else None,
                  cancel_requested=False, created_at=utcnow())
        session.add(job)
        session.flush()
        task = jobs.run_job.s(job.id)
        job.task_id = task.id
        queue.enqueue_after_commit(session, jobs, task, job.id)
        audit.record(session, actor, "job.submit", "job", job.id, kind=kind)
    return job


def get_job(session, job_id: int) -> Job:
    """:raise NotFound: when no job has the id."""
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"没有编号为 {job_id} 的任务。", f"No job with id {job_id}.",
                       {"job": ["unknown job"]})
    return job


def list_jobs(*, kind: str | None = None, status: str | None = None):
    """Return the statement listing jobs, newest first (for paging)."""
    stmt = select(Job).order_by(Job.id.desc())
    if kind:
        stmt = stmt.where(Job.kind == kind)
    if status:
        stmt = stmt.where(Job.status == status)
    return stmt


def cancel(session, actor, job_id: int) -> Job:
    """Cancel a job: one waiting is never run; one running stops at its next check.

    :raise StateConflict: when the job has already ended.
    :raise Forbidden: unless the actor asked for the job or is the bureau or an admin.
    """
    jobs = queue.current_queue()
    with unit_of_work(session):
        job = fetch_one(session, Job, Job.id == job_id, lock=True)
        if job is None:
            get_job(session, job_id)  # raises NotFound
        if actor.role not in CANCELLERS and job.requested_by_id != actor.id:
            raise Forbidden("只能取消自己提交的任务。", "You may cancel only jobs you submitted.")
        if job.status in ENDED:
            raise StateConflict(f"任务 {job.id} 已结束，不能取消。",
                                f"Job {job.id} has already ended.", {"status": [job.status]})
        before = job.status
        job.cancel_requested = True
        if job.status == "queued":
            job.status, job.finished_at = "cancelled", utcnow()
            queue.revoke_after_commit(session, jobs, job.task_id)
        audit.record(session, actor, "job.cancel", "job", job.id, before=before,
                     after=job.status)
    return job
