"""Contract reserves with their call-offs and settlement, capacity reserves, travel times."""

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from inventory.api.fields import OccurredAt, Strict
from inventory.api.idempotency import idempotent
from inventory.catalogue.queries import get_item
from inventory.contracts import queries, services
from inventory.contracts.models import (
    AGREEMENT_STATUSES,
    CALL_OFF_STATUSES,
    RESPONSE_TO,
    Agreement,
    CallOff,
    CapacityReserve,
)
from inventory.db import db
from inventory.geo.models import Area, Depot
from inventory.geo.queries import get_depot
from inventory.readiness import services as readiness
from inventory.readiness.models import TravelTime

blp = Blueprint("contracts_api", __name__,
                description="Contract and capacity reserves, travel times "
                            "协议储备、产能储备与行驶时间")

_MAX_ID = 2**31 - 1


def _code(max_length=32, **kwargs):
    return fields.String(validate=validate.Length(min=1, max=max_length), **kwargs)


class CallOffSchema(Schema):
    id = fields.Integer()
    agreement = fields.Integer(attribute="agreement_id")
    agreement_number = fields.Function(lambda c: c.agreement.number)
    supplier = fields.Function(lambda c: c.agreement.supplier)
    item = fields.Function(lambda c: c.agreement.item.code)
    quantity = fields.Integer()
    depot = fields.Function(lambda c: c.depot.code)
    reason = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "expected, received or cancelled"})
    called_at = fields.DateTime()
    received_quantity = fields.Integer(allow_none=True)
    received_at = fields.DateTime(allow_none=True)
    lot = fields.Integer(attribute="lot_id", allow_none=True)
    settled_amount = fields.Float(allow_none=True,
                                  metadata={"description": "owed at the tender price"})
    settled_at = fields.DateTime(allow_none=True)
    settlement_reference = fields.String(allow_none=True)


class AgreementSchema(Schema):
    id = fields.Integer(dump_only=True)
    number = _code(40, required=True,
                   metadata={"description": "agreement number, e.g. XY-2026-003"})
    supplier = fields.String(required=True, validate=validate.Length(min=1, max=100))
    contact_name = fields.String(allow_none=True, load_default=None,
                                 validate=validate.Length(max=50))
    contact_phone = fields.String(allow_none=True, load_default=None,
                                  validate=validate.Length(max=30))
    item = fields.Function(lambda a: a.item.code, deserialize=str, required=True)
    item_name = fields.Function(lambda a: a.item.name_zh, dump_only=True)
    unit = fields.Function(lambda a: a.item.unit, dump_only=True)
    committed_quantity = fields.Integer(required=True, validate=validate.Range(min=1,
                                                                               max=2_000_000_000))
    remaining = fields.Integer(dump_only=True,
                               metadata={"description": "committed minus what was called off"})
    response_hours = fields.Float(required=True, validate=validate.Range(min=0, max=720))
    response_to = fields.String(load_default="county", validate=validate.OneOf(RESPONSE_TO),
                                metadata={"description": "county: to the county warehouse "
                                          "(travel is added); site: straight to the site"})
    unit_price = fields.Float(allow_none=True, load_default=None,
                              validate=validate.Range(min=0, max=1e9),
                              metadata={"description": "tender price, paid only for what is used"})
    valid_from = fields.Date(required=True)
    valid_until = fields.Date(required=True)
    status = fields.String(dump_only=True)
    note = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=500))
    call_offs = fields.List(fields.Nested(CallOffSchema), dump_only=True)


def _with_remaining(agreements):
    """Give each agreement what it still commits, for its answer."""
    remaining = queries.remaining_by_agreement(db.session)
    for agreement in agreements:
        agreement.remaining = remaining.get(agreement.id, 0)
    return agreements


class AgreementQuerySchema(Strict):
    item = _code(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(AGREEMENT_STATUSES))


class AgreementStatusSchema(Strict):
    status = fields.String(required=True, validate=validate.OneOf(AGREEMENT_STATUSES))
    note = fields.String(load_default=None, validate=validate.Length(max=500))


class CallOffInputSchema(Strict):
    quantity = fields.Integer(required=True, strict=True,
                              validate=validate.Range(min=1, max=2_000_000_000))
    depot = _code(required=True, metadata={"description": "the depot the supplier delivers to"})
    reason = fields.String(load_default=None, validate=validate.Length(max=500))


class CallOffQuerySchema(Strict):
    status = fields.String(load_default=None, validate=validate.OneOf(CALL_OFF_STATUSES))
    agreement = fields.Integer(load_default=None, validate=validate.Range(min=1, max=_MAX_ID))


