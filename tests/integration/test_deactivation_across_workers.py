"""Deactivating a user ends their web session and remember-me cookie at once in every
gunicorn worker, not only in the one that made the change."""

import http.cookiejar
import json
import re
import shutil
import urllib.error
import urllib.request

import pytest
from apps import _config
from factories import PASSWORD, make_world
from servers import gunicorn, server_environment

from inventory import create_app
from inventory.db import db


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def browser():
    """A client with its own cookies that shows redirects instead of following them."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    return opener, jar


def fetch(opener, url, data=None, headers=None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


@pytest.mark.slow
def test_a_deactivated_keeper_is_logged_out_in_every_worker_at_once(sqlite_template, tmp_path):
    path = tmp_path / "reserves.sqlite3"
    shutil.copy(sqlite_template, path)
    app = create_app(_config(f"sqlite:///{path}", tmp_path))
    with app.app_context():
        admin_token = make_world(db.session).tokens["admin"]
        db.session.remove()
        db.engine.dispose()
    with gunicorn(server_environment(path, tmp_path), workers=2) as port:
        base = f"http://127.0.0.1:{port}"
        keeper, jar = browser()
        _, _, page = fetch(keeper, f"{base}/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        form = f"csrf_token={token}&username=keeper&password={PASSWORD}&remember=on".replace(
            " ", "+").encode()
        status, _, _ = fetch(keeper, f"{base}/login", form,
                             {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302 and {c.name for c in jar} >= {"session", "remember_token"}
        assert all(fetch(keeper, f"{base}/")[0] == 200 for _ in range(6))
        admin = urllib.request.build_opener()
        request = urllib.request.Request(
            f"{base}/api/v1/users/keeper", method="PATCH",
            data=json.dumps({"active": False}).encode(),
            headers={"Authorization": f"Bearer {admin_token}",
                     "Content-Type": "application/json"})
        with admin.open(request, timeout=10) as response:
            assert response.status == 200
        # New connections each time: the requests fall on both workers.
        answers = [fetch(keeper, f"{base}/") for _ in range(6)]
        assert all(status == 302 and "/login" in headers["Location"]
                   for status, headers, _ in answers)
        # The remember-me cookie alone does not log the keeper back in either.
        for cookie in [c for c in jar if c.name == "session"]:
            jar.clear(cookie.domain, cookie.path, cookie.name)
        status, headers, _ = fetch(keeper, f"{base}/")
        assert status == 302 and "/login" in headers["Location"]
