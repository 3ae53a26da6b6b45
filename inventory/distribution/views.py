"""Distribution pages: the list, one record, the phone screen that works offline (with its
service worker), batch mode (upload a households list, its sign-off sheet, issue it), and the
recipient trace (bureau, admins, auditors)."""

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_required

from inventory.base import ROOT
from inventory.db import db, utcnow
from inventory.distribution import batches, domain, queries, recipients, services, sheet
from inventory.distribution.keys import hash_key
from inventory.distribution.models import BATCH_STATUS_LABELS, CONFIRMATION_LABELS
from inventory.documents.views import pdf_response
from inventory.errors import DomainError, InvalidInput
from inventory.geo import queries as geo
from inventory.geo.models import Depot
from inventory.i18n import message_of
from inventory.imports.services import Limits, read_upload
from inventory.inputs import parse_day

bp = Blueprint("distribution", __name__, url_prefix="/distributions")
#: bump when the cached screen changes, so phones drop the old copy
SHELL_VERSION = "1"
PAGE_SIZE = 100


@bp.app_context_processor
def labels():
    return {"CONFIRMATION_LABELS": CONFIRMATION_LABELS,
            "BATCH_STATUS_LABELS": BATCH_STATUS_LABELS}


def _depots() -> list[Depot]:
    """The depots where the user may distribute: a keeper's own, everyone's for the bureau."""
    if current_user.role == "keeper":
        return sorted((d for d in current_user.depots if d.active), key=lambda d: d.code)
    if current_user.role in services.ANYWHERE:
        return geo.depots(db.session)
    return []



def _filters() -> dict:
    def day(name):
        try:
            return parse_day(request.args.get(name), name)
        except InvalidInput:
            return None  # the list shows every day rather than refuse a filter

    return {"depot": request.args.get("depot") or None, "date_from": day("date_from"),
            "date_to": day("date_to")}


@bp.get("/")
@login_required
def index():
    """Distributions, newest first, by depot and period."""
    filters = _filters()
    rows = db.session.scalars(queries.list_distributions(db.session, **filters)
                              .limit(PAGE_SIZE)).all()
    all_depots = geo.depots(db.session, active_only=False)
    return render_template("distribution/index.html", rows=rows, filters=filters,
                           depots=all_depots, can_distribute=bool(_depots()),
                           can_trace=current_user.role in recipients.READERS,
                           sees=lambda d: recipients.sees_recipient(current_user, d.depot),
                           batches=queries.recent_batches(db.session))


@bp.get("/<int(max=2147483647):distribution_id>")
@login_required
def record(distribution_id):
    """One distribution: recipient (ID number masked), lots, keeper, confirmation."""
    found = db.get_or_404(queries.Distribution, distribution_id)
    return render_template("distribution/record.html", record=found,
                           personal=recipients.sees_recipient(current_user, found.depot))


@bp.get("/<int(max=2147483647):distribution_id>/confirmation")
@login_required
def confirmation(distribution_id):
    """The signature or photo a distribution was confirmed with."""
    found = db.get_or_404(queries.Distribution, distribution_id)
    if not recipients.sees_recipient(current_user, found.depot):
        abort(403)
    image = found.confirmation or (found.batch.confirmation if found.batch else None)
    if image is None:
        abort(404)
    return Response(image.data, mimetype=image.mime)


@bp.get("/new")
@login_required
def screen():
    """The phone screen: recipient, items, signature; queued while offline."""
    items = queries.item_choices(db.session)
    return render_template("distribution/screen.html", depots=_depots(), items=items)


@bp.get("/sw.js")
def service_worker():
    """The scan screen's service worker, caching this screen's shell, scoped to it."""
    source = (ROOT / "inventory" / "static" / "sw.js").read_text(encoding="utf-8")
    shell = [url_for("distribution.screen"), url_for("static", filename="app.css"),
             url_for("static", filename="offline-queue.js"),
             url_for("static", filename="distribution.js"),
             url_for("static", filename="icon.svg")]
    source = (source.replace("__SHELL__", json.dumps(shell))
              .replace("scan-shell-__VERSION__", f"distribution-shell-{SHELL_VERSION}"))
    return Response(source, mimetype="text/javascript",
                    headers={"Cache-Control": "no-cache",
                             "Service-Worker-Allowed": "/distributions/"})


