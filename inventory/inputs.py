"""One guard for what every request carries, before any view reads it.

No keeper types a control character, and a lone UTF-16 surrogate (which JSON can spell as
``\\ud800``) is no character at all: PostgreSQL refuses to store either, SQLite stores what
later breaks every XLSX export, and Python cannot even encode the surrogate for a query. So
the address, the query string, the form fields and the JSON body of every request are
checked here, once, and such a request is refused with 422 before it reaches a schema, a
view or the database. The API's JSON body is also parsed here under the JSON standard: no
``NaN`` or ``Infinity`` tokens (Python's parser reads them, and they come back out as bare
tokens other parsers reject), no nesting deeper than ``MAX_JSON_DEPTH``, and JSON only with
a JSON content type (a body sent as ``text/plain`` would otherwise read as "missing data").
"""

import json
import math
from datetime import date

from flask import render_template, request
from flask_babel import gettext
from sqlalchemy import event
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from inventory.errors import DomainError, InvalidInput
from inventory.i18n import current_language, message_of
from inventory.values import FIRST_DAY, LAST_DAY, MAX_WHOLE, bad_character, refuse_bad_values

__all__ = ["MAX_WHOLE", "bad_character", "check_request", "init_app", "parse_day",
           "parse_number"]

#: no request of ours nests its JSON deeper than a few levels
MAX_JSON_DEPTH = 32
#: the longest text a form field or a query may carry; files come as uploads, and each
#: field's own limit (a note, a name) is shorter still
MAX_FIELD_TEXT = 20_000
#: content types of request bodies the API reads besides JSON (uploads)
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


class IdConverter(IntegerConverter):
    """``<int:...>`` in our routes: an id of a 32-bit key, so a larger number matches no route
    (404) instead of overflowing the database's integer (500)."""

    def __init__(self, map, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, **kwargs)


class UnreadableBody(HTTPException):
    """A body that is not standard JSON, or nested too deeply: 400."""

    code = 400


class UnsupportedBody(HTTPException):
    """A body the API does not read (JSON sent as text, say): 415."""

    code = 415


def _first_bad(value, path: str, depth: int = 0) -> tuple[str, str] | None:
    """Return (where, what) for the first bad text (key or value) in a JSON value."""
    if isinstance(value, str):
        problem = bad_character(value)
        return (path or "_schema", problem) if problem else None
    if depth > MAX_JSON_DEPTH:
        raise UnreadableBody(_too_deep())
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        where = f"{path}.{key}" if path else str(key)
        problem = bad_character(key) if isinstance(key, str) else None
        found = (where, problem) if problem else _first_bad(item, where, depth + 1)
        if found:
            return found
    return None


def _chinese() -> bool:
    """Whether this request's messages are in Chinese (the API's by Accept-Language)."""
    if request.path.startswith("/api/"):
        from inventory.api.errors import language

        return language() == "zh"
    return current_language() != "en"


def _too_deep() -> str:
    return (f"JSON 嵌套过深（最多 {MAX_JSON_DEPTH} 层）。" if _chinese()
            else f"The JSON is nested too deeply (at most {MAX_JSON_DEPTH} levels).")


def _refuse_constant(token: str):
    raise ValueError(token)


def strict_json(data: bytes):
    """Parse a request body as standard JSON.

    :raise UnreadableBody: when it is not UTF-8, not JSON, holds NaN or Infinity, or is
        nested too deeply.
    """
    zh = _chinese()
    try:
        return json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
    except RecursionError:
        raise UnreadableBody(_too_deep()) from None
    except UnicodeDecodeError:
        raise UnreadableBody("请求内容不是 UTF-8 编码。" if zh
                             else "The body is not UTF-8.") from None
    except ValueError as error:
        if isinstance(error, json.JSONDecodeError):
            raise UnreadableBody("请求内容不是有效的 JSON。" if zh
                                 else "The body is not valid JSON.") from None
        raise UnreadableBody(
            f"JSON 中不能使用 {error}，请发送有限的数字。" if zh
            else f"{error} is not a JSON number; send a finite number.") from None


def _texts_of_the_request() -> list[tuple[str, str]]:
    """The path, query and form texts of the request, each with where it came from."""
    texts = [("path", request.path)]
    for source in (request.args, request.form):
        for key, values in source.lists():
            texts.append((key, key))
            texts += [(key, value) for value in values]
    return texts


