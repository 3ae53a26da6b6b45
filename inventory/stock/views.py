"""Stock pages: the home page (every depot with its stock), a depot's page, a lot's page with
its ledger, and the lot page's form to quarantine a lot (待检/封存) or release it."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from inventory import clock
from inventory.auth.permissions import can_edit_depots, can_move_stock
from inventory.base import N_
from inventory.contracts import queries as contract_queries
from inventory.db import db
from inventory.errors import DomainError, NotFound
from inventory.i18n import message_of
from inventory.stock import queries, services

bp = Blueprint("lots", __name__, url_prefix="/lots")
#: the pages (the lot form is ``bp``)
pages = Blueprint("stock", __name__)


@pages.get("/")
@login_required
def index():
    """All depots by tier, with stock held and lots expiring within 90 days."""
    today = clock.today()
    found = queries.overview(db.session, today)
    return render_template("stock/index.html", depots=found.depots, totals=found.totals,
                           expiring=found.expiring, in_transit=found.in_transit,
                           beyond=contract_queries.beyond_the_shelf(db.session, today))


@pages.get("/depots/<code>")
@login_required
def depot(code):
    """One depot: stock by item and lot, transfers, recent ledger rows."""
    page = queries.depot_page(db.session, code, clock.today(),
                              bin_code=request.args.get("bin"),
                              item_code=request.args.get("item")) or abort(404)
    return render_template(
        "stock/depot.html", depot=page.depot, lots=page.lots, movements=page.movements,
        transfers=page.transfers, today=page.today, by_item=page.by_item,
        expected=page.expected, only_item=page.only_item, expiring=page.expiring,
        last_stocktake=page.last_stocktake, bins=page.bins, shelf=page.shelf,
        can_move=can_move_stock(current_user, page.depot),
        can_edit=can_edit_depots(current_user), status=lambda lot: page.statuses[lot.id])


@pages.get("/lots/<int:lot_id>")
@login_required
def lot(lot_id):
    """One lot and its whole ledger, from receipt on."""
    page = queries.lot_page(db.session, lot_id, clock.today()) or abort(404)
    return render_template("stock/lot.html", lot=page.lot, movements=page.movements,
                           origin=page.origin, status=page.status, events=page.events,
                           can_set_status=can_move_stock(current_user, page.lot.depot))

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
        flash(message_of(error), "error")
    else:
        flash(gettext(DONE[status]), "ok")
    return redirect(url_for("stock.lot", lot_id=lot_id))
