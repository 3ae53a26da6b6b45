"""The audit trail's page for auditors and admins: filter by period, kind and user; export."""

from datetime import date, timedelta

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required

from inventory import clock
from inventory.audit import queries
from inventory.audit.api import EXPORT_LIMIT, READERS
from inventory.audit.export import trail_csv
from inventory.db import db
from inventory.inputs import parse_day

bp = Blueprint("audit", __name__, url_prefix="/audit")

PAGE_SIZE = 50


def _day(name: str) -> date | None:
    return parse_day(request.args.get(name), name)


def _wanted() -> queries.TrailFilter:
    """The filter from the page's form: whole local days, both ends included."""
    if current_user.role not in READERS:
        abort(403)
    since, until = _day("since"), _day("until")
    return queries.TrailFilter(
        since=clock.start_of_day(since) if since else None,
        until=clock.start_of_day(until + timedelta(days=1)) if until else None,
        entity=request.args.get("entity", "").strip()[:20] or None,
        actor=request.args.get("actor", "").strip()[:64] or None)


@bp.get("/")
@login_required
def index():
    """The trail, newest first, a page at a time."""
    wanted = _wanted()
    found = queries.trail_page(db.session, wanted, request.args.get("page", 1, type=int) or 1,
                               PAGE_SIZE)
    args = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template("audit/index.html", events=found.events, total=found.total,
                           page=found.page, pages=found.pages, args=args, wanted=wanted,
                           entities=queries.entities(db.session),
                           actors=queries.actors(db.session))


@bp.get("/events.csv")
@login_required
def export():
    """The filtered trail as CSV (UTF-8 with BOM)."""
    events = db.session.scalars(queries.trail(_wanted()).limit(EXPORT_LIMIT))
    return Response(trail_csv(events), mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=audit-events.csv"})
