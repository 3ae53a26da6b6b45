"""A job whose database goes away (a restart): its start and its end are made once the
database is back, never left "queued" or "running" for ever."""

import json

import pytest
from sqlalchemy.exc import OperationalError

from inventory.db import db, utcnow
from inventory.jobs import runner, services
from inventory.jobs.models import Job


def _dropped() -> OperationalError:
    return OperationalError("SELECT 1", {}, Exception("terminating connection due to "
                                                      "administrator command"))


@pytest.fixture
def away_kinds():
    """A kind whose code meets the restart, and one that finishes just as it happens."""
    def meets_the_restart(ctx):
        raise _dropped()

    def finishes(ctx):
        return {"solved": True}

    for name, run in [("test.restart", meets_the_restart), ("test.finishes", finishes)]:
        services.job_kind(name, roles=("admin",), title_zh=name, title_en=name)(run)
    yield
    for name in ("test.restart", "test.finishes"):
        services.KINDS.pop(name)


def _queued(world, kind: str) -> int:
    job = Job(kind=kind, status="queued", params="{}", requested_by_id=world.users["admin"].id,
              cancel_requested=False, created_at=utcnow())
    db.session.add(job)
    db.session.commit()
    return job.id


def _database_away_for(monkeypatch, attempts: int) -> list[int]:
    """The next ``attempts`` connections the runner opens to record a job's end fail."""
    engine = db.engine
    real_begin = engine.begin
    failed = []

    def begin():
        if len(failed) < attempts:
            failed.append(1)
            raise _dropped()
        return real_begin()

    monkeypatch.setattr(runner, "_end_connection", begin)
    return failed


@pytest.mark.parametrize("kind, status", [("test.restart", "failed"),
                                          ("test.finishes", "finished")])
def test_a_job_ending_while_the_database_is_away_is_recorded_once_it_is_back(
        app, world, away_kinds, monkeypatch, kind, status):
    job_id = _queued(world, kind)
    failed = _database_away_for(monkeypatch, 3)
    runner.execute(app, job_id)
    assert len(failed) == 3
    db.session.remove()
    job = db.session.get(Job, job_id)
    assert job.status == status and job.finished_at is not None
    if status == "failed":
        assert "OperationalError" in job.error
    else:
        assert json.loads(job.result) == {"solved": True}


def test_a_database_away_longer_than_the_retries_raises_to_the_worker_which_logs_it(
        app, world, away_kinds, monkeypatch):
    job_id = _queued(world, "test.finishes")
    monkeypatch.setattr(runner, "DATABASE_RETRY_SECONDS", 0.5)
    _database_away_for(monkeypatch, 1000)
    with pytest.raises(OperationalError):
        runner.execute(app, job_id)
    db.session.remove()
    assert db.session.get(Job, job_id).status == "running"


def test_a_job_handed_over_while_the_database_is_away_starts_once_it_is_back(
        app, world, away_kinds, monkeypatch):
    job_id = _queued(world, "test.finishes")
    real_claim = runner._claim
    failed = []

    def claim(session, job_id):
        # a pooled connection the restart ended fails once, then the database is back
        if len(failed) < 2:
            failed.append(1)
            raise _dropped()
        return real_claim(session, job_id)

    monkeypatch.setattr(runner, "_claim", claim)
    runner.execute(app, job_id)
    assert len(failed) == 2
    db.session.remove()
    job = db.session.get(Job, job_id)
    assert job.status == "finished" and json.loads(job.result) == {"solved": True}
