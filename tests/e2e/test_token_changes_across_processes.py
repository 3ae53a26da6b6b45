"""A token revoked or a user changed in one worker process takes effect in every other within
``EPOCH_SECONDS`` (a quarter of a second), however long the token memory lasts.

Each app below has its own memory of resolved tokens, as each gunicorn worker process has;
they share only the database. The first worker's memory runs on a clock the test moves.
"""

import pytest
from checks import assert_refused

from inventory import create_app
from inventory.auth.tokens import EPOCH_SECONDS, token_cache
from inventory.db import db


@pytest.fixture
def two_workers(app, world):
    """(world, first worker's client, second worker's client) on one database."""
    second = create_app(dict(app.config))
    yield world, app.test_client(), second.test_client()
    with second.app_context():
        db.engine.dispose()


def _me(client, world, user):
    db.session.remove()  # a new request gets a new session, as in a server
    return client.get("/api/v1/me", headers=world.headers(user))


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _remembered(client, world, user):
    """Resolve the user's token in this worker, so that it remembers it; return the worker's
    clock."""
    clock = Clock()
    with client.application.app_context():
        token_cache()._clock = clock
    assert _me(client, world, user).status_code == 200
    assert _me(client, world, user).status_code == 200
    with client.application.app_context():
        assert token_cache()._entries, "the worker remembers the token"
    return clock


def _later(clock):
    """Past the epoch's check interval, well within the token memory's seconds."""
    clock.now += EPOCH_SECONDS


def test_a_user_deactivated_is_refused_within_a_quarter_second_elsewhere(
        two_workers):
    world, first, second = two_workers
    clock = _remembered(first, world, "keeper")
    answer = second.patch("/api/v1/users/keeper", json={"active": False},
                          headers=world.headers("admin"))
    assert answer.status_code == 200, answer.json
    _later(clock)
    assert_refused(_me(first, world, "keeper"), 401, "unauthorized")


def test_a_keepers_depots_changed_apply_within_a_quarter_second_elsewhere(
        two_workers):
    world, first, second = two_workers
    clock = _remembered(first, world, "keeper")
    assert _me(first, world, "keeper").json["depots"] == ["XZ-01"]
    answer = second.patch("/api/v1/users/keeper", json={"depots": ["TS-01"]},
                          headers=world.headers("admin"))
    assert answer.status_code == 200, answer.json
    _later(clock)
    assert _me(first, world, "keeper").json["depots"] == ["TS-01"]


def test_tokens_revoked_by_an_admin_are_refused_within_a_quarter_second_elsewhere(
        two_workers):
    world, first, second = two_workers
    clock = _remembered(first, world, "keeper")
    answer = second.delete("/api/v1/users/keeper/tokens", headers=world.headers("admin"))
    assert answer.status_code == 200, answer.json
    _later(clock)
    assert_refused(_me(first, world, "keeper"), 401, "unauthorized")


def test_a_token_logged_out_is_refused_within_a_quarter_second_elsewhere(
        two_workers):
    world, first, second = two_workers
    clock = _remembered(first, world, "keeper")
    assert second.delete("/api/v1/tokens", headers=world.headers("keeper")).status_code == 204
    _later(clock)
    assert_refused(_me(first, world, "keeper"), 401, "unauthorized")


def test_other_users_tokens_are_resolved_again_after_a_change_and_still_work(two_workers):
    world, first, second = two_workers
    clock = _remembered(first, world, "bureau")
    assert second.delete("/api/v1/tokens", headers=world.headers("keeper")).status_code == 204
    _later(clock)
    assert _me(first, world, "bureau").json["username"] == "bureau"
