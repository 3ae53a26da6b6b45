"""``flask --app inventory backup`` and ``restore``."""

import sys
from pathlib import Path

import click
from flask import current_app

from inventory.backups import services
from inventory.db import db


@click.command("backup")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The backup file to write (never overwritten).")
def backup(out):
    """Back up the whole database: pg_dump on PostgreSQL, SQLite's online backup otherwise."""
    try:
        made = services.backup(current_app.config["SQLALCHEMY_DATABASE_URI"], out)
    except services.BackupError as error:
        click.echo(f"错误 Error: {error}", err=True)
        sys.exit(2)
    click.echo(f"Backup written: {made.path} ({made.size:,} bytes, {made.kind}).")


@click.command("restore")
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
def restore(backup_file, yes):
    """Replace the database with a backup, then verify the ledger restored."""
    from inventory.stock.ledger import describe, verify_ledger

    if not yes:
        click.confirm("这将用备份替换当前数据库的全部数据。 This replaces every row of the "
                      "database with the backup's. Go on?", abort=True)
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold the old database open
    try:
        kind = services.restore(current_app.config["SQLALCHEMY_DATABASE_URI"], backup_file)
    except services.BackupError as error:
        click.echo(f"错误 Error: {error}", err=True)
        sys.exit(2)
    db.engine.dispose()
    report = verify_ledger(db.session)
    click.echo(f"Restored from {backup_file} ({kind}). {describe(report)}")
    sys.exit(0 if report.ok else 1)
