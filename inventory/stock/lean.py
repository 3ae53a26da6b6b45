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
  goes the general way, which reports it as every endpoint does. Which databases take
  this route is ``writes.ledger_writes``'s choice.

What phones send is a plain body (a lot, a quantity, a few short texts), which
``plain_issue`` checks by hand in a tenth of marshmallow's time; any other body is loaded by
``IssueSchema``. Tests hold both paths to the same rows and answers, and ``plain_issue`` to
``IssueSchema`` on any body.
"""

from flask import g, request
from marshmallow import ValidationError, validate

from inventory.api.fields import is_free_of_control_characters
from inventory.api.idempotency import answer_once, header_key, record_answer
from inventory.db import db
from inventory.stock import services
from inventory.stock.schemas import IssueSchema, movements_response
from inventory.stock.writes import ledger_writes

_ISSUE = IssueSchema()


def issue_from_lot():
    """Serve ``POST /issues`` from one lot; return None when the request is not one it takes.

    :raise DomainError: when the movement is refused (nothing was changed).
    """
    engine = db.engine
    if not ledger_writes(engine).lean:
        return None
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "lot" not in body or body.get("item") is not None:
        return None
    data = plain_issue(body)
    if data is None:
        try:
            data = _ISSUE.load(body)
        except ValidationError:
            return None
    del data["item"]
    key = header_key()
    user = g.user

    def attempt(digest=None):
        with engine.begin() as connection:
            response = movements_response(
                services.issue_from_lot(connection, user, key=key, **data))
            if key is not None:
                record_answer(connection, key, user.id, digest, response)
        return response

    return attempt() if key is None else answer_once(key, attempt)


def _limits(field_name: str, kind) -> object:
    """Return the validator of ``kind`` on one of ``IssueSchema``'s fields."""
    found = [v for v in _ISSUE.fields[field_name].validators if isinstance(v, kind)]
    return found[0]


# The hand check's limits are the schema's own, so the two cannot drift apart.
_TEXTS = {name: _limits(name, validate.Length).max for name in ("reason", "recipient",
                                                                 "reference")}
_CODE = _limits("depot", validate.Length)
_LOT = _limits("lot", validate.Range)
_QUANTITY = _limits("quantity", validate.Range)
_KINDS = set(_limits("kind", validate.OneOf).choices)
_PLAIN_KEYS = {"lot", "quantity", "depot", "kind", *_TEXTS}


def plain_issue(body: dict) -> dict | None:
    """Return what ``IssueSchema`` loads from a plain issue from a lot, checked by hand; None
    for any other body (it then goes to the schema).

    Plain: a lot id and a quantity as integers in range, and at most a depot code, a kind
    and the short texts, without control characters.
    """
    if not body.keys() <= _PLAIN_KEYS:
        return None
    lot, quantity = body.get("lot"), body.get("quantity")
    if type(lot) is not int or not _LOT.min <= lot <= _LOT.max:
        return None
    if type(quantity) is not int or not _QUANTITY.min <= quantity <= _QUANTITY.max:
        return None
    data = {"lot": lot, "quantity": quantity, "item": None, "occurred_at": None}
    for name, longest in _TEXTS.items():
        value = data[name] = body.get(name)
        if value is not None and (type(value) is not str or len(value) > longest
                                  or not is_free_of_control_characters(value)):
            return None
    depot = data["depot"] = body.get("depot")
    if depot is not None and (type(depot) is not str or not _CODE.min <= len(depot) <= _CODE.max
                              or not is_free_of_control_characters(depot)):
        return None
    kind = data["kind"] = body.get("kind", "issue")
    if type(kind) is not str or kind not in _KINDS:
        return None
    return data
