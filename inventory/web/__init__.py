"""What the pages share: CSRF, logging in (sessions and bearer tokens), template globals,
the health check and the files served as they are. Each page lives with its feature."""

import importlib

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
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
    if g.get("session_ended") == "idle":
        flash(gettext("长时间未操作，登录已结束，请重新登录。"), "info")
    else:
        flash(gettext(login_manager.login_message), "info")
    return redirect(url_for(login_manager.login_view, next=request.full_path.rstrip("?")))


#: the pages' blueprints, in the order their URLs are matched: (module, attribute)
PAGES = (
    ("inventory.auth.views", "login_bp"), ("inventory.stock.views", "pages"),
    ("inventory.geo.views", "bp"), ("inventory.stock.views", "bp"),
    ("inventory.labels.views", "bp"), ("inventory.scan.views", "bp"),
    ("inventory.stocktake.views", "bp"), ("inventory.readiness.views", "bp"),
    ("inventory.contracts.views", "bp"), ("inventory.imports.views", "bp"),
    ("inventory.transfers.views", "bp"), ("inventory.documents.views", "bp"),
    ("inventory.shelters.views", "bp"), ("inventory.reports.views", "bp"),
    ("inventory.planning.views", "bp"), ("inventory.planorders.views", "bp"),
    ("inventory.exports.views", "bp"), ("inventory.integrity.views", "bp"),
    ("inventory.auth.views", "bp"), ("inventory.audit.views", "bp"),
    ("inventory.outlets.views", "bp"), ("inventory.transport.views", "bp"),
    ("inventory.donations.views", "bp"), ("inventory.trace.views", "bp"),
    ("inventory.distribution.views", "bp"),
)


def _labels() -> dict:
    """The label dictionaries every template may use, by the name templates know them by."""
    from inventory.contracts.models import (
        AGREEMENT_STATUS_LABELS,
        CALL_OFF_STATUS_LABELS,
        RESPONSE_TO_LABELS,
    )
    from inventory.donations.models import DONOR_KIND_LABELS
    from inventory.planorders.models import KIND_LABELS as PLAN_KIND_LABELS
    from inventory.planorders.models import PRODUCTION_STATUS_LABELS, ROTATION_STATUS_LABELS
    from inventory.readiness.models import SEASON_LABELS, TRAVEL_SOURCE_LABELS
    from inventory.shelters.models import CLASS_LABELS, CLASS_SHORT
    from inventory.shelters.queries import BASIS_LABELS
    from inventory.transport.models import CARRIER_KIND_LABELS, PRICE_UNIT_LABELS

    return dict(
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


def init_app(app) -> None:
    """Set up logins and their idle end, CSRF protection, security headers and the pages."""
    from inventory.auth import idle
    from inventory.web import security

    login_manager.init_app(app)
    idle.init_app(app)
    csrf.init_app(app)
    security.init_app(app)
    app.register_blueprint(bp)
    for module, attribute in PAGES:
        app.register_blueprint(getattr(importlib.import_module(module), attribute))
    app.jinja_env.globals.update(_labels())
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
    """Make the user who is logged in known to every template."""
    return {"current_user": current_user}
