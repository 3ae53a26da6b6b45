"""Depot pages: the bureau edits a depot's details; the edits are listed beneath the form."""

from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from inventory.auth.permissions import can_edit_depots
from inventory.db import db
from inventory.errors import DomainError
from inventory.geo import queries, services
from inventory.geo.models import DEPOT_FIELD_LABELS, Depot
from inventory.i18n import current_language, message_of

bp = Blueprint("depots", __name__, url_prefix="/depots")

#: the form's fields, in its order
FIELDS = tuple(DEPOT_FIELD_LABELS)


@bp.route("/<code>/edit", methods=["GET", "POST"])
@login_required
def edit(code):
    """Edit a depot's details (bureau, admin); a refused form is shown again with its errors."""
    depot = queries.depot_by_code(db.session, code) or abort(404)
    if not can_edit_depots(current_user):
        abort(403)
    problems: dict = {}
    if request.method == "POST":
        try:
            services.update_depot(db.session, current_user, code, **changed_fields(request.form))
        except services.DepotDetailsInvalid as error:
            problems = error.problems
        except DomainError as error:
            flash(message_of(error), "error")
            return redirect(url_for("stock.depot", code=code))
        else:
            flash(gettext("储备库信息已保存。"), "ok")
            return redirect(url_for("stock.depot", code=code))
    english = current_language() == "en"
    return render_template(
        "geo/depot_edit.html", depot=depot,
        values=request.form if problems else form_values(depot),
        errors={field: pair[1 if english else 0] for field, pair in problems.items()},
        history=queries.depot_changes(db.session, depot), labels=DEPOT_FIELD_LABELS,
        max_handling_hours=services.MAX_HANDLING_HOURS,
        max_capacity=services.MAX_CAPACITY_M3), 422 if problems else 200


def form_values(depot: Depot) -> dict:
    """The depot's details as the form's inputs hold them; ``was_`` fields keep the originals."""
    values = {field: _shown(getattr(depot, field)) for field in FIELDS}
    return values | {f"was_{field}": value for field, value in values.items()}


def changed_fields(form) -> dict:
    """Return the fields the user changed on the form (as typed), and only those.

    Sending only what was changed keeps an edit made meanwhile to other fields (by another
    user, or through the API) instead of writing back the values the form was opened with.
    A field the form does not hold is left alone; one without its ``was_`` original is sent.
    """
    changed = {}
    for field in FIELDS:
        if field == "active":  # an unticked box sends nothing, so its original tells it was there
            typed = "1" if form.get("active") else ""
            present = "active" in form or "was_active" in form
        else:
            typed, present = form.get(field, ""), field in form
        if present and typed != form.get(f"was_{field}"):
            changed[field] = typed
    if "active" in changed:
        changed["active"] = bool(changed["active"])
    return changed


def _shown(value) -> str:
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return "" if value is None else str(value)

