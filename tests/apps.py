"""Building test apps on a database: shared by the conftest files."""

import shutil
import uuid
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from inventory import create_app
from inventory.db import db


def upgrade(url: str) -> None:
    """Upgrade the database at the URL to the newest migration."""
    from alembic import command

    from inventory.cli import alembic_config

    config = alembic_config(url)
    config.attributes["configure_logging"] = False
    command.upgrade(config, "head")


@contextmanager
def postgres_schema(database_url: str):
    """Create a migrated schema of our own in the database, and yield a URL whose connections
    use it; drop it when the block ends. Dropping a schema is quick where dropping a database
    waits for the server to write every changed page to disk first; and its commits do not
    wait for the disk either (synchronous_commit off), since a test's rows need not outlive a
    crash of the server, and rules and isolation are the same."""
    name = f"reserves_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    try:
        url = make_url(database_url).update_query_dict(
            {"options": f"-csearch_path={name} -csynchronous_commit=off"})
        url = url.render_as_string(hide_password=False)
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


def _config(url: str, tmp_path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "LABEL_SECRET": "test-label-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        # Argon2 at its real cost makes every test user take 50 ms; tests need no such
        # strength (a setting, as a small server might choose too).
        "PASSWORD_HASH_TIME_COST": 1,
        "PASSWORD_HASH_MEMORY_KIB": 64,
        "PASSWORD_HASH_PARALLELISM": 1,
        # Jobs run where they are queued; tests/integration/test_jobs_consumer.py runs a real
        # consumer.
        "JOBS_IMMEDIATE": True,
        # Tests log in far more often than a person; tests/e2e/test_login_limits.py sets
        # the real limits.
        "LOGIN_RATE_LIMIT": "1000 per minute",
    }


def sqlite_app(template, tmp_path):
    """An app on a copy of the migrated SQLite template."""
    path = tmp_path / "reserves.sqlite3"
    shutil.copy(template, path)
    app = create_app(_config(f"sqlite:///{path}", tmp_path))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def postgres_app(url, tmp_path):
    """An app on this run's PostgreSQL database, emptied afterwards."""
    app = create_app(_config(url, tmp_path)
                     | {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 20, "max_overflow": 20}})
    with app.app_context():
        yield app
        db.session.remove()
        tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