# -- batches ----------------------------------------------------------------


@bp.post("/batches")
@login_required
def stage():
    """Read an uploaded households list and stage it as a batch."""
    upload = request.files.get("file")
    depot = request.form.get("depot", "")
    try:
        if upload is None or not upload.filename:
            raise InvalidInput("请选择文件。", "Choose a file.", {"file": ["required"]})
        limits = Limits.of(current_app.config)
        households = batches.read_households(read_upload(upload.stream, limits),
                                             upload.filename, limits)
        batch = services.stage_batch(db.session, current_user, id_key=hash_key(), depot=depot,
                                     households=households, filename=upload.filename[:200])
    except DomainError as error:
        flash(message_of(error), "error")
        return redirect(url_for("distribution.index"))
    return redirect(url_for("distribution.batch", code=batch.code))


@bp.get("/batches/template.xlsx")
@login_required
def template():
    """An empty households list with its headers and an example row."""
    from inventory.xlsx import MIMETYPE

    return Response(batches.template_xlsx(), mimetype=MIMETYPE, headers={
        "Content-Disposition": "attachment; filename=households-template.xlsx"})


@bp.get("/batches/<code>")
@login_required
def batch(code):
    """A batch: its households (ID numbers masked), its sheet, issuing it, the signed photo."""
    try:
        found = queries.get_batch(db.session, code)
    except DomainError:
        abort(404)
    return render_template("distribution/batch.html", batch=found,
                           made=queries.batch_distributions(db.session, found),
                           repeats=queries.batch_repeats(db.session, found, utcnow()),
                           can_distribute=found.depot_id in {d.id for d in _depots()},
                           personal=recipients.sees_recipient(current_user, found.depot))


@bp.get("/batches/<code>/sheet.pdf")
@login_required
def sign_off_sheet(code):
    """The printable sign-off sheet (发放登记表) of a batch, A4, with a signature column."""
    try:
        found = queries.get_batch(db.session, code)
    except DomainError:
        abort(404)
    if not recipients.sees_recipient(current_user, found.depot):
        abort(403)
    return pdf_response(sheet.sign_off_sheet(db.session, found))


@bp.post("/batches/<code>/issue")
@login_required
def issue(code):
    """Issue a staged batch from its page."""
    try:
        services.issue_batch(db.session, current_user, code, id_key=hash_key(),
                             confirm_repeats=request.form.get("confirm_repeats") == "on")
    except DomainError as error:
        flash(message_of(error), "error")
    else:
        flash(gettext("已按登记表发放。"), "ok")
    return redirect(url_for("distribution.batch", code=code))


@bp.post("/batches/<code>/confirmation")
@login_required
def confirm(code):
    """Keep the photo of the signed sheet."""
    upload = request.files.get("photo")
    try:
        data = upload.read(domain.MAX_PHOTO_BYTES + 1) if upload else b""
        services.confirm_batch(db.session, current_user, code, domain.image_from_upload(data))
    except DomainError as error:
        flash(message_of(error), "error")
    else:
        flash(gettext("签字照片已保存。"), "ok")
    return redirect(url_for("distribution.batch", code=code))


# -- the recipient trace ----------------------------------------------------


@bp.route("/recipients", methods=["GET", "POST"])
@login_required
def recipient_trace():
    """What one household received, looked up by ID number or by name and phone (a form
    posted, so the number never sits in a URL); the bureau, admins and auditors only."""
    if current_user.role not in recipients.READERS:
        abort(403)
    found = None
    if request.method == "POST":
        try:
            found = recipients.trace_recipient(
                db.session, current_user, id_key=hash_key(),
                id_number=request.form.get("id_number", "")[:30],
                name=request.form.get("name", "")[:50], phone=request.form.get("phone", "")[:30])
        except DomainError as error:
            flash(message_of(error), "error")
    return render_template("distribution/recipient.html", found=found,
                           name=request.form.get("name", "")[:50],
                           phone=request.form.get("phone", "")[:30])
