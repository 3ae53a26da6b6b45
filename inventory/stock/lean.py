"""The lean path of the request depots make most: ``POST /issues`` naming a lot, on PostgreSQL.

Phones and the scan screen send it all day. Through the general path (webargs, the ORM
session and its unit of work, flask-smorest's wrappers) the framework costs more than the
movement's own work, so on PostgreSQL a valid issue from a lot is served here, on one Core
connection in a transaction of its own:

- the same validation (``IssueSchema``), the same rules and statements
  (``services.issue_from_lot``: the lot locked FOR UPDATE, the ledger row and the lot in one
  statement), the same idempotency record in the same transaction, the same answer;
- the same errors: a refused movement raises the same domain error, and a request this path
  does not take (a body that fails validation, malformed JSON, an issue by item, SQLite)
  goes the general way, which reports it as every endpoint does.

Tests hold both paths to the same rows and answers.
"""

from flask import g, request
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from inventory.api.idempotency import fingerprint, header_key, record_answer, replay
from inventory.db import db
from inventory.errors import DomainError
from inventory.stock import services
from inventory.stock.schemas import IssueSchema, movements_response

_ISSUE = IssueSchema()


def issue_from_lot():
    """Serve ``POST /issues`` from one lot; return None when the request is not one it takes.

    :raise DomainError: when the movement is refused (nothing was changed).
    """
    engine = db.engine
    if engine.dialect.name != "postgresql":
        return None
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "lot" not in body or body.get("item") is not None:
        return None
    try:
        data = _ISSUE.load(body)
    except ValidationError:
        return None
    del data["item"]
    key = header_key()
    user = g.user
    digest = fingerprint(user.id) if key is not None else None
    try:
        with engine.begin() as connection:
            response = movements_response(
                services.issue_from_lot(connection, user, key=key, **data))
            if key is not None:
                record_answer(connection, key, user.id, digest, response)
    except (IntegrityError, DomainError):
        if key is None:
            raise
        # As in ``idempotent``: a key seen before shows when the attempt fails.
        first = replay(db.session(), key, digest)
        if first is None:
            raise
        return first
    return response
