"""Every role, every operation: schemathesis generates valid and invalid requests for each
operation of our OpenAPI document, sent as each role in turn, and every answer must be one
the document describes (status, content type, headers, body) and never a 5xx.

A few examples per operation here; ``scripts/bench schemathesis`` sends many more.
"""

import pytest
from fuzz import exercise, seed

ROLES = ["admin", "bureau", "keeper", "planner", "auditor"]
#: examples per operation and role: the file stays under three minutes on two cores
EXAMPLES = 8


@pytest.fixture
def app(shared_apps):
    """SQLite for every role; test_the_api_keeps_to_its_document_on_postgresql adds one."""
    yield from shared_apps.sqlite()


def _report(outcome) -> str:
    return "\n\n".join(map(str, outcome.failures[:10]))


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_no_generated_request_strays_from_the_document(app, world, role):
    seed(world)
    outcome = exercise(app, world.tokens[role], EXAMPLES)
    assert outcome.operations >= 150
    assert outcome.cases >= outcome.operations * 2
    assert outcome.failures == [], _report(outcome)


@pytest.mark.slow
@pytest.mark.postgres
def test_the_api_keeps_to_its_document_on_postgresql(pg_app, pg_world):
    seed(pg_world)
    outcome = exercise(pg_app, pg_world.tokens["admin"], EXAMPLES // 2)
    assert outcome.failures == [], _report(outcome)


def test_a_method_the_path_does_not_take_is_a_405_naming_the_ones_it_does(client, world):
    response = client.delete("/api/v1/lots", headers=world.headers("admin"))
    assert response.status_code == 405
    assert response.get_json()["code"] == "method_not_allowed"
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_the_document_describes_errors_money_and_pages_as_they_are_sent(client, world):
    spec = client.get("/api/v1/openapi.json").get_json()
    error = spec["components"]["schemas"]["Error"]["properties"]
    assert (error["code"]["type"], error["status"]["type"]) == ("string", "integer")
    assert spec["components"]["schemas"]["Pledge"]["properties"]["amount"]["type"] == "string"
    assert spec["components"]["headers"]["PAGINATION"]["schema"]["type"] == "string"
    refused = client.get("/api/v1/audit-events", headers=world.headers("keeper")).get_json()
    assert isinstance(refused["code"], str) and isinstance(refused["status"], int)