class ReceiveCallOffSchema(Strict):
    quantity = fields.Integer(load_default=None, strict=True,
                              validate=validate.Range(min=1, max=2_000_000_000),
                              metadata={"description": "what arrived; default all called off"})
    lot_code = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    expires_on = fields.Date(load_default=None)
    manufactured_on = fields.Date(load_default=None)
    occurred_at = OccurredAt(load_default=None)


class SettleSchema(Strict):
    reference = fields.String(load_default=None, validate=validate.Length(max=100),
                              metadata={"description": "invoice or payment document number"})


class CancelSchema(Strict):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class CapacitySchema(Schema):
    id = fields.Integer(dump_only=True)
    code = fields.String(dump_only=True, metadata={"description": "stable code, e.g. CN-0007"})
    enterprise = fields.String(required=True, validate=validate.Length(min=1, max=100))
    contact_name = fields.String(allow_none=True, load_default=None,
                                 validate=validate.Length(max=50))
    contact_phone = fields.String(allow_none=True, load_default=None,
                                  validate=validate.Length(max=30))
    item = fields.Function(lambda c: c.item.code, deserialize=str, required=True)
    item_name = fields.Function(lambda c: c.item.name_zh, dump_only=True)
    unit = fields.Function(lambda c: c.item.unit, dump_only=True)
    rate_per_hour = fields.Float(required=True, validate=validate.Range(min=0.01, max=1e9))
    ramp_hours = fields.Float(required=True, validate=validate.Range(min=0, max=720))
    max_quantity = fields.Integer(required=True, validate=validate.Range(min=1, max=2_000_000_000))
    area = fields.Function(lambda c: c.area.code, deserialize=str, required=True,
                           metadata={"description": "where the goods leave from"})
    unit_price = fields.Float(allow_none=True, load_default=None,
                              validate=validate.Range(min=0, max=1e9))
    valid_from = fields.Date(required=True)
    valid_until = fields.Date(required=True)
    note = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=500))


class TravelTimeSchema(Schema):
    depot = fields.Function(lambda t: t.depot.code, deserialize=str, required=True)
    depot_name = fields.Function(lambda t: t.depot.name, dump_only=True)
    area = fields.Function(lambda t: t.area.code, deserialize=str, required=True)
    area_name = fields.Function(lambda t: t.area.name, dump_only=True)
    hours = fields.Float(required=True, validate=validate.Range(min=0, max=720))
    source = fields.String(dump_only=True, metadata={"description": "survey, import or manual"})


class TravelQuerySchema(Strict):
    depot = _code(load_default=None)
    area = _code(load_default=None)


class ReserveLineSchema(Schema):
    item = fields.Function(lambda line: line.item.code)
    name = fields.Function(lambda line: line.item.name_zh)
    category = fields.Function(lambda line: line.item.category)
    unit = fields.Function(lambda line: line.item.unit)
    on_shelf = fields.Integer(metadata={"description": "physical stock held (实物储备)"})
    usable = fields.Integer(metadata={"description": "of which available and not expired"})
    contract = fields.Integer(metadata={"description": "NOT on the shelf: what valid agreements "
                                        "still commit (协议储备)"})
    capacity = fields.Integer(metadata={"description": "NOT on the shelf: the most valid firms "
                                        "make in one response (产能储备)"})


@blp.route("/reserves")
class Reserves(MethodView):
    @blp.response(200, ReserveLineSchema(many=True))
    def get(self):
        """Every item's stock on the shelf beside its contract and capacity reserves, which are
        not on the shelf"""
        return queries.reserves_by_item(db.session)


@blp.route("/agreements")
class Agreements(MethodView):
    @blp.arguments(AgreementQuerySchema(), location="query")
    @blp.response(200, AgreementSchema(many=True))
    def get(self, query):
        """Contract reserves (协议储备), with what each still commits"""
        stmt = select(Agreement).order_by(Agreement.id)
        if query["item"]:
            stmt = stmt.where(Agreement.item_id == get_item(db.session, query["item"]).id)
        if query["status"]:
            stmt = stmt.where(Agreement.status == query["status"])
        return _with_remaining(db.session.scalars(stmt).all())

    @blp.arguments(AgreementSchema())
    @blp.response(201, AgreementSchema)
    def post(self, data):
        """Record an agreement with a supplier (bureau, admin)"""
        return _with_remaining([services.create_agreement(db.session, g.user, **data)])[0]


