"""Workbench pages (a first, small set): the scenarios, one scenario with its runs, one run
with its state, elapsed time, phase and result; planners start, copy and cancel here."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from inventory.db import db
from inventory.errors import DomainError
from inventory.i18n import current_language
from inventory.jobs.models import STATUS_LABELS
from inventory.planning import pages, services
from inventory.planning.kinds import PHASE_LABELS
from inventory.planning.models import KIND_LABELS, MODE_LABELS
from inventory.planning.pages import COLUMNS, FIGURES, LISTS, VERDICTS
from inventory.planorders.services import orders_for_run

bp = Blueprint("planning", __name__, url_prefix="/planning")


@bp.app_context_processor
def labels():
    return {"PLANNING_KIND_LABELS": KIND_LABELS, "PLANNING_MODE_LABELS": MODE_LABELS,
            "RUN_STATUS_LABELS": STATUS_LABELS, "RUN_PHASE_LABELS": PHASE_LABELS,
            "COLUMNS": COLUMNS, "FIGURES": FIGURES, "LISTS": LISTS, "VERDICTS": VERDICTS}


def _plans() -> bool:
    return current_user.role in services.PLANNERS


def _act(action, done: str, back: str, forward=None):
    """Run a service for a form; say how it went; go to ``forward(result)`` or back."""
    try:
        result = action()
    except DomainError as error:
        flash(error.message("en" if current_language() == "en" else "zh"), "error")
        return redirect(back)
    flash(done, "ok")
    return redirect(forward(result) if forward else back)


@bp.get("/")
@login_required
def index():
    """The scenarios, newest first, with each one's latest run."""
    return render_template("planning/index.html", page=pages.scenario_list(db.session),
                           plans=_plans())


@bp.post("/")
@login_required
def create():
    """Save a dispatch scenario spread from a target (planner, bureau, admin)."""
    form = request.form
    try:
        fields = {"name": form.get("name", ""), "kind": "dispatch",
                  "target": int(form.get("target", "0") or 0) or None,
                  "deadline_hours": float(form["deadline_hours"])
                  if form.get("deadline_hours") else None}
    except ValueError:
        flash(gettext("时限须为数字。"), "error")
        return redirect(url_for("planning.index"))
    return _act(lambda: services.create_scenario(db.session, current_user, **fields),
                gettext("方案已保存。"), url_for("planning.index"),
                lambda made: url_for("planning.scenario", scenario_id=made.id))


@bp.get("/scenarios/<int(max=2147483647):scenario_id>")
@login_required
def scenario(scenario_id):
    """One scenario: what it asks, and its runs (stale ones marked)."""
    found = pages.scenario_page(db.session, scenario_id) or abort(404)
    return render_template("planning/scenario.html", page=found, plans=_plans())


@bp.post("/scenarios/<int(max=2147483647):scenario_id>/runs")
@login_required
def start(scenario_id):
    """Run the scenario (planner, bureau, admin)."""
    return _act(lambda: services.start_run(db.session, current_user, scenario_id),
                gettext("已提交运行。"), url_for("planning.scenario", scenario_id=scenario_id),
                lambda run: url_for("planning.run", run_id=run.id))


@bp.post("/scenarios/<int(max=2147483647):scenario_id>/copy")
@login_required
def copy(scenario_id):
    """Copy the scenario (planner, bureau, admin)."""
    return _act(lambda: services.copy_scenario(db.session, current_user, scenario_id),
                gettext("已复制方案。"), url_for("planning.scenario", scenario_id=scenario_id),
                lambda made: url_for("planning.scenario", scenario_id=made.id))


@bp.get("/runs/<int(max=2147483647):run_id>")
@login_required
def run(run_id):
    """One run: its state, phase and elapsed time, then its result in figures."""
    found = pages.run_page(db.session, run_id) or abort(404)
    return render_template("planning/run.html", page=found, plans=_plans())


@bp.post("/runs/<int(max=2147483647):run_id>/cancel")
@login_required
def cancel(run_id):
    """Cancel the run (planner, bureau, admin)."""
    back = url_for("planning.run", run_id=run_id)
    return _act(lambda: services.cancel_run(db.session, current_user, run_id),
                gettext("已要求取消运行。"), back)


@bp.post("/runs/<int(max=2147483647):run_id>/orders")
@login_required
def make_orders(run_id):
    """Turn the run's plan into draft transfers, call-offs and orders (planner, bureau,
    admin); then show them."""
    return _act(lambda: orders_for_run(db.session, current_user, run_id),
                gettext("已按方案生成工单，调拨单为草稿，待保管员出库。"),
                url_for("planning.run", run_id=run_id),
                lambda made: url_for("planorders.run_orders", run_id=run_id))
