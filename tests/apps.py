"""Building test apps on a database: shared by the conftest files."""

import os
import shutil
import sqlite3
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

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


#: pool sizes for the apps on PostgreSQL: some tests answer requests from many threads
POSTGRES_POOL = {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 20, "max_overflow": 20}}


def copy_database(template, path) -> None:
    """Put a copy of the SQLite template at ``path``, as a new file: a connection still open
    on the old one keeps reading that, and the old one's journal goes with it."""
    for leftover in (f"{path}-wal", f"{path}-shm", f"{path}-journal"):
        if os.path.exists(leftover):
            os.remove(leftover)
    partial = f"{path}.{os.getpid()}.copy"
    shutil.copy(template, partial)
    os.replace(partial, path)


def sqlite_app(template, tmp_path):
    """An app of its own on a copy of the migrated SQLite template."""
    path = tmp_path / "reserves.sqlite3"
    copy_database(template, path)
    app = create_app(_config(f"sqlite:///{path}", tmp_path))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def postgres_app(url, tmp_path):
    """An app of its own on a PostgreSQL database, emptied afterwards."""
    app = create_app(_config(url, tmp_path) | POSTGRES_POOL)
    with app.app_context():
        yield app
        db.session.remove()
        empty_postgres(db.engine)
        db.engine.dispose()


def empty_postgres(engine) -> None:
    """Empty every table of the app's PostgreSQL database and restart its sequences, as
    TRUNCATE ... RESTART IDENTITY does. TRUNCATE costs a few tenths of a second whatever the
    tables hold (the server makes every table and index a new file); a test writes a few rows
    to a few tables, and deleting those is a hundredth of that. The deletes skip the triggers
    (the ledger's and the audit trail's refusal of DELETE, and the foreign keys' checks) as a
    replica does, which needs a superuser; without one, TRUNCATE it is."""
    tables = [f'"{table.name}"' for table in db.metadata.sorted_tables]
    written = " UNION ALL ".join(
        f"SELECT '{name}' WHERE EXISTS (SELECT FROM {name})" for name in tables)
    try:
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            for (name,) in conn.execute(text(written)).all():
                conn.execute(text(f"DELETE FROM {name}"))
            used = conn.execute(text(
                "SELECT format('%I.%I', schemaname, sequencename) FROM pg_sequences "
                "WHERE last_value IS NOT NULL AND schemaname = current_schema()")).scalars()
            for sequence in used.all():
                conn.execute(text(f"ALTER SEQUENCE {sequence} RESTART"))
    except DBAPIError as error:
        if "permission denied" not in str(error):
            raise
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


