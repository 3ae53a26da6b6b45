"""Jobs on the real queue: SQLite storage, and Redis where a server answers (always in CI).

The web side queues through the app's Huey; a consumer started as its own process with
``flask --app inventory jobs-worker`` (as scripts/serve starts it) runs the job against the
same database, and the test watches the job's record and the rows the job wrote.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid

import pytest
from apps import _config
from factories import make_world
from sqlalchemy import func, select

from inventory import create_app
from inventory.base import ROOT
from inventory.db import db
from inventory.jobs import queue, services
from inventory.jobs.models import Job
from inventory.stock.models import Seal

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.slow)])
def jobs_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    if not _redis_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs Redis at {TEST_REDIS_URL}, and it does not answer.")
        pytest.skip(f"no Redis at {TEST_REDIS_URL}")
    return TEST_REDIS_URL


@pytest.fixture
def queued_app(sqlite_template, tmp_path, jobs_url):
    """An app on its own SQLite database whose jobs go to a real queue, under a fresh name."""
    path = tmp_path / "reserves.sqlite3"
    shutil.copy(sqlite_template, path)
    settings = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "JOBS_IMMEDIATE": False,
                "JOBS_URL": jobs_url, "JOBS_NAME": f"reserves-test-{uuid.uuid4().hex[:8]}"}
    app = create_app(_config(settings["SQLALCHEMY_DATABASE_URI"], tmp_path) | settings)
    app.config["TEST_SETTINGS"] = settings
    with app.app_context():
        yield app
        queue.current_queue().huey.storage.flush_all()
        db.session.remove()
        db.engine.dispose()


def _consumer(app, workers: int = 1) -> subprocess.Popen:
    """Start ``flask --app inventory jobs-worker`` with the app's settings in its environment."""
    settings = app.config["TEST_SETTINGS"]
    env = os.environ | {"DATABASE_URL": settings["SQLALCHEMY_DATABASE_URI"],
                        "JOBS_URL": settings["JOBS_URL"], "JOBS_NAME": settings["JOBS_NAME"],
                        "SECRET_KEY": "test-secret", "LABEL_SECRET": "test-label-secret"}
    env.pop("JOBS_IMMEDIATE", None)
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "inventory", "jobs-worker",
         "--workers", str(workers)], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _stop(consumer: subprocess.Popen) -> str:
    consumer.send_signal(signal.SIGINT)  # graceful: running jobs finish first
    try:
        output, _ = consumer.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        consumer.kill()
        output, _ = consumer.communicate()
    return output


def _wait_for(job_id: int, statuses=("finished", "failed", "cancelled"), timeout=60) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        if job.status in statuses:
            return job
        db.session.rollback()
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {job.status} after {timeout} s")


def test_a_consumer_process_runs_a_queued_job_against_the_database(queued_app):
    world = make_world(db.session)
    client = queued_app.test_client()
    submitted = client.post("/api/v1/jobs", headers=world.headers("auditor"),
                            json={"kind": "ledger.seal"})
    assert submitted.status_code == 202 and submitted.json["status"] == "queued"
    # Nothing runs it yet: the job waits in the queue.
    time.sleep(0.5)
    assert db.session.get(Job, submitted.json["id"]).status == "queued"
    consumer = _consumer(queued_app)
    try:
        job = _wait_for(submitted.json["id"])
    finally:
        output = _stop(consumer)
    assert job.status == "finished", (job.error, output)
    seal = db.session.get(Seal, job.outcome["seal"])
    assert seal.actor_id == world.users["auditor"].id and seal.kind == "on_demand"
    assert "run_job" in output  # the consumer's own log names the task it ran


def test_a_job_cancelled_while_queued_is_never_run(queued_app):
    world = make_world(db.session)
    admin = world.users["admin"]
    skipped = services.submit(db.session, admin, "ledger.seal")
    services.cancel(db.session, admin, skipped.id)
    ran = services.submit(db.session, admin, "ledger.seal")
    consumer = _consumer(queued_app)
    try:
        done = _wait_for(ran.id)
    finally:
        _stop(consumer)
    assert done.status == "finished"
    assert db.session.get(Job, skipped.id).status == "cancelled"
    assert db.session.scalar(select(func.count(Seal.id))) == 1  # only the second job's seal


def test_a_revoked_task_is_skipped_by_the_queue_itself(queued_app):
    """Revocation alone keeps a cancelled task from running, even before the record is read."""
    world = make_world(db.session)
    job = services.submit(db.session, world.users["admin"], "ledger.seal")
    services.cancel(db.session, world.users["admin"], job.id)
    huey = queue.current_queue().huey
    task = huey.dequeue()
    assert task.id == job.task_id and huey.is_revoked(task)
    huey.execute(task)
    assert db.session.scalar(select(func.count(Seal.id))) == 0


def test_a_queue_that_cannot_be_reached_fails_the_job_and_says_so(sqlite_template, tmp_path):
    path = tmp_path / "reserves.sqlite3"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    app = create_app(_config(url, tmp_path) | {
        "JOBS_IMMEDIATE": False, "JOBS_URL": "redis://127.0.0.1:1/0"})
    with app.app_context():
        world = make_world(db.session)
        job = services.submit(db.session, world.users["admin"], "ledger.seal")
        db.session.expire_all()
        failed = db.session.get(Job, job.id)
        assert failed.status == "failed" and "queue unavailable" in failed.error
        db.session.remove()
        db.engine.dispose()
