"""Every form of the pages, found by crawling the demo county as its admin, posted each
category of bad value in every field: no answer is a 500 and nothing bad is stored (no
control character, lone surrogate or million-character text; no NaN or infinity). Web routes
with an id beyond the integer range answer 404.
"""

import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from bad_input import (
    BIG_IDS,
    DATES,
    HUGE,
    MOMENTS,
    NUMBER_TEXTS,
    URL_STRINGS,
    stored_bad_values,
    written_bad_values,
)
from crawl import DEMO_USERS, crawl, logged_in
from factories import PASSWORD

from inventory.db import db

#: forms not posted: they end the session or change the language
SKIPPED_ACTIONS = ("/logout", "/lang/")
#: bad values for any field, as the text a browser would send
FORM_VALUES = {"nul": "ab\x00cd", "control": "ab\x07\x1bcd", "huge": HUGE, "blank": "   ",
               "line break": "A\nB"} | NUMBER_TEXTS | MOMENTS | DATES
#: PostgreSQL refuses some of these values itself (a NUL in text, a number beyond a column's
#: precision, a year beyond its range), so the demo is posted to on both databases
DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


class Forms(HTMLParser):
    """The POST forms of a page: their action and their fields with the values shown."""

    def __init__(self, page: str):
        super().__init__()
        self.page = page
        self.forms: list[tuple[str, dict[str, str]]] = []
        self.methods: list[str] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            method = (attrs.get("method") or "get").lower()
            self.methods.append(method)
            self.forms.append((attrs.get("action") or self.page, {}))
            return
        if not self.forms or not attrs.get("name"):
            if tag == "option" and self._select and self.forms:
                self.forms[-1][1].setdefault(self._select, attrs.get("value") or "")
            return
        fields = self.forms[-1][1]
        name = attrs["name"]
        if tag == "input" and attrs.get("type") in ("checkbox", "radio"):
            if "checked" in attrs:
                fields.setdefault(name, attrs.get("value") or "on")
        elif tag == "input" and attrs.get("type") not in ("submit", "button", "file"):
            fields.setdefault(name, attrs.get("value") or "")
        elif tag == "textarea":
            fields.setdefault(name, "")
        elif tag == "select":
            self._select = name

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def post_forms(app, client, method: str = "post"
               ) -> dict[tuple[str, tuple[str, ...]], dict[str, str]]:
    """Every distinct form of the method reachable from the navigation, by action and field
    names."""
    found = {}
    for visit in crawl(app, client, depth=3, per_endpoint=2).pages():
        parser = Forms(visit.path)
        parser.feed(visit.body.decode())
        for (action, fields), kind in zip(parser.forms, parser.methods, strict=True):
            if kind != method or not action.startswith("/") or action.startswith(
                    SKIPPED_ACTIONS):
                continue
            found.setdefault((action.split("?")[0], tuple(sorted(fields))), fields)
    return found


def encoded(fields: dict[str, str], name: str, raw: str) -> bytes:
    """The form's body, with ``name`` carrying ``raw`` bytes as percent-encoding."""
    parts = [f"{quote(k)}={quote(v)}" for k, v in fields.items() if k != name]
    return "&".join([*parts, f"{quote(name)}={raw}"]).encode()


def bad_bodies(fields: dict[str, str], name: str) -> dict[str, dict | bytes]:
    """The form's bodies with one field bad, by category of bad value."""
    bodies: dict[str, dict | bytes] = {category: fields | {name: value}
                                       for category, value in FORM_VALUES.items()}
    bodies["surrogate"] = encoded(fields, name, "ab%ED%A0%80cd")
    bodies["bad utf-8"] = encoded(fields, name, "ab%FF%FEcd")
    return bodies


def post(client, action: str, body) -> int | str:
    """Post a form; return the status, or what went wrong when it is a server error."""
    try:
        response = client.post(action, data=body, content_type=None if isinstance(body, dict)
                               else "application/x-www-form-urlencoded")
    except Exception as error:  # the test app raises what would be a 500
        db.session.rollback()
        return f"500 {type(error).__name__}: {str(error)[:100]}"
    # A browser shows the next page and so takes the flashed messages; the test client does
    # not, and they would pile up in the session cookie.
    with client.session_transaction() as session:
        session.pop("_flashes", None)
    if response.status_code == 409 and (response.get_json(silent=True) or {}).get(
            "code") == "conflict":
        return "409 retry, for a value that fails the same way again"
    return response.status_code


def query(fields: dict[str, str], name: str, raw: str) -> str:
    """The form's query string, with ``name`` carrying ``raw`` (already percent-encoded)."""
    return encoded(fields, name, raw).decode()


