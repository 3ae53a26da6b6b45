"""Alembic environment: runs migrations against the app's database."""

import os
from logging.config import fileConfig
from pathlib import Path

from alembic import context
from sqlalchemy import create_engine, pool
from sqlalchemy.types import TypeDecorator

from inventory.config import default_sqlite_url
from inventory.models import metadata

config = context.config
if config.config_file_name and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    return (
        config.attributes.get("database_url")
        or os.environ.get("DATABASE_URL")
        or default_sqlite_url(str(Path(__file__).resolve().parent.parent / "instance"))
    )


def render_item(type_, obj, autogen_context):
    """Render our TypeDecorators as their plain SQL type, so migrations stand alone."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def run_migrations_offline() -> None:
    context.configure(url=database_url(), target_metadata=metadata, literal_binds=True,
                      render_as_batch=True, render_item=render_item)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(database_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    # SQLite changes a table's constraints by copying it to a new table and dropping the old
    # one, which foreign keys that point at it would refuse: they are off while migrating
    # and checked as a whole before the migration commits (alembic's batch-mode recipe).
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _sqlite_pragma(connection, "PRAGMA foreign_keys=OFF")
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                      compare_type=True, render_item=render_item)
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration broke foreign keys: {broken[:10]}")
    if sqlite:
        _sqlite_pragma(connection, "PRAGMA foreign_keys=ON")


def _sqlite_pragma(connection, pragma: str) -> None:
    """Run a pragma that SQLite ignores inside a transaction, outside of one."""
    if connection.in_transaction():
        connection.commit()
    connection.connection.driver_connection.execute(pragma)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
