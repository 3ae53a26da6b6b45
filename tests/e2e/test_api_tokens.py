"""Bearer tokens: each worker remembers a resolved token for a few seconds, and no longer."""

import pytest
from checks import assert_refused, nothing_changes
from sqlalchemy import event

from inventory.auth.tokens import token_cache
from inventory.db import db


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(app):
    fake = Clock()
    token_cache()._clock = fake
    return fake


@pytest.fixture
def statements(app):
    """The SQL statements sent while the test runs."""
    sent = []
    engine = db.engine

    def record(conn, cursor, statement, *args):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield sent
    event.remove(engine, "before_cursor_execute", record)


def me(client, world, user="keeper"):
    return client.get("/api/v1/me", headers=world.headers(user))


def test_a_remembered_token_is_resolved_without_a_query(client, world, clock, statements):
    assert me(client, world).json["depots"] == ["XZ-01"]
    db.session.remove()  # a new request gets a new session, as in a server
    statements.clear()
    response = me(client, world)
    assert response.status_code == 200
    assert response.json["username"] == "keeper" and response.json["depots"] == ["XZ-01"]
    assert not any("api_tokens" in s for s in statements)


def test_a_keeper_resolved_from_memory_still_moves_stock_only_at_their_depots(client, world, clock):
    me(client, world)
    db.session.remove()
    body = {"depot": "TS-01", "item": "SH-TENT-12", "quantity": 1}
    with nothing_changes(db.session):
        assert_refused(client.post("/api/v1/receipts", json=body,
                                   headers=world.headers("keeper")), 403, "forbidden")
    db.session.remove()
    received = client.post("/api/v1/receipts", json=body | {"depot": "XZ-01"},
                           headers=world.headers("keeper"))
    assert received.status_code == 201, received.json
    assert received.json["lot"]["depot"] == "XZ-01"


def test_a_logged_out_token_is_refused_at_once(client, world, clock):
    assert me(client, world).status_code == 200
    assert client.delete("/api/v1/tokens", headers=world.headers("keeper")).status_code == 204
    db.session.remove()
    assert_refused(me(client, world), 401, "unauthorized")


def test_a_token_revoked_behind_the_apps_back_is_refused_once_the_memory_lapses(client, world,
                                                                                clock):
    from inventory.auth.models import ApiToken
    from inventory.db import utcnow

    assert me(client, world).status_code == 200
    # revoked in the database by hand, not through the app: no process hears of it (the
    # app's own changes reach every process at once: test_token_changes_across_processes.py)
    db.session.query(ApiToken).update({"revoked_at": utcnow()})
    db.session.commit()
    db.session.remove()
    assert me(client, world).status_code == 200
    clock.now += token_cache().seconds
    db.session.remove()
    assert_refused(me(client, world), 401, "unauthorized")


def test_with_no_memory_every_request_checks_the_token(client, world, statements):
    token_cache().seconds = 0
    me(client, world)
    db.session.remove()
    statements.clear()
    me(client, world)
    assert any("api_tokens" in s for s in statements)
