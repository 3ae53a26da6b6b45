"""Stocktake pages: the list, and one count with its variances, approved or sent back here."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from inventory.db import db
from inventory.errors import DomainError
from inventory.i18n import message_of
from inventory.stocktake import queries, services
from inventory.stocktake.models import Stocktake

bp = Blueprint("stocktakes", __name__, url_prefix="/stocktakes")


@bp.get("/")
@login_required
def index():
    """Counts awaiting approval first, then the latest ones."""
    return render_template("stocktake/index.html",
                           waiting=queries.awaiting_approval(db.session),
                           recent=queries.recent(db.session))


@bp.get("/<int:stocktake_id>")
@login_required
def show(stocktake_id):
    """One count: its lines, the lots left uncounted, and the approval for those who decide."""
    stocktake = db.get_or_404(Stocktake, stocktake_id)
    return render_template("stocktake/stocktake.html", stocktake=stocktake,
                           uncounted=services.uncounted_lots(db.session, stocktake),
                           can_decide=current_user.role in services.APPROVER_ROLES)


@bp.post("/<int:stocktake_id>/decision")
@login_required
def decide(stocktake_id):
    """Approve (writes the adjustments) or send back for recounting, with a note."""
    note = request.form.get("note", "").strip() or None
    try:
        if request.form.get("decision") == "approve":
            _, movements = services.approve(db.session, current_user, stocktake_id, note=note)
            flash(gettext("已审批：写入 %(n)d 条盘点调整。", n=len(movements)), "ok")
        else:
            services.reject(db.session, current_user, stocktake_id, note=note or "")
            flash(gettext("已退回复盘。"), "ok")
    except DomainError as error:
        flash(message_of(error), "error")
    return redirect(url_for("stocktakes.show", stocktake_id=stocktake_id))
