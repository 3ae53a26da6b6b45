"""Every operation of the OpenAPI document, sent each category of bad value in every path
segment, query parameter and body field, as an admin who may act everywhere: no answer is a
500, every refusal is the one error format and changes nothing, and nothing bad is stored.

The requests are generated from the document, so a new endpoint is covered when it is added.
"""

import json
from collections import Counter
from dataclasses import dataclass

import pytest
from bad_input import (
    BIG_IDS,
    DATES,
    MOMENTS,
    NUMBER_TOKENS,
    STRINGS,
    URL_STRINGS,
    stored_bad_values,
)
from checks import table_counts

from inventory.db import db
from inventory.stock import services

#: operations not sent: logging out revokes the token the other requests use
SKIPPED = {("DELETE", "/api/v1/tokens")}
#: real values for path segments and required fields, by name
KNOWN = {"depot": "XZ-01", "item": "SH-TENT-12", "code": "XZ-01", "kind": "receipt",
         "fmt": "xlsx", "username": "keeper", "quantity": 1, "plate": "X", "number": "X"}


@dataclass
class Operation:
    method: str
    path: str
    path_params: list[str]
    query_params: list[tuple[str, dict]]
    body: dict | None  # the JSON body's schema, if it takes one


def operations(spec: dict) -> list[Operation]:
    """Every operation of the document that takes parameters or a JSON body."""
    found = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            if (method.upper(), path) in SKIPPED:
                continue
            params = op.get("parameters", []) + item.get("parameters", [])
            content = op.get("requestBody", {}).get("content", {})
            body = content.get("application/json", {}).get("schema")
            found.append(Operation(
                method.upper(), path,
                [p["name"] for p in params if p["in"] == "path"],
                [(p["name"], p.get("schema", {})) for p in params if p["in"] == "query"],
                resolve(spec, body) if body else None))
    return found


def resolve(spec: dict, schema: dict) -> dict:
    """Follow a ``$ref`` to its schema."""
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def sample(name: str, schema: dict):
    """A plausible value for a required field, so the bad value is the only fault."""
    if name in KNOWN:
        return KNOWN[name]
    if "enum" in schema:
        return schema["enum"][0]
    kind, form = schema.get("type"), schema.get("format")
    if form == "date-time":
        return "2026-01-01T00:00:00+08:00"
    if form == "date":
        return "2026-01-01"
    return {"integer": 1, "number": 1, "boolean": False, "array": [], "object": {},
            "string": "A"}.get(kind, "A")


def base_body(spec: dict, schema: dict) -> dict:
    return {name: sample(name, resolve(spec, schema["properties"].get(name, {})))
            for name in schema.get("required", [])}


def path_of(op: Operation, replaced: dict | None = None) -> str:
    path = op.path
    for name in op.path_params:
        value = (replaced or {}).get(name, KNOWN.get(name, "1"))
        path = path.replace("{" + name + "}", str(value))
    return path


def values_for(schema: dict) -> dict[str, object]:
    """The bad values for a field of this schema: raw JSON tokens are marked as such."""
    kind, form = schema.get("type"), schema.get("format")
    values: dict[str, object] = dict(STRINGS)
    if kind in ("integer", "number") or kind is None:
        values |= {name: RawToken(token) for name, token in NUMBER_TOKENS.items()}
    if form == "date-time":
        values |= MOMENTS
    if form == "date":
        values |= DATES
    return values


@dataclass(frozen=True)
class RawToken:
    text: str


def json_text(body: dict, field: str, value) -> str:
    """The body as JSON text with ``field`` set to ``value``, which may be a raw token."""
    if isinstance(value, RawToken):
        marker = "__raw_token__"
        return json.dumps(body | {field: marker}).replace(f'"{marker}"', value.text)
    return json.dumps(body | {field: value})


