"""Production start: the app refuses weak settings, and the demo's public accounts are never
created unless asked for."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from inventory import create_app
from inventory.base import ROOT
from inventory.config import UnsafeConfiguration

STRONG = "9f2c41d7a0be58e6c3f1b27d904a6e15c8d3b7f0a2e94c61"
GUNICORN = Path(sys.executable).with_name("gunicorn")


@pytest.fixture
def environment(monkeypatch):
    for name in ("RESERVES_ENV", "SECRET_KEY", "FLASK_DEBUG", "SECURE_COOKIES"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def build(tmp_path):
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/db.sqlite3"})


def test_production_without_a_secret_key_in_the_environment_refuses_to_start(
        environment, tmp_path):
    environment.setenv("RESERVES_ENV", "production")
    with pytest.raises(UnsafeConfiguration, match="SECRET_KEY is not set"):
        build(tmp_path)


@pytest.mark.parametrize("secret", ["short-key", "test-secret", "a" * 64, "changeme"])
def test_production_with_a_weak_secret_key_refuses_to_start(environment, tmp_path, secret):
    environment.setenv("RESERVES_ENV", "production")
    environment.setenv("SECRET_KEY", secret)
    with pytest.raises(UnsafeConfiguration, match="SECRET_KEY is weak"):
        build(tmp_path)


def test_production_in_debug_mode_refuses_to_start(environment, tmp_path):
    environment.setenv("RESERVES_ENV", "production")
    environment.setenv("SECRET_KEY", STRONG)
    environment.setenv("FLASK_DEBUG", "1")
    with pytest.raises(UnsafeConfiguration, match="debug mode is on"):
        build(tmp_path)


def test_production_with_a_strong_key_starts_with_secure_cookies(environment, tmp_path):
    environment.setenv("RESERVES_ENV", "production")
    environment.setenv("SECRET_KEY", STRONG)
    app = build(tmp_path)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


def test_a_laptop_starts_with_a_generated_key_and_plain_cookies(environment, tmp_path):
    app = build(tmp_path)
    assert len(app.config["SECRET_KEY"]) >= 32 and not app.config["SESSION_COOKIE_SECURE"]
    environment.setenv("SECURE_COOKIES", "1")
    assert build(tmp_path).config["SESSION_COOKIE_SECURE"]


def test_gunicorn_refuses_to_serve_a_production_app_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "FLASK_DEBUG")}
    env |= {"RESERVES_ENV": "production", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
            "JOBS_URL": f"sqlite:///{tmp_path}/jobs.sqlite3"}
    done = subprocess.run(
        [str(GUNICORN), "--bind", "127.0.0.1:0", "--workers", "1", "inventory:create_app()"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "Refusing to start in production" in done.stderr


def test_seed_demo_refuses_in_production_unless_asked(app):
    app.config["RESERVES_ENV"] = "production"
    refused = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert refused.exit_code == 2 and "public passwords" in refused.output


# scripts/serve, run in a copy of the project whose flask and gunicorn only note how they
# were called: which commands a start runs, without installing or serving anything (its exit
# status is the stubs', so the tests read what it ran).
STUB = """#!/bin/sh
echo "$(basename "$0") $*" >> "{log}"
"""


@pytest.fixture
def serve(tmp_path):
    root = tmp_path / "project"
    (root / "scripts").mkdir(parents=True)
    for name in ("serve", "_env.sh"):
        shutil.copy(ROOT / "scripts" / name, root / "scripts" / name)
    for name in ("setup.cfg", "pyproject.toml", "package.json", "package-lock.json"):
        shutil.copy(ROOT / name, root / name)
    (root / "node_modules").mkdir()
    bin_ = root / ".venv" / "bin"
    bin_.mkdir(parents=True)
    log = tmp_path / "calls.log"
    for name in ("python", "flask", "gunicorn", "pybabel"):
        (bin_ / name).write_text(STUB.format(log=log))
        (bin_ / name).chmod(0o755)
    # The sealing loop sleeps an hour between runs; here it sleeps a moment.
    (bin_ / "sleep").write_text("#!/bin/sh\nexec /bin/sleep 0.2\n")
    (bin_ / "sleep").chmod(0o755)
    (root / ".venv" / ".installed-runtime").touch()
    os.utime(root / "node_modules")

    def run(*args, **env):
        base = {k: v for k, v in os.environ.items()
                if k not in ("DATABASE_URL", "RESERVES_ENV", "VIRTUAL_ENV")}
        done = subprocess.run(["bash", str(root / "scripts" / "serve"), *args], cwd=root,
                              env=base | env, capture_output=True, text=True, timeout=60)
        calls = log.read_text().splitlines() if log.exists() else []
        log.unlink(missing_ok=True)
        return done, [c for c in calls if "seal-ledger" not in c and "purge-" not in c]

    return run


def test_serve_loads_the_demo_into_the_embedded_database_by_default(serve):
    done, calls = serve()
    assert "Serving on" in done.stdout, done.stderr
    assert "flask --app inventory seed-demo --if-empty --in-production" in calls
    assert "demo-admin" in done.stdout


@pytest.mark.parametrize("env", [{"RESERVES_ENV": "production"},
                                 {"DATABASE_URL": "postgresql+psycopg://reserves@db/reserves"}])
def test_serve_never_creates_the_demo_accounts_in_production_unless_asked(serve, env):
    done, calls = serve(**env)
    assert "Serving on" in done.stdout, done.stderr
    assert not [c for c in calls if "seed-demo" in c]
    assert "demo-admin" not in done.stdout and "create-user admin" in done.stdout
    assert any(c.startswith("gunicorn") for c in calls)
    done, calls = serve("--demo", **env)
    assert [c for c in calls if "seed-demo" in c]


def test_serve_without_the_demo_when_told_so(serve):
    done, calls = serve("--no-demo")
    assert "Serving on" in done.stdout and not [c for c in calls if "seed-demo" in c]
