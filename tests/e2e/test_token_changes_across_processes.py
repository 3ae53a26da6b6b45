"""A token revoked or a user changed in one worker process takes effect at once in every other.

Each app below has its own memory of resolved tokens, as each gunicorn worker process has;
they share only the database.
"""

import pytest
from checks import assert_refused

from inventory import create_app
from inventory.auth.tokens import token_cache
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


def _remembered(client, world, user):
    """Resolve the user's token in this worker, so that it remembers it."""
    assert _me(client, world, user).status_code == 200
    assert _me(client, world, user).status_code == 200
    with client.application.app_context():
        assert token_cache()._entries, "the worker remembers the token"


def test_a_user_deactivated_in_one_worker_is_refused_at_once_in_another(two_workers):
    world, first, second = two_workers
    _remembered(first, world, "keeper")
    answer = second.patch("/api/v1/users/keeper", json={"active": False},
                          headers=world.headers("admin"))
    assert answer.status_code == 200, answer.json
    assert_refused(_me(first, world, "keeper"), 401, "unauthorized")


def test_a_keepers_depots_changed_in_one_worker_apply_at_once_in_another(two_workers):
    world, first, second = two_workers
    _remembered(first, world, "keeper")
    assert _me(first, world, "keeper").json["depots"] == ["XZ-01"]
    answer = second.patch("/api/v1/users/keeper", json={"depots": ["TS-01"]},
                          headers=world.headers("admin"))
    assert answer.status_code == 200, answer.json
    assert _me(first, world, "keeper").json["depots"] == ["TS-01"]


def test_tokens_revoked_by_an_admin_in_one_worker_are_refused_at_once_in_another(two_workers):
    world, first, second = two_workers
    _remembered(first, world, "keeper")
    answer = second.delete("/api/v1/users/keeper/tokens", headers=world.headers("admin"))
    assert answer.status_code == 200, answer.json
    assert_refused(_me(first, world, "keeper"), 401, "unauthorized")


def test_a_token_logged_out_in_one_worker_is_refused_at_once_in_another(two_workers):
    world, first, second = two_workers
    _remembered(first, world, "keeper")
    assert second.delete("/api/v1/tokens", headers=world.headers("keeper")).status_code == 204
    assert_refused(_me(first, world, "keeper"), 401, "unauthorized")


def test_other_users_tokens_are_resolved_again_after_a_change_and_still_work(two_workers):
    world, first, second = two_workers
    _remembered(first, world, "bureau")
    assert second.delete("/api/v1/tokens", headers=world.headers("keeper")).status_code == 204
    assert _me(first, world, "bureau").json["username"] == "bureau"
