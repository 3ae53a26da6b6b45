"""A short-lived, per-process memory of resolved bearer tokens.

Every API request carries a bearer token. Resolving it means a query that joins the
token, its user and the user's depots, which costs as much as the stock movement the
request makes. A keeper's phone and a bureau's integration send many requests with
one token, so each worker process remembers a resolved token for a few seconds
(``API_TOKEN_CACHE_SECONDS``, 10 by default, 0 to turn it off).

What that costs: a token revoked, a user deactivated or a keeper's depots changed take
effect in the process that made the change at once, and in the other worker processes
within those seconds.
"""

import threading
import time
from dataclasses import dataclass

from sqlalchemy import inspect
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from inventory.auth.models import User
from inventory.geo.models import Depot


@dataclass(frozen=True)
class _Snapshot:
    """The column values of a user and of their depots, as loaded."""

    user: dict
    depots: tuple[dict, ...]
    expires: float


def _columns(instance) -> dict:
    mapper = inspect(type(instance))
    return {attr.key: getattr(instance, attr.key) for attr in mapper.column_attrs}


class TokenCache:
    """Resolved tokens by digest, each kept for ``seconds``; safe to share between threads."""

    def __init__(self, seconds: float, *, clock=time.monotonic, size: int = 10_000):
        self.seconds = seconds
        self._clock = clock
        self._size = size
        self._entries: dict[str, _Snapshot] = {}
        self._lock = threading.Lock()

    def remember(self, digest: str, user: User) -> None:
        """Keep the user (with their depots) that the token digest resolved to."""
        if self.seconds <= 0:
            return
        snapshot = _Snapshot(_columns(user), tuple(_columns(d) for d in user.depots),
                             self._clock() + self.seconds)
        with self._lock:
            if len(self._entries) >= self._size:
                self._entries.clear()  # a flood of distinct tokens: start afresh
            self._entries[digest] = snapshot

    def recall(self, session, digest: str) -> User | None:
        """Return the remembered user, attached to the session, or None when not fresh."""
        snapshot = self._entries.get(digest)
        if snapshot is None:
            return None
        if snapshot.expires <= self._clock():
            self.forget(digest)
            return None
        return _revive(session, snapshot)

    def forget(self, digest: str | None = None) -> None:
        """Forget one token, or every token when no digest is given."""
        with self._lock:
            if digest is None:
                self._entries.clear()
            else:
                self._entries.pop(digest, None)


def _revive(session, snapshot: _Snapshot) -> User:
    """Rebuild the user and depots as persistent objects of the session, without a query.

    Objects the session already holds (a session that outlives one request) are reused.
    """
    held = session.identity_map.get(identity_key(User, snapshot.user["id"]))
    if held is not None:
        return held
    depots = []
    for values in snapshot.depots:
        depot = session.identity_map.get(identity_key(Depot, values["id"]))
        if depot is None:
            depot = Depot(**values)
            make_transient_to_detached(depot)
        depots.append(depot)
    user = User(**snapshot.user)
    user.depots = depots
    make_transient_to_detached(user)  # as though just loaded: nothing to write back
    session.add(user)
    return user
