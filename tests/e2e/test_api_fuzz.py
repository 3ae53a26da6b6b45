"""No input may produce a 500: schemathesis generates valid and invalid requests for every
operation of our OpenAPI document, sent as an admin who may act everywhere."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from inventory.db import db
from inventory.stock import services


@pytest.mark.slow  # 25 generated requests for each of the API's operations
def test_no_generated_request_makes_the_api_fail(app, world):
    admin = world.users["admin"]
    for code in ("SH-TENT-12", "FW-WATER-5L"):  # real lots and rows for generated ids to hit
        services.receive(db.session, admin, depot="XZ-01", item=code, quantity=50)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": world.headers("admin")["Authorization"]}
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    # Logging out would revoke the token the other requests use.
    operations = [op for op in operations
                  if (op.method.upper(), op.path) != ("DELETE", "/api/v1/tokens")]

    for operation in operations:
        @settings(max_examples=25, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def exercise(case):
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append((case.method, case.formatted_path, case.query, case.body,
                                 response.status_code, response.text[:300]))
            elif response.status_code >= 400:
                body = response.json()
                assert body["code"] and body["message"], body

        exercise()
    assert failures == []
