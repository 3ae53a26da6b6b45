"""The outlets register over the API: every role reads it; planners, the bureau and admins
define and change outlets."""

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from inventory.api.fields import Strict, code_field
from inventory.api.idempotency import idempotent
from inventory.db import db
from inventory.outlets import queries, services
from inventory.outlets.models import OUTLET_KINDS

blp = Blueprint("outlets_api", __name__, description="Rotation outlets 轮换去向")
ID = "int(max=2147483647)"


class RotationOutletSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String(metadata={"description": "canteen, drill, market or other"})
    item = fields.Function(lambda o: o.item.code)
    item_name = fields.Function(lambda o: o.item.name_zh)
    capacity_per_month = fields.Integer(metadata={"description": "units it takes in a month"})
    value_per_unit = fields.Float(metadata={"description": "yuan recovered per unit"})
    active = fields.Boolean()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class _RotationOutletFields(Strict):
    name = fields.String(validate=validate.Length(min=1, max=100),
                         metadata={"description": "e.g. 县一中食堂"})
    kind = fields.String(validate=validate.OneOf(OUTLET_KINDS))
    item = code_field(metadata={"description": "the item's code"})
    capacity_per_month = fields.Integer(strict=True, validate=validate.Range(
        min=0, max=services.MAX_CAPACITY))
    value_per_unit = fields.Float(validate=validate.Range(min=-1e9, max=1e9))
    active = fields.Boolean()


class RotationOutletCreateSchema(_RotationOutletFields):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    kind = fields.String(required=True, validate=validate.OneOf(OUTLET_KINDS))
    item = code_field(required=True)
    capacity_per_month = fields.Integer(required=True, strict=True, validate=validate.Range(
        min=0, max=services.MAX_CAPACITY))
    value_per_unit = fields.Float(load_default=0.0, validate=validate.Range(min=-1e9, max=1e9))
    active = fields.Boolean(load_default=True)


class RotationOutletPatchSchema(_RotationOutletFields):
    @validates_schema
    def something_to_change(self, data, **kwargs):
        if not data:
            raise ValidationError("give at least one field to change")


class RotationOutletQuerySchema(Strict):
    active = fields.Boolean(load_default=None)
    item = code_field(load_default=None)


@blp.route("/outlets")
class Outlets(MethodView):
    @blp.arguments(RotationOutletQuerySchema(), location="query")
    @blp.response(200, RotationOutletSchema(many=True))
    def get(self, query):
        """List the rotation outlets (轮换去向), by name and item"""
        return queries.list_outlets(db.session, **query)

    @idempotent
    @blp.arguments(RotationOutletCreateSchema())
    @blp.response(201, RotationOutletSchema)
    def post(self, data):
        """Define an outlet: school canteen, drill, market or other, the item it takes, how
        many units a month and the value recovered per unit (planner, bureau, admin)"""
        return services.create_outlet(db.session, g.user, **data)


@blp.route(f"/outlets/<{ID}:outlet_id>")
class OutletById(MethodView):
    @blp.response(200, RotationOutletSchema)
    def get(self, outlet_id):
        """Show one outlet"""
        return queries.get_outlet(db.session, outlet_id)

    @idempotent
    @blp.arguments(RotationOutletPatchSchema())
    @blp.response(200, RotationOutletSchema)
    def patch(self, data, outlet_id):
        """Change an outlet; scenarios keep the copy they took (planner, bureau, admin)"""
        return services.update_outlet(db.session, g.user, outlet_id, **data)
