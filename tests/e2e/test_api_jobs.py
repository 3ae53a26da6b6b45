"""Background jobs over the API, run at once where they are queued (JOBS_IMMEDIATE): the record
follows each job from queued to its end; cancellation stops a job at its next check.
tests/integration/test_jobs_consumer.py runs the same jobs in a real consumer process."""

import pytest
from checks import assert_refused, nothing_changes
from sqlalchemy import func, select

from inventory.db import db
from inventory.jobs import services
from inventory.jobs.models import Job
from inventory.stock.models import Seal

ROLES = ["admin", "bureau", "keeper", "planner", "auditor"]


@pytest.fixture
def test_kinds():
    """Kinds that exist only for these tests: one that fails, one cancelled while it runs."""
    reached = []

    def broken(ctx):
        ctx.progress("load", "读取")
        raise ValueError("没有可用的库存数据")

    def cancelled_meanwhile(ctx):
        ctx.progress("prepare", "准备")
        # Someone cancels the job while it runs (the bureau, from another request).
        from inventory.auth.models import User

        bureau = ctx.session.scalar(select(User).where(User.username == "bureau"))
        services.cancel(ctx.session, bureau, ctx.job_id)
        reached.append("prepared")
        ctx.progress("solve", "求解")
        reached.append("solved")  # never: the check above stops the job
        return {"never": True}

    for name, run in [("test.broken", broken), ("test.cancelled", cancelled_meanwhile)]:
        services.job_kind(name, roles=("admin", "planner"), title_zh=name, title_en=name)(run)
    yield reached
    for name in ("test.broken", "test.cancelled"):
        services.KINDS.pop(name)


def _submit(client, world, user, kind="ledger.seal", **headers):
    return client.post("/api/v1/jobs", headers=world.headers(user, **headers),
                       json={"kind": kind})


def test_a_seal_job_runs_and_records_its_result(client, world):
    submitted = _submit(client, world, "auditor")
    assert submitted.status_code == 202, submitted.json
    assert submitted.json["requested_by"] == "auditor"  # already run: immediate mode
    job = client.get(f"/api/v1/jobs/{submitted.json['id']}", headers=world.headers("auditor")).json
    assert job["status"] == "finished" and job["phase"] == "seal", job
    seal = db.session.get(Seal, job["result"]["seal"])
    assert seal is not None and seal.actor_id == world.users["auditor"].id
    assert job["result"]["digest"] == seal.digest
    assert job["started_at"] <= job["finished_at"]


def test_a_verification_job_reports_the_ledger(client, world):
    from inventory.stock import services as stock

    stock.receive(db.session, world.users["admin"], depot="XZ-01", item="SH-TENT-12",
                  quantity=5, lot_code="T-1")
    job = _submit(client, world, "bureau", "ledger.verify").json
    done = client.get(f"/api/v1/jobs/{job['id']}", headers=world.headers("bureau")).json
    assert done["status"] == "finished"
    assert done["result"] | {"seals_checked": 0} == {
        "ok": True, "lots_checked": 1, "movements_checked": 1, "seals_checked": 0,
        "problems_count": 0, "problems": []}


@pytest.mark.parametrize("role, allowed", [("admin", True), ("bureau", True), ("auditor", True),
                                           ("keeper", False), ("planner", False)])
def test_ledger_jobs_are_for_the_roles_that_check_the_ledger(client, world, role, allowed):
    submitted = _submit(client, world, role)
    assert submitted.status_code == (202 if allowed else 403), submitted.json
    assert db.session.scalar(select(func.count(Job.id))) == (1 if allowed else 0)
    assert db.session.scalar(select(func.count(Seal.id))) == (1 if allowed else 0)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_jobs(client, world, role):
    job = _submit(client, world, "admin").json
    listed = client.get("/api/v1/jobs?kind=ledger.seal", headers=world.headers(role))
    assert listed.status_code == 200 and [j["id"] for j in listed.json] == [job["id"]]
    assert client.get(f"/api/v1/jobs/{job['id']}", headers=world.headers(role)).status_code == 200
    assert client.get("/api/v1/jobs/999", headers=world.headers(role)).status_code == 404


