"""Schemathesis over the whole API as one role: generated requests for every operation of the
OpenAPI document, those that fit it and those that do not, each answer checked against the
document.

Shared by tests/e2e/test_api_fuzz.py (a few examples per operation) and
``scripts/bench schemathesis`` (many). A failure is any 5xx, a status code, content type,
header or body the document does not describe, or an error that is not the one format.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from inventory.db import db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
#: logging out would revoke the token the other requests use
SKIPPED = {("DELETE", "/api/v1/tokens")}


@dataclass
class Outcome:
    operations: int = 0
    cases: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: list = field(default_factory=list)


def seed(world) -> None:
    """Rows of every kind, so that generated ids find some and lists are not all empty."""
    from test_audit_trail import _batch, _outlet, _pledge, _scenario, _transport_agreement

    from inventory.donations import services as donations
    from inventory.stock import services as stock

    admin = world.users["admin"]
    for code in ("SH-TENT-12", "FW-WATER-5L"):
        stock.receive(db.session, admin, depot="XZ-01", item=code, quantity=50, unit_cost=12.5)
    pledge = _pledge(world)
    donations.receive_money(db.session, world.users["bureau"], pledge.id,
                            amount=Decimal("250.50"))
    for make in (_scenario, _outlet, _transport_agreement, _batch):
        make(world)
    db.session.commit()


def exercise(app, token: str, examples: int, *, seed_value: int | None = None) -> Outcome:
    """Send ``examples`` generated requests to each operation with the bearer token."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {token}"}
    outcome = Outcome()
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        outcome.operations += 1

        @settings(max_examples=examples, deadline=None, derandomize=seed_value is None,
                  database=None, suppress_health_check=list(HealthCheck))
        @given(case=st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                              operation.as_strategy(GenerationMode.NEGATIVE)))
        def send(case):
            outcome.cases += 1
            try:
                response = case.call(headers=headers)
            except Exception as error:  # a testing app lets the exception behind a 500 through
                outcome.failures.append((case.method, case.formatted_path, case.query,
                                         repr(case.body)[:200], 500, repr(error)))
                return
            outcome.statuses[response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except BaseException as failure:  # a group of the checks' failures
                if isinstance(failure, KeyboardInterrupt):
                    raise
                outcome.failures.append((case.method, case.formatted_path, case.query,
                                         repr(case.body)[:200], response.status_code,
                                         str(failure)[:600]))

        if seed_value is not None:
            from hypothesis import seed as hypothesis_seed

            send = hypothesis_seed(seed_value)(send)
        send()
    return outcome
