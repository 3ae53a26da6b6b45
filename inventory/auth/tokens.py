"""Who an API request acts for, and a short-lived, per-process memory of resolved tokens.

Every API request carries a bearer token. Resolving it means a query that joins the
token, its user and the user's depots, which costs as much as the stock movement the
request makes. A keeper's phone and a bureau's integration send many requests with
one token, so each worker process remembers a resolved token for a few seconds
(``API_TOKEN_CACHE_SECONDS``, 10 by default, 0 to turn it off).

A token revoked, a user deactivated, their tokens revoked or their role or depots changed
takes effect at once in the process that made the change and within ``EPOCH_SECONDS`` in
every other: each such change adds a row to ``token_changes`` in its transaction, and a
remembered token counts only while the newest row's id (the epoch) is the one it was resolved
at. The epoch is read at most every ``EPOCH_SECONDS`` per process: read on every request it
took a third of the stock path's throughput.
"""

import threading
import time
from dataclasses import dataclass

from flask import current_app

from inventory.stock.domain import DepotRef

#: how often a worker process reads the token epoch (the longest a change made in another
#: process goes unseen)
EPOCH_SECONDS = 0.25


@dataclass(frozen=True)
class Principal:
    """The user an API token acts for: plain values, shared safely between requests."""

    id: int
    username: str
    display_name: str | None
    role: str
    active: bool
    #: the depots a keeper looks after
    depots: tuple[DepotRef, ...]

    @classmethod
    def of(cls, user) -> "Principal":
        """Take the values of a loaded user and their depots."""
        return cls(user.id, user.username, user.display_name, user.role, user.active,
                   tuple(DepotRef(d.id, d.code, d.name) for d in user.depots))


class TokenCache:
    """Resolved tokens by digest, each kept for ``seconds``; safe to share between threads."""

    def __init__(self, seconds: float, *, clock=time.monotonic, size: int = 10_000):
        self.seconds = seconds
        self._clock = clock
        self._size = size
        self._entries: dict[str, tuple[float, Principal]] = {}
        #: the epoch every remembered token was resolved at
        self._epoch: int | None = None
        #: the epoch as last read, and when
        self._read: tuple[float, int] | None = None
        self._lock = threading.Lock()

    def epoch(self, read) -> int:
        """Return the token epoch, calling ``read()`` for it at most every ``EPOCH_SECONDS``."""
        now = self._clock()
        last = self._read
        if last is None or now - last[0] >= EPOCH_SECONDS:
            last = self._read = (now, read())
        return last[1]

    def epoch_changed(self) -> None:
        """This process made a change: read the epoch afresh at the next request."""
        self._read = None

    @property
    def enabled(self) -> bool:
        return self.seconds > 0

    def remember(self, digest: str, principal: Principal, epoch: int | None = None) -> None:
        """Keep what the token digest resolved to at ``epoch`` (see :meth:`recall`)."""
        if self.seconds <= 0:
            return
        with self._lock:
            if epoch != self._epoch:
                # Tokens resolved at another epoch may be stale (or this one is).
                self._entries.clear()
                self._epoch = epoch
            if len(self._entries) >= self._size:
                self._entries.clear()  # a flood of distinct tokens: start afresh
            self._entries[digest] = (self._clock() + self.seconds, principal)

    def recall(self, digest: str, epoch: int | None = None) -> Principal | None:
        """Return what the token resolved to, or None when it is not remembered, too old or
        resolved before a change at another epoch (then every token is forgotten)."""
        if epoch != self._epoch:
            self.forget()
            return None
        entry = self._entries.get(digest)
        if entry is None:
            return None
        if entry[0] <= self._clock():
            self.forget(digest)
            return None
        return entry[1]

    def forget_user(self, user_id: int) -> None:
        """Forget every token of one user (deactivated, role or depots changed)."""
        self.epoch_changed()
        with self._lock:
            for digest in [d for d, (_, p) in self._entries.items() if p.id == user_id]:
                del self._entries[digest]

    def forget(self, digest: str | None = None) -> None:
        """Forget one token, or every token when no digest is given."""
        with self._lock:
            if digest is None:
                self._entries.clear()
            else:
                self._entries.pop(digest, None)


def token_cache() -> "TokenCache":
    """Return this process's memory of resolved bearer tokens (the app builds it)."""
    return current_app.extensions["token_cache"]
