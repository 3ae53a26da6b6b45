"""Stocktake endpoints: start, count lot by lot, submit, approve or send back."""

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from inventory.api.fields import Id, Strict, code_field, text_field
from inventory.api.idempotency import idempotent, request_key
from inventory.api.pagination import paginate
from inventory.db import db
from inventory.geo.queries import get_depot
from inventory.stock.schemas import LotSchema, MovementSchema
from inventory.stocktake import services
from inventory.stocktake.models import STOCKTAKE_STATUSES, Stocktake

blp = Blueprint("stocktake_api", __name__, description="Stocktakes 盘点")


class CountSchema(Schema):
    lot = fields.Nested(LotSchema)
    expected = fields.Integer()
    counted = fields.Integer()
    variance = fields.Integer()
    counted_by = fields.Function(lambda row: row.counted_by.username)
    counted_at = fields.DateTime()
    note = fields.String(allow_none=True)


class StocktakeSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    depot = fields.Function(lambda s: s.depot.code)
    status = fields.String()
    note = fields.String(allow_none=True)
    started_by = fields.Function(lambda s: s.started_by.username)
    started_at = fields.DateTime()
    submitted_at = fields.DateTime(allow_none=True)
    decided_by = fields.Function(lambda s: s.decided_by.username if s.decided_by else None)
    decided_at = fields.DateTime(allow_none=True)
    decision_note = fields.String(allow_none=True)


class StocktakeDetailSchema(StocktakeSchema):
    counts = fields.List(fields.Nested(CountSchema))
    uncounted = fields.Function(
        lambda s: LotSchema(many=True).dump(services.uncounted_lots(db.session, s)))


class StartSchema(Strict):
    depot = code_field(required=True)
    note = text_field(500, load_default=None)


class CountInSchema(Strict):
    lot = fields.Integer(required=True, strict=True, validate=Id)
    counted = fields.Integer(required=True, strict=True,
                             validate=validate.Range(min=0, max=1_000_000_000))
    note = text_field(200, load_default=None)


class DecisionSchema(Strict):
    note = text_field(500, load_default=None)


class ApprovalResultSchema(Schema):
    stocktake = fields.Nested(StocktakeSchema)
    movements = fields.List(fields.Nested(MovementSchema))


class StocktakeQuerySchema(Strict):
    depot = code_field(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(STOCKTAKE_STATUSES))


@blp.route("/stocktakes")
class Stocktakes(MethodView):
    @blp.arguments(StocktakeQuerySchema(), location="query")
    @blp.response(200, StocktakeSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """List stocktakes, newest first"""
        stmt = select(Stocktake).order_by(Stocktake.id.desc())
        if query["depot"]:
            stmt = stmt.where(Stocktake.depot_id == get_depot(db.session, query["depot"]).id)
        if query["status"]:
            stmt = stmt.where(Stocktake.status == query["status"])
        return paginate(stmt, pagination_parameters)

    @idempotent
    @blp.arguments(StartSchema())
    @blp.response(201, StocktakeDetailSchema)
    def post(self, data):
        """Start counting a depot (盘点)"""
        return services.start(db.session, g.user, **data)


@blp.route("/stocktakes/<int(max=2147483647):stocktake_id>")
class StocktakeById(MethodView):
    @blp.response(200, StocktakeDetailSchema)
    def get(self, stocktake_id):
        """A stocktake with its counts, variances and the lots not yet counted"""
        return services.get_stocktake(db.session, stocktake_id)


@blp.route("/stocktakes/<int(max=2147483647):stocktake_id>/counts")
class Counts(MethodView):
    @idempotent
    @blp.arguments(CountInSchema())
    @blp.response(200, CountSchema)
    def post(self, data, stocktake_id):
        """Record what was found of one lot (a recount replaces the figure)"""
        return services.count(db.session, g.user, stocktake_id, **data)


@blp.route("/stocktakes/<int(max=2147483647):stocktake_id>/submit")
class Submit(MethodView):
    @idempotent
    @blp.response(200, StocktakeDetailSchema)
    def post(self, stocktake_id):
        """Hand the count in for approval"""
        return services.submit(db.session, g.user, stocktake_id)


@blp.route("/stocktakes/<int(max=2147483647):stocktake_id>/approve")
class Approve(MethodView):
    @idempotent
    @blp.arguments(DecisionSchema())
    @blp.response(200, ApprovalResultSchema)
    def post(self, data, stocktake_id):
        """Approve: adjustment rows for every variance (bureau or admin)"""
        stocktake, movements = services.approve(db.session, g.user, stocktake_id,
                                                key=request_key(), **data)
        return {"stocktake": stocktake, "movements": movements}


@blp.route("/stocktakes/<int(max=2147483647):stocktake_id>/reject")
class Reject(MethodView):
    @blp.arguments(DecisionSchema())
    @blp.response(200, StocktakeSchema)
    def post(self, data, stocktake_id):
        """Send the count back for recounting, with the reason (bureau or admin)"""
        return services.reject(db.session, g.user, stocktake_id, note=data["note"])
