"""Checks for refused requests: the error says what was refused, and nothing was written.

A refusal is checked by its status and its error code (the API's ``{"code", "status",
"message", "errors"}``, or the page a browser is shown), and the request is wrapped in
``nothing_changes`` so that a refusal that wrote something first fails the test.
"""

import hashlib
import re
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import func, select

from inventory.db import db
from inventory.stock.models import Lot, Movement

#: the Accept header of a browser, which is shown a page rather than a JSON error
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}

HAN = re.compile(r"[\u4e00-\u9fff]")


def table_counts(session) -> dict[str, int]:
    """Return the number of rows of every table of the models, read in one statement (the
    sweeps of bad requests count before and after each of thousands of requests)."""
    tables = db.metadata.sorted_tables
    counts = session.execute(select(*(select(func.count()).select_from(table).scalar_subquery()
                                      for table in tables))).one()
    return {table.name: count for table, count in zip(tables, counts, strict=True)}


#: columns that note a use rather than a change: every request with a bearer token may write
#: when the token was last used, refused or not
USE_NOTES = {("api_tokens", "last_used_at")}


def table_digests(session) -> dict[str, str]:
    """Return a digest of every table's rows, so that an update shows as well as an insert."""
    digests = {}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if (table.name, c.name) not in USE_NOTES]
        rows = sorted(repr(tuple(row)) for row in session.execute(select(*columns)))
        digests[table.name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return digests


def ledger_digest(session) -> dict[str, int | None]:
    """Return the newest ledger row and the units on hand, the figures a keeper would check."""
    return {"newest_movement": session.scalar(select(func.max(Movement.id))),
            "units_on_hand": session.scalar(select(func.coalesce(func.sum(Lot.quantity), 0)))}


@dataclass(frozen=True)
class Snapshot:
    counts: dict[str, int]
    digests: dict[str, str]
    ledger: dict[str, int | None]


def snapshot(session) -> Snapshot:
    """Read what the requests committed, every table of it."""
    # The test client's requests share the test's session: end its transaction so the reads
    # see what was committed, and end the read so no transaction stays open into the request.
    session.rollback()
    taken = Snapshot(table_counts(session), table_digests(session), ledger_digest(session))
    session.rollback()
    return taken


@contextmanager
def nothing_changes(session, but: tuple[str, ...] = ()):
    """Assert that the requests made in the block leave every table as they found it, except
    the tables named in ``but`` (e.g. the audit trail a logged look-up writes to)."""
    before = snapshot(session)
    yield before
    after = snapshot(session)
    changed = {name: f"rows {before.counts[name]} → {after.counts[name]}, contents differ"
               for name in before.digests
               if before.digests[name] != after.digests[name] and name not in but}
    assert not changed, f"a refused request changed {changed}"
    assert after.ledger == before.ledger, f"the ledger moved: {before.ledger} → {after.ledger}"


def assert_refused(response, status: int, code: str) -> dict:
    """Assert an API refusal: its status, the error body with its code, and a readable message.

    The message is in Chinese unless the request preferred English; a 401 names the
    Bearer scheme in ``WWW-Authenticate``, as RFC 9110 asks.
    """
    body = response.get_json(silent=True)
    assert response.status_code == status, (response.status_code, body or response.data[:300])
    assert body is not None and set(body) == {"code", "status", "message", "errors"}, body
    assert (body["code"], body["status"]) == (code, status), body
    english = response.request.accept_languages.best_match(["zh", "en"]) == "en"
    assert body["message"] and bool(HAN.search(body["message"])) is not english, body
    if status == 401:
        assert response.headers.get("WWW-Authenticate") == "Bearer", response.headers
    return body


def assert_refused_page(response, status: int, says: str) -> str:
    """Assert a page refusal: its status, an HTML page, and the words that tell the user why."""
    page = response.get_data(as_text=True)
    assert response.status_code == status, (response.status_code, page[:300])
    assert response.mimetype == "text/html", (response.mimetype, page[:300])
    assert says in page, page
    return page
