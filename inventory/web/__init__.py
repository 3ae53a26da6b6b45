"""Web pages: login with sessions, the depot overview, a depot's stock, a lot's ledger."""

from datetime import timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import func, select, text

from inventory import ROOT, clock
from inventory.audit import events_for
from inventory.auth.models import ROLE_LABELS, User, parse_session_id
from inventory.auth.permissions import can_edit_depots, can_move_stock
from inventory.auth.services import authenticate, user_for_token
from inventory.catalogue.models import Item
from inventory.db import db
from inventory.geo.models import DEPOT_KIND_LABELS, LEVEL_LABELS, Area, Bin, Depot
from inventory.i18n import N_
from inventory.reserves import services as reserves
from inventory.stock import domain
from inventory.stock.models import KIND_LABELS, SOURCE_LABELS, STATUS_LABELS, Lot, Movement
from inventory.stocktake.models import STATUS_LABELS as STOCKTAKE_LABELS
from inventory.stocktake.models import Stocktake
from inventory.transfers.models import STATUS_LABELS as TRANSFER_LABELS
from inventory.transfers.models import Transfer

bp = Blueprint("web", __name__)
#: lots expiring within this many days are listed on the depot page
EXPIRING_DAYS = 90
csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "web.login"
login_manager.login_message = N_("请先登录。")
#: translated when flashed, in the language of the request that needed the login
login_manager.localize_callback = gettext


@login_manager.user_loader
def load_user(user_id: str):
    """The user a session or remember-me cookie names, while it still matches: an inactive
    user, or one whose session version was raised since, is logged out."""
    found = parse_session_id(user_id)
    if found is None:
        return None
    user = db.session.get(User, found[0])
    if user is None or not user.active or user.auth_version != found[1]:
        return None
    return user


@login_manager.request_loader
def load_user_from_token(request):
    """Let API clients fetch the pages' downloads (label sheets, documents) with their token."""
    from inventory.api import token_cache

    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    principal = user_for_token(db.session, token.strip(), token_cache())
    return db.session.get(User, principal.id) if principal else None


def download(view):
    """Mark a view that serves a file an API client may fetch: unauthenticated, it answers
    401 rather than the login page, unless a browser asks for it."""
    view.is_download = True
    return view


@login_manager.unauthorized_handler
def unauthorized():
    """Send a person to the login page; answer an API client (a token, no HTML) with 401."""
    from inventory.api import HTTP_MESSAGES_ZH, error_body, language

    view = current_app.view_functions.get(request.endpoint)
    api_client = request.headers.get("Authorization") or (
        getattr(view, "is_download", False) and not request.accept_mimetypes.accept_html)
    if api_client:
        message = (HTTP_MESSAGES_ZH[401] if language() == "zh"
                   else "Log in first: the bearer token is missing or invalid.")
        return (error_body("unauthorized", 401, message), 401,
                {"WWW-Authenticate": "Bearer"})
    flash(gettext(login_manager.login_message), "info")
    return redirect(url_for(login_manager.login_view, next=request.full_path.rstrip("?")))


