"""Running one job inside the consumer: an app context of its own, the job's record kept up
to date (running, progress, finished or failed), and cancellation checked cooperatively."""

import json
import logging
import time

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from inventory.db import db, discard, fetch_one, utcnow
from inventory.jobs.models import Job
from inventory.uow import unit_of_work

log = logging.getLogger(__name__)

#: how long a job's start and end are retried while the database is away (a restart takes
#: seconds)
DATABASE_RETRY_SECONDS = 120


class JobCancelled(Exception):
    """Raised at a job's check once someone has asked it to stop."""


class JobContext:
    """What a job's code is given: its parameters, a session, the requester, and progress.

    Progress and the cancellation check use a connection of their own, outside the job's
    transactions; call them between transactions (on SQLite a writer holds the database).
    """

    def __init__(self, session, job: Job):
        self.session = session
        self.job_id = job.id
        self.kind = job.kind
        self.params = job.parameters
        #: the user who asked for the job (None for the system)
        self.actor = job.requested_by

    def progress(self, phase: str, text: str | None = None) -> None:
        """Record the step the job is at; stop here if it was cancelled.

        :raise JobCancelled: when someone asked the job to stop.
        """
        self.check_cancelled()
        with db.engine.begin() as connection:
            connection.execute(update(Job).where(Job.id == self.job_id)
                               .values(phase=phase[:40], progress=(text or "")[:200] or None))

    def check_cancelled(self) -> None:
        """:raise JobCancelled: when someone asked the job to stop."""
        with db.engine.connect() as connection:
            asked = connection.scalar(select(Job.cancel_requested).where(Job.id == self.job_id))
        if asked:
            raise JobCancelled(self.job_id)


def execute(app, job_id: int) -> None:
    """Run the job with the id, unless it was cancelled or already ran; record how it ended."""
    from inventory.jobs.services import kind_of

    with app.app_context():
        session = db.session
        job = _start(session, job_id)
        if job is None:
            return
        log.info("job %s (%s) started", job.id, job.kind)
        try:
            result = kind_of(job.kind).run(JobContext(session, job))
        except JobCancelled:
            discard(session)
            _end(job_id, "cancelled")
            log.info("job %s cancelled", job_id)
        except Exception as error:  # any failure of the job's code ends the job, not the worker
            discard(session)
            log.exception("job %s failed", job_id)
            _end(job_id, "failed", error=f"{type(error).__name__}: {error}")
        else:
            _end(job_id, "finished", result=result)
            log.info("job %s finished", job_id)


def _start(session, job_id: int) -> Job | None:
    """Mark the job running and return it; None when it was cancelled, ran, or is unknown.

    While the database is away (a restart; or a pooled connection the restart ended, which
    fails once), the start is retried: the queue has handed the job over and will not again,
    so a job given up here would stay "queued" for ever.
    """
    def attempt():
        with unit_of_work(session):
            job = _claim(session, job_id)
            if job is None or job.status != "queued":
                return None
            if job.cancel_requested:
                job.status, job.finished_at = "cancelled", utcnow()
                return None
            job.status, job.started_at = "running", utcnow()
        return job

    return _while_the_database_is_away(job_id, "starting it", attempt,
                                       before_retry=lambda: discard(session))


def _claim(session, job_id: int) -> Job | None:
    return fetch_one(session, Job, Job.id == job_id, lock=True)


def _end_connection():
    return db.engine.begin()


def _end(job_id: int, status: str, *, result=None, error: str | None = None) -> None:
    """Record how the job ended, retried while the database is away (a restart under a running
    job): a job left "running" would show as running for ever, and a planner would wait on it."""
    values = {"status": status, "finished_at": utcnow()}
    if result is not None:
        values["result"] = json.dumps(result, ensure_ascii=False, default=str)
    if error is not None:
        values["error"] = error[:4000]

    def attempt():
        with _end_connection() as connection:
            connection.execute(update(Job).where(Job.id == job_id, Job.status == "running")
                               .values(**values))

    _while_the_database_is_away(job_id, "recording its end", attempt)


def _while_the_database_is_away(job_id: int, what: str, attempt, before_retry=None):
    """Return ``attempt()``, tried again while it fails for want of the database, for up to
    ``DATABASE_RETRY_SECONDS``; then its error is raised (the consumer logs it)."""
    deadline = time.monotonic() + DATABASE_RETRY_SECONDS
    pause = 0.1
    while True:
        try:
            return attempt()
        except OperationalError:
            if time.monotonic() + pause > deadline:
                raise
            log.warning("job %s: the database is away; %s again in %.1f s", job_id, what, pause)
            if before_retry is not None:
                before_retry()
            time.sleep(pause)
            pause = min(2 * pause, 2.0)


def mark_interrupted(app, job_id: int) -> None:
    """Fail a running job whose worker was stopped under it (it does not resume by itself)."""
    with app.app_context():
        _end(job_id, "failed", error="工作进程已停止，任务中断 / the worker stopped: interrupted")
