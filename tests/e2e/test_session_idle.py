"""A web session with no request for SESSION_IDLE_MINUTES ends: pages send the person to the
login page saying why, API calls with the cookie answer 401; a remember-me cookie logs its
phone back in; a busy session still ends SESSION_LIFETIME_HOURS after logging in."""

from datetime import timedelta

import pytest
from checks import BROWSER, assert_refused
from factories import PASSWORD

from inventory.auth import idle
from inventory.db import utcnow

MINUTE = timedelta(minutes=1)


pytestmark = pytest.mark.usefixtures("each_request_finds_its_own_user")


class Clock:
    """The sessions' clock, moved by hand."""

    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now

    def move(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    moved = Clock()
    monkeypatch.setattr(idle, "utcnow", moved)
    return moved


def login(client, username="keeper", remember=False):
    data = {"username": username, "password": PASSWORD}
    if remember:
        data["remember"] = "on"
    response = client.post("/login", data=data)
    assert response.status_code == 302
    return response


def sent_to_login(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_session_idle_for_the_setting_ends_and_the_login_page_says_why(client, world, clock):
    login(client)
    clock.move(minutes=29)
    assert client.get("/", headers=BROWSER).status_code == 200
    clock.move(minutes=29)  # 29 minutes after the last request, not after logging in
    assert client.get("/", headers=BROWSER).status_code == 200
    clock.move(minutes=30)
    page = client.get("/scan/", headers=BROWSER)
    assert sent_to_login(page) and "next=/scan/" in page.headers["Location"]
    login_page = client.get(page.headers["Location"], headers=BROWSER).get_data(as_text=True)
    assert "长时间未操作，登录已结束，请重新登录。" in login_page


def test_the_idle_message_speaks_english_to_an_english_browser(client, world, clock):
    login(client)
    client.set_cookie("lang", "en")
    clock.move(minutes=31)
    page = client.get("/", headers=BROWSER)
    text = client.get(page.headers["Location"], headers=BROWSER)
    assert "Your session ended after a period of inactivity" in text.get_data(as_text=True)


def test_an_api_call_with_an_idle_session_cookie_answers_401(client, world, clock):
    login(client)
    assert client.get("/api/v1/me").status_code == 200
    clock.move(minutes=30)
    assert_refused(client.get("/api/v1/me"), 401, "unauthorized")
    assert_refused(client.get("/api/v1/me"), 401, "unauthorized")  # and stays ended


def test_logging_in_again_after_idling_starts_a_fresh_session(client, world, clock):
    login(client)
    clock.move(minutes=45)
    assert sent_to_login(client.get("/", headers=BROWSER))
    login(client)
    assert client.get("/", headers=BROWSER).status_code == 200


def test_a_remembered_phone_is_logged_back_in_after_idling(client, world, clock):
    login(client, remember=True)
    clock.move(minutes=90)
    assert client.get("/scan/", headers=BROWSER).status_code == 200
    assert client.get("/api/v1/me").get_json()["username"] == "keeper"
    clock.move(minutes=10)
    assert client.get("/api/v1/me").status_code == 200  # the restored session counts anew


def test_a_remembered_phone_whose_cookie_is_gone_is_logged_out_after_idling(
        client, world, clock):
    login(client, remember=True)
    client.delete_cookie("remember_token")
    clock.move(minutes=31)
    assert sent_to_login(client.get("/", headers=BROWSER))


def test_zero_idle_minutes_turns_the_timeout_off(app, client, world, clock):
    app.config["SESSION_IDLE_MINUTES"] = 0
    login(client)
    clock.move(hours=5)
    assert client.get("/", headers=BROWSER).status_code == 200


def test_a_busy_session_still_ends_its_lifetime_after_logging_in(app, client, world, clock):
    login(client)
    for _ in range(12 * 3 - 1):
        clock.move(minutes=20)
        assert client.get("/api/v1/me").status_code == 200
    clock.move(minutes=20)
    assert sent_to_login(client.get("/", headers=BROWSER))


def test_static_files_neither_end_nor_renew_a_session(client, world, clock):
    login(client)
    with client.session_transaction() as session:
        seen = session[idle.LAST_SEEN]
    clock.move(minutes=20)
    with client.get("/static/app.css") as css:
        assert css.status_code == 200
    with client.session_transaction() as session:
        assert session[idle.LAST_SEEN] == seen
    clock.move(minutes=11)
    assert sent_to_login(client.get("/", headers=BROWSER))


def test_requests_within_a_minute_do_not_rewrite_the_cookie(client, world, clock):
    login(client)
    clock.move(minutes=5)
    first = client.get("/api/v1/me")
    assert "session=" in first.headers.get("Set-Cookie", "")
    clock.move(seconds=20)
    again = client.get("/api/v1/me")
    assert "session=" not in again.headers.get("Set-Cookie", "")


@pytest.mark.parametrize(("now", "ended"), [(0, None), (1799, None), (1800, "idle"),
                                            (12 * 3600, "idle")])
def test_why_a_session_ended(now, ended):
    assert idle.why_ended(now, 0, 0, idle_seconds=1800, lifetime_seconds=12 * 3600) == ended


def test_a_session_that_kept_busy_ends_as_expired_not_idle():
    assert idle.why_ended(12 * 3600, 0, 12 * 3600 - 60, idle_seconds=1800,
                          lifetime_seconds=12 * 3600) == "expired"
    assert idle.why_ended(10 ** 6, 0, 0, idle_seconds=0, lifetime_seconds=0) is None


def test_a_session_made_before_the_setting_counts_from_its_next_request(client, world, clock):
    login(client)
    with client.session_transaction() as session:
        del session[idle.LAST_SEEN], session[idle.BEGAN]
    assert client.get("/", headers=BROWSER).status_code == 200
    clock.move(minutes=31)
    assert sent_to_login(client.get("/", headers=BROWSER))
