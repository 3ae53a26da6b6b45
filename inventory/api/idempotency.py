"""Idempotency-Key handling: a retried request gets the first answer and writes nothing new.

The record of the key is written in the same transaction as the request's changes, so a
request that failed leaves no record and may be retried. The record is not looked up
first: a new key (nearly every request) costs one INSERT and nothing else. A repeated
key is met when the attempt fails, at the record's primary key or at its ledger rows'
unique keys (or at a rule such as "not enough stock" that the first attempt's changes now
break); the attempt is rolled back whole and the first answer is replayed. Two concurrent
requests with one key meet the same way: the second waits for the first to commit.

Keys are each user's own: two users (two phones) may pick the same key independently, so the
key is stored, and given to the ledger rows it writes, prefixed with the user's id.
"""

import hashlib
import json
import logging
from datetime import datetime
from functools import wraps

from flask import current_app, g, request
from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError

from inventory.db import DriverStatement, db, utcnow
from inventory.errors import DomainError, IdempotencyKeyReused, InvalidInput
from inventory.stock.models import IdempotencyRecord
from inventory.uow import unit_of_work
from inventory.values import bad_character

log = logging.getLogger(__name__)

_INSERT_RECORD = DriverStatement(insert(IdempotencyRecord.__table__))

HEADER = "Idempotency-Key"
#: where the key of the current request is kept (per request, unlike ``g``)
ENVIRON_KEY = "reserves.idempotency_key"


def request_key() -> str | None:
    """Return the current request's idempotency key, if it has one."""
    return request.environ.get(ENVIRON_KEY)


def header_key() -> str | None:
    """Return the request's Idempotency-Key header, stripped and scoped to the user who sent
    it (``<user id>:<key>``), or None without one.

    :raise InvalidInput: when the key is empty or longer than 200 characters.
    """
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not 1 <= len(key) <= 200 or bad_character(key):
        raise InvalidInput("幂等键须为 1–200 个可打印字符。",
                           "The Idempotency-Key must have 1 to 200 printable characters.",
                           {HEADER: ["1 to 200 printable characters"]})
    return scoped(key, g.user.id)


def scoped(key: str, user_id: int) -> str:
    """Return the key as stored: another user's same key is another key."""
    return f"{user_id}:{key}"


def fingerprint(user_id: int) -> str:
    """Return the digest of who asked for what: the same key with another body is a reuse."""
    body = request.get_json(silent=True)
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    raw = f"{user_id}\n{request.method}\n{request.path}\n{canonical}"
    return hashlib.sha256(raw.encode()).hexdigest()


def record_answer(connection, key: str, user_id: int, fingerprint: str, response) -> None:
    """Write the key's record with the answer, in the request's own transaction: one INSERT."""
    record = {"key": key, "user_id": user_id, "fingerprint": fingerprint,
              "status_code": response.status_code,
              "response": response.get_data(as_text=True), "created_at": utcnow()}
    _INSERT_RECORD.run(connection, record)


def replay(session, key: str, fingerprint: str):
    """Answer a request whose attempt failed (and was rolled back) as its key's first one did.

    Returns None when the key has no record: the failure was the request's own.

    :raise IdempotencyKeyReused: when the key was used for a different request.
    """
    record = session.get(IdempotencyRecord, key)
    if record is None:
        return None
    if record.fingerprint != fingerprint or record.response is None:
        raise IdempotencyKeyReused(
            "该幂等键已用于另一请求；重试时请保持请求内容不变，新操作请使用新的键。",
            "This Idempotency-Key was used for a different request; "
            "retry with the same body, or use a new key for a new action.",
            {"Idempotency-Key": ["used for a different request"]},
        )
    response = current_app.response_class(
        record.response, status=record.status_code, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def answer_once(key: str, attempt):
    """Answer a keyed request: ``attempt(digest)`` makes the changes and writes the key's
    record with its answer in one transaction, and returns the answer; when it fails, the
    key's first answer is replayed, or the failure raised if the key is new.

    Both the general path (``idempotent``) and the lean path of ``POST /issues`` answer
    through here.
    """
    digest = fingerprint(g.user.id)
    try:
        return attempt(digest)
    except (IntegrityError, DomainError):
        # A key seen before is found only when this attempt fails: at its own record or
        # ledger rows (unique keys) or at a rule the first attempt's changes now break.
        # The attempt was rolled back whole; answer as the first one did.
        session = db.session()
        session.rollback()
        first = replay(session, key, digest)
        if first is None:
            raise
        return first


def idempotent(view):
    """Make a stock-changing view safe to retry with an Idempotency-Key header."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = header_key()
        if key is None:
            return view(*args, **kwargs)
        session = db.session()  # the request's session itself, not the scoped proxy

        def attempt(digest):
            with unit_of_work(session):
                request.environ[ENVIRON_KEY] = key
                response = current_app.make_response(view(*args, **kwargs))
                record_answer(session.connection(), key, g.user.id, digest, response)
                return response

        return answer_once(key, attempt)

    return wrapper


def purge(session, before: datetime) -> int:
    """Delete the records of keys first used before the given time; return how many.

    A key older than the retention period (``IDEMPOTENCY_RETENTION_DAYS``, longer than any
    phone's offline queue may hold an action) will not be retried; its ledger rows keep their
    own unique keys, so a very late retry is still refused rather than applied twice.
    """
    with unit_of_work(session):
        result = session.execute(delete(IdempotencyRecord)
                                 .where(IdempotencyRecord.created_at < before))
    log.info("purged %d idempotency records older than %s", result.rowcount, before)
    return result.rowcount
