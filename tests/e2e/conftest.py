"""The HTTP tests run on both databases: SQLite (the default) and PostgreSQL (production)."""

import pytest
from apps import postgres_app, sqlite_app


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app(request, sqlite_template, tmp_path):
    if request.param == "sqlite":
        yield from sqlite_app(sqlite_template, tmp_path)
    else:
        yield from postgres_app(request.getfixturevalue("postgres_url"), tmp_path)