def check_request():
    """Refuse a request carrying what no keeper types, or a body that is not standard JSON.

    The request changes nothing; the API answers in its error format, a page with the
    refusal page.
    """
    from inventory.api import API_BLUEPRINTS

    for where, text in _texts_of_the_request():
        problem = (bad_character(text) if len(text) <= MAX_FIELD_TEXT
                   else f"longer than {MAX_FIELD_TEXT} characters")
        if problem:
            return _refuse(where, problem)
    if request.blueprint not in API_BLUEPRINTS or request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    if request.mimetype.startswith(FORM_TYPES) or not request.get_data(cache=True):
        return None
    if not request.is_json:
        zh = _chinese()
        raise UnsupportedBody("请以 Content-Type: application/json 发送 JSON。" if zh
                              else "Send JSON with Content-Type: application/json.")
    body = strict_json(request.get_data(cache=True))
    # What the views read with get_json(): the body is parsed once per request.
    request._cached_json = (body, body)
    found = _first_bad(body, "")
    return _refuse(*found) if found else None


def _refuse(where: str, problem: str):
    from inventory.api import API_BLUEPRINTS
    from inventory.api.errors import handle_domain_error

    if problem.startswith("longer"):
        error = InvalidInput(f"“{where[:40]}”内容过长（至多 {MAX_FIELD_TEXT} 个字符）。",
                             f"“{where[:40]}” is too long (at most {MAX_FIELD_TEXT} characters).",
                             {where: [problem]})
    else:
        error = InvalidInput("输入含有无法识别的字符（控制字符或不成对的代理字符）。",
                             "The input holds characters no one types (control characters or an "
                             "unpaired surrogate).", {where: [problem]})
    if request.blueprint in API_BLUEPRINTS or request.path.startswith("/api/"):
        return handle_domain_error(error)
    return refused_page(error)


def refused_page(error: DomainError):
    """A page that says why a request was refused, with the error's status."""
    message = message_of(error)
    return render_template("documents/refused.html", title=gettext("输入有误"),
                           message=message), error.status


def init_app(app) -> None:
    """Check every request at the door and every flush before it reaches the database."""
    from sqlalchemy.orm import Session

    app.before_request(check_request)
    if not event.contains(Session, "before_flush", refuse_bad_values):
        event.listen(Session, "before_flush", refuse_bad_values)


#: the largest other number a form may give (hours, money, per-person amounts)
MAX_NUMBER = 1e9


def parse_number(raw: str, name: str, *, whole: bool = False, minimum: float | None = None,
                 maximum: float | None = None) -> int | float:
    """Read a number typed in a form: finite, within bounds, whole when asked.

    ``nan``, ``inf`` and ``1e300`` are numbers to Python's ``float`` but to no keeper; they
    are refused here, like any text that is not a number.

    :raise InvalidInput: when the text is not such a number.
    """
    text = (raw or "").strip()
    most = maximum if maximum is not None else (MAX_WHOLE if whole else MAX_NUMBER)
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or whole and not value.is_integer():
        kind_zh, kind_en = ("整数", "a whole number") if whole else ("数字", "a number")
        raise InvalidInput(f"“{text[:40]}”不是有效的{kind_zh}。",
                           f"“{text[:40]}” is not {kind_en}.", {name: [f"not {kind_en}"]})
    low = minimum if minimum is not None else -most
    if not low <= value <= most:
        raise InvalidInput(f"“{text[:40]}”超出允许范围（{low:g} 至 {most:g}）。",
                           f"“{text[:40]}” is out of range ({low:g} to {most:g}).",
                           {name: [f"out of range {low:g}..{most:g}"]})
    return int(value) if whole else value


def parse_day(raw: str | None, name: str) -> date | None:
    """Read a calendar day typed in a form or a filter (2026-05-01); None when left blank.

    Year 1 or 9999 are days to Python but to no bureau, and their first moment in the bureau's
    zone (or the day after) is no time a database holds: days outside ``FIRST_DAY`` to
    ``LAST_DAY`` are refused.

    :raise InvalidInput: when the text is not such a day.
    """
    text = (raw or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("日期格式应为 2026-05-01。", "Dates look like 2026-05-01.",
                           {name: ["date"]}) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidInput(f"日期须在 {FIRST_DAY} 至 {LAST_DAY} 之间。",
                           f"Dates must lie between {FIRST_DAY} and {LAST_DAY}.",
                           {name: [f"between {FIRST_DAY} and {LAST_DAY}"]})
    return day
