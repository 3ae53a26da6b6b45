"""Fixtures: an app on a fresh SQLite database per test, and on PostgreSQL when a server answers.

SQLite databases are copied from one template upgraded by the real migrations. PostgreSQL
tests run in a database created for this test run and dropped at its end; tables are
emptied between tests. Each test process builds one app per database and lends it to each
test in the state it was built in (``apps.SharedApps``). In CI (CI=true) a missing
PostgreSQL server fails the run.
"""

import os
import uuid
from pathlib import Path

import pytest
from apps import DemoCopies, SharedApps, fresh_app, postgres_app, sqlite_app, upgrade
from hypothesis import settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

# Property tests check rules, not speed (scripts/bench measures that): on a loaded machine
# Hypothesis's per-example deadline would fail them for the machine's sake.
settings.register_profile("reserves", deadline=None)
settings.load_profile("reserves")

HERE = Path(__file__).parent


@pytest.fixture(autouse=True, scope="session")
def compiled_translations():
    """Compile the message catalogues that are newer than their .mo, as scripts/_env.sh does."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from inventory.base import ROOT

    for po in (ROOT / "inventory" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        # written aside and renamed, because parallel workers may compile at the same time
        partial = mo.with_name(f"messages.mo.{os.getpid()}")
        with partial.open("wb") as target:
            write_mo(target, catalog)
        partial.replace(mo)


#: what a test weighs in ordering the files, in tests over HTTP: one marked slow takes a
#: minute or so, a unit test a few milliseconds
SLOW_WEIGHT = 60
QUICK_TIERS = {"unit": 0.02, "optimizer": 0.1}


def pytest_configure(config):
    # xdist hands out whole files (--dist loadfile) in the order of the collection, which
    # pytest_collection_modifyitems below sets; its own order, most tests first, would leave
    # the files of a few long tests (the bad-input sweeps, the fuzzer) to the end, and one
    # worker alone with them.
    if getattr(config.option, "dist", "no") in ("loadfile", "loadscope"):
        config.option.loadscopereorder = False


def _weight(item) -> float:
    if item.get_closest_marker("slow"):
        return SLOW_WEIGHT
    return QUICK_TIERS.get(item.path.relative_to(HERE).parts[0], 1)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Run the files that take longest first, so that the workers finish together."""
    weights = {}
    for item in items:
        weights[item.path] = weights.get(item.path, 0) + _weight(item)
    items.sort(key=lambda item: -weights[item.path])  # stable: a file's own order stays


TEST_DATABASE_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


def _postgres_available() -> bool:
    try:
        engine = create_engine(TEST_DATABASE_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def postgres_url():
    """A database of our own on the PostgreSQL server, for this test run only."""
    if not _postgres_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs PostgreSQL at {TEST_DATABASE_URL}, and it does not answer.")
        pytest.skip(f"no PostgreSQL server at {TEST_DATABASE_URL}")
    name = f"reserves_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        # Commits need not wait for the disk: a test's rows need not outlive a crash of the
        # server, and rules and isolation are the same.
        conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    url = make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def shared_apps(sqlite_template, tmp_path_factory):
    apps = SharedApps(sqlite_template, tmp_path_factory.mktemp("shared"))
    yield apps
    apps.close()


@pytest.fixture(scope="session")
def demo_copies(sqlite_template, tmp_path_factory):
    return DemoCopies(sqlite_template, tmp_path_factory.mktemp("demo-copies"))


@pytest.fixture
def app(request, shared_apps, sqlite_template, tmp_path):
    if fresh_app(request):
        yield from sqlite_app(sqlite_template, tmp_path)
    else:
        yield from shared_apps.sqlite()


@pytest.fixture
def pg_app(request, shared_apps, postgres_url, tmp_path):
    if fresh_app(request):
        yield from postgres_app(postgres_url, tmp_path)
    else:
        yield from shared_apps.postgres(postgres_url)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def world(app, shared_apps):
    return shared_apps.world(app)


@pytest.fixture
def pg_world(pg_app, shared_apps):
    return shared_apps.world(pg_app)
