"""What the pages share: CSRF, logging in (sessions and bearer tokens), template globals,
the health check and the files served as they are. Each page lives with its feature."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import text

from inventory import clock
from inventory.auth.models import ROLE_LABELS, User, parse_session_id
from inventory.auth.services import user_for_token
from inventory.base import N_, ROOT
from inventory.db import db
from inventory.geo.models import DEPOT_KIND_LABELS, LEVEL_LABELS
from inventory.stock.models import KIND_LABELS, SOURCE_LABELS, STATUS_LABELS
from inventory.stocktake.models import STATUS_LABELS as STOCKTAKE_LABELS
from inventory.transfers.models import STATUS_LABELS as TRANSFER_LABELS

bp = Blueprint("web", __name__)
csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
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
    from inventory.auth.tokens import token_cache

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
    from inventory.api.errors import HTTP_MESSAGES_ZH, error_body, language

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
    from inventory.auth.views import login_bp
    from inventory.contracts.models import (
        AGREEMENT_STATUS_LABELS,
        CALL_OFF_STATUS_LABELS,
        RESPONSE_TO_LABELS,
    )
    from inventory.contracts.views import bp as contracts_bp
    from inventory.distribution.views import bp as distribution_bp
    from inventory.documents.views import bp as documents_bp
    from inventory.donations.models import DONOR_KIND_LABELS
    from inventory.donations.views import bp as donations_bp
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
    from inventory.readiness.models import SEASON_LABELS, TRAVEL_SOURCE_LABELS
    from inventory.readiness.views import bp as readiness_bp
    from inventory.reports.views import bp as reports_bp
    from inventory.scan.views import bp as scan_bp
    from inventory.shelters.models import CLASS_LABELS, CLASS_SHORT
    from inventory.shelters.queries import BASIS_LABELS
    from inventory.shelters.views import bp as shelters_bp
    from inventory.stock.views import bp as lots_bp
    from inventory.stock.views import pages as stock_pages
    from inventory.stocktake.views import bp as stocktakes_bp
    from inventory.trace.views import bp as trace_bp
    from inventory.transfers.views import bp as transfers_bp
    from inventory.transport.models import CARRIER_KIND_LABELS, PRICE_UNIT_LABELS
    from inventory.transport.views import bp as transport_bp
    from inventory.web import security

    login_manager.init_app(app)
    csrf.init_app(app)
    security.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(login_bp)
    app.register_blueprint(stock_pages)
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
    app.register_blueprint(donations_bp)
    app.register_blueprint(trace_bp)
    app.register_blueprint(distribution_bp)
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
        DONOR_KIND_LABELS=DONOR_KIND_LABELS,
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


@bp.app_context_processor
def inject_user():
    return {"current_user": current_user}
