"""Slowing down password guessing: logins per client address, and a lock-out per username.

Counts live in Flask-Limiter's storage (``RATELIMIT_STORAGE_URI``): this process's memory by
default, Redis when configured, so that every gunicorn worker and machine counts alike. A
username that failed ``LOGIN_LOCKOUT_FAILURES`` times within ``LOGIN_LOCKOUT_MINUTES`` is
refused, with the right password too, until the oldest of those failures is that old. The
username need not exist: what a client sees never tells whether it does.
"""

import logging

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItemPerMinute, parse
from limits.strategies import MovingWindowRateLimiter

from inventory.errors import DomainError

log = logging.getLogger(__name__)

limiter = Limiter(key_func=get_remote_address)


class LoginThrottled(DomainError):
    """Too many logins from one address, or too many failures for one username."""

    code = "too_many_requests"
    status = 429


def init_app(app) -> None:
    """Bind the limiter's storage; a moving window counts the last minutes exactly.

    :raise ValueError: when LOGIN_RATE_LIMIT is not a limit such as "20 per minute", so that
        a mistyped setting stops the start rather than turning the limit off.
    """
    parse(app.config["LOGIN_RATE_LIMIT"])
    if app.config["LOGIN_LOCKOUT_FAILURES"] < 1 or app.config["LOGIN_LOCKOUT_MINUTES"] < 1:
        raise ValueError("LOGIN_LOCKOUT_FAILURES and LOGIN_LOCKOUT_MINUTES must be at least 1")
    app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    limiter.init_app(app)
    if (app.config.get("RESERVES_ENV") == "production"
            and app.config["RATELIMIT_STORAGE_URI"].startswith("memory")):
        log.warning("RATELIMIT_STORAGE_URI is memory://: each worker process counts failed "
                    "logins on its own; set redis://… so that they count together")


def _counter() -> MovingWindowRateLimiter | None:
    if not limiter.enabled:
        return None
    return MovingWindowRateLimiter(limiter.storage)


def _lockout():
    config = current_app.config
    return RateLimitItemPerMinute(config["LOGIN_LOCKOUT_FAILURES"],
                                  config["LOGIN_LOCKOUT_MINUTES"])


def _refused(minutes: int) -> LoginThrottled:
    return LoginThrottled(f"登录尝试过多，请 {minutes} 分钟后再试。",
                          f"Too many login attempts; try again in {minutes} minutes.")


def before_attempt(username: str, address: str | None) -> None:
    """Count a login attempt from the address and check the username is not locked out.

    :raise LoginThrottled: when the address tried too often or the username is locked out.
    """
    counter = _counter()
    if counter is None:
        return
    try:
        per_address = parse(current_app.config["LOGIN_RATE_LIMIT"])
        if not counter.hit(per_address, "login-address", address or "-"):
            log.warning("login attempts from %s exceed %s", address, per_address)
            raise _refused(1)
        if not counter.test(_lockout(), "login-failures", username[:200]):
            log.warning("login refused: username locked out after repeated failures")
            raise _refused(current_app.config["LOGIN_LOCKOUT_MINUTES"])
    except LoginThrottled:
        raise
    except Exception:  # the shared storage is down: logins go on, unthrottled, and say so
        log.exception("login throttling storage unavailable")


def failed(username: str) -> None:
    """Count a failed login against the username."""
    counter = _counter()
    if counter is None:
        return
    try:
        counter.hit(_lockout(), "login-failures", username[:200])
    except Exception:
        log.exception("login throttling storage unavailable")


def succeeded(username: str) -> None:
    """Forget the username's failures: the person knows the password."""
    counter = _counter()
    if counter is None:
        return
    try:
        counter.clear(_lockout(), "login-failures", username[:200])
    except Exception:
        log.exception("login throttling storage unavailable")
