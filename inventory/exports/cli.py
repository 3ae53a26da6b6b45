"""``export-ledger`` and ``verify-export``: the auditor's exports from the command line."""

import hashlib
import sys
from datetime import timedelta
from pathlib import Path

import click
from flask_babel import force_locale

from inventory import clock
from inventory.db import db
from inventory.errors import DomainError
from inventory.stock.models import MOVEMENT_KINDS


def sidecar(path: Path) -> Path:
    """The file beside an export holding its SHA-256, as ``sha256sum`` writes it."""
    return path.with_name(path.name + ".sha256")


def _sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            sha.update(block)
    return sha.hexdigest()


@click.command("export-ledger")
@click.option("--from", "first", type=click.DateTime(["%Y-%m-%d"]),
              help="First day, in the bureau's time zone.")
@click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), help="Last day, included.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "pdf"]), default="csv",
              show_default=True)
@click.option("--depot", help="A depot's code.")
@click.option("--item", help="A catalogue item's code.")
@click.option("--lot", type=int, help="A lot's id.")
@click.option("--kind", type=click.Choice(MOVEMENT_KINDS), help="A movement kind.")
@click.option("--tier", type=click.Choice(["county", "township", "village"]))
@click.option("--category", help="An item category, e.g. 生活类.")
@click.option("--actor", help="The username who recorded the rows.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write; its SHA-256 goes beside it in FILE.sha256.")
def export_ledger(first, last, fmt, depot, item, lot, kind, tier, category, actor, out):
    """Export the stock ledger as CSV, XLSX or PDF, with a sidecar holding its SHA-256."""
    from inventory.exports import files, queries

    since = clock.start_of_day(first.date()) if first else None
    until = clock.start_of_day(last.date() + timedelta(days=1)) if last else None
    try:
        flt = queries.ledger_filter(db.session, depot=depot, item=item, lot=lot, kind=kind,
                                    since=since, until=until, tier=tier, category=category,
                                    actor=actor)
        with force_locale("zh_CN"):
            export = files.export(db.session, flt, fmt)
            sha = hashlib.sha256()
            with open(out, "wb") as handle:
                for chunk in export.chunks:
                    sha.update(chunk)
                    handle.write(chunk)
    except DomainError as error:
        click.echo(f"错误 Error: {error.zh} / {error.en}", err=True)
        sys.exit(2)
    sidecar(out).write_text(f"{sha.hexdigest()}  {out.name}\n")
    click.echo(f"Wrote {out} ({out.stat().st_size:,} bytes, SHA-256 {sha.hexdigest()}).")


@click.command("verify-export")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify_export(path):
    """Check an exported ledger file against the ledger; exit 1 and name the rows that differ."""
    from inventory.exports.verify import describe, verify_export

    check = verify_export(db.session, path)
    side = sidecar(path)
    if side.exists():
        expected = side.read_text().split()[0] if side.read_text().split() else ""
        if _sha256(path) != expected:
            check.problems.append(f"the file's SHA-256 differs from {side.name}")
    click.echo(describe(check, path))
    sys.exit(0 if check.ok else 1)
