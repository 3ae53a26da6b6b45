"""The REST API under /api/v1: flask-smorest, bearer tokens, one error format."""

import logging

from flask import g, request
from flask.sessions import SecureCookieSessionInterface
from flask_smorest import Api
from flask_wtf.csrf import CSRFError
from marshmallow import fields as ma_fields
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from inventory.api import errors
from inventory.api.errors import HTTP_MESSAGES_ZH, error_body, language
from inventory.auth.services import record_token_uses, user_for_token
from inventory.auth.tokens import TokenCache, token_cache
from inventory.db import db

logger = logging.getLogger(__name__)


class ReservesApi(Api):
    """flask-smorest's Api with our error format: {code, status, message, errors}; a browser
    that asked a page for something gets the error page instead."""

    ERROR_SCHEMA = errors.ErrorSchema

    def _register_pagination_header(self):
        """X-Pagination carries its metadata as JSON text: a header's value is a string, which
        a client parses (flask-smorest documents it as an object, which no header can be)."""
        self.spec.components.header("PAGINATION", PAGINATION_HEADER, lazy=True)

    def handle_http_exception(self, error: HTTPException):
        as_page = request.blueprint not in API_BLUEPRINTS and errors.wants_page()
        return errors.http_error(error, as_page=as_page)


def require_token():
    """Authenticate API requests by their bearer token; the login endpoint is exempt."""
    if request.blueprint not in API_BLUEPRINTS:
        return None
    if request.method == "OPTIONS" or (request.method, request.endpoint) in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    if not header:
        user = _session_user()
        if user is not None:
            g.user = user
            return None
    scheme, _, token = header.partition(" ")
    user = (user_for_token(db.session, token.strip(), token_cache())
            if scheme.lower() == "bearer" else None)
    if user is None:
        status = 401
        return error_body(
            "unauthorized", status,
            HTTP_MESSAGES_ZH[401] if language() == "zh"
            else "Log in first: the bearer token is missing or invalid.",
        ), status, {"WWW-Authenticate": "Bearer"}
    g.user = user
    return None


def write_token_uses(error=None) -> None:
    """Note when the request's bearer token was last used, once the response is sent (a
    streamed export keeps its transaction until then); a failure costs only the note."""
    try:
        record_token_uses(db.session)
    except SQLAlchemyError:
        logger.warning("could not note when a bearer token was last used", exc_info=True)
        db.session.rollback()


def _session_user():
    """The user logged in to the web pages (the scan screen calls the API with its session).

    A cookie travels with any request the browser makes, so requests that change something
    must also carry the page's CSRF token in the X-CSRFToken header.
    """
    from flask_login import current_user

    from inventory.web import csrf

    if not current_user.is_authenticated:
        return None
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        try:
            csrf.protect()
        except CSRFError:
            return None
    return current_user._get_current_object()


#: the X-Pagination header of paged lists, as the OpenAPI document describes it
PAGINATION_HEADER = {
    "description": "The page's place in the list, as a JSON object: total, total_pages, "
                   "first_page, last_page, page, and previous_page and next_page when there "
                   "are such pages.",
    "schema": {"type": "string", "example": '{"total": 42, "total_pages": 5, "first_page": 1, '
                                            '"last_page": 5, "page": 2, "previous_page": 1, '
                                            '"next_page": 3}'},
}

#: names of the API blueprints, whose requests need a bearer token
API_BLUEPRINTS: set[str] = set()
#: (method, endpoint) pairs that need no token
PUBLIC_ENDPOINTS = {("POST", "auth_api.Tokens")}


class BearerAwareSessionInterface(SecureCookieSessionInterface):
    """No cookie session for requests that carry a bearer token: they never use one. Such a
    request gets an empty session that is never saved, so a page it asks for (which carries
    a CSRF token for its forms) still renders."""

    def open_session(self, app, request):
        if request.headers.get("Authorization"):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        if request.headers.get("Authorization"):
            return
        super().save_session(app, session, response)


def decimal_text(converter, field, ret: dict, **kwargs) -> dict:
    """Document a decimal as the string the API sends: money stays exact to the fen, and
    Flask's JSON writes a Decimal as text even where the field does not ask for it."""
    if isinstance(field, ma_fields.Decimal):
        ret.update(type="string", format="decimal", pattern=r"^-?\d+(\.\d+)?$")
    return ret


def init_app(app) -> None:
    """Register the API blueprints under /api/v1, with their error format and token check."""
    from inventory.audit.api import blp as audit_blp
    from inventory.auth.api import blp as auth_blp
    from inventory.auth.users_api import blp as users_blp
    from inventory.catalogue.api import blp as catalogue_blp
    from inventory.contracts.api import blp as contracts_blp
    from inventory.distribution.api import blp as distributions_blp
    from inventory.documents.api import blp as documents_blp
    from inventory.donations.api import blp as donations_blp
    from inventory.exports.api import blp as exports_blp
    from inventory.geo.api import blp as geo_blp
    from inventory.imports.api import blp as imports_blp
    from inventory.jobs.api import blp as jobs_blp
    from inventory.outlets.api import blp as outlets_blp
    from inventory.planning.api import blp as planning_blp
    from inventory.planorders.api import blp as planorders_blp
    from inventory.readiness.api import blp as reserves_blp
    from inventory.reports.api import blp as reports_blp
    from inventory.scan.api import blp as scan_blp
    from inventory.shelters.api import blp as shelters_blp
    from inventory.stock.api import blp as stock_blp
    from inventory.stocktake.api import blp as stocktake_blp
    from inventory.trace.api import blp as trace_blp
    from inventory.transfers.api import blp as transfers_blp
    from inventory.transport.api import blp as transport_blp
    from inventory.transport.waybill_api import blp as waybills_blp
    from inventory.web import csrf

    app.session_interface = BearerAwareSessionInterface()
    api = ReservesApi(app)
    api.ma_plugin.converter.add_attribute_function(decimal_text)
    for blp in (auth_blp, geo_blp, catalogue_blp, stock_blp, transfers_blp, stocktake_blp,
                scan_blp, reserves_blp, contracts_blp, imports_blp, documents_blp,
                shelters_blp, jobs_blp, reports_blp, planning_blp, planorders_blp, users_blp,
                audit_blp, outlets_blp, transport_blp, waybills_blp, exports_blp,
                donations_blp, trace_blp, distributions_blp):
        csrf.exempt(blp)  # bearer tokens, not cookies, authenticate the API
        api.register_blueprint(blp, url_prefix="/api/v1")
        API_BLUEPRINTS.add(blp.name)
    app.extensions["token_cache"] = TokenCache(app.config["API_TOKEN_CACHE_SECONDS"])
    app.before_request(require_token)
    app.teardown_request(write_token_uses)
    errors.register(app)
