"""Configuration from environment variables, with safe defaults for a laptop."""

import os
from pathlib import Path


def default_sqlite_url(instance_path: str) -> str:
    """Return the URL of the embedded SQLite database under the instance folder."""
    return "sqlite:///" + str(Path(instance_path) / "reserves.sqlite3")


def default_jobs_url(instance_path: str) -> str:
    """Return the URL of the jobs queue's SQLite file under the instance folder."""
    return "sqlite:///" + str(Path(instance_path) / "jobs.sqlite3")


#: secret keys seen in examples and tests, refused in production whatever their length
KNOWN_WEAK_SECRETS = {"dev", "secret", "changeme", "change-me", "test-secret", "secret-key",
                      "development", "please-change-me"}
MIN_SECRET_LENGTH = 32


class UnsafeConfiguration(RuntimeError):
    """Production settings that would expose the installation; the app refuses to start."""


def from_environment(instance_path: str) -> dict:
    """Read settings from the environment (see README, section Configuration)."""
    production = os.environ.get("RESERVES_ENV", "development") == "production"
    return {
        # "production" makes the app refuse weak settings (check_production) and mark its
        # cookies Secure unless SECURE_COOKIES says otherwise.
        "RESERVES_ENV": os.environ.get("RESERVES_ENV", "development"),
        # Production needs the key from the environment, so that every machine behind the
        # load balancer signs alike; a laptop gets one generated into the instance folder.
        "SECRET_KEY_FROM_ENVIRONMENT": bool(os.environ.get("SECRET_KEY")),
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _instance_secret(instance_path),
        # Signs QR labels; kept apart from SECRET_KEY so printed labels outlive key rotation.
        "LABEL_SECRET": os.environ.get("LABEL_SECRET")
        or _instance_secret(instance_path, "label_secret"),
        # Public address printed in QR labels (default: the address the request came in on).
        "PUBLIC_URL": os.environ.get("PUBLIC_URL"),
        # Keys the hash of recipients' ID numbers (inventory/distribution); empty: derived from
        # SECRET_KEY. Changing it breaks the repeat check against earlier distributions.
        "DISTRIBUTION_ID_KEY": os.environ.get("DISTRIBUTION_ID_KEY"),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL")
        or default_sqlite_url(instance_path),
        # No ping before each request (a round trip a stock movement cannot afford): after a
        # database restart each worker answers one request with 503 "retry", as clients do.
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_pre_ping": os.environ.get("DATABASE_PRE_PING", "0") == "1",
            "pool_recycle": 1800,
        },
        # Seconds a worker process remembers a resolved bearer token (inventory/auth/tokens.py).
        "API_TOKEN_CACHE_SECONDS": float(os.environ.get("API_TOKEN_CACHE_SECONDS", "10")),
        "SEAL_INTERVAL_HOURS": int(os.environ.get("SEAL_INTERVAL_HOURS", "24")),
        # The cost of password hashing (argon2id); the defaults are argon2's own.
        "PASSWORD_HASH_TIME_COST": int(os.environ.get("PASSWORD_HASH_TIME_COST", "3")),
        "PASSWORD_HASH_MEMORY_KIB": int(os.environ.get("PASSWORD_HASH_MEMORY_KIB", "65536")),
        "PASSWORD_HASH_PARALLELISM": int(os.environ.get("PASSWORD_HASH_PARALLELISM", "4")),
        # How many days back a device may date a movement (an offline phone's queue).
        "MOVEMENT_BACKDATE_DAYS": float(os.environ.get("MOVEMENT_BACKDATE_DAYS", "7")),
        # The background jobs' queue (inventory/jobs/queue.py): a SQLite file by default,
        # redis://host:port/db to share one queue between machines.
        "JOBS_URL": os.environ.get("JOBS_URL") or default_jobs_url(instance_path),
        "JOBS_NAME": os.environ.get("JOBS_NAME", "reserves"),
        "JOBS_WORKERS": int(os.environ.get("JOBS_WORKERS", "2")),
        # Run each job at once where it is queued (unit tests); no consumer is needed.
        "JOBS_IMMEDIATE": os.environ.get("JOBS_IMMEDIATE", "0") == "1",
        "API_TITLE": "县级应急物资储备 API / County emergency reserves API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "/docs",
        # swagger-ui-dist from the npm registry (package.json), served by the app itself
        "OPENAPI_SWAGGER_UI_URL": "/vendor/swagger-ui-dist/",
        "API_SPEC_OPTIONS": {
            "components": {
                "securitySchemes": {
                    "bearer": {"type": "http", "scheme": "bearer"},
                }
            },
            "security": [{"bearer": []}],
        },
        "JSON_AS_ASCII": False,
        # The scan screen's CSRF token lives as long as the session, so actions queued
        # offline can still be sent hours later.
        "WTF_CSRF_TIME_LIMIT": None,
        # Keepers stay logged in on their phones for a month (“remember me”); without it a
        # session ends SESSION_LIFETIME_HOURS after logging in.
        "REMEMBER_COOKIE_DURATION": int(float(os.environ.get("REMEMBER_DAYS", "30")) * 86400),
        "PERMANENT_SESSION_LIFETIME": int(
            float(os.environ.get("SESSION_LIFETIME_HOURS", "12")) * 3600),
        # A web session with no request for this many minutes ends (inventory/auth/idle.py);
        # 0: never for idling. A remember-me cookie still logs its phone back in.
        "SESSION_IDLE_MINUTES": float(os.environ.get("SESSION_IDLE_MINUTES", "30")),
        # A bearer token issued at login works this many days (0: until revoked).
        "API_TOKEN_LIFETIME_DAYS": float(os.environ.get("API_TOKEN_LIFETIME_DAYS", "90")),
        # Logins per client address, and the lock-out of a username after repeated failures
        # (inventory/auth/throttle.py); the counts live in RATELIMIT_STORAGE_URI.
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "20 per minute"),
        "LOGIN_LOCKOUT_FAILURES": int(os.environ.get("LOGIN_LOCKOUT_FAILURES", "5")),
        "LOGIN_LOCKOUT_MINUTES": int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")),
        # memory:// counts per worker process; redis://host:6379/1 shares the counts between
        # gunicorn workers and machines.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        # How many proxies (nginx) stand in front and set X-Forwarded-For; the login limit
        # counts per client address, which behind a proxy only the header tells.
        "PROXY_COUNT": int(os.environ.get("PROXY_COUNT", "0")),
        # Larger request bodies are answered 413 before they are read.
        "MAX_CONTENT_LENGTH": int(float(os.environ.get("MAX_REQUEST_MB", "16")) * 1024 * 1024),
        # Imports (inventory/imports/services.py): the file, its unpacked workbook, its rows.
        "IMPORT_MAX_MB": float(os.environ.get("IMPORT_MAX_MB", "5")),
        "IMPORT_MAX_UNPACKED_MB": float(os.environ.get("IMPORT_MAX_UNPACKED_MB", "50")),
        "IMPORT_MAX_ROWS": int(os.environ.get("IMPORT_MAX_ROWS", "50000")),
        # The most labels one PDF sheet holds; a larger selection is refused, never cut short.
        "LABELS_MAX": int(os.environ.get("LABELS_MAX", "1000")),
        # How long the first answer to an Idempotency-Key is kept for retries
        # (``purge-idempotency``); well past MOVEMENT_BACKDATE_DAYS, the oldest queued action.
        "IDEMPOTENCY_RETENTION_DAYS": float(os.environ.get("IDEMPOTENCY_RETENTION_DAYS", "30")),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # Cookies travel over HTTPS only: on by default in production (TLS at nginx).
        "SESSION_COOKIE_SECURE": _flag("SECURE_COOKIES", production),
        "REMEMBER_COOKIE_SECURE": _flag("SECURE_COOKIES", production),
        "SESSION_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_HTTPONLY": True,
    }


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


