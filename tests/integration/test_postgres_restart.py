"""A database restart under a running app: one refused request per pooled connection, no loss."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from apps import _config
from factories import make_world
from flask import request
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import OperationalError

from inventory import create_app
from inventory.api.errors import handle_operational_error
from inventory.db import db
from inventory.stock.models import Movement

pytestmark = pytest.mark.postgres


@pytest.fixture
def default_pool_app(postgres_url, tmp_path):
    """The app with the engine options it runs with in production (no ping before use)."""
    app = create_app(_config(postgres_url, tmp_path))
    with app.app_context():
        yield app
        db.session.remove()
        tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


def drop_every_connection(url):
    """What a restart of the server does to the app's pooled connections."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        dropped = conn.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    admin.dispose()
    return dropped


def test_after_a_restart_a_request_is_refused_with_retry_and_the_next_one_succeeds(
        default_pool_app, postgres_url):
    world = make_world(db.session)
    client = default_pool_app.test_client()
    headers = world.headers("keeper")
    lot = client.post("/api/v1/receipts", headers=headers, json={
        "depot": "XZ-01", "item": "SH-TENT-12", "quantity": 10}).json["lot"]
    db.session.remove()
    assert drop_every_connection(postgres_url) >= 1

    body = {"lot": lot["id"], "quantity": 1}
    refused = client.post("/api/v1/issues", headers=headers | {"Idempotency-Key": "k-1"},
                          json=body)
    assert refused.status_code == 503, refused.json
    assert refused.headers["Retry-After"] == "1" and "重试" in refused.json["message"]
    db.session.remove()
    retried = client.post("/api/v1/issues", headers=headers | {"Idempotency-Key": "k-1"},
                          json=body)
    assert retried.status_code == 201, retried.json
    assert retried.json["movements"][0]["balance_after"] == 9
    assert db.session.scalar(select(func.count(Movement.id))) == 2


def test_a_restart_after_the_answer_was_made_still_sends_the_answer(default_pool_app,
                                                                    postgres_url):
    world = make_world(db.session)
    headers = world.headers("keeper")
    db.session.remove()
    dropped = []

    @default_pool_app.after_request
    def restart_now(response):
        # The database restarts between the view's answer and the end of the request, whose
        # session still holds the connection of its reads.
        if request.path == "/api/v1/depots":
            dropped.append(drop_every_connection(postgres_url))
        return response

    client = default_pool_app.test_client()

    def get():
        # In a thread of its own, as a server's: the request pushes and ends its own app
        # context (the fixture's would otherwise keep the session past the request).
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(client.get, "/api/v1/depots", headers=headers).result()

    answered = get()
    assert dropped and dropped[0] >= 1
    assert answered.status_code == 200 and answered.json, answered.json
    # The connection was thrown away, not returned to the pool: the next request is served.
    assert get().status_code == 200


def test_a_request_failing_while_the_restart_also_dropped_its_session_is_answered_503(
        default_pool_app, postgres_url):
    # The lean path of POST /issues fails on a connection of its own while the request's
    # session holds another one the restart dropped: the busy answer must still go out.
    with default_pool_app.test_request_context("/api/v1/issues", method="POST"):
        db.session.execute(text("SELECT 1"))
        assert drop_every_connection(postgres_url) >= 1
        lost = OperationalError("SELECT 1", {}, Exception("server closed the connection"))
        body, status, headers = handle_operational_error(lost)
        assert status == 503 and headers == {"Retry-After": "1"}
        assert body["code"] == "busy"
    db.session.remove()
    assert db.session.execute(text("SELECT 1")).scalar() == 1