class SharedApps:
    """One app per database for this test process, which each test borrows in the state it
    was built in: building an app (its routes and its OpenAPI document) costs a quarter of
    a second, more than most tests. Between tests the database is put back (a fresh copy of
    the SQLite template; PostgreSQL's tables emptied) and so is everything a test may change
    on the app: its settings, its request hooks, the token cache, the jobs queue and the
    login counts. A test that changes the app otherwise (adds a route or a blueprint) is marked
    ``fresh_app`` and gets an app of its own; one that adds them unmarked fails."""

    def __init__(self, sqlite_template, workdir):
        self.sqlite_template = sqlite_template
        self.workdir = workdir
        self.apps = {}
        self.worlds = {}

    def sqlite(self):
        """Lend the app on this process's SQLite file, a fresh copy of the template."""
        path = self.workdir / "reserves.sqlite3"
        app = self._app(f"sqlite:///{path}", {})
        yield from self._lend(app, lambda: copy_database(self.sqlite_template, path))

    def postgres(self, url):
        """Lend the app on the PostgreSQL database at ``url``, emptied after the test."""
        app = self._app(url, POSTGRES_POOL)
        try:
            yield from self._lend(app)
        finally:
            with app.app_context():
                empty_postgres(db.engine)

    def world(self, app):
        """Build the standard test county (``factories.make_world``) on a borrowed app's empty
        database. The first time it is made; after that what the first time wrote is put back,
        which is quicker than the dozen commits that make it; when that is MAX_AGE old or of
        another day, it is made again. On any other app, or a database not empty, it is made."""
        from factories import make_world

        url = app.config["SQLALCHEMY_DATABASE_URI"]
        if self.apps.get(url) is not app or not _is_empty():
            return make_world(db.session)
        copy = self.worlds.get(url)
        if copy is None or copy.stale():
            world = make_world(db.session)
            copy = self.worlds[url] = _WorldCopy(world, self.workdir)
        else:
            copy.restore()
        return copy.load(db.session)

    def close(self):
        for app in self.apps.values():
            with app.app_context():
                db.engine.dispose()

    def _app(self, url, extra):
        if url not in self.apps:
            app = create_app(_config(url, self.workdir) | extra)
            app.extensions["pristine"] = _Pristine(app)
            self.apps[url] = app
        return self.apps[url]

    def _lend(self, app, renew_database=None):
        app.extensions["pristine"].restore(app)
        with app.app_context():
            # New connections for each test, as an app of its own had: a test may have
            # restarted the server under the pool, or the database file is a new one.
            db.engine.dispose()
            if renew_database is not None:
                renew_database()
            try:
                yield app
            finally:
                db.session.remove()
                self._refuse_changed(app)

    def _refuse_changed(self, app):
        """Fail a test that added routes or blueprints to a shared app without being marked
        ``fresh_app``, and retire that app, so that no later test sees what it added."""
        added = app.extensions["pristine"].added(app)
        if added:
            url = app.config["SQLALCHEMY_DATABASE_URI"]
            self.apps.pop(url, None)
            self.worlds.pop(url, None)
            pytest.fail(f"the test added {', '.join(added)} to the shared app; mark it "
                        "fresh_app to have an app of its own", pytrace=False)


def fresh_app(request) -> bool:
    """Whether the test is marked as changing its app beyond what ``SharedApps`` puts back."""
    return request.node.get_closest_marker("fresh_app") is not None


def _is_empty() -> bool:
    """Whether no table of the current app's database has a row."""
    tables = db.metadata.sorted_tables
    written = " OR ".join(f'EXISTS (SELECT 1 FROM "{table.name}")' for table in tables)
    try:
        return not db.session.execute(text(f"SELECT {written}")).scalar()
    finally:
        db.session.rollback()


class _WorldCopy:
    """What ``make_world`` wrote, to write again: the SQLite file as it was, or PostgreSQL's
    rows and sequences; and the world's ids and tokens, to load it."""

    MAX_AGE = 300

    def __init__(self, world, workdir):
        from inventory import clock

        self.made = (time.monotonic(), clock.today())
        self.tokens = dict(world.tokens)
        self.ids = {kind: {key: thing.id for key, thing in getattr(world, kind).items()}
                    for kind in ("depots", "items", "users")}
        db.session.commit()
        db.session.remove()
        url = make_url(str(db.engine.url))
        if url.get_backend_name() == "sqlite":
            db.engine.dispose()
            with sqlite3.connect(url.database) as conn:  # all in the file, none in its journal
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.close()
            self.file = workdir / f"world-{uuid.uuid4().hex[:8]}.sqlite3"
            shutil.copy(url.database, self.file)
            self.database = url.database
        else:
            self.file = None
            with db.engine.connect() as conn:
                self.rows = {table: [row._asdict() for row in conn.execute(table.select())]
                             for table in db.metadata.sorted_tables}
                self.sequences = conn.execute(text(
                    "SELECT format('%I.%I', schemaname, sequencename), last_value "
                    "FROM pg_sequences WHERE last_value IS NOT NULL "
                    "AND schemaname = current_schema()")).all()

    def stale(self) -> bool:
        from inventory import clock

        return time.monotonic() - self.made[0] > self.MAX_AGE or self.made[1] != clock.today()

    def restore(self) -> None:
        db.session.remove()
        if self.file is not None:
            db.engine.dispose()
            copy_database(self.file, self.database)
            return
        with db.engine.begin() as conn:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            for table, rows in self.rows.items():
                if rows:
                    conn.execute(table.insert(), rows)
            for sequence, value in self.sequences:
                conn.execute(text("SELECT setval(:sequence, :value)"),
                             {"sequence": sequence, "value": value})

    def load(self, session):
        from factories import World

        from inventory.auth.models import User
        from inventory.catalogue.models import Item
        from inventory.geo.models import Depot

        world = World(tokens=dict(self.tokens))
        for kind, model in (("depots", Depot), ("items", Item), ("users", User)):
            getattr(world, kind).update(
                {key: session.get(model, id_) for key, id_ in self.ids[kind].items()})
        return world


