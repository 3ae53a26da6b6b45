"""A crawler for the pages: follows the links a user sees, as a logged-in user would."""

import re
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urlsplit

from werkzeug.exceptions import HTTPException

#: the demo county's logins (README), by role
DEMO_USERS = {"admin": ("admin", "demo-admin"), "bureau": ("bureau", "demo-bureau"),
              "planner": ("planner", "demo-planner"), "auditor": ("auditor", "demo-auditor"),
              "keeper": ("keeper01", "demo-keeper"),
              "township keeper": ("keeper-t01", "demo-keeper")}
HREF = re.compile(r'href="([^"]+)"')
#: links that change the session or leave the pages rather than show one
SKIPPED_PREFIXES = ("/lang/", "/logout", "/static/", "/vendor/", "/api/v1/openapi.json")


@dataclass
class Visit:
    path: str
    status: int
    content_type: str
    body: bytes


@dataclass
class Crawl:
    visits: list[Visit] = field(default_factory=list)

    def failures(self) -> list[tuple[str, int]]:
        """Name every page that answered a server error."""
        return [(visit.path, visit.status) for visit in self.visits if visit.status >= 500]

    def pages(self) -> list[Visit]:
        """The HTML pages visited, answered 200."""
        return [visit for visit in self.visits
                if visit.status == 200 and visit.content_type.startswith("text/html")]


def _links(base: str, html: str) -> list[str]:
    links = []
    for href in HREF.findall(html):
        href = urldefrag(href.replace("&amp;", "&"))[0]
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not href.startswith("/"):
            continue
        if href.startswith(SKIPPED_PREFIXES):
            continue
        links.append(href)
    return links


def run_the_headline(session) -> None:
    """Run the demo's headline scenarios as its planner (jobs run where they are queued in
    the tests), so a crawl reaches the results, their files and the headline's figures."""
    from sqlalchemy import select

    from inventory.auth.models import User
    from inventory.planning import headline

    planner = session.scalar(select(User).where(User.username == DEMO_USERS["planner"][0]))
    headline.run_headline(session, planner)


def crawl(app, client, start: str = "/", depth: int = 3, per_endpoint: int = 4) -> Crawl:
    """Visit the pages reachable from ``start`` within ``depth`` clicks.

    Every link of the start page (the navigation and the home page) is visited; further down,
    at most ``per_endpoint`` pages of each route, so a county of 80 depots and 500 lots is
    covered by kind of page rather than page by page.
    """
    adapter = app.url_map.bind("localhost")
    seen: set[str] = set()
    per_route: dict[str, int] = {}
    result = Crawl()
    frontier = [start]
    for level in range(depth + 1):
        following = []
        for path in frontier:
            if path in seen:
                continue
            seen.add(path)
            try:
                endpoint = adapter.match(urlsplit(path).path)[0]
            except HTTPException:
                endpoint = path
            if level > 1:
                if per_route.get(endpoint, 0) >= per_endpoint:
                    continue
            per_route[endpoint] = per_route.get(endpoint, 0) + 1
            response = client.get(path)
            visit = Visit(path, response.status_code, response.content_type or "",
                          response.data)
            result.visits.append(visit)
            if visit.content_type.startswith("text/html") and visit.status == 200:
                following += _links(path, response.get_data(as_text=True))
        frontier = following
    return result


def logged_in(app, username, password):
    """A test client logged in to the pages."""
    client = app.test_client()
    answer = client.post("/login", data={"username": username, "password": password})
    assert answer.status_code == 302, f"{username} could not log in"
    return client