@blp.route("/agreements/<int(max=2147483647):agreement_id>")
class AgreementById(MethodView):
    @blp.response(200, AgreementSchema)
    def get(self, agreement_id):
        """One agreement with its call-offs"""
        return _with_remaining([services.get_agreement(db.session, agreement_id)])[0]


@blp.route("/agreements/<int(max=2147483647):agreement_id>/status")
class AgreementStatus(MethodView):
    @blp.arguments(AgreementStatusSchema())
    @blp.response(200, AgreementSchema)
    def post(self, data, agreement_id):
        """Suspend, resume or end an agreement (bureau, admin)"""
        return _with_remaining([services.set_agreement_status(
            db.session, g.user, agreement_id=agreement_id, **data)])[0]


@blp.route("/agreements/<int(max=2147483647):agreement_id>/call-offs")
class AgreementCallOffs(MethodView):
    @idempotent
    @blp.arguments(CallOffInputSchema())
    @blp.response(201, CallOffSchema)
    def post(self, data, agreement_id):
        """Call off part of an agreement (调用): the supplier delivers it to a depot"""
        return services.call_off(db.session, g.user, agreement_id=agreement_id, **data)


@blp.route("/call-offs")
class CallOffs(MethodView):
    @blp.arguments(CallOffQuerySchema(), location="query")
    @blp.response(200, CallOffSchema(many=True))
    def get(self, query):
        """Call-offs, newest first: expected deliveries, receipts and settlements"""
        stmt = select(CallOff).order_by(CallOff.id.desc())
        if query["status"]:
            stmt = stmt.where(CallOff.status == query["status"])
        if query["agreement"]:
            stmt = stmt.where(CallOff.agreement_id == query["agreement"])
        return db.session.scalars(stmt).all()


@blp.route("/call-offs/<int(max=2147483647):call_off_id>/receive")
class ReceiveCallOff(MethodView):
    @idempotent
    @blp.arguments(ReceiveCallOffSchema())
    @blp.response(200, CallOffSchema)
    def post(self, data, call_off_id):
        """Receive a called-off delivery into its depot (a lot whose source is the agreement)"""
        return services.receive_call_off(db.session, g.user, call_off_id=call_off_id, **data)


@blp.route("/call-offs/<int(max=2147483647):call_off_id>/settle")
class SettleCallOff(MethodView):
    @blp.arguments(SettleSchema())
    @blp.response(200, CallOffSchema)
    def post(self, data, call_off_id):
        """Settle a received call-off: what arrived × the tender price (先使用后结算)"""
        return services.settle(db.session, g.user, call_off_id=call_off_id, **data)


@blp.route("/call-offs/<int(max=2147483647):call_off_id>/cancel")
class CancelCallOff(MethodView):
    @blp.arguments(CancelSchema())
    @blp.response(200, CallOffSchema)
    def post(self, data, call_off_id):
        """Cancel a delivery still expected; its quantity returns to the agreement"""
        return services.cancel_call_off(db.session, g.user, call_off_id=call_off_id, **data)


@blp.route("/capacity")
class Capacity(MethodView):
    @blp.response(200, CapacitySchema(many=True))
    def get(self):
        """Capacity reserves (产能储备): firms that produce an item on demand"""
        return db.session.scalars(select(CapacityReserve).order_by(CapacityReserve.id)).all()

    @blp.arguments(CapacitySchema())
    @blp.response(201, CapacitySchema)
    def post(self, data):
        """Record a capacity reserve (bureau, admin)"""
        return services.create_capacity(db.session, g.user, **data)


@blp.route("/travel-times")
class TravelTimes(MethodView):
    @blp.arguments(TravelQuerySchema(), location="query")
    @blp.response(200, TravelTimeSchema(many=True))
    def get(self, query):
        """Road hours from depots to areas, as surveyed, imported or entered; where none is
        recorded the engine estimates from coordinates"""
        stmt = (select(TravelTime).join(Depot, Depot.id == TravelTime.depot_id)
                .join(Area, Area.id == TravelTime.area_id).order_by(Depot.code, Area.code))
        if query["depot"]:
            stmt = stmt.where(TravelTime.depot_id == get_depot(db.session, query["depot"]).id)
        if query["area"]:
            stmt = stmt.where(Area.code == query["area"])
        return db.session.scalars(stmt).all()

    @blp.arguments(TravelTimeSchema())
    @blp.response(200, TravelTimeSchema)
    def put(self, data):
        """Set the road hours from a depot to an area (bureau, admin)"""
        return readiness.set_travel_time(db.session, g.user, **data)
