"""API schemas of lots, ledger rows, receipts, issues, adjustments, write-offs and reversals."""

from flask import jsonify
from marshmallow import Schema, fields, validate

from inventory import clock
from inventory.api.fields import (
    AwareDateTime,
    BigId,
    Id,
    OccurredAt,
    Quantity,
    Strict,
    code_field,
    text_field,
)
from inventory.stock import domain
from inventory.stock.models import LOT_SOURCES, MOVEMENT_KINDS


class LotSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    item = fields.Function(lambda lot: lot.item.code)
    item_name = fields.Function(lambda lot: lot.item.name_zh)
    unit = fields.Function(lambda lot: lot.item.unit)
    depot = fields.Function(lambda lot: lot.depot.code)
    quantity = fields.Integer()
    expires_on = fields.Date(allow_none=True)
    manufactured_on = fields.Date(allow_none=True)
    received_on = fields.Date()
    source = fields.String()
    unit_cost = fields.Decimal(as_string=False, allow_none=True)
    status = fields.Function(lambda lot: domain.effective_status(lot, clock.today()))
    bin = fields.Function(lambda lot: lot.bin.code if lot.bin_id else None)


class MovementSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    lot = fields.Integer(attribute="lot_id")
    lot_code = fields.Function(lambda m: m.lot.code)
    depot = fields.Function(lambda m: m.lot.depot.code)
    item = fields.Function(lambda m: m.lot.item.code)
    quantity = fields.Integer()
    balance_after = fields.Integer()
    occurred_at = fields.DateTime()
    recorded_at = fields.DateTime()
    device_at = fields.DateTime(allow_none=True, metadata={
        "description": "the device's time, when it was before the lot's last row: the row is "
                       "then dated when it was recorded (occurred_at), so that a lot's history "
                       "runs in order"})
    actor = fields.Function(lambda m: m.actor.username)
    reason = fields.String(allow_none=True)
    recipient = fields.String(allow_none=True)
    reference = fields.String(allow_none=True)
    transfer = fields.Integer(attribute="transfer_id", allow_none=True)
    reverses = fields.Integer(attribute="reverses_id", allow_none=True)
    seq = fields.Integer()
    hash = fields.String()


def movement_document(movement) -> dict:
    """Return ``MovementSchema().dump(movement)``, built directly.

    Every stock request answers with its ledger rows, and marshmallow's field-by-field
    dump costs about a tenth of such a request's work in the server. The schema stays the
    declaration (OpenAPI) and a unit test holds the two to the same output.
    """
    lot = movement.lot
    return {
        "id": movement.id,
        "kind": movement.kind,
        "lot": movement.lot_id,
        "lot_code": lot.code,
        "depot": lot.depot.code,
        "item": lot.item.code,
        "quantity": movement.quantity,
        "balance_after": movement.balance_after,
        "occurred_at": _iso(movement.occurred_at),
        "recorded_at": _iso(movement.recorded_at),
        "device_at": _iso(movement.device_at),
        "actor": movement.actor.username,
        "reason": movement.reason,
        "recipient": movement.recipient,
        "reference": movement.reference,
        "transfer": movement.transfer_id,
        "reverses": movement.reverses_id,
        "seq": movement.seq,
        "hash": movement.hash,
    }


def movements_response(movements, status: int = 201):
    """The MovementsSchema answer of a stock request (see ``movement_document``)."""
    response = jsonify({"movements": [movement_document(m) for m in movements]})
    response.status_code = status
    return response


def _iso(value):
    return None if value is None else value.isoformat()


class MovementsSchema(Schema):
    movements = fields.List(fields.Nested(MovementSchema))


class ReceiptResultSchema(Schema):
    lot = fields.Nested(LotSchema)
    movements = fields.List(fields.Nested(MovementSchema))


class _Stamped(Strict):
    occurred_at = OccurredAt(load_default=None, metadata={
        "description": "when it happened, by the device's clock (offline queue); default now"})
    reference = text_field(100, load_default=None)


