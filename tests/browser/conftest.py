"""A live server and a real browser: Playwright driving Debian's Chromium, headless."""

import os
import shutil
import threading
from pathlib import Path

import pytest
from apps import _config, copy_database
from werkzeug.serving import make_server

from inventory import create_app
from inventory.db import db

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
HERE = Path(__file__).parent


#: The development server's threads leave the file of a static response the browser abandoned
#: (a page closed mid-download) to the garbage collector; gunicorn serves the app in production.
ABANDONED_STATIC_FILE = ("ignore:Exception ignored in. <_io.FileIO name=.*/static/"
                         ":pytest.PytestUnraisableExceptionWarning")


def pytest_collection_modifyitems(config, items):
    """Mark every browser test slow: each serves its own new database to a real Chromium."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.slow)
            item.add_marker(pytest.mark.filterwarnings(ABANDONED_STATIC_FILE))


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs Chromium at {CHROMIUM} (scripts/test installs it)")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def no_content_security_policy_violations(request, monkeypatch):
    """Fail a test whose pages broke the Content-Security-Policy: Chromium reports each script,
    style or frame it refused on the console."""
    if "browser" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    violations = []
    new_context = browser.new_context

    def watched_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.on("console", lambda message: violations.append(message.text)
                   if "Content Security Policy" in message.text else None)
        return context

    monkeypatch.setattr(browser, "new_context", watched_context)
    yield violations
    assert violations == [], "the pages broke the Content-Security-Policy"


@pytest.fixture
def live_app(sqlite_template, tmp_path):
    """The app on its own SQLite file, served by a threaded server on a free port."""
    path = tmp_path / "live.sqlite3"
    copy_database(sqlite_template, path)
    app = create_app(_config(f"sqlite:///{path}", tmp_path) | {"WTF_CSRF_ENABLED": True})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
    with app.app_context():
        yield app
        db.session.remove()
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def live_world(live_app):
    from factories import make_world

    return make_world(db.session)


@pytest.fixture
def phone(browser, live_app):
    """A phone-sized browser context (390 × 844)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="zh-CN",
                                  base_url=live_app.config["LIVE_URL"])
    yield context
    context.close()