def requests_of(spec: dict, op: Operation):
    """Yield (category, where, method, url, data, content type) for every bad request."""
    path = path_of(op)
    for name in op.path_params:
        for category, text in URL_STRINGS.items() | BIG_IDS.items():
            yield category, f"path:{name}", path_of(op, {name: text}), None, None
    for name, schema in op.query_params:
        bad = dict(URL_STRINGS) | BIG_IDS
        if schema.get("format") == "date-time":
            bad |= {k: v.replace("+", "%2B") for k, v in MOMENTS.items()}
        if schema.get("format") == "date":
            bad |= DATES
        if schema.get("type") in ("integer", "number"):
            bad |= {"nan": "nan", "inf": "inf", "1e300": "1e300"}
        for category, text in bad.items():
            yield category, f"query:{name}", f"{path}?{name}={text}", None, None
    if op.body is None:
        return
    body = base_body(spec, op.body)
    for field, schema in op.body.get("properties", {}).items():
        schema = resolve(spec, schema)
        for category, value in values_for(schema).items():
            yield category, f"body:{field}", path, json_text(body, field, value), None
    yield "deep nesting", "body", path, "[" * 10_000 + "]" * 10_000, None
    yield "deep nesting", "body", path, '{"a":' * 10_000 + "1" + "}" * 10_000, None
    yield "wrong content type", "body", path, json.dumps(body), "text/plain"
    yield "not json", "body", path, "{not json", None
    yield "bad utf-8", "body", path, b'{"a": "\xff\xfe"}', None


@pytest.mark.slow  # some ten thousand requests
def test_no_bad_value_anywhere_makes_the_api_fail_or_store_it(app, world):
    admin = world.users["admin"]
    for code in ("SH-TENT-12", "FW-WATER-5L"):  # a real lot and rows for the ids to hit
        services.receive(db.session, admin, depot="XZ-01", item=code, quantity=50)
    db.session.commit()
    client = app.test_client()
    auth = world.headers("admin")
    spec = client.get("/api/v1/openapi.json").get_json()
    failures: list[tuple] = []
    counted: Counter = Counter()
    for op in operations(spec):
        for category, where, url, data, content_type in requests_of(spec, op):
            writes = op.method != "GET"
            before = table_counts(db.session) if writes else None
            db.session.rollback()
            counted[category] += 1
            try:
                response = client.open(url, method=op.method, data=data, headers=auth,
                                       content_type=content_type or "application/json")
            except Exception as error:  # the test app raises what would be a 500
                db.session.rollback()
                failures.append((category, op.method, op.path, where, 500,
                                 f"{type(error).__name__}: {str(error)[:120]}"))
                continue
            fault = _fault(response) or _wrong_status(category, where, response.status_code)
            response.close()  # a streamed export ends here, in its own request's context
            if not fault and writes and response.status_code >= 400:
                after = table_counts(db.session)
                db.session.rollback()
                if after != before:
                    fault = "a refusal changed " + ", ".join(
                        name for name in after if after[name] != before[name])
            if fault:
                failures.append((category, op.method, op.path, where,
                                 response.status_code, fault))
    stored = stored_bad_values(db.session)
    assert sum(counted.values()) > 4000, counted
    by_kind = Counter(f"{f[0]} → {f[4]} {f[5][:60]}" for f in failures)
    assert not failures, "\n".join([f"{len(failures)} faults:", *map(str, by_kind.items()),
                                     *map(str, failures[:400])])
    assert not stored, stored


#: the status a body-wide fault is answered with
BODY_STATUS = {"deep nesting": 400, "not json": 400, "bad utf-8": 400,
               "wrong content type": 415}


def _wrong_status(category: str, where: str, status: int) -> str | None:
    """Name a body-wide fault answered with another status than its own (a JSON body sent as
    text read as "missing data" before)."""
    if where == "body" and category in BODY_STATUS and status != BODY_STATUS[category]:
        return f"answered {status}, not {BODY_STATUS[category]}"
    if where.startswith("body:") and category in ("nan", "inf", "-inf") and status != 400:
        return f"answered {status}, not 400"
    return None


def _fault(response) -> str | None:
    """What is wrong with an answer to a bad request, or None."""
    if response.status_code >= 500:
        return f"{response.status_code}: {response.get_data(as_text=True)[:200]}"
    if response.status_code >= 400:
        body = response.get_json(silent=True)
        if not isinstance(body, dict) or not body.get("code") or not body.get("message"):
            return f"not the error format: {response.get_data(as_text=True)[:200]}"
        if body["code"] == "conflict":  # "retry": but a bad value fails the same way again
            return f"409 retry: {body['message'][:100]}"
    return None
