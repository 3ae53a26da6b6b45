"""Every answer carries the security headers; a form whose CSRF token failed gets a page."""

import re

import pytest
from checks import BROWSER, assert_refused_page
from factories import PASSWORD

from inventory.base import ROOT


@pytest.mark.parametrize("path", ["/login", "/", "/api/v1/me", "/static/app.css",
                                  "/api/v1/docs", "/healthz", "/no-such-page"])
def test_every_answer_carries_the_security_headers(client, world, path):
    headers = world.headers("admin") if path.startswith("/api/v1/me") else BROWSER
    response = client.get(path, headers=headers)
    response.close()  # a static file is streamed
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP


def test_over_https_browsers_are_told_to_keep_to_https(client):
    response = client.get("/login", base_url="https://reserves.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_template_has_an_inline_script_style_or_event_handler():
    inline = re.compile(r"<script(?![^>]*\b(src|type=\"application/json\")=?)[^>]*>|<style\b|"
                        r"\sstyle=\"|\son[a-z]+=\"", re.I)
    found = [f"{path.relative_to(ROOT)}: {match.group(0)}"
             for path in (ROOT / "templates").rglob("*.html")
             for match in inline.finditer(path.read_text())]
    assert found == []


@pytest.mark.parametrize("accept", [BROWSER["Accept"], "*/*", "application/json"])
def test_a_form_whose_csrf_token_failed_is_answered_with_a_page(app, world, accept):
    app.config["WTF_CSRF_ENABLED"] = True
    browser = app.test_client()
    response = browser.post("/login", headers={"Accept": accept},
                            data={"username": "keeper", "password": PASSWORD})
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert_refused_page(response, 400, "表单已过期或缺少安全令牌")
    assert "/login" in browser.get("/").headers["Location"]  # not logged in


def test_secure_cookies_when_the_setting_says_so(app, world):
    app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    response = app.test_client().post(
        "/login", base_url="https://reserves.example",
        data={"username": "keeper", "password": PASSWORD, "remember": "on"})
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 2 and all("Secure" in c and "HttpOnly" in c for c in cookies)


def test_a_page_asked_for_with_a_bearer_token_renders_and_sets_no_cookie(client, world):
    response = client.get("/", headers=world.headers("admin") | BROWSER)
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    missing = client.get("/labels.pdf?lot=999999", headers=world.headers("admin") | BROWSER)
    assert missing.status_code == 404 and "Set-Cookie" not in missing.headers