#: the app's lists of request hooks, which tests add to (tests/e2e/test_users.py, ...)
HOOKS = ("before_request_funcs", "after_request_funcs", "teardown_request_funcs",
         "teardown_appcontext_funcs", "url_value_preprocessors", "url_default_functions",
         "template_context_processors")


class _Pristine:
    """What an app looked like when it was built, to put back before each test."""

    def __init__(self, app):
        self.config = dict(app.config)
        self.hooks = {name: _copy_hooks(getattr(app, name)) for name in HOOKS}
        self.limiter_enabled = _limiter().enabled
        self.routes = frozenset(app.view_functions)
        self.blueprints = frozenset(app.blueprints)

    def added(self, app) -> list[str]:
        """Name the routes and blueprints added since the app was built."""
        return sorted(set(app.view_functions) - self.routes) + sorted(
            set(app.blueprints) - self.blueprints)

    def restore(self, app):
        from inventory.auth.tokens import TokenCache
        from inventory.jobs import queue

        app.config.clear()
        app.config.update(self.config)
        for name, hooks in self.hooks.items():
            setattr(app, name, _copy_hooks(hooks))
        app.extensions["token_cache"] = TokenCache(app.config["API_TOKEN_CACHE_SECONDS"])
        queue.init_app(app)
        # one limiter serves every app in the process; an app built since may have re-bound it
        limiter = _limiter()
        limiter.enabled = self.limiter_enabled
        limiter.reset()


def _copy_hooks(hooks):
    if isinstance(hooks, defaultdict):
        return defaultdict(hooks.default_factory,
                           {key: list(value) for key, value in hooks.items()})
    return list(hooks)


def _limiter():
    from inventory.auth.throttle import limiter

    return limiter


class DemoCopies:
    """The demo county seeded once into a SQLite file, which tests copy: seeding it takes
    seconds. A copy is at most MAX_AGE old and of today, so that what the demo dates
    relative to now (loads under way, lots about to expire) is as near as a module's own
    seeding would be; older, it is seeded again."""

    MAX_AGE = 300

    def __init__(self, sqlite_template, workdir):
        self.sqlite_template = sqlite_template
        self.workdir = workdir
        self.built = {}

    def database(self, headline: bool = False):
        """Return the path of a fresh demo database, with the headline scenarios run if asked."""
        from inventory import clock

        path, when, day = self.built.get(headline, (None, 0, None))
        if path is None or time.monotonic() - when > self.MAX_AGE or day != clock.today():
            path = self._seed(headline)
            self.built[headline] = (path, time.monotonic(), clock.today())
        return path

    def load(self, app, headline: bool = False) -> None:
        """Replace the database of an app on SQLite by a copy of the demo."""
        path = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
        template = self.database(headline)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        copy_database(template, path)

    def _seed(self, headline: bool):
        from inventory import demo

        workdir = self.workdir / f"{'headline' if headline else 'demo'}-{uuid.uuid4().hex[:8]}"
        workdir.mkdir()
        apps = sqlite_app(self.sqlite_template, workdir)
        next(apps)
        demo.seed(db.session)
        if headline:
            from crawl import run_the_headline

            run_the_headline(db.session)
        next(apps, None)
        path = workdir / "reserves.sqlite3"
        with sqlite3.connect(path) as conn:  # all in the file, none left in its journal
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        return path
