"""Workbench pages (a first, small set): the scenarios, one scenario with its runs, one run
with its state, elapsed time, phase and result; planners start, copy and cancel here."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from inventory import clock
from inventory.db import db
from inventory.errors import DomainError, InvalidInput
from inventory.i18n import current_language, message_of
from inventory.inputs import parse_number
from inventory.jobs.models import STATUS_LABELS
from inventory.planning import (
    checks,
    exports,
    form_pages,
    forms,
    headline,
    pages,
    results,
    services,
)
from inventory.planning.kinds import PHASE_LABELS
from inventory.planning.models import KIND_LABELS, MODE_LABELS, Scenario
from inventory.planning.pages import COLUMNS, FIGURES, LISTS, VERDICTS
from inventory.planorders.services import orders_for_run
from inventory.readiness.models import SEASON_LABELS
from inventory.web import download
from inventory.web.forms import act

bp = Blueprint("planning", __name__, url_prefix="/planning")


@bp.app_context_processor
def labels():
    return {"PLANNING_KIND_LABELS": KIND_LABELS, "PLANNING_MODE_LABELS": MODE_LABELS,
            "RUN_STATUS_LABELS": STATUS_LABELS, "RUN_PHASE_LABELS": PHASE_LABELS,
            "COLUMNS": COLUMNS, "FIGURES": FIGURES, "LISTS": LISTS, "VERDICTS": VERDICTS}


def _plans() -> bool:
    return current_user.role in services.PLANNERS


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
                  "target": parse_number(form.get("target") or "0", "target", whole=True)
                  or None,
                  "deadline_hours": parse_number(form["deadline_hours"], "deadline_hours")
                  if form.get("deadline_hours") else None}
    except InvalidInput:
        flash(gettext("时限须为数字。"), "error")
        return redirect(url_for("planning.index"))
    return act(lambda: services.create_scenario(db.session, current_user, **fields),
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
    return act(lambda: services.start_run(db.session, current_user, scenario_id),
                gettext("已提交运行。"), url_for("planning.scenario", scenario_id=scenario_id),
                lambda run: url_for("planning.run", run_id=run.id))


@bp.post("/scenarios/<int(max=2147483647):scenario_id>/copy")
@login_required
def copy(scenario_id):
    """Copy the scenario (planner, bureau, admin)."""
    return act(lambda: services.copy_scenario(db.session, current_user, scenario_id),
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
    return act(lambda: services.cancel_run(db.session, current_user, run_id),
                gettext("已要求取消运行。"), back)


@bp.post("/runs/<int(max=2147483647):run_id>/orders")
@login_required
def make_orders(run_id):
    """Turn the run's plan into draft transfers, call-offs and orders (planner, bureau,
    admin); then show them."""
    return act(lambda: orders_for_run(db.session, current_user, run_id),
                gettext("已按方案生成工单，调拨单为草稿，待保管员出库。"),
                url_for("planning.run", run_id=run_id),
                lambda made: url_for("planorders.run_orders", run_id=run_id))


# -- scenario forms and scenarios side by side ------------------------------------------

def _form_page(draft, *, scenario=None, error=None, errors=None, status=200):
    """Show a scenario's form with what was typed and, when refused, why."""
    return render_template(
        "planning/form.html", draft=draft, scenario=scenario,
        choices=form_pages.choices(db.session, draft.kind), error=error,
        errors=forms.field_errors(errors or {}, current_language()), seasons=SEASON_LABELS), status


def _spread_into(draft):
    """Fill the draft's sites with its target's people spread over the shelters; return the
    refusal's message when the target cannot be spread."""
    if not draft.target.isdigit() or len(draft.target) > 9:
        return gettext("请选择保障目标。")
    try:
        sites, target = checks.sites_from_target(db.session, int(draft.target))
    except DomainError as error:
        return message_of(error)
    draft.spread_from = draft.target
    draft.sites = [{"shelter": s["shelter"], "people": str(s["people"]),
                    "priority": f"{s['priority']:g}"} for s in sites]
    draft.deadline_hours = draft.deadline_hours or f"{float(target.deadline_hours):g}"
    draft.season = target.season if draft.season in ("", "all") else draft.season
    return None


