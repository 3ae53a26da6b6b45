"""Orders made from plans over the API: a run's orders, rotation work orders (read, scan a lot
out, cancel) and production orders. ``POST /runs/<id>/orders`` lives with the runs and calls
``services.orders_from_plan``; its answer is ``OrdersCreatedSchema``."""

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from inventory.api.fields import (
    Id,
    OccurredAt,
    Quantity,
    Strict,
    code_field,
    text_field,
)
from inventory.api.idempotency import idempotent, request_key
from inventory.db import db
from inventory.planorders import queries, rotation
from inventory.planorders.services import created_of
from inventory.stock.schemas import MovementSchema

blp = Blueprint("planorders_api", __name__, description="Orders made from plans 方案工单")


class PlanPurchaseSchema(Schema):
    id = fields.Integer()
    depot = fields.String(allow_none=True, metadata={"description": "empty for rotation"})
    item = fields.String()
    item_name = fields.String()
    unit = fields.String()
    quantity = fields.Integer()
    unit_cost = fields.Float(allow_none=True)
    amount = fields.Float(allow_none=True)
    month = fields.String(allow_none=True, metadata={"description": "the month to order in "
                                                                    "(rotation), YYYY-MM-01"})


class OrdersCreatedSchema(Schema):
    run = fields.Integer()
    kind = fields.String()
    transfers = fields.List(fields.Integer(), metadata={"description": "draft transfer ids"})
    call_offs = fields.List(fields.Integer())
    production_orders = fields.List(fields.Integer())
    rotation_orders = fields.List(fields.Integer())
    purchases = fields.List(fields.Nested(PlanPurchaseSchema))


class RotationLineSchema(Schema):
    id = fields.Function(lambda p: p.line.id)
    lot = fields.Function(lambda p: p.line.lot_id)
    lot_code = fields.Function(lambda p: p.line.lot.code)
    expires_on = fields.Function(
        lambda p: p.line.lot.expires_on.isoformat() if p.line.lot.expires_on else None)
    item = fields.Function(lambda p: p.line.item.code)
    item_name = fields.Function(lambda p: p.line.item.name_zh)
    unit = fields.Function(lambda p: p.line.item.unit)
    outlet = fields.Function(lambda p: p.line.outlet)
    quantity = fields.Function(lambda p: p.line.quantity)
    done = fields.Integer()
    left = fields.Integer()


class RotationOrderSchema(Schema):
    id = fields.Function(lambda v: v.order.id)
    number = fields.Function(lambda v: v.order.number)
    run = fields.Function(lambda v: v.order.plan_orders.run_id)
    depot = fields.Function(lambda v: v.order.depot.code)
    depot_name = fields.Function(lambda v: v.order.depot.name)
    month = fields.Function(lambda v: v.order.month.isoformat())
    state = fields.String(metadata={"description": "open, done or cancelled"})
    note = fields.Function(lambda v: v.order.note)
    quantity = fields.Integer()
    done = fields.Integer()
    lines = fields.List(fields.Nested(RotationLineSchema))


class RotationQuerySchema(Strict):
    depot = code_field(load_default=None)
    state = fields.String(load_default=None, validate=validate.OneOf(queries.ROTATION_STATES))


class RotationScanSchema(Strict):
    lot = fields.Integer(required=True, strict=True, validate=Id)
    line = fields.Integer(load_default=None, strict=True, validate=Id,
                          metadata={"description": "the line, when the lot goes to two outlets"})
    quantity = fields.Integer(load_default=None, strict=True, validate=Quantity,
                              metadata={"description": "all the line still holds when absent"})
    occurred_at = OccurredAt(load_default=None)


class RotationScanResultSchema(Schema):
    order = fields.Nested(RotationOrderSchema)
    movements = fields.List(fields.Nested(MovementSchema))


class RotationCancelSchema(Strict):
    reason = text_field(500, required=True)


class ProductionOrderSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    run = fields.Function(lambda o: o.plan_orders.run_id)
    capacity = fields.Function(lambda o: o.capacity_reserve.code)
    enterprise = fields.Function(lambda o: o.capacity_reserve.enterprise)
    item = fields.Function(lambda o: o.item.code)
    item_name = fields.Function(lambda o: o.item.name_zh)
    quantity = fields.Integer()
    hours_needed = fields.Float()
    due_at = fields.DateTime(allow_none=True)
    destination = fields.Function(lambda o: o.destination.code)
    status = fields.String()
    created_at = fields.DateTime()


#: how many rotation orders a list answers with, newest first
LIST_LIMIT = 200


@blp.route("/plan-orders/<int(max=2147483647):run_id>")
class RunOrders(MethodView):
    @blp.response(200, OrdersCreatedSchema)
    def get(self, run_id):
        """The orders made from a run: transfer, call-off and order ids and the purchase list"""
        return created_of(queries.plan_orders(db.session, run_id)).to_dict()


@blp.route("/rotation-orders")
class RotationOrders(MethodView):
    @blp.arguments(RotationQuerySchema(), location="query")
    @blp.response(200, RotationOrderSchema(many=True))
    def get(self, query):
        """Rotation work orders (轮换工单), newest first, with each line's progress"""
        return queries.rotation_orders(db.session, **query)[:LIST_LIMIT]


@blp.route("/rotation-orders/<int(max=2147483647):order_id>")
class RotationOrderById(MethodView):
    @blp.response(200, RotationOrderSchema)
    def get(self, order_id):
        """One rotation work order: its pick list and what has left"""
        return queries.rotation_order_by_id(db.session, order_id)


@blp.route("/rotation-orders/<int(max=2147483647):order_id>/scans")
class RotationScans(MethodView):
    @idempotent
    @blp.arguments(RotationScanSchema())
    @blp.response(201, RotationScanResultSchema)
    def post(self, data, order_id):
        """Send a scanned lot of the order to its outlet: a rotation_out row naming the order"""
        order, movements = rotation.rotate_out(db.session, g.user, order_id=order_id,
                                               key=request_key(), **data)
        return {"order": queries.rotation_order_by_id(db.session, order.id),
                "movements": movements}


@blp.route("/rotation-orders/<int(max=2147483647):order_id>/cancel")
class RotationCancel(MethodView):
    @idempotent
    @blp.arguments(RotationCancelSchema())
    @blp.response(200, RotationOrderSchema)
    def post(self, data, order_id):
        """Cancel an open rotation order (planner, bureau, admin)"""
        order = rotation.cancel(db.session, g.user, order_id=order_id, reason=data["reason"])
        return queries.rotation_order_by_id(db.session, order.id)


@blp.route("/production-orders")
class ProductionOrders(MethodView):
    @blp.response(200, ProductionOrderSchema(many=True))
    def get(self):
        """Production orders to capacity reserves (产能转产), newest first"""
        return queries.production_orders(db.session)[:LIST_LIMIT]
