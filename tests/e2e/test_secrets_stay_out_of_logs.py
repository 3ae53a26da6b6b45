"""Passwords, bearer tokens and secrets never reach the logs or the exports, and a database
error logged at error level does not carry the statement's parameters."""

import logging

import pytest
from checks import BROWSER
from factories import PASSWORD
from sqlalchemy import text

from inventory.db import db

NEW_PASSWORD = "a brand new password 42"


def test_logins_tokens_and_password_changes_leave_no_secret_in_logs_or_the_trail(
        app, client, world, caplog):
    caplog.set_level(logging.DEBUG)
    token = client.post("/api/v1/tokens", json={"username": "keeper",
                                                "password": PASSWORD}).json["token"]
    client.post("/api/v1/tokens", json={"username": "keeper", "password": "wrong " + PASSWORD})
    client.post("/api/v1/users/planner/password", headers=world.headers("admin"),
                json={"password": NEW_PASSWORD})
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    client.delete("/api/v1/tokens", headers={"Authorization": f"Bearer {token}"})
    client.post("/login", data={"username": "bureau", "password": PASSWORD})
    trail = client.get("/api/v1/audit-events.csv", headers=world.headers("auditor"))
    assert trail.status_code == 200
    exported = trail.get_data(as_text=True)
    assert "token.create" in exported and "user.password_reset" in exported
    secrets = [PASSWORD, NEW_PASSWORD, token, *world.tokens.values(),
               app.config["SECRET_KEY"], app.config["LABEL_SECRET"], "$argon2"]
    for secret in secrets:
        assert secret not in caplog.text
        assert secret not in exported


@pytest.mark.fresh_app  # it adds a route to its app
def test_a_failing_statement_is_logged_without_its_parameters(app, client, world, caplog):
    @app.get("/test-only/failing-statement")
    def failing_statement():
        # A value the driver cannot bind fails the statement with all its parameters.
        db.session.execute(text("SELECT :name AS typed, :other AS unbindable"),
                           {"name": "rsv_a-token-someone-typed", "other": object()})

    caplog.set_level(logging.ERROR)
    client.post("/login", data={"username": "admin", "password": PASSWORD})
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/test-only/failing-statement", headers=BROWSER)
    assert response.status_code == 500
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert logged, "the failure was logged"
    text_logged = caplog.text
    assert "SELECT" in text_logged
    assert "rsv_a-token-someone-typed" not in text_logged
    assert "parameters hidden" in text_logged
