"""Web sessions end after ``SESSION_IDLE_MINUTES`` without a request, and
``SESSION_LIFETIME_HOURS`` after logging in however busy they are.

The session keeps when it began and when it last saw a request (UTC seconds since the epoch).
A request to a session past either limit is treated as logged out: the session forgets its
user, so a page sends the person to /login saying why and an API call answers 401. A
remember-me cookie is left alone: it is a keeper's deliberate choice on their own phone, and
Flask-Login logs such a phone back in from it, starting a new session.
"""

from flask import current_app, g, request, session
from flask_login import user_logged_in, user_logged_out

from inventory.db import utcnow

#: the session's keys: when it began, and when it last saw a request
BEGAN, LAST_SEEN = "_began", "_last_seen"
#: the last request's time is written at most this often, so that a burst of requests (the
#: scan screen's queue) does not rewrite the cookie each time; an idle session may thus last
#: up to this much longer than the setting says
STAMP_EVERY = 60
#: what Flask-Login keeps in the session for a logged-in user
LOGIN_KEYS = ("_user_id", "_fresh", "_id")
#: requests that say nothing about a person's activity: files served as they are
QUIET_ENDPOINTS = frozenset({"static", "web.vendor", "web.favicon", "web.healthz",
                             "scan.service_worker", "distribution.service_worker"})


def _now() -> float:
    return utcnow().timestamp()


def _quiet() -> bool:
    return request.endpoint in QUIET_ENDPOINTS or bool(request.headers.get("Authorization"))


def why_ended(now: float, began: float | None, last_seen: float | None, *,
              idle_seconds: float, lifetime_seconds: float) -> str | None:
    """Return "idle" or "expired" when a session with these times has ended, else None."""
    if idle_seconds > 0 and last_seen is not None and now - last_seen >= idle_seconds:
        return "idle"
    if lifetime_seconds > 0 and began is not None and now - began >= lifetime_seconds:
        return "expired"
    return None


def end_stale_session():
    """Forget the user of a session idle or old beyond its limits (before any request)."""
    if _quiet() or "_user_id" not in session:
        return
    ended = why_ended(_now(), session.get(BEGAN), session.get(LAST_SEEN),
                      idle_seconds=current_app.config["SESSION_IDLE_MINUTES"] * 60,
                      lifetime_seconds=current_app.permanent_session_lifetime.total_seconds())
    if ended is None:
        return
    for key in (*LOGIN_KEYS, BEGAN, LAST_SEEN):
        session.pop(key, None)
    g.pop("_login_user", None)
    g.session_ended = ended


def stamp_activity(response):
    """Note the time of a logged-in session's request (after every request)."""
    if _quiet() or "_user_id" not in session:
        return response
    now = _now()
    if BEGAN not in session:  # a session restored from a remember-me cookie begins now
        session[BEGAN] = now
    if now - session.get(LAST_SEEN, 0) >= STAMP_EVERY:
        session[LAST_SEEN] = now
    return response


def _logged_in(app, **kwargs):
    session[BEGAN] = session[LAST_SEEN] = _now()


def _logged_out(app, **kwargs):
    session.pop(BEGAN, None)
    session.pop(LAST_SEEN, None)


def init_app(app) -> None:
    # First of all: no check before it may have loaded the user from the session.
    """End idle web sessions before each request and stamp activity after it."""
    app.before_request_funcs.setdefault(None, []).insert(0, end_stale_session)
    app.after_request(stamp_activity)
    user_logged_in.connect(_logged_in, app)
    user_logged_out.connect(_logged_out, app)