def check_production(config: dict, *, debug: bool) -> None:
    """Refuse to run a production installation with a weak secret key or in debug mode.

    :raise UnsafeConfiguration: naming every setting to fix.
    """
    if config.get("RESERVES_ENV") != "production":
        return
    problems = []
    secret = str(config.get("SECRET_KEY") or "")
    if not config.get("SECRET_KEY_FROM_ENVIRONMENT"):
        problems.append("SECRET_KEY is not set in the environment (generate one with "
                        "python3 -c 'import secrets; print(secrets.token_hex(32))' and keep it)")
    elif len(secret) < MIN_SECRET_LENGTH or secret.lower() in KNOWN_WEAK_SECRETS \
            or len(set(secret)) < 8:
        problems.append(f"SECRET_KEY is weak (at least {MIN_SECRET_LENGTH} random characters)")
    if debug:
        problems.append("debug mode is on (unset FLASK_DEBUG)")
    if problems:
        raise UnsafeConfiguration(
            "拒绝以生产模式启动 / Refusing to start in production (RESERVES_ENV=production): "
            + "; ".join(problems) + ".")


def _instance_secret(instance_path: str, name: str = "secret_key") -> str:
    """Return one of the installation's secrets, creating it once under the instance folder.

    Secrets sign sessions and QR labels, so they must survive restarts.
    """
    path = Path(instance_path) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(os.urandom(32).hex())
        path.chmod(0o600)
    return path.read_text().strip()
