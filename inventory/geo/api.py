"""Area and depot endpoints: depots are set up by import or seed; the bureau edits their details."""

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from inventory.api.fields import Strict
from inventory.api.idempotency import idempotent
from inventory.db import db
from inventory.geo import services
from inventory.geo.models import AREA_LEVELS, DEPOT_KINDS, Area, Depot
from inventory.geo.queries import get_depot

blp = Blueprint("geo_api", __name__, description="Areas and depots 区域与储备库")


class AreaSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    level = fields.String()
    parent = fields.Function(lambda a: a.parent.code if a.parent else None)
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)


class DepotSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    area = fields.Function(lambda d: d.area.code)
    tier = fields.String()
    kind = fields.String()
    capacity_m3 = fields.Float(allow_none=True)
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    address = fields.String(allow_none=True)
    keeper_name = fields.String(allow_none=True)
    keeper_phone = fields.String(allow_none=True)
    handling_hours = fields.Float(metadata={
        "description": "hours to load goods out (装车出库) before they travel"})
    active = fields.Boolean()


class DepotChangeSchema(Strict):
    """The details to change; fields left out keep their values, null clears an optional one."""

    name = fields.String(validate=validate.Length(min=1, max=100))
    kind = fields.String(validate=validate.OneOf(DEPOT_KINDS))
    capacity_m3 = fields.Float(allow_none=True,
                               validate=validate.Range(min=0, max=services.MAX_CAPACITY_M3))
    handling_hours = fields.Float(
        validate=validate.Range(min=0, max=services.MAX_HANDLING_HOURS),
        metadata={"description": "hours to load goods out (装车出库); decides adequacy"})
    latitude = fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180))
    address = fields.String(allow_none=True, validate=validate.Length(max=200))
    keeper_name = fields.String(allow_none=True, validate=validate.Length(max=50))
    keeper_phone = fields.String(allow_none=True, validate=validate.Length(max=30))
    active = fields.Boolean()


class AreaQuerySchema(Strict):
    level = fields.String(load_default=None, validate=validate.OneOf(AREA_LEVELS))


class DepotQuerySchema(Strict):
    tier = fields.String(load_default=None, validate=validate.OneOf(AREA_LEVELS))
    kind = fields.String(load_default=None, validate=validate.OneOf(DEPOT_KINDS),
                         metadata={"description": "shelter: the shelters' receiving points"})
    active = fields.Boolean(load_default=None)


@blp.route("/areas")
class Areas(MethodView):
    @blp.arguments(AreaQuerySchema(), location="query")
    @blp.response(200, AreaSchema(many=True))
    def get(self, query):
        """The area tree: county, townships (乡镇), villages and communities (村/社区)"""
        stmt = select(Area).order_by(Area.code)
        if query["level"]:
            stmt = stmt.where(Area.level == query["level"])
        return db.session.scalars(stmt).all()


@blp.route("/depots")
class Depots(MethodView):
    @blp.arguments(DepotQuerySchema(), location="query")
    @blp.response(200, DepotSchema(many=True))
    def get(self, query):
        """Depots (储备库/储备点) on the three tiers"""
        stmt = select(Depot).join(Area).order_by(Depot.code)
        if query["tier"]:
            stmt = stmt.where(Area.level == query["tier"])
        if query["kind"]:
            stmt = stmt.where(Depot.kind == query["kind"])
        if query["active"] is not None:
            stmt = stmt.where(Depot.active == query["active"])
        return db.session.scalars(stmt).unique().all()


@blp.route("/depots/<code>")
class DepotByCode(MethodView):
    @blp.response(200, DepotSchema)
    def get(self, code):
        """Show one depot"""
        return get_depot(db.session, code)

    @idempotent
    @blp.arguments(DepotChangeSchema())
    @blp.response(200, DepotSchema)
    def patch(self, data, code):
        """Change a depot's details, such as its handling time (bureau, admin)"""
        return services.update_depot(db.session, g.user, code, **data)
