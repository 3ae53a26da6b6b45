"""Lot pages' forms: quarantine a lot (待检/封存) or release it, with a reason."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from inventory.db import db
from inventory.errors import DomainError, NotFound
from inventory.i18n import N_, current_language
from inventory.stock import services

bp = Blueprint("lots", __name__, url_prefix="/lots")

#: what the page says once the lot has the status
DONE = {"quarantined": N_("批次已封存待检。"), "available": N_("批次已解除封存，恢复可用。")}


@bp.post("/<int:lot_id>/status")
@login_required
def set_status(lot_id):
    """Quarantine or release the lot through the same service as the API; the page shows why."""
    status = request.form.get("status", "")
    try:
        services.set_lot_status(db.session, current_user, lot=lot_id, status=status,
                                reason=request.form.get("reason", ""))
    except NotFound:
        abort(404)
    except DomainError as error:
        flash(error.message("en" if current_language() == "en" else "zh"), "error")
    else:
        flash(gettext(DONE[status]), "ok")
    return redirect(url_for("web.lot", lot_id=lot_id))
