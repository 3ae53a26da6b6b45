"""Real gunicorn servers for the tests whose point is about processes."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from inventory.base import ROOT

GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(database: Path, tmp_path: Path, **settings) -> dict:
    """The environment of a server on the SQLite file, with cheap password hashing."""
    env = {k: v for k, v in os.environ.items() if k not in ("RESERVES_ENV", "FLASK_DEBUG")}
    return env | {"DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "test-secret",
                  "JOBS_URL": f"sqlite:///{tmp_path}/jobs.sqlite3",
                  "PASSWORD_HASH_TIME_COST": "1", "PASSWORD_HASH_MEMORY_KIB": "64",
                  "PASSWORD_HASH_PARALLELISM": "1"} | settings


@contextmanager
def gunicorn(env: dict, *, workers: int = 1):
    """Serve the app with gunicorn on a free port; yield the port; stop it afterwards."""
    port = free_port()
    server = subprocess.Popen([str(GUNICORN), "--bind", f"127.0.0.1:{port}", "--workers",
                               str(workers), "inventory:create_app()"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            if server.poll() is not None:
                pytest.fail("gunicorn ended before serving")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer")
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)
