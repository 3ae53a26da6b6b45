"""Every kind of page, on the demo county, fits a phone (390 × 844) in both languages: the
page never scrolls sideways (wide tables scroll inside their own box)."""

import sys
from pathlib import Path

from login import log_in
from phone_screen import fits, wide_elements

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from crawl import DEMO_USERS, crawl, logged_in  # noqa: E402


def test_every_kind_of_page_fits_a_phone_in_both_languages(demo_copies, phone, live_app):
    demo_copies.load(live_app, headline=True)
    username, password = DEMO_USERS["admin"]
    live_app.config["WTF_CSRF_ENABLED"] = False  # the test client only finds the pages
    client = logged_in(live_app, username, password)
    adapter = live_app.url_map.bind("localhost")
    by_route = {}  # one page of each route: a depot page stands for all 80
    for visit in crawl(live_app, client, depth=2, per_endpoint=1).pages():
        route = adapter.match(visit.path.split("?")[0])[0]
        if not visit.path.startswith("/api/"):
            by_route.setdefault(route, visit.path)
    paths = list(by_route.values())
    live_app.config["WTF_CSRF_ENABLED"] = True
    assert len(paths) > 15
    page = log_in(phone.new_page(), username, password)
    too_wide = []
    for language in ("zh_CN", "en"):
        page.goto(f"/lang/{language}")
        for path in paths:
            page.goto(path)
            if not fits(page):
                too_wide.append((language, path, page.evaluate(
                    "document.documentElement.scrollWidth"), wide_elements(page)[:3]))
    assert too_wide == [], "\n".join(map(str, too_wide))
