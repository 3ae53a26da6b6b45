"""The lock-out after repeated failed logins holds across server processes when the counts
live in Redis (RATELIMIT_STORAGE_URI): two gunicorn servers, failures spread over both."""

import json
import os
import shutil
import urllib.error
import urllib.request
import uuid

import pytest
from apps import _config
from servers import gunicorn, server_environment

from inventory import create_app
from inventory.auth.services import create_user
from inventory.db import db

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PASSWORD = "correct horse battery"


def _redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def _login(port, username, password) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/tokens", method="POST",
        data=json.dumps({"username": username, "password": password}).encode(),
        headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.slow
def test_failures_at_two_servers_add_up_to_one_lock_out(sqlite_template, tmp_path):
    if not _redis_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs Redis at {TEST_REDIS_URL}, and it does not answer.")
        pytest.skip(f"no Redis at {TEST_REDIS_URL}")
    path = tmp_path / "reserves.sqlite3"
    shutil.copy(sqlite_template, path)
    username = f"keeper-{uuid.uuid4().hex[:8]}"  # the Redis database is shared by test runs
    app = create_app(_config(f"sqlite:///{path}", tmp_path))
    with app.app_context():
        create_user(db.session, username, PASSWORD, "planner")
        db.session.remove()
        db.engine.dispose()
    env = server_environment(path, tmp_path, RATELIMIT_STORAGE_URI=TEST_REDIS_URL,
                             LOGIN_LOCKOUT_FAILURES="5")
    with gunicorn(env) as first, gunicorn(env) as second:
        ports = [first, second]
        statuses = [_login(ports[i % 2], username, "wrong password") for i in range(5)]
        assert statuses == [401] * 5
        assert _login(first, username, PASSWORD) == 429
        assert _login(second, username, PASSWORD) == 429
