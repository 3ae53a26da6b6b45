"""Auditors see everything and change nothing: every write endpoint of the OpenAPI document
and every form the pages post to answers 403 to an auditor, and nothing changes. Both lists
are read from the application, so a new endpoint is covered without a line of its own."""

import re

import pytest
from checks import BROWSER, assert_refused, nothing_changes
from factories import PASSWORD

from inventory.api import API_BLUEPRINTS
from inventory.auth.readonly import AUDITOR_MAY, MESSAGE_ZH
from inventory.db import db
from inventory.stock import services as stock

WRITES = ("post", "put", "patch", "delete")
#: plausible values for the path parameters of the API and the pages
PATH_VALUES = {"code": "XZ-01", "username": "keeper", "kind": "areas", "fmt": "csv",
               "number": "DB-2026-000001", "filename": "x"}


pytestmark = pytest.mark.usefixtures("each_request_finds_its_own_user")


@pytest.fixture
def stocked(world):
    """A lot, so that ids in the requests name real rows."""
    stock.receive(db.session, world.users["admin"], depot="XZ-01", item="SH-TENT-12",
                  quantity=10)
    return world


def _fill(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES.get(m.group(1), "1"), path)


def _api_writes(client) -> list[tuple[str, str, str]]:
    spec = client.get("/api/v1/openapi.json").get_json()
    found = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method in WRITES:
                body = operation.get("requestBody", {}).get("content", {})
                found.append((method.upper(), path, next(iter(body), "")))
    return found


def _endpoint(app, method: str, url: str) -> str:
    adapter = app.url_map.bind("localhost")
    return adapter.match(url, method=method)[0]


def test_every_write_endpoint_refuses_an_auditor_and_changes_nothing(app, client, stocked):
    operations = _api_writes(client)
    assert len(operations) >= 40
    refused = 0
    with nothing_changes(db.session):
        for method, path, content_type in operations:
            url = _fill(path)
            if (method, _endpoint(app, method, url)) in AUDITOR_MAY:
                continue
            kwargs = ({"data": {"file": (b"", "x.csv")}} if content_type == "multipart/form-data"
                      else {"json": {"kind": "planning.run", "quantity": 1, "depot": "XZ-01",
                                     "item": "SH-TENT-12", "status": "ended",
                                     "role": "admin", "active": False,
                                     "password": "a long password"}})
            response = client.open(url, method=method, headers=stocked.headers("auditor"),
                                   **kwargs)
            body = assert_refused(response, 403, "forbidden")
            assert body["message"] == MESSAGE_ZH, (method, path, body)
            refused += 1
    assert refused >= len(operations) - 7


def test_the_refusal_speaks_english_when_asked(client, stocked):
    response = client.patch("/api/v1/depots/XZ-01", json={"name": "x"},
                            headers=stocked.headers("auditor", **{"Accept-Language": "en"}))
    assert assert_refused(response, 403, "forbidden")["message"].startswith("Auditors")


def test_what_auditors_may_still_send_is_short_and_changes_no_data(client, stocked):
    assert {endpoint for _, endpoint in AUDITOR_MAY} <= {
        "auth_api.Tokens", "users_api.OwnPassword", "auth.login", "auth.logout",
        "users.own_password", "users_api.OwnToken", "users.revoke_own_token",
        "imports_api.PreviewView", "imports.preview", "stock_api.Seals",
        "integrity.take_seal", "distributions_api.RecipientTrace",
        "distribution.recipient_trace"}
    auditor = stocked.headers("auditor")
    assert client.post("/api/v1/ledger/seals", headers=auditor).status_code == 201
    assert client.post("/api/v1/jobs", headers=auditor,
                       json={"kind": "ledger.verify"}).status_code == 202
    preview = client.post("/api/v1/imports/areas/preview", headers=auditor,
                          data={"file": (b"\xef\xbb\xbf\xe5\x8c\xba\n", "a.csv")})
    assert preview.status_code in (200, 422)
    # The recipient trace is a look-up sent as a POST: it writes its audit event only.
    with nothing_changes(db.session, but=("audit_events",)):
        trace = client.post("/api/v1/recipients/trace", headers=auditor,
                            json={"name": "张三", "phone": "13800000000"})
    assert trace.status_code == 200 and trace.get_json()["distributions"] == []


@pytest.mark.parametrize("kind", [[], {}, ["ledger.verify"], None, 1])
def test_a_job_kind_that_is_not_a_name_is_refused_not_a_500(client, stocked, kind):
    with nothing_changes(db.session):
        response = client.post("/api/v1/jobs", headers=stocked.headers("auditor"),
                               json={"kind": kind, "params": []})
        assert_refused(response, 403, "forbidden")


def _path_value(name: str, converter):
    from werkzeug.routing import IntegerConverter

    kind = type(converter).__name__
    if isinstance(converter, IntegerConverter):  # our ids' converter is one too
        return 1
    if kind == "AnyConverter":  # a route for each of a few kinds: the first will do
        return sorted(converter.items)[0]
    return PATH_VALUES.get(name, "XZ-01")


def _page_forms(app) -> list[tuple[str, str]]:
    """Every page endpoint that takes a POST (or another write), with a URL for it."""
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            blueprint = rule.endpoint.rpartition(".")[0]
            methods = set(rule.methods) & {"POST", "PUT", "PATCH", "DELETE"}
            if blueprint in API_BLUEPRINTS or not methods or rule.endpoint == "static":
                continue
            values = {name: _path_value(name, rule._converters[name])
                      for name in rule.arguments}
            adapter = app.url_map.bind("localhost")
            url = adapter.build(rule.endpoint, values, method=sorted(methods)[0])
            found.extend((method, url) for method in sorted(methods))
    return found


def test_every_form_the_pages_post_to_refuses_an_auditor(app, stocked):
    client = app.test_client()
    assert client.post("/login", data={"username": "auditor",
                                       "password": PASSWORD}).status_code == 302
    forms = _page_forms(app)
    assert len(forms) >= 20
    with nothing_changes(db.session):
        for method, url in forms:
            if (method, _endpoint(app, method, url)) in AUDITOR_MAY:
                continue
            response = client.open(url, method=method, headers=BROWSER,
                                   data={"depot": "XZ-01", "quantity": "1", "role": "admin"})
            assert response.status_code == 403, (method, url, response.status_code)
            assert "审计人员只能查看" in response.get_data(as_text=True), url


@pytest.mark.parametrize("who", ["admin", "bureau"])
def test_other_roles_are_not_stopped_by_the_check(client, stocked, who):
    response = client.patch("/api/v1/depots/XZ-01", json={"handling_hours": 1},
                            headers=stocked.headers(who))
    assert response.status_code == 200
