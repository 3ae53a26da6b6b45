"""The REST API under /api/v1: flask-smorest, bearer tokens, one error format."""

from flask import current_app, g, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_smorest import Api
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from inventory.api.messages import errors_in_chinese
from inventory.auth.services import user_for_token
from inventory.auth.tokens import TokenCache
from inventory.db import db
from inventory.errors import DomainError

#: HTTP status → error code, for errors that are not domain errors
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
}

HTTP_MESSAGES_ZH = {
    400: "请求格式有误。",
    401: "请先登录（缺少或无效的访问令牌）。",
    403: "您无权执行此操作。",
    404: "未找到。",
    405: "不支持此请求方法。",
    422: "输入有误，请检查标出的字段。",
}


def language() -> str:
    """Return the language of messages for this request: Chinese unless English is preferred."""
    return request.accept_languages.best_match(["zh", "en"], default="zh") or "zh"


def error_body(code: str, status: int, message: str, errors: dict | None = None) -> dict:
    """The one error format, with field messages in the client's language."""
    if errors and language() == "zh":
        errors = errors_in_chinese(errors)
    return {"code": code, "status": status, "message": message, "errors": errors or {}}


class ReservesApi(Api):
    """flask-smorest's Api with our error format: {code, status, message, errors}."""

    def handle_http_exception(self, error: HTTPException):
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        errors = data.get("messages") or {}
        if "json" in errors and isinstance(errors["json"], dict):
            errors = errors["json"]
        # A description given where the error was raised says what was wrong; the class's
        # own description is werkzeug's English boilerplate.
        told = error.description if error.description != type(error).description else None
        if told:
            message = told
        elif language() == "zh" and status in HTTP_MESSAGES_ZH:
            message = HTTP_MESSAGES_ZH[status]
        else:
            message = data.get("message") or error.description or error.name
        if request.blueprint not in API_BLUEPRINTS and _wants_page():
            return render_template("error.html", status=status, message=told), status
        return error_body(HTTP_CODES.get(status, "error"), status, message, errors), status


def _wants_page() -> bool:
    """Whether a browser asked for a page (rather than a client for data)."""
    accept = request.accept_mimetypes
    return accept.best_match(["application/json", "text/html"]) == "text/html" and (
        accept["text/html"] > accept["application/json"])



def handle_domain_error(error: DomainError):
    return error_body(error.code, error.status, error.message(language()), error.errors), error.status


def handle_integrity_error(error: IntegrityError):
    """Two requests raced for the same new row (a lot code, a key): the loser changed nothing."""
    db.session.rollback()
    zh = "与同时进行的另一操作冲突，本次未做任何更改，请重试。"
    en = "This clashed with another request made at the same moment; nothing was changed. Retry."
    return error_body("conflict", 409, zh if language() == "zh" else en), 409


def handle_operational_error(error: OperationalError):
    """The database was busy or broke a deadlock: nothing was changed; the client may retry."""
    db.session.rollback()
    zh = "数据库繁忙，本次未做任何更改，请稍后重试。"
    en = "The database is busy; nothing was changed. Retry shortly."
    body = error_body("busy", 503, zh if language() == "zh" else en)
    return body, 503, {"Retry-After": "1"}


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


def token_cache() -> TokenCache:
    """Return this process's memory of resolved bearer tokens."""
    return current_app.extensions["token_cache"]


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


#: names of the API blueprints, whose requests need a bearer token
API_BLUEPRINTS: set[str] = set()
#: (method, endpoint) pairs that need no token
PUBLIC_ENDPOINTS = {("POST", "auth_api.Tokens")}


class BearerAwareSessionInterface(SecureCookieSessionInterface):
    """No cookie session for requests that carry a bearer token: they never use one."""

    def open_session(self, app, request):
        if request.headers.get("Authorization"):
            return self.null_session_class()
        return super().open_session(app, request)


def init_app(app) -> None:
    from inventory.audit.api import blp as audit_blp
    from inventory.auth.api import blp as auth_blp
    from inventory.auth.users_api import blp as users_blp
    from inventory.catalogue.api import blp as catalogue_blp
    from inventory.documents.api import blp as documents_blp
    from inventory.exports.api import blp as exports_blp
    from inventory.geo.api import blp as geo_blp
    from inventory.imports.api import blp as imports_blp
    from inventory.jobs.api import blp as jobs_blp
    from inventory.outlets.api import blp as outlets_blp
    from inventory.planning.api import blp as planning_blp
    from inventory.planorders.api import blp as planorders_blp
    from inventory.reports.api import blp as reports_blp
    from inventory.reserves.api import blp as reserves_blp
    from inventory.reserves.contracts_api import blp as contracts_blp
    from inventory.scan.api import blp as scan_blp
    from inventory.shelters.api import blp as shelters_blp
    from inventory.stock.api import blp as stock_blp
    from inventory.stocktake.api import blp as stocktake_blp
    from inventory.transfers.api import blp as transfers_blp
    from inventory.transport.api import blp as transport_blp
    from inventory.transport.waybill_api import blp as waybills_blp
    from inventory.web import csrf

    app.session_interface = BearerAwareSessionInterface()
    api = ReservesApi(app)
    for blp in (auth_blp, geo_blp, catalogue_blp, stock_blp, transfers_blp, stocktake_blp,
                scan_blp, reserves_blp, contracts_blp, imports_blp, documents_blp,
                shelters_blp, jobs_blp, reports_blp, planning_blp, planorders_blp, users_blp,
                audit_blp, outlets_blp, transport_blp, waybills_blp, exports_blp):
        csrf.exempt(blp)  # bearer tokens, not cookies, authenticate the API
        api.register_blueprint(blp, url_prefix="/api/v1")
        API_BLUEPRINTS.add(blp.name)
    app.extensions["token_cache"] = TokenCache(app.config["API_TOKEN_CACHE_SECONDS"])
    app.before_request(require_token)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(OperationalError, handle_operational_error)
