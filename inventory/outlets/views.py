"""Outlet pages: the register with a form to define an outlet, one outlet's edit form."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from inventory.catalogue import queries as catalogue
from inventory.db import db
from inventory.errors import DomainError
from inventory.i18n import current_language, message_of
from inventory.outlets import queries, services
from inventory.outlets.models import OUTLET_KIND_LABELS
from inventory.planning.forms import field_errors

bp = Blueprint("outlets", __name__, url_prefix="/outlets")
FIELDS = ("name", "kind", "item", "capacity_per_month", "value_per_unit")


@bp.app_context_processor
def labels():
    return {"OUTLET_KIND_LABELS": OUTLET_KIND_LABELS}


def _edits() -> bool:
    return current_user.role in services.EDITORS


def _typed() -> dict:
    """The form's fields as typed, active as a tick (a blank field is refused, not skipped)."""
    values = {key: request.form.get(key, "").strip() for key in FIELDS}
    values["active"] = request.form.get("active") == "on"
    return values


def _items():
    return catalogue.items(db.session)


def _refused(error: DomainError, template: str, **context):
    """Show the form again with what was typed and why it was refused."""
    return render_template(template, items=_items(), edits=_edits(),
                           error=message_of(error),
                           errors=field_errors(error.errors, current_language()),
                           **context), error.status


@bp.get("/")
@login_required
def index():
    """The register, with the form to define an outlet (planner, bureau, admin)."""
    return render_template("outlets/index.html", outlets=queries.list_outlets(db.session),
                           items=_items(), edits=_edits(), values={"active": True},
                           errors={})


@bp.post("/")
@login_required
def create():
    """Define an outlet from the form."""
    values = _typed()
    try:
        services.create_outlet(db.session, current_user, **values)
    except DomainError as error:
        return _refused(error, "outlets/index.html", values=values,
                        outlets=queries.list_outlets(db.session))
    flash(gettext("轮换去向已登记。"), "ok")
    return redirect(url_for("outlets.index"))


@bp.get("/<int(max=2147483647):outlet_id>")
@login_required
def edit(outlet_id):
    """One outlet, with its edit form for those who keep the register."""
    outlet = db.get_or_404(queries.Outlet, outlet_id)
    values = services.snapshot(outlet)
    return render_template("outlets/edit.html", outlet=outlet, values=values, errors={},
                           items=_items(), edits=_edits())


@bp.post("/<int(max=2147483647):outlet_id>")
@login_required
def update(outlet_id):
    """Change an outlet from its form."""
    outlet = db.get_or_404(queries.Outlet, outlet_id)
    values = _typed()
    try:
        services.update_outlet(db.session, current_user, outlet_id, **values)
    except DomainError as error:
        db.session.refresh(outlet)
        return _refused(error, "outlets/edit.html", outlet=outlet, values=values)
    flash(gettext("轮换去向已更新。"), "ok")
    return redirect(url_for("outlets.index"))
