"""Shelter pages: the register by area, one shelter with its receiving point and road hours;
the bureau registers and edits shelters and records road hours here."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from inventory.db import db
from inventory.errors import DomainError
from inventory.geo import queries as geo
from inventory.i18n import message_of
from inventory.shelters import queries, services
from inventory.web.forms import act

bp = Blueprint("shelters", __name__, url_prefix="/shelters")

#: the tiers whose depots a shelter's page lists by road hours (village points supply their
#: own village; a county lists them by the dozen)
SOURCE_TIERS = ("county", "township")
TEXT_FIELDS = ("name", "shelter_class", "capacity_people", "area", "site_area_m2", "latitude",
               "longitude", "address", "operator", "contact_name", "contact_phone")


def _manages() -> bool:
    return current_user.role in services.MANAGERS


def _form() -> dict:
    """The shelter form's fields as the services take them: blanks as None, active as a tick."""
    values = {key: (request.form.get(key, "").strip() or None) for key in TEXT_FIELDS}
    values["active"] = request.form.get("active") == "on"
    return values


@bp.get("/")
@login_required
def index():
    """The register, all of it or one area's, with the capacity it adds up to."""
    area = request.args.get("area") or None
    return render_template(
        "shelters/index.html", shelters=queries.list_shelters(db.session, area=area),
        area=area, manages=_manages(),
        areas=geo.areas(db.session))


@bp.post("/")
@login_required
def create():
    """Register a shelter from the form (bureau, admin)."""
    code = request.form.get("code", "").strip()
    values = _form()
    try:
        services.create_shelter(db.session, current_user, code=code, **values)
    except DomainError as error:
        flash(message_of(error), "error")
        return redirect(url_for("shelters.index"))
    flash(gettext("避难场所已登记，接收点已建立。"), "ok")
    return redirect(url_for("shelters.detail", code=code))


@bp.get("/<code>")
@login_required
def detail(code):
    """One shelter: its particulars, what its receiving point holds, road hours to it."""
    shelter = queries.find_shelter(db.session, code) or abort(404)
    depots = geo.depots(db.session, shelters=False, levels=SOURCE_TIERS)
    return render_template(
        "shelters/detail.html", shelter=shelter, manages=_manages(),
        supplies=queries.supplies_at(db.session, shelter),
        routes=queries.routes_to(db.session, shelter, levels=SOURCE_TIERS),
        areas=geo.areas(db.session),
        depots=depots, depot_names={d.code: d.name for d in depots})


@bp.post("/<code>")
@login_required
def update(code):
    """Change a shelter from the edit form (bureau, admin)."""
    return act(lambda: services.update_shelter(db.session, current_user, code, **_form()),
                gettext("避难场所已更新。"), url_for("shelters.detail", code=code))


@bp.post("/<code>/travel-times")
@login_required
def travel_time(code):
    """Record the road hours from a depot to the shelter (bureau, admin)."""
    return act(lambda: services.set_travel_time(
        db.session, current_user, depot=request.form.get("depot", ""), shelter=code,
        hours=request.form.get("hours", "").strip() or None),
        gettext("行驶时间已保存。"), url_for("shelters.detail", code=code))