def init_app(app) -> None:
    from inventory.audit.views import bp as audit_bp
    from inventory.auth.views import bp as users_bp
    from inventory.documents.views import bp as documents_bp
    from inventory.exports.views import bp as exports_bp
    from inventory.geo.views import bp as depots_bp
    from inventory.imports.views import bp as imports_bp
    from inventory.integrity.views import bp as integrity_bp
    from inventory.labels.views import bp as labels_bp
    from inventory.outlets.views import bp as outlets_bp
    from inventory.planning.views import bp as planning_bp
    from inventory.planorders.models import KIND_LABELS as PLAN_KIND_LABELS
    from inventory.planorders.models import PRODUCTION_STATUS_LABELS, ROTATION_STATUS_LABELS
    from inventory.planorders.views import bp as planorders_bp
    from inventory.reports.views import bp as reports_bp
    from inventory.reserves.contract_views import bp as contracts_bp
    from inventory.reserves.models import (
        AGREEMENT_STATUS_LABELS,
        CALL_OFF_STATUS_LABELS,
        RESPONSE_TO_LABELS,
        SEASON_LABELS,
        TRAVEL_SOURCE_LABELS,
    )
    from inventory.reserves.views import bp as readiness_bp
    from inventory.scan.views import bp as scan_bp
    from inventory.shelters.models import CLASS_LABELS, CLASS_SHORT
    from inventory.shelters.queries import BASIS_LABELS
    from inventory.shelters.views import bp as shelters_bp
    from inventory.stock.views import bp as lots_bp
    from inventory.stocktake.views import bp as stocktakes_bp
    from inventory.transfers.views import bp as transfers_bp
    from inventory.transport.models import CARRIER_KIND_LABELS, PRICE_UNIT_LABELS
    from inventory.transport.views import bp as transport_bp

    login_manager.init_app(app)
    csrf.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(depots_bp)
    app.register_blueprint(lots_bp)
    app.register_blueprint(labels_bp)
    app.register_blueprint(scan_bp)
    app.register_blueprint(stocktakes_bp)
    app.register_blueprint(readiness_bp)
    app.register_blueprint(contracts_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(transfers_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(shelters_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(planning_bp)
    app.register_blueprint(planorders_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(integrity_bp)
    app.register_blueprint(users_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(outlets_bp)
    app.register_blueprint(transport_bp)
    app.jinja_env.globals.update(
        LEVEL_LABELS=LEVEL_LABELS, DEPOT_KIND_LABELS=DEPOT_KIND_LABELS, KIND_LABELS=KIND_LABELS,
        STATUS_LABELS=STATUS_LABELS, SOURCE_LABELS=SOURCE_LABELS, ROLE_LABELS=ROLE_LABELS,
        TRANSFER_LABELS=TRANSFER_LABELS, STOCKTAKE_LABELS=STOCKTAKE_LABELS,
        AGREEMENT_STATUS_LABELS=AGREEMENT_STATUS_LABELS,
        CALL_OFF_STATUS_LABELS=CALL_OFF_STATUS_LABELS, RESPONSE_TO_LABELS=RESPONSE_TO_LABELS,
        TRAVEL_SOURCE_LABELS=TRAVEL_SOURCE_LABELS, SEASON_LABELS=SEASON_LABELS,
        SHELTER_CLASS_LABELS=CLASS_LABELS, SHELTER_CLASS_SHORT=CLASS_SHORT,
        ROUTE_BASIS_LABELS=BASIS_LABELS, PLAN_KIND_LABELS=PLAN_KIND_LABELS,
        ROTATION_STATUS_LABELS=ROTATION_STATUS_LABELS,
        PRODUCTION_STATUS_LABELS=PRODUCTION_STATUS_LABELS,
        CARRIER_KIND_LABELS=CARRIER_KIND_LABELS, PRICE_UNIT_LABELS=PRICE_UNIT_LABELS,
    )
    # Every time on a page is in the bureau's time zone (RESERVES_TIMEZONE); never strftime.
    app.jinja_env.filters.update(localtime=clock.format_local, localdate=clock.format_local_date)
    app.jinja_env.globals.update(BUREAU_TIMEZONE=clock.TIMEZONE.key)


@bp.get("/healthz")
def healthz():
    """Answer 200 when the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # any database failure means unhealthy
        return {"status": "unavailable", "database": str(error.__class__.__name__)}, 503
    return {"status": "ok", "database": "ok"}


@bp.get("/favicon.ico")
def favicon():
    """The app's icon where browsers look for it without being told."""
    return send_from_directory(ROOT / "inventory" / "static", "icon.svg",
                               mimetype="image/svg+xml", max_age=86400)


@bp.get("/vendor/<path:filename>")
def vendor(filename):
    """Front-end packages installed from the npm registry (package.json)."""
    return send_from_directory(ROOT / "node_modules", filename)


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/"):
        return target
    return url_for("web.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with username and password; the session keeps the user logged in."""
    if request.method == "POST":
        user = authenticate(db.session, request.form.get("username", ""),
                            request.form.get("password", ""))
        if user is None:
            flash(gettext("用户名或密码错误。"), "error")
            return render_template("login.html"), 401
        login_user(user, remember=bool(request.form.get("remember")))
        return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html")


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    return redirect(url_for("web.login"))


@bp.get("/")
@login_required
def index():
    """All depots by tier, with stock held and lots expiring within 90 days."""
    today = clock.today()
    totals = dict(db.session.execute(
        select(Lot.depot_id, func.sum(Lot.quantity)).group_by(Lot.depot_id)).all())
    expiring = dict(db.session.execute(
        select(Lot.depot_id, func.count(Lot.id))
        .where(Lot.quantity > 0, Lot.expires_on.is_not(None),
               Lot.expires_on <= today.fromordinal(today.toordinal() + 90))
        .group_by(Lot.depot_id)).all())
    depots = db.session.scalars(select(Depot).join(Area).order_by(Depot.code)).unique().all()
    in_transit = db.session.scalar(select(func.count(Transfer.id))
                                   .where(Transfer.status == "dispatched"))
    return render_template("index.html", depots=depots, totals=totals, expiring=expiring,
                           in_transit=in_transit,
                           beyond=reserves.beyond_the_shelf(db.session, today))


@bp.get("/depots/<code>")
@login_required
def depot(code):
    """One depot: stock by item and lot, transfers, recent ledger rows."""
    depot = db.session.scalar(select(Depot).where(Depot.code == code)) or abort(404)
    lots_query = select(Lot).where(Lot.depot_id == depot.id, Lot.quantity > 0)
    bin_code = request.args.get("bin")
    shelf = None
    if bin_code:
        shelf = db.session.scalar(select(Bin).where(Bin.depot_id == depot.id,
                                                    Bin.code == bin_code)) or abort(404)
        lots_query = lots_query.where(Lot.bin_id == shelf.id)
    item_code = request.args.get("item")
    only_item = None
    if item_code:  # drilled down from a target's item
        only_item = db.session.scalar(select(Item).where(Item.code == item_code)) or abort(404)
        lots_query = lots_query.where(Lot.item_id == only_item.id)
    lots = db.session.scalars(lots_query.order_by(Lot.item_id, Lot.expires_on)).all()
    today = clock.today()
    by_item: dict = {}
    for lot in lots:
        entry = by_item.setdefault(lot.item_id, {"item": lot.item, "quantity": 0, "usable": 0,
                                                 "lots": 0})
        entry["quantity"] += lot.quantity
        entry["lots"] += 1
        if domain.effective_status(lot, today) == "available":
            entry["usable"] += lot.quantity
    expiring = [lot for lot in lots if lot.expires_on and lot.expires_on <= today + timedelta(
        days=EXPIRING_DAYS)]
    expiring.sort(key=lambda lot: lot.expires_on)
    last_stocktake = db.session.scalar(
        select(Stocktake).where(Stocktake.depot_id == depot.id)
        .order_by(Stocktake.id.desc()).limit(1))
    bins = db.session.scalars(select(Bin).where(Bin.depot_id == depot.id, Bin.active)
                              .order_by(Bin.code)).all()
    recent = select(Movement).where(Movement.depot_id == depot.id)
    if only_item is not None:
        recent = recent.where(Movement.item_id == only_item.id)
    movements = db.session.scalars(recent.order_by(Movement.id.desc()).limit(30)).all()
    transfers = db.session.scalars(
        select(Transfer).where((Transfer.from_depot_id == depot.id)
                               | (Transfer.to_depot_id == depot.id))
        .order_by(Transfer.id.desc()).limit(20)).all()
    from inventory.reserves.models import CallOff

    expected = db.session.scalars(
        select(CallOff).where(CallOff.depot_id == depot.id, CallOff.status == "expected")
        .order_by(CallOff.id)).all()
    return render_template("depot.html", depot=depot, lots=lots, movements=movements,
                           transfers=transfers, today=today, by_item=list(by_item.values()),
                           expected=expected, only_item=only_item,
                           expiring=expiring, last_stocktake=last_stocktake, bins=bins,
                           shelf=shelf, can_move=can_move_stock(current_user, depot),
                           can_edit=can_edit_depots(current_user),
                           status=lambda lot: domain.effective_status(lot, today))


@bp.get("/lots/<int:lot_id>")
@login_required
def lot(lot_id):
    """One lot and its whole ledger, from receipt on."""
    lot = db.session.get(Lot, lot_id) or abort(404)
    movements = db.session.scalars(
        select(Movement).where(Movement.lot_id == lot.id).order_by(Movement.seq)).all()
    origin = db.session.get(Lot, lot.origin_lot_id) if lot.origin_lot_id else None
    return render_template("lot.html", lot=lot, movements=movements, origin=origin,
                           status=domain.effective_status(lot, clock.today()),
                           events=events_for(db.session, "lot", lot.id),
                           can_set_status=can_move_stock(current_user, lot.depot))


@bp.app_context_processor
def inject_user():
    return {"current_user": current_user}
