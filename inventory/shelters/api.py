"""The shelter register over the API: list, register, change; road hours to shelters."""

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from inventory.api.fields import Strict
from inventory.api.idempotency import idempotent
from inventory.db import db
from inventory.readiness.models import TRAVEL_SOURCES
from inventory.shelters import queries, services
from inventory.shelters.models import SHELTER_CLASSES

blp = Blueprint("shelters_api", __name__, description="Emergency shelters 应急避难场所")


def _text(max_length: int, **kwargs):
    return fields.String(allow_none=True, validate=validate.Length(max=max_length), **kwargs)


class ShelterSchema(Schema):
    code = fields.String(metadata={"description": "also the receiving point's depot code and "
                                                  "the shelter's site id in a run"})
    name = fields.String()
    shelter_class = fields.String(metadata={"description": "I (30 days or more), II (10 to 30 "
                                                           "days) or III (10 days or less)"})
    capacity_people = fields.Integer()
    site_area_m2 = fields.Float(allow_none=True)
    area = fields.Function(lambda s: s.area.code)
    area_name = fields.Function(lambda s: s.area.name)
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    address = fields.String(allow_none=True)
    operator = fields.String(allow_none=True)
    contact_name = fields.String(allow_none=True)
    contact_phone = fields.String(allow_none=True)
    active = fields.Boolean()
    depot = fields.Function(lambda s: s.depot.code,
                            metadata={"description": "the receiving point (a depot of kind "
                                                     "shelter) where supplies are received"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class _ShelterFields(Strict):
    name = fields.String(validate=validate.Length(min=1, max=100))
    shelter_class = fields.String(validate=validate.OneOf(SHELTER_CLASSES))
    capacity_people = fields.Integer(strict=True,
                                     validate=validate.Range(min=1, max=services.MAX_PEOPLE))
    area = fields.String(validate=validate.Length(min=1, max=32),
                         metadata={"description": "the area's code"})
    site_area_m2 = fields.Float(allow_none=True, validate=validate.Range(min=0, max=9.9e9))
    latitude = fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180))
    address = _text(200)
    operator = _text(100, metadata={"description": "the unit that runs it (管理单位)"})
    contact_name = _text(50)
    contact_phone = _text(30)
    active = fields.Boolean()


class ShelterCreateSchema(_ShelterFields):
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    shelter_class = fields.String(required=True, validate=validate.OneOf(SHELTER_CLASSES))
    capacity_people = fields.Integer(required=True, strict=True,
                                     validate=validate.Range(min=1, max=services.MAX_PEOPLE))
    area = fields.String(required=True, validate=validate.Length(min=1, max=32))
    active = fields.Boolean(load_default=True)


class ShelterPatchSchema(_ShelterFields):
    @validates_schema
    def something_to_change(self, data, **kwargs):
        if not data:
            raise ValidationError("give at least one field to change")


class ShelterQuerySchema(Strict):
    area = fields.String(load_default=None, validate=validate.Length(min=1, max=32),
                         metadata={"description": "shelters in this area or below it"})
    shelter_class = fields.String(load_default=None, validate=validate.OneOf(SHELTER_CLASSES))
    active = fields.Boolean(load_default=None)


class RouteSchema(Schema):
    depot = fields.String(attribute="depot_code")
    shelter = fields.String(attribute="shelter_code")
    hours = fields.Float(allow_none=True)
    basis = fields.String(allow_none=True, metadata={
        "description": "survey, import or manual (recorded for the pair), area (the depot → "
                       "area figure), estimate (from coordinates), same_area; null: unknown"})


class ShelterTravelSchema(Strict):
    depot = fields.Function(lambda t: t.depot.code, deserialize=str, required=True)
    depot_name = fields.Function(lambda t: t.depot.name, dump_only=True)
    shelter = fields.Function(lambda t: t.shelter.code, deserialize=str, required=True)
    shelter_name = fields.Function(lambda t: t.shelter.name, dump_only=True)
    hours = fields.Float(required=True, validate=validate.Range(min=0, max=services.MAX_HOURS))
    source = fields.String(dump_only=True, validate=validate.OneOf(TRAVEL_SOURCES))


class ShelterTravelQuerySchema(Strict):
    depot = fields.String(load_default=None, validate=validate.Length(min=1, max=32))
    shelter = fields.String(load_default=None, validate=validate.Length(min=1, max=32))


@blp.route("/shelters")
class Shelters(MethodView):
    @blp.arguments(ShelterQuerySchema(), location="query")
    @blp.response(200, ShelterSchema(many=True))
    def get(self, query):
        """List the shelters (应急避难场所), by code"""
        return queries.list_shelters(db.session, **query)

    @idempotent
    @blp.arguments(ShelterCreateSchema())
    @blp.response(201, ShelterSchema)
    def post(self, data):
        """Register a shelter with its receiving point (bureau, admin)"""
        return services.create_shelter(db.session, g.user, **data)


@blp.route("/shelters/<code>")
class ShelterByCode(MethodView):
    @blp.response(200, ShelterSchema)
    def get(self, code):
        """Show one shelter"""
        return services.get_shelter(db.session, code)

    @idempotent
    @blp.arguments(ShelterPatchSchema())
    @blp.response(200, ShelterSchema)
    def patch(self, data, code):
        """Change a shelter; its receiving point follows (bureau, admin)"""
        return services.update_shelter(db.session, g.user, code, **data)


@blp.route("/shelters/<code>/routes")
class RoutesToShelter(MethodView):
    @blp.response(200, RouteSchema(many=True))
    def get(self, code):
        """Road hours to the shelter from every active depot, nearest first: recorded for the
        pair, else the depot → area figure, else estimated from coordinates"""
        return queries.routes_to(db.session, services.get_shelter(db.session, code))


@blp.route("/shelter-travel-times")
class ShelterTravelTimes(MethodView):
    @blp.arguments(ShelterTravelQuerySchema(), location="query")
    @blp.response(200, ShelterTravelSchema(many=True))
    def get(self, query):
        """Road hours from depots to shelters as recorded (surveyed, imported or entered)"""
        return queries.recorded_travel(db.session, **query)

    @idempotent
    @blp.arguments(ShelterTravelSchema())
    @blp.response(200, ShelterTravelSchema)
    def put(self, data):
        """Set the road hours from a depot to a shelter (bureau, admin)"""
        return services.set_travel_time(db.session, g.user, **data)