def get(client, url: str) -> int | str:
    """Get a page; return the status, or what went wrong when it is a server error."""
    try:
        response = client.get(url)
    except Exception as error:  # the test app raises what would be a 500
        db.session.rollback()
        return f"500 {type(error).__name__}: {str(error)[:100]}"
    response.close()  # a download streams; it ends here
    return response.status_code


#: bad values for a filter, as a query string carries them
FILTER_VALUES = URL_STRINGS | {k: quote(v) for k, v in
                               (NUMBER_TEXTS | MOMENTS | DATES | BIG_IDS).items()}


# Before the forms' sweep, which shares the module's demo county: its posts change the county
# (users included), and a filter changes nothing.
@pytest.mark.slow  # every field of every filter, sent a dozen bad values
@pytest.mark.parametrize("demo_app", DATABASES, indirect=True)
def test_no_bad_value_in_any_filter_makes_a_page_fail(demo_app):
    client = logged_in(demo_app, *DEMO_USERS["admin"])
    forms = post_forms(demo_app, client, method="get")
    assert len(forms) >= 8, sorted(forms)
    failures, sent = [], Counter()
    for (action, _), fields in sorted(forms.items()):
        for name in sorted(fields):
            for category, raw in FILTER_VALUES.items():
                sent[category] += 1
                status = get(client, f"{action}?{query(fields, name, raw)}")
                if not isinstance(status, int) or status >= 500:
                    failures.append((category, action, name, status))
    by_kind = Counter(f"{f[0]} → {str(f[3])[:60]}" for f in failures)
    assert sum(sent.values()) > 300, sent
    assert not failures, "\n".join([f"{len(failures)} faults:", *map(str, by_kind.items()),
                                     *map(str, failures[:300])])


@pytest.mark.slow  # every field of every form, posted a dozen bad values
@pytest.mark.parametrize("demo_app", DATABASES, indirect=True)
def test_no_bad_value_in_any_form_makes_a_page_fail_or_is_stored(demo_app):
    client = logged_in(demo_app, *DEMO_USERS["admin"])
    forms = post_forms(demo_app, client)
    assert len(forms) >= 15, sorted(forms)
    failures, sent = [], Counter()
    with written_bad_values(db.engine) as written:
        for (action, _), fields in sorted(forms.items()):
            for name in sorted(set(fields) - {"csrf_token"}):
                for category, body in bad_bodies(fields, name).items():
                    sent[category] += 1
                    status = post(client, action, body)
                    if not isinstance(status, int) or status >= 500:
                        failures.append((category, action, name, status))
    stored = stored_bad_values(db.session) + sorted(set(written))
    by_kind = Counter(f"{f[0]} → {str(f[3])[:60]}" for f in failures)
    assert sum(sent.values()) > 1000, sent
    assert not failures and not stored, "\n".join(
        [f"{len(failures)} faults:", *map(str, by_kind.items()), *map(str, failures[:300]),
         f"{len(stored)} stored:", *map(str, stored)])


ARGUMENT = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")


def int_routes(app) -> list[str]:
    """Every page route (not the API) that takes an integer id, as a pattern whose ids are
    ``{id}`` and whose other parts are a value the route takes."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or "GET" not in rule.methods or "<int:" not in rule.rule:
            continue

        def filled(match):
            converter, args = match.group(1), match.group(2)
            if converter == "int":
                return "{id}"
            if converter == "any":
                return args.split(",")[0].strip().strip("'\"")
            return "A"

        routes.append(ARGUMENT.sub(filled, rule.rule))
    return routes


def test_every_web_route_with_an_id_beyond_the_integer_range_answers_404(app, world):
    client = logged_in(app, "admin", PASSWORD)
    routes = int_routes(app)
    assert len(routes) >= 5
    wrong = []
    for route in routes:
        for big in BIG_IDS.values():
            url = route.replace("{id}", big)
            try:
                status = client.get(url).status_code
            except Exception as error:  # the test app raises what would be a 500
                db.session.rollback()
                status = type(error).__name__
            if status != 404:
                wrong.append((url, status))
    assert wrong == []


def test_the_checks_for_stored_bad_values_see_them_on_either_database(app, world):
    """The sweeps' own checks: a control character and a NaN written past the app's guards
    (a Core insert, which no flush sees) are named whichever database took them."""
    from decimal import Decimal

    from sqlalchemy import insert

    from inventory.catalogue.models import Item

    with written_bad_values(db.engine) as written:
        db.session.execute(insert(Item).values(
            code="BAD-1", name_zh="坏\x07", name_en="bad", category="c", unit="个",
            unit_volume_m3=Decimal("NaN"), active=True))
        db.session.commit()
    assert ("items", "name_zh", "control character") in stored_bad_values(db.session)
    assert {problem for _, problem in written} == {"control character", "not a finite number"}
