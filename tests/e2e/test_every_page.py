"""Every page a user can reach, and every API list, answers without a server error, as every
role, on the demo county and on an empty database."""

import pytest
from apps import sqlite_app
from crawl import DEMO_USERS, crawl, logged_in

from inventory.auth.services import create_user
from inventory.db import db

ROLES = ("admin", "bureau", "planner", "auditor", "keeper")
EMPTY_PASSWORD = "empty county password"


@pytest.fixture(scope="module")
def empty_app(sqlite_template, tmp_path_factory):
    apps = sqlite_app(sqlite_template, tmp_path_factory.mktemp("empty"))
    app = next(apps)
    for role in ROLES:
        create_user(db.session, role, EMPTY_PASSWORD, role)
    db.session.commit()
    yield app
    next(apps, None)


def _api_lists(app) -> list[str]:
    """Every GET endpoint of the API that takes no path parameter."""
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    return ["/api/v1" + path if not path.startswith("/api/v1") else path
            for path, operations in spec["paths"].items()
            if "get" in operations and "{" not in path]


@pytest.mark.slow  # each role reaches every page of the demo county
@pytest.mark.parametrize("role", list(DEMO_USERS))
def test_no_page_reachable_from_the_navigation_fails_on_the_demo_county(demo_app, role):
    client = logged_in(demo_app, *DEMO_USERS[role])
    visited = crawl(demo_app, client)
    assert len(visited.pages()) > 20
    assert visited.failures() == []


@pytest.mark.parametrize("role", ROLES)
def test_no_page_reachable_from_the_navigation_fails_on_an_empty_database(empty_app, role):
    client = logged_in(empty_app, role, EMPTY_PASSWORD)
    visited = crawl(empty_app, client)
    assert len(visited.pages()) >= 5
    assert visited.failures() == []


@pytest.mark.parametrize("which", ["demo_app", "empty_app"])
def test_every_api_list_answers_every_role_without_a_server_error(request, which):
    app = request.getfixturevalue(which)
    paths = _api_lists(app)
    assert "/api/v1/reserves" in paths
    failures = []
    for role in ROLES:
        username, password = (DEMO_USERS[role] if which == "demo_app"
                              else (role, EMPTY_PASSWORD))
        client = logged_in(app, username, password)
        for path in paths:
            status = client.get(path).status_code
            if status >= 500:
                failures.append((role, path, status))
    assert failures == []


def test_the_reserves_overview_counts_an_item_whose_lots_are_all_unusable_as_none_usable(
        demo_app):
    client = logged_in(demo_app, "bureau", "demo-bureau")
    answer = client.get("/api/v1/reserves")
    assert answer.status_code == 200
    lines = {line["item"]: line for line in answer.get_json()}
    unusable = [line for line in lines.values() if line["on_shelf"] and not line["usable"]]
    assert unusable, "the demo quarantines every lot of one item"
    assert client.get("/readiness/stock").status_code == 200
    assert client.get("/readiness/stock.xlsx").status_code == 200
