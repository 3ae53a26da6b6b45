"""The flask command line: users, tokens and the database."""

from sqlalchemy import inspect

from inventory.auth.services import authenticate, user_for_token
from inventory.db import db


def test_create_user_reads_the_password_from_stdin(app, world):
    result = app.test_cli_runner().invoke(
        args=["create-user", "li.keeper", "--role", "keeper", "--depot", "TS-01"],
        input="a-long-password\n")
    assert result.exit_code == 0, result.output
    user = authenticate(db.session, "li.keeper", "a-long-password")
    assert user.role == "keeper" and [d.code for d in user.depots] == ["TS-01"]


def test_create_user_refuses_an_unknown_depot_with_a_message(app, world):
    result = app.test_cli_runner().invoke(
        args=["create-user", "x", "--role", "keeper", "--depot", "NOPE"], input="a-long-password\n")
    assert result.exit_code == 2
    assert "NOPE" in result.output and "Traceback" not in result.output


def test_create_token_prints_a_working_bearer_token(app, world):
    result = app.test_cli_runner().invoke(args=["create-token", "auditor"])
    assert result.exit_code == 0
    assert user_for_token(db.session, result.output.strip()).username == "auditor"


def test_init_db_is_idempotent(app):
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "stock_movements" in inspect(db.engine).get_table_names()
