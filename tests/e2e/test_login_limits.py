"""Logging in: the message never tells whether a user exists, repeated failures lock the
username out for a while, one address cannot try without end, sessions and bearer tokens
expire."""

import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import limits.storage.memory
import pytest
from checks import BROWSER
from factories import PASSWORD
from itsdangerous import TimestampSigner

from inventory.auth.models import ApiToken
from inventory.auth.services import _digest
from inventory.db import db

WRONG = "not the password at all"


pytestmark = pytest.mark.usefixtures("each_request_finds_its_own_user")


@pytest.fixture
def limits_as_deployed(app):
    """The login limits a server has by default (the tests' own are generous)."""
    app.config.update(LOGIN_RATE_LIMIT="20 per minute", LOGIN_LOCKOUT_FAILURES=5,
                      LOGIN_LOCKOUT_MINUTES=15)
    return app


@pytest.fixture
def clock(monkeypatch):
    """The rate limiter's clock (its memory storage), moved by hand."""
    now = [time.time()]
    monkeypatch.setattr(limits.storage.memory, "time", SimpleNamespace(time=lambda: now[0]))
    return now


def api_login(client, username, password, language="zh"):
    return client.post("/api/v1/tokens", json={"username": username, "password": password},
                       headers={"Accept-Language": language})


def test_a_failed_api_login_says_the_password_is_wrong_in_chinese_and_english(client, world):
    zh = api_login(client, "keeper", WRONG)
    assert zh.status_code == 401
    assert zh.get_json()["message"] == "用户名或密码错误。"
    en = api_login(client, "keeper", WRONG, "en")
    assert en.get_json()["message"] == "Wrong username or password."


def test_a_failed_login_reads_the_same_whether_or_not_the_user_exists(client, world):
    known, unknown = api_login(client, "keeper", WRONG), api_login(client, "nobody", WRONG)
    assert (known.status_code, known.get_json()) == (unknown.status_code, unknown.get_json())
    known = client.post("/login", data={"username": "keeper", "password": WRONG})
    unknown = client.post("/login", data={"username": "nobody", "password": WRONG})
    assert known.status_code == unknown.status_code == 401
    assert known.get_data() == unknown.get_data().replace(b"nobody", b"keeper")


@pytest.mark.parametrize("username", ["keeper", "nobody"])
def test_repeated_failures_lock_the_username_out_with_the_same_answer(
        limits_as_deployed, client, world, username):
    for _ in range(5):
        assert api_login(client, username, WRONG).status_code == 401
    locked = api_login(client, username, PASSWORD if username == "keeper" else WRONG)
    assert locked.status_code == 429
    assert locked.get_json() == {"code": "too_many_requests", "status": 429, "errors": {},
                                 "message": "登录尝试过多，请 15 分钟后再试。"}
    page = client.post("/login", data={"username": username, "password": PASSWORD})
    assert page.status_code == 429 and "15 分钟后再试" in page.get_data(as_text=True)
    assert api_login(client, "planner", PASSWORD).status_code == 201  # others go on


def test_a_locked_out_username_may_log_in_again_once_the_minutes_pass(
        limits_as_deployed, client, world, clock):
    for _ in range(5):
        api_login(client, "keeper", WRONG)
    assert api_login(client, "keeper", PASSWORD).status_code == 429
    clock[0] += 14 * 60
    assert api_login(client, "keeper", PASSWORD).status_code == 429
    clock[0] += 61
    assert api_login(client, "keeper", PASSWORD).status_code == 201


def test_a_successful_login_forgets_the_earlier_failures(limits_as_deployed, client, world):
    for _ in range(4):
        api_login(client, "keeper", WRONG)
    assert api_login(client, "keeper", PASSWORD).status_code == 201
    for _ in range(4):
        assert api_login(client, "keeper", WRONG).status_code == 401
    assert api_login(client, "keeper", PASSWORD).status_code == 201


def test_one_address_may_try_only_so_many_logins_a_minute(app, client, world, clock):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    for username in ("keeper", "planner", "bureau"):
        assert api_login(client, username, PASSWORD).status_code == 201
    refused = api_login(client, "admin", PASSWORD)
    assert refused.status_code == 429 and refused.get_json()["code"] == "too_many_requests"
    elsewhere = client.post("/api/v1/tokens", json={"username": "admin", "password": PASSWORD},
                            environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert elsewhere.status_code == 201
    clock[0] += 61
    assert api_login(client, "admin", PASSWORD).status_code == 201


def test_a_bearer_token_carries_its_expiry_and_stops_working_after_it(app, client, world):
    answer = api_login(client, "keeper", PASSWORD).get_json()
    expires = datetime.fromisoformat(answer["expires_at"])
    assert timedelta(days=89) < expires - datetime.now(UTC) <= timedelta(days=90)
    headers = {"Authorization": f"Bearer {answer['token']}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    record = db.session.scalar(db.select(ApiToken).where(
        ApiToken.token_hash == _digest(answer["token"])))
    record.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    app.extensions["token_cache"].forget()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_the_token_lifetime_is_a_setting(app, client, world):
    app.config["API_TOKEN_LIFETIME_DAYS"] = 1
    answer = api_login(client, "keeper", PASSWORD).get_json()
    left = datetime.fromisoformat(answer["expires_at"]) - datetime.now(UTC)
    assert timedelta(hours=23) < left <= timedelta(days=1)


def test_a_token_for_an_integration_may_work_until_revoked(app, world):
    result = app.test_cli_runner().invoke(args=["create-token", "bureau", "--days", "0"])
    token = result.output.strip()
    record = db.session.scalar(db.select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    assert record.expires_at is None
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert client.delete("/api/v1/tokens", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_web_session_expires_after_its_lifetime(app, world, monkeypatch):
    # The session cookie's signing clock, moved by hand.
    now = [int(time.time())]
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now[0])
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=10)
    keeper = app.test_client()
    assert keeper.post("/login", data={"username": "keeper",
                                       "password": PASSWORD}).status_code == 302
    now[0] += 9 * 60
    assert keeper.get("/", headers=BROWSER).status_code == 200
    now[0] += 10 * 60 + 1
    page = keeper.get("/", headers=BROWSER)
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_logging_out_over_the_api_without_a_token_is_refused_not_a_failure(app, world):
    from test_users import csrf_token

    keeper = app.test_client()
    keeper.post("/login", data={"username": "keeper", "password": PASSWORD})
    response = keeper.delete("/api/v1/tokens", headers={"X-CSRFToken": csrf_token(keeper)})
    assert response.status_code == 422 and response.get_json()["code"] == "invalid_input"
    assert keeper.get("/", headers=BROWSER).status_code == 200  # the session goes on


@pytest.mark.parametrize("setting", [{"LOGIN_RATE_LIMIT": "twenty a minute"},
                                     {"LOGIN_LOCKOUT_FAILURES": 0}])
def test_a_mistyped_login_limit_stops_the_start_instead_of_turning_the_limit_off(
        tmp_path, setting):
    from apps import _config

    from inventory import create_app

    with pytest.raises(ValueError):
        create_app(_config(f"sqlite:///{tmp_path}/db.sqlite3", tmp_path) | setting)
