"""Import pages for the bureau: download a template, upload, see every row's errors, confirm."""

import hashlib
import re
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from inventory.db import db
from inventory.errors import DomainError
from inventory.i18n import message_of
from inventory.imports import services
from inventory.imports.columns import KINDS

bp = Blueprint("imports", __name__, url_prefix="/imports")


def _store() -> Path:
    """Uploads kept between the preview and the confirmation, named by their digest."""
    path = Path(current_app.instance_path) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _allowed() -> None:
    if current_user.role not in services.IMPORTERS:
        abort(403)


@bp.get("/")
@login_required
def index():
    _allowed()
    return render_template("imports/index.html", kinds=KINDS)


@bp.post("/<kind>/preview")
@login_required
def preview(kind):
    """Check the uploaded file and show what would happen, writing nothing."""
    _allowed()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(gettext("请选择要导入的文件。"), "warn")
        return redirect(url_for("imports.index"))
    limits = services.Limits.of(current_app.config)
    try:
        data = services.read_upload(upload.stream, limits)
        found = services.preview(db.session, kind, data, upload.filename, limits)
    except DomainError as error:
        flash(message_of(error), "warn")
        return redirect(url_for("imports.index"))
    token = hashlib.sha256(data).hexdigest() + Path(upload.filename).suffix.lower()
    (_store() / token).write_bytes(data)
    return render_template("imports/preview.html", kind=kind, title=KINDS[kind][0],
                           labels=services.ACTION_LABELS,
                           found=found, token=token, filename=upload.filename)


@bp.post("/<kind>/commit")
@login_required
def commit(kind):
    """Import the file previewed: every row or none."""
    _allowed()
    token = request.form.get("token", "")
    if not re.fullmatch(r"[0-9a-f]{64}\.(xlsx|xlsm|csv)", token):
        abort(400)
    path = _store() / token
    if not path.exists():
        flash(gettext("预览已过期，请重新上传。"), "warn")
        return redirect(url_for("imports.index"))
    try:
        found = services.commit(db.session, current_user, kind, path.read_bytes(), token,
                                services.Limits.of(current_app.config))
    except DomainError as error:
        flash(message_of(error), "warn")
        return redirect(url_for("imports.index"))
    path.unlink(missing_ok=True)
    counts = "，".join(f"{gettext(services.ACTION_LABELS[action])} {n}"
                      for action, n in sorted(found.counts().items()))
    flash(gettext("已导入 %(rows)s 行（%(counts)s）。", rows=len(found.rows), counts=counts), "ok")
    return redirect(url_for("imports.index"))
