"""The HTTP tests run on both databases: SQLite (the default) and PostgreSQL (production)."""

import pytest
from apps import postgres_app, sqlite_app


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app(request, sqlite_template, tmp_path):
    if request.param == "sqlite":
        yield from sqlite_app(sqlite_template, tmp_path)
    else:
        yield from postgres_app(request.getfixturevalue("postgres_url"), tmp_path)


@pytest.fixture(scope="module")
def demo_app(sqlite_template, tmp_path_factory):
    """The demo county on SQLite, seeded once for a module whose tests only read it, with the
    workbench's headline scenarios run (so their results are among the pages)."""
    from crawl import run_the_headline

    from inventory import demo
    from inventory.db import db

    apps = sqlite_app(sqlite_template, tmp_path_factory.mktemp("demo"))
    app = next(apps)
    demo.seed(db.session)
    run_the_headline(db.session)
    yield app
    next(apps, None)