def _submitted(draft, save, *, scenario=None):
    """Act on a submitted form: spread a target or redraw its rows, else save it."""
    action = request.form.get("action", "save")
    if action == "spread":
        refused = _spread_into(draft)
        return _form_page(draft, scenario=scenario, error=refused,
                          status=422 if refused else 200)
    if action == "refresh":
        return _form_page(draft, scenario=scenario)
    try:
        fields = forms.scenario_fields(
            draft, spread=lambda target: form_pages.spread(db.session, target),
            register=form_pages.register(db.session, draft.kind), creating=scenario is None)
        saved = save(fields)
    except DomainError as error:
        db.session.rollback()
        return _form_page(draft, scenario=scenario, errors=error.errors, status=error.status,
                          error=message_of(error))
    flash(gettext("方案已保存。"), "ok")
    return redirect(url_for("planning.scenario", scenario_id=saved.id))


@bp.route("/new/<any(dispatch, preposition, rotation):kind>", methods=["GET", "POST"])
@login_required
def new_scenario(kind):
    """A new scenario's form, and saving it (planner, bureau, admin)."""
    if not _plans():
        abort(403)
    if request.method == "GET":
        return _form_page(forms.Draft(kind=kind, date=clock.today().isoformat()))
    draft = forms.draft_from_form(request.form, kind)
    return _submitted(draft, lambda fields: services.create_scenario(
        db.session, current_user, **fields))


@bp.route("/scenarios/<int(max=2147483647):scenario_id>/edit", methods=["GET", "POST"])
@login_required
def edit_scenario(scenario_id):
    """A scenario's form, and saving the changes: its version rises, its runs become stale
    (planner, bureau, admin)."""
    if not _plans():
        abort(403)
    found = db.get_or_404(Scenario, scenario_id)
    if request.method == "GET":
        register = form_pages.choices(db.session, found.kind).outlets
        return _form_page(forms.draft_from_scenario(found, register), scenario=found)
    draft = forms.draft_from_form(request.form, found.kind)
    return _submitted(draft, lambda fields: services.update_scenario(
        db.session, current_user, scenario_id, **fields), scenario=found)


@bp.get("/compare")
@login_required
def compare():
    """Two or more scenarios side by side: what each asks, its latest run's figures, and the
    fields in which they differ."""
    ids = [int(value) for value in request.args.getlist("ids")
           if value.isdigit() and len(value) <= 9]
    if not 2 <= len(set(ids)) <= 6:
        flash(gettext("请选择 2 至 6 个方案进行比较。"), "error")
        return redirect(url_for("planning.index"))
    try:
        found = form_pages.compare(db.session, list(dict.fromkeys(ids)))
    except DomainError:
        abort(404)
    return render_template("planning/compare.html", page=found,
                           PARAMETER_LABELS=form_pages.PARAMETER_LABELS)
# -- a run's result read for the planner, its files, and the workbench's headline ------------

@bp.get("/runs/<int(max=2147483647):run_id>/result.<any(xlsx, pdf):fmt>")
@login_required
@download
def result_file(run_id, fmt):
    """The run's result as an XLSX workbook or a PDF (every role that reads)."""
    read = results.run_result(db.session, run_id) or abort(404)
    return exports.send(read, fmt)


@bp.app_template_global()
def planning_headline():
    """The workbench's headline, read when the page that shows it is drawn."""
    return headline.headline(db.session)


@bp.post("/headline")
@login_required
def run_headline():
    """Save and run the headline's two scenarios (planner, bureau, admin)."""
    return act(lambda: headline.run_headline(db.session, current_user),
                gettext("已提交两个方案的运行，完成后此处显示结果。"), url_for("planning.index"))
