"""Configuration from environment variables, with safe defaults for a laptop."""

import os
from pathlib import Path


def default_sqlite_url(instance_path: str) -> str:
    """Return the URL of the embedded SQLite database under the instance folder."""
    return "sqlite:///" + str(Path(instance_path) / "reserves.sqlite3")


def default_jobs_url(instance_path: str) -> str:
    """Return the URL of the jobs queue's SQLite file under the instance folder."""
    return "sqlite:///" + str(Path(instance_path) / "jobs.sqlite3")


def from_environment(instance_path: str) -> dict:
    """Read settings from the environment (see README, section Configuration)."""
    return {
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
        # Keepers stay logged in on their phones for a month (“remember me”).
        "REMEMBER_COOKIE_DURATION": 30 * 86400,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SAMESITE": "Lax",
    }


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
