"""The queue under the jobs: Huey, on a SQLite file by default or on Redis when configured.

``JOBS_URL`` chooses the storage: ``sqlite:///path`` (default: ``instance/jobs.sqlite3``, for
one machine: the web workers and the consumer share the file) or ``redis://host:port/db``
(consumers on several machines share one Redis). ``JOBS_NAME`` names the queue, so several
installations can share a Redis. ``JOBS_IMMEDIATE`` runs each job at once in the process that
queued it, for unit tests.

A job is queued only when the transaction that recorded it commits, so a consumer never
meets a job that was rolled back or is not yet visible.
"""

import logging
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from huey import MemoryHuey, RedisHuey, SqliteHuey
from huey import signals as huey_signals
from huey.api import Huey, TaskWrapper
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from inventory.db import db, utcnow

log = logging.getLogger(__name__)


@dataclass
class JobQueue:
    """The app's queue and the one task that runs any job by its id."""

    huey: Huey
    run_job: TaskWrapper


def make_huey(url: str, name: str, immediate: bool = False) -> Huey:
    """Build the Huey instance the URL names.

    :raise ValueError: for a URL that is neither sqlite:/// nor redis://.
    """
    if immediate:
        return MemoryHuey(name, immediate=True)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=str(path))
    raise ValueError(f"JOBS_URL must start with sqlite:/// or redis://, not {url!r}")


def init_app(app) -> None:
    """Build the app's queue from its configuration and register the task that runs jobs."""
    from inventory.jobs import runner

    huey = make_huey(app.config["JOBS_URL"], app.config["JOBS_NAME"],
                     app.config["JOBS_IMMEDIATE"])

    def run_job(job_id: int, task=None) -> None:
        runner.execute(app, job_id)

    wrapper = huey.task(context=True, name="run_job")(run_job)

    @huey.on_startup()
    def fresh_connections():
        # A process worker is forked from the consumer: it must not share its connections.
        with app.app_context():
            db.engine.dispose(close=False)

    @huey.signal(huey_signals.SIGNAL_INTERRUPTED)
    def interrupted(signal, task, *args, **kwargs):
        if task.name == "run_job" and task.args:
            runner.mark_interrupted(app, task.args[0])

    app.extensions["jobs"] = JobQueue(huey, wrapper)


def current_queue() -> JobQueue:
    """Return the queue of the current app."""
    return current_app.extensions["jobs"]


# -- actions once the transaction commits --------------------------------------------

_AFTER_COMMIT = "jobs_after_commit"


def after_commit(session, action) -> None:
    """Run ``action()`` once the session's transaction commits; forget it on a rollback."""
    session.info.setdefault(_AFTER_COMMIT, []).append(action)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session) -> None:
    actions = session.info.pop(_AFTER_COMMIT, [])
    for action in actions:
        try:
            action()
        except Exception:  # the commit stands: report, do not undo it
            log.exception("after-commit action %r failed", action)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session) -> None:
    session.info.pop(_AFTER_COMMIT, None)


def enqueue_after_commit(session, queue: JobQueue, task, job_id: int) -> None:
    """Queue the task once the job's record is committed; a queue that refuses it fails the job."""
    engine = session.get_bind()

    def enqueue():
        try:
            queue.huey.enqueue(task)
        except Exception as error:
            log.exception("job %s could not be queued", job_id)
            from inventory.jobs.models import Job

            with engine.begin() as connection:
                connection.execute(
                    update(Job).where(Job.id == job_id, Job.status == "queued")
                    .values(status="failed", finished_at=utcnow(),
                            error=f"队列不可用 / queue unavailable: {error}"))

    after_commit(session, enqueue)


def revoke_after_commit(session, queue: JobQueue, task_id: str | None) -> None:
    """Tell the consumers to skip the task once its cancellation is committed."""
    if task_id:
        after_commit(session, lambda: queue.huey.revoke_by_id(task_id))
