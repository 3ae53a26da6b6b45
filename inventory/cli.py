"""Command-line interface: ``flask --app inventory <command>``."""

import sys
from datetime import timedelta
from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import current_app
from sqlalchemy import func, inspect, select

from inventory.db import db
from inventory.errors import DomainError

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """Return the alembic configuration for the app's database (or the given URL)."""
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = url or current_app.config["SQLALCHEMY_DATABASE_URI"]
    return config


def _fail(error: DomainError) -> None:
    click.echo(f"错误 Error: {error.zh} / {error.en}", err=True)
    sys.exit(2)


def init_app(app) -> None:
    """Register the app's command-line commands."""
    from inventory.backups.cli import backup, restore
    from inventory.exports.cli import export_ledger, verify_export

    for cmd in (init_db, seed_demo, create_user, create_token, verify_ledger, seal_ledger,
                import_data, backup, restore, export_ledger, verify_export, purge_idempotency):
        app.cli.add_command(cmd)


@click.command("init-db")
def init_db():
    """Upgrade the database to the newest migration."""
    command.upgrade(alembic_config(), "head")
    click.echo("Database is at the newest migration.")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has depots.")
@click.option("--in-production", is_flag=True,
              help="Load it even with RESERVES_ENV=production (its passwords are public).")
def seed_demo(if_empty, in_production):
    """Load the demo county: areas, depots, catalogue, users and a year of history."""
    from inventory import demo
    from inventory.geo.models import Depot

    if current_app.config.get("RESERVES_ENV") == "production" and not in_production:
        click.echo("拒绝：生产模式下不载入演示数据（其账号密码公开在 README 中）。/ Refused: the "
                   "demo's accounts have public passwords; not loaded with RESERVES_ENV="
                   "production (add --in-production to load them anyway).", err=True)
        sys.exit(2)

    if if_empty and inspect(db.engine).has_table("depots") and db.session.scalar(
            select(func.count(Depot.id))):
        click.echo("Database already has data; demo not loaded.")
        return
    summary = demo.seed(db.session)
    click.echo("Demo county loaded: " + ", ".join(f"{k} {v}" for k, v in summary.items()))


@click.command("create-user")
@click.argument("username")
@click.option("--role", required=True,
              type=click.Choice(["admin", "bureau", "keeper", "planner", "auditor"]))
@click.option("--depot", "depots", multiple=True, help="Depot code a keeper looks after.")
@click.option("--name", "display_name", help="Display name.")
def create_user(username, role, depots, display_name):
    """Create a user; the password is read from standard input."""
    from inventory.auth.services import create_user as create

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    try:
        create(db.session, username, password, role, depots=list(depots),
               display_name=display_name)
    except DomainError as error:
        _fail(error)
    click.echo(f"User {username} created with role {role}.")


@click.command("create-token")
@click.argument("username")
@click.option("--name", help="A name for the token, e.g. the device.")
@click.option("--days", type=float, default=None,
              help="Days the token works (default API_TOKEN_LIFETIME_DAYS; 0: until revoked).")
def create_token(username, name, days):
    """Print a new bearer token for the user."""
    from inventory.auth.services import create_token as create

    if days is None:
        days = current_app.config["API_TOKEN_LIFETIME_DAYS"]
    try:
        click.echo(create(db.session, username, name, days=days))
    except DomainError as error:
        _fail(error)


@click.command("purge-idempotency")
@click.option("--days", type=float, default=None,
              help="Keep records this many days (default IDEMPOTENCY_RETENTION_DAYS).")
def purge_idempotency(days):
    """Delete the idempotency records past their retention period (daily from cron)."""
    from inventory.api import idempotency
    from inventory.db import utcnow

    days = current_app.config["IDEMPOTENCY_RETENTION_DAYS"] if days is None else days
    if days < current_app.config["MOVEMENT_BACKDATE_DAYS"]:
        click.echo("拒绝：保留天数须不少于 MOVEMENT_BACKDATE_DAYS。/ Refused: keep the records at "
                   "least MOVEMENT_BACKDATE_DAYS, as long as a phone may queue an action.",
                   err=True)
        sys.exit(2)
    purged = idempotency.purge(db.session, utcnow() - timedelta(days=days))
    click.echo(f"Purged {purged} idempotency records older than {days:g} days.")


@click.command("verify-ledger")
def verify_ledger():
    """Check balances against the ledger, the hash chains and the seals; exit 1 on a mismatch."""
    from inventory.stock.ledger import describe, verify_ledger

    report = verify_ledger(db.session)
    click.echo(describe(report))
    sys.exit(0 if report.ok else 1)


@click.command("seal-ledger")
@click.option("--if-due", is_flag=True, help="Only when the last seal is older than the interval.")
def seal_ledger(if_due):
    """Seal the ledger's chain heads (daily, from cron or scripts/serve, and on demand)."""
    from inventory.stock.ledger import seal_if_due, take_seal

    if if_due:
        hours = current_app.config["SEAL_INTERVAL_HOURS"]
        seal = seal_if_due(db.session, timedelta(hours=hours))
        if seal is None:
            click.echo("Last seal is recent; nothing to do.")
            return
    else:
        seal = take_seal(db.session, kind="on_demand")
    click.echo(f"Seal {seal.id} taken: {seal.lots_count} lots, {seal.movements_count} rows, "
               f"digest {seal.digest}")


@click.command("import-data")
@click.argument("kind")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", "username", default="admin", show_default=True,
              help="The user the import is recorded under (admin or bureau).")
@click.option("--dry-run", is_flag=True, help="Check every row and write nothing.")
def import_data(kind, path, username, dry_run):
    """Import a spreadsheet (.xlsx or .csv): areas, depots, items, opening_stock, agreements,
    capacity, norms, travel_times, shelters or shelter_travel_times. All rows or none."""
    from inventory.auth.models import User
    from inventory.imports import services

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        _fail(DomainError(f"没有用户 {username}。", f"No user {username}."))
    data = path.read_bytes()
    limits = services.Limits.of(current_app.config)
    try:
        found = (services.preview(db.session, kind, data, path.name, limits) if dry_run
                 else services.commit(db.session, user, kind, data, path.name, limits))
    except services.ImportRejected as error:
        found = error.preview
    except DomainError as error:
        _fail(error)
    for problem in found.errors:
        click.echo(f"第 {problem.row} 行 row {problem.row} · {problem.column}: "
                   f"{problem.message} / {problem.message_en}", err=True)
    counts = ", ".join(f"{action}: {n}" for action, n in sorted(found.counts().items()))
    if found.errors:
        click.echo(f"{len(found.errors)} 处错误，未导入。{len(found.errors)} error(s); "
                   "nothing was imported.", err=True)
        sys.exit(2)
    click.echo(("检查通过（未写入）Checked, nothing written" if dry_run else "已导入 Imported")
               + f" — {len(found.rows)} rows ({counts})")
