"""The HTTP tests run on both databases: SQLite (the default) and PostgreSQL (production)."""

import pytest
from apps import fresh_app, postgres_app, postgres_schema, sqlite_app


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app(request, shared_apps, sqlite_template, tmp_path):
    postgres_url = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    if fresh_app(request):
        yield from (sqlite_app(sqlite_template, tmp_path) if postgres_url is None
                    else postgres_app(postgres_url, tmp_path))
    elif postgres_url is None:
        yield from shared_apps.sqlite()
    else:
        yield from shared_apps.postgres(postgres_url)


@pytest.fixture(scope="module")
def demo_app(request, demo_copies, tmp_path_factory):
    """The demo county, seeded once for a module whose tests only read it, with the
    workbench's headline scenarios run (so their results are among the pages).

    It is on SQLite unless a test parametrizes it indirectly with "postgres"; there it has a
    schema of its own in the run's database, so the module's tests on ``app`` may empty the
    database's tables meanwhile.
    """
    from crawl import run_the_headline

    from inventory import demo
    from inventory.db import db

    tmp_path = tmp_path_factory.mktemp("demo")
    if getattr(request, "param", "sqlite") == "sqlite":
        # a copy of the demo seeded and run for this test process a few minutes ago at most
        yield from sqlite_app(demo_copies.database(headline=True), tmp_path)
        return
    with postgres_schema(request.getfixturevalue("postgres_url")) as url:
        apps = postgres_app(url, tmp_path)
        app = next(apps)
        demo.seed(db.session)
        run_the_headline(db.session)
        yield app
        next(apps, None)


@pytest.fixture
def each_request_finds_its_own_user(app):
    """The tests keep one app context open, so Flask's ``g`` (where Flask-Login keeps the user)
    would carry one client's user into another client's request; in production every request
    starts afresh. Files whose tests switch users use it (``pytestmark``)."""
    from flask import g

    def forget():
        g.pop("_login_user", None)
        g.pop("user", None)

    app.before_request_funcs.setdefault(None, []).insert(0, forget)