class ReceiptSchema(_Stamped):
    depot = code_field(required=True)
    item = code_field(required=True)
    quantity = fields.Integer(required=True, strict=True, validate=Quantity)
    lot_code = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    expires_on = fields.Date(load_default=None)
    manufactured_on = fields.Date(load_default=None)
    unit_cost = fields.Float(load_default=None, allow_nan=False,
                             validate=validate.Range(min=0, max=10**9),
                             metadata={"description": "yuan per unit, to the fen"})
    source = fields.String(load_default="purchase", validate=validate.OneOf(LOT_SOURCES))
    reason = text_field(500, load_default=None)
    bin = code_field(load_default=None, metadata={"description": "storage location in the depot"})
    accept_expired = fields.Boolean(load_default=False, metadata={
        "description": "receive goods whose expiry date has passed (refused otherwise)"})


class IssueSchema(_Stamped):
    depot = code_field(load_default=None)
    item = code_field(load_default=None)
    lot = fields.Integer(load_default=None, strict=True, validate=Id)
    quantity = fields.Integer(required=True, strict=True, validate=Quantity)
    kind = fields.String(load_default="issue", validate=validate.OneOf(["issue", "rotation_out"]))
    reason = text_field(500, load_default=None)
    recipient = text_field(100, load_default=None)


class AdjustmentSchema(_Stamped):
    lot = fields.Integer(required=True, strict=True, validate=Id)
    counted_quantity = fields.Integer(required=True, strict=True,
                                      validate=validate.Range(min=0, max=1_000_000_000))
    reason = text_field(500, load_default=None)


class WriteOffSchema(_Stamped):
    lot = fields.Integer(required=True, strict=True, validate=Id)
    quantity = fields.Integer(load_default=None, strict=True, validate=Quantity)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class ReversalSchema(Strict):
    movement = fields.Integer(required=True, strict=True, validate=BigId)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))
    occurred_at = OccurredAt(load_default=None)


class LotStatusSchema(Strict):
    status = fields.String(required=True, validate=validate.OneOf(["available", "quarantined"]))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class BalanceQuerySchema(Strict):
    depot = code_field(load_default=None)
    item = code_field(load_default=None)
    as_of = AwareDateTime(load_default=None)


class BalanceSchema(Schema):
    depot = fields.String()
    item = fields.String()
    #: on hand at the depot
    quantity = fields.Integer()
    #: dispatched to the depot and not yet received (only without as_of)
    in_transit = fields.Integer(metadata={"description": "dispatched here, not yet received"})


class LotQuerySchema(Strict):
    depot = code_field(load_default=None)
    item = code_field(load_default=None)
    code = fields.String(load_default=None, validate=validate.Length(max=64))
    status = fields.String(load_default=None,
                           validate=validate.OneOf(["available", "quarantined", "expired",
                                                    "written_off"]))
    in_stock = fields.Boolean(load_default=None)


class MovementQuerySchema(Strict):
    depot = code_field(load_default=None)
    item = code_field(load_default=None)
    lot = fields.Integer(load_default=None, validate=Id)
    kind = fields.String(load_default=None, validate=validate.OneOf(MOVEMENT_KINDS))
    reference = fields.String(load_default=None, validate=validate.Length(max=100))
    transfer = fields.Integer(load_default=None, validate=Id)
    since = AwareDateTime(load_default=None)
    until = AwareDateTime(load_default=None)


class SealSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    taken_at = fields.DateTime()
    lots_count = fields.Integer()
    movements_count = fields.Integer()
    prev_digest = fields.String()
    digest = fields.String()


class LedgerCheckSchema(Schema):
    ok = fields.Boolean()
    lots_checked = fields.Integer()
    movements_checked = fields.Integer()
    seals_checked = fields.Integer()
    problems = fields.List(fields.String())
