"""The lock-out after repeated failed logins holds across server processes when the counts
live in Redis (RATELIMIT_STORAGE_URI): two gunicorn servers, failures spread over both."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from apps import _config

from inventory import ROOT, create_app
from inventory.auth.services import create_user
from inventory.db import db

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
GUNICORN = Path(sys.executable).with_name("gunicorn")
PASSWORD = "correct horse battery"


def _redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


def _wait_until_serving(port, server):
    for _ in range(200):
        if server.poll() is not None:
            pytest.fail("gunicorn ended before serving")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail("gunicorn did not answer")


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
    env = {k: v for k, v in os.environ.items() if k not in ("RESERVES_ENV", "FLASK_DEBUG")}
    env |= {"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "test-secret",
            "JOBS_URL": f"sqlite:///{tmp_path}/jobs.sqlite3",
            "RATELIMIT_STORAGE_URI": TEST_REDIS_URL, "LOGIN_LOCKOUT_FAILURES": "5",
            "PASSWORD_HASH_TIME_COST": "1", "PASSWORD_HASH_MEMORY_KIB": "64",
            "PASSWORD_HASH_PARALLELISM": "1"}
    ports = [_free_port(), _free_port()]
    servers = [subprocess.Popen([str(GUNICORN), "--bind", f"127.0.0.1:{port}", "--workers", "1",
                                 "inventory:create_app()"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for port in ports]
    try:
        for port, server in zip(ports, servers, strict=True):
            _wait_until_serving(port, server)
        statuses = [_login(ports[i % 2], username, "wrong password") for i in range(5)]
        assert statuses == [401] * 5
        assert _login(ports[0], username, PASSWORD) == 429
        assert _login(ports[1], username, PASSWORD) == 429
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