def test_reading_and_submitting_jobs_need_a_login(client, world):
    assert_refused(client.get("/api/v1/jobs"), 401, "unauthorized")
    job = _submit(client, world, "admin").json
    assert_refused(client.get(f"/api/v1/jobs/{job['id']}"), 401, "unauthorized")
    with nothing_changes(db.session):
        assert_refused(client.post("/api/v1/jobs", json={"kind": "ledger.seal"}), 401,
                       "unauthorized")


@pytest.mark.parametrize("body, field", [({"kind": "no.such"}, "kind"), ({}, "kind"),
                                         ({"kind": "ledger.seal", "params": []}, "params"),
                                         ({"kind": "ledger.seal", "extra": 1}, "extra")])
def test_a_bad_submission_is_refused_and_records_nothing(client, world, body, field):
    refused = client.post("/api/v1/jobs", headers=world.headers("admin"), json=body)
    assert refused.status_code == 422 and field in refused.json["errors"], refused.json
    assert db.session.scalar(select(func.count(Job.id))) == 0


def test_a_retried_submission_queues_one_job(client, world):
    first = _submit(client, world, "admin", **{"Idempotency-Key": "seal-now"})
    again = _submit(client, world, "admin", **{"Idempotency-Key": "seal-now"})
    assert first.json == again.json and again.headers.get("Idempotent-Replayed") == "true"
    assert db.session.scalar(select(func.count(Job.id))) == 1
    assert db.session.scalar(select(func.count(Seal.id))) == 1


def test_a_job_that_fails_records_why_and_the_next_one_runs(client, world, test_kinds):
    failed = _submit(client, world, "planner", "test.broken")
    assert failed.status_code == 202
    job = client.get(f"/api/v1/jobs/{failed.json['id']}", headers=world.headers("planner")).json
    assert (job["status"], job["phase"]) == ("failed", "load")
    assert job["error"] == "ValueError: 没有可用的库存数据" and job["result"] is None
    assert client.get(f"/api/v1/jobs/{_submit(client, world, 'admin').json['id']}",
                      headers=world.headers("admin")).json["status"] == "finished"


def test_a_running_job_stops_at_its_next_check_once_cancelled(client, world, test_kinds):
    job = _submit(client, world, "planner", "test.cancelled").json
    done = client.get(f"/api/v1/jobs/{job['id']}", headers=world.headers("planner")).json
    assert (done["status"], done["phase"], done["cancel_requested"]) == (
        "cancelled", "prepare", True)
    assert done["result"] is None and test_kinds == ["prepared"]


def test_an_ended_job_cannot_be_cancelled(client, world):
    job = _submit(client, world, "admin").json
    refused = client.post(f"/api/v1/jobs/{job['id']}/cancel", headers=world.headers("admin"))
    assert refused.status_code == 409 and refused.json["code"] == "state_conflict"
    assert client.get(f"/api/v1/jobs/{job['id']}",
                      headers=world.headers("admin")).json["status"] == "finished"


def test_a_job_whose_worker_stopped_under_it_is_failed_not_left_running(app, world):
    from inventory.jobs import runner

    job = Job(kind="ledger.seal", status="running", params="{}", cancel_requested=False)
    db.session.add(job)
    db.session.commit()
    runner.mark_interrupted(app, job.id)
    db.session.rollback()  # end this session's snapshot to see the other connection's write
    stopped = db.session.get(Job, job.id)
    assert stopped.status == "failed" and "interrupted" in stopped.error
    assert stopped.finished_at is not None


def test_the_worker_command_refuses_to_run_where_jobs_run_immediately(app):
    result = app.test_cli_runner().invoke(args=["jobs-worker"])
    assert result.exit_code != 0 and "JOBS_IMMEDIATE" in result.output
