"""Area and depot endpoints (read-only for now; depots are set up by import or seed)."""

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from inventory.api.fields import Strict
from inventory.db import db
from inventory.geo.models import AREA_LEVELS, DEPOT_KINDS, Area, Depot
from inventory.stock.services import get_depot

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
