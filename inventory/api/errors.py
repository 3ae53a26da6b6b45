"""The API's one error format, ``{"code", "status", "message", "errors"}``, in the client's
language: HTTP errors, the domain's named errors (``inventory.errors``) and the database's
refusals, each a status and a message a keeper understands."""

from flask import render_template, request
from marshmallow import Schema, fields
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from inventory.api.messages import errors_in_chinese
from inventory.db import db, discard
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
    413: "请求内容过大。",
    422: "输入有误，请检查标出的字段。",
    429: "请求过于频繁，请稍后再试。",
}


class ErrorSchema(Schema):
    """The one error format, as the OpenAPI document describes every error response."""

    code = fields.String(metadata={"description": "What went wrong, for programs: "
                                                  "forbidden, not_found, invalid_input, …"})
    status = fields.Integer(metadata={"description": "The HTTP status"})
    message = fields.String(metadata={"description": "For people, in the client's language"})
    errors = fields.Dict(metadata={"description": "Messages by field (by location, then "
                                                  "field, for a malformed request)"})


def language() -> str:
    """Return the language of messages for this request: Chinese unless English is preferred."""
    return request.accept_languages.best_match(["zh", "en"], default="zh") or "zh"


def error_body(code: str, status: int, message: str, errors: dict | None = None) -> dict:
    """The one error format, with field messages in the client's language."""
    if errors and language() == "zh":
        errors = errors_in_chinese(errors)
    return {"code": code, "status": status, "message": message, "errors": errors or {}}


def http_error(error: HTTPException, *, as_page: bool):
    """Answer an HTTP error in the one format, or as the error page when ``as_page``."""
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
    # The error's own headers say how to recover: Allow on a 405, Retry-After on a 429, …
    headers = {name: value for name, value in error.get_headers()
               if name.lower() != "content-type"}
    if as_page:
        return render_template("error.html", status=status, message=told), status, headers
    return error_body(HTTP_CODES.get(status, "error"), status, message, errors), status, headers


def wants_page() -> bool:
    """Whether a browser asked for a page (rather than a client for data)."""
    accept = request.accept_mimetypes
    return accept.best_match(["application/json", "text/html"]) == "text/html" and (
        accept["text/html"] > accept["application/json"])


def handle_domain_error(error: DomainError):
    """A refused request (nothing was changed): its status, code and message."""
    body = error_body(error.code, error.status, error.message(language()), error.errors)
    return body, error.status


def refused_by_a_rule(error: IntegrityError) -> str | None:
    """Return the rule's name when the database refused a value by a CHECK or NOT NULL
    constraint: the input was wrong (a kind no one offered, say), no race, and a retry would
    fail the same way."""
    original = error.orig
    code = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    if code in ("23514", "23502"):  # PostgreSQL: check_violation, not_null_violation
        diag = getattr(original, "diag", None)
        return (getattr(diag, "constraint_name", None) or getattr(diag, "column_name", None)
                or "_schema")
    text = str(original)
    for marker in ("CHECK constraint failed: ", "NOT NULL constraint failed: "):  # SQLite
        if marker in text:
            return text.split(marker, 1)[1].strip().rsplit(".", 1)[-1] or "_schema"
    return None


def handle_integrity_error(error: IntegrityError):
    """Two requests raced for the same new row (a lot code, a key): the loser changed nothing.

    A value the database's rules refuse is the input's fault: 422, and no advice to retry.
    """
    db.session.rollback()
    rule = refused_by_a_rule(error)
    if rule is not None:
        zh = "输入的值不在允许范围内（如未提供的类型或状态），本次未做任何更改。"
        en = "A value is not one of those allowed (a kind or status not offered); nothing " \
             "was changed."
        return error_body("invalid_input", 422, zh if language() == "zh" else en,
                          {rule: ["not allowed"]}), 422
    zh = "与同时进行的另一操作冲突，本次未做任何更改，请重试。"
    en = "This clashed with another request made at the same moment; nothing was changed. Retry."
    return error_body("conflict", 409, zh if language() == "zh" else en), 409


def handle_operational_error(error: OperationalError):
    """The database was busy, broke a deadlock or restarted: nothing was changed; the client
    may retry."""
    discard(db.session())
    zh = "数据库繁忙，本次未做任何更改，请稍后重试。"
    en = "The database is busy; nothing was changed. Retry shortly."
    body = error_body("busy", 503, zh if language() == "zh" else en)
    return body, 503, {"Retry-After": "1"}


def register(app) -> None:
    """Answer the domain's and the database's errors in the one format."""
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(OperationalError, handle_operational_error)
