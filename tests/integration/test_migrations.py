"""Upgrading an empty database to head gives exactly the models' schema, on both databases."""

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from inventory.cli import alembic_config
from inventory.models import metadata


def schema_differences(url: str) -> list:
    engine = create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    engine.dispose()
    return diff


def migrate(url: str, target: str, direction="upgrade") -> None:
    config = alembic_config(url)
    config.attributes["configure_logging"] = False
    getattr(command, direction)(config, target)


def test_sqlite_upgraded_to_head_matches_the_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    migrate(url, "head")
    assert schema_differences(url) == []


def test_sqlite_downgrades_to_empty_and_upgrades_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    migrate(url, "head")
    migrate(url, "base", "downgrade")
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
            "AND name != 'alembic_version'").scalar() == 0
    engine.dispose()
    migrate(url, "head")
    assert schema_differences(url) == []


@pytest.mark.postgres
def test_postgres_upgraded_to_head_matches_the_models(postgres_url):
    assert schema_differences(postgres_url) == []
