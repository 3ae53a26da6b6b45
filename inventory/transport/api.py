"""The transport registers over the API: carriers, vehicles and transport agreements (the
bureau and admins keep them, everyone reads). Waybills are in ``waybill_api``."""

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from inventory.api.fields import Strict, code_field, text_field
from inventory.api.idempotency import idempotent
from inventory.db import db
from inventory.transport import queries, services
from inventory.transport.models import CARRIER_KINDS, PRICE_UNITS

blp = Blueprint("transport_api", __name__,
                description="Transport registers: carriers, vehicles, transport agreements 运力")


class CarrierSchema(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.String(metadata={"description": "bureau (the bureau's own vehicles), "
                                                  "township (a township's own) or logistics "
                                                  "(a firm under a transport agreement)"})
    area = fields.Function(lambda c: c.area.code if c.area else None)
    contact_name = fields.String(allow_none=True)
    contact_phone = fields.String(allow_none=True)
    active = fields.Boolean()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class _CarrierFields(Strict):
    name = fields.String(validate=validate.Length(min=1, max=100))
    kind = fields.String(validate=validate.OneOf(CARRIER_KINDS))
    area = code_field(allow_none=True, metadata={"description": "the township's area code"})
    contact_name = text_field(50)
    contact_phone = text_field(30)
    active = fields.Boolean()


class CarrierCreateSchema(_CarrierFields):
    code = code_field(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    kind = fields.String(required=True, validate=validate.OneOf(CARRIER_KINDS))


class _SomethingToChange:
    @validates_schema
    def something_to_change(self, data, **kwargs):
        if not data:
            raise ValidationError("give at least one field to change")


class CarrierPatchSchema(_SomethingToChange, _CarrierFields):
    pass


class CarrierQuerySchema(Strict):
    kind = fields.String(load_default=None, validate=validate.OneOf(CARRIER_KINDS))
    active = fields.Boolean(load_default=None)


class VehicleSchema(Schema):
    plate = fields.String()
    carrier = fields.Function(lambda v: v.carrier.code)
    carrier_name = fields.Function(lambda v: v.carrier.name)
    vehicle_type = fields.String()
    payload_kg = fields.Float()
    volume_m3 = fields.Float()
    depot = fields.Function(lambda v: v.depot.code if v.depot else None,
                            metadata={"description": "where it stands ready"})
    driver_name = fields.String(allow_none=True)
    driver_phone = fields.String(allow_none=True)
    active = fields.Boolean()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class _VehicleFields(Strict):
    carrier = code_field()
    vehicle_type = fields.String(validate=validate.Length(min=1, max=50))
    payload_kg = fields.Float(validate=validate.Range(min=0.1, max=100000))
    volume_m3 = fields.Float(validate=validate.Range(min=0.01, max=500))
    depot = code_field(allow_none=True)
    driver_name = text_field(50)
    driver_phone = text_field(30)
    active = fields.Boolean()


class VehicleCreateSchema(_VehicleFields):
    plate = fields.String(required=True, validate=validate.Length(min=5, max=20),
                          metadata={"description": "number plate, e.g. 宁B12345"})
    carrier = code_field(required=True)
    vehicle_type = fields.String(required=True, validate=validate.Length(min=1, max=50))
    payload_kg = fields.Float(required=True, validate=validate.Range(min=0.1, max=100000))
    volume_m3 = fields.Float(required=True, validate=validate.Range(min=0.01, max=500))


class VehiclePatchSchema(_SomethingToChange, _VehicleFields):
    pass


class VehicleQuerySchema(Strict):
    carrier = code_field(load_default=None)
    depot = code_field(load_default=None)
    active = fields.Boolean(load_default=None)


class TransportAgreementSchema(Schema):
    number = fields.String()
    carrier = fields.Function(lambda a: a.carrier.code)
    carrier_name = fields.Function(lambda a: a.carrier.name)
    vehicle_type = fields.String()
    vehicles = fields.Integer()
    payload_kg = fields.Float(metadata={"description": "of one vehicle"})
    volume_m3 = fields.Float(metadata={"description": "of one vehicle"})
    response_hours = fields.Float(metadata={"description": "from the call until the vehicles "
                                                           "stand at the depot"})
    depot = fields.Function(lambda a: a.depot.code)
    unit_price = fields.Float(allow_none=True)
    price_unit = fields.String(metadata={"description": "trip, hour or km"})
    valid_from = fields.Date()
    valid_until = fields.Date()
    active = fields.Boolean()
    note = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class _TransportAgreementFields(Strict):
    carrier = code_field()
    vehicle_type = fields.String(validate=validate.Length(min=1, max=50))
    vehicles = fields.Integer(strict=True, validate=validate.Range(min=1, max=10000))
    payload_kg = fields.Float(validate=validate.Range(min=0.1, max=100000))
    volume_m3 = fields.Float(validate=validate.Range(min=0.01, max=500))
    response_hours = fields.Float(validate=validate.Range(min=0, max=720))
    depot = code_field()
    unit_price = fields.Float(allow_none=True, validate=validate.Range(min=0, max=9.9e9))
    price_unit = fields.String(validate=validate.OneOf(PRICE_UNITS))
    valid_from = fields.Date()
    valid_until = fields.Date()
    active = fields.Boolean()
    note = text_field(1000)


class TransportAgreementCreateSchema(_TransportAgreementFields):
    number = fields.String(required=True, validate=validate.Length(min=1, max=40))
    carrier = code_field(required=True)
    vehicle_type = fields.String(required=True, validate=validate.Length(min=1, max=50))
    vehicles = fields.Integer(required=True, strict=True,
                              validate=validate.Range(min=1, max=10000))
    payload_kg = fields.Float(required=True, validate=validate.Range(min=0.1, max=100000))
    volume_m3 = fields.Float(required=True, validate=validate.Range(min=0.01, max=500))
    response_hours = fields.Float(required=True, validate=validate.Range(min=0, max=720))
    depot = code_field(required=True)
    valid_from = fields.Date(required=True)
    valid_until = fields.Date(required=True)


class TransportAgreementPatchSchema(_SomethingToChange, _TransportAgreementFields):
    pass


class TransportAgreementQuerySchema(Strict):
    carrier = code_field(load_default=None)
    valid_on = fields.Date(load_default=None,
                           metadata={"description": "only those active and valid that day"})


@blp.route("/carriers")
class Carriers(MethodView):
    @blp.arguments(CarrierQuerySchema(), location="query")
    @blp.response(200, CarrierSchema(many=True))
    def get(self, query):
        """List the carriers (承运单位): the bureau, townships, logistics firms"""
        return queries.list_carriers(db.session, **query)

    @idempotent
    @blp.arguments(CarrierCreateSchema())
    @blp.response(201, CarrierSchema)
    def post(self, data):
        """Register a carrier (bureau, admin)"""
        return services.create_carrier(db.session, g.user, **data)


@blp.route("/carriers/<code>")
class CarrierByCode(MethodView):
    @blp.response(200, CarrierSchema)
    def get(self, code):
        """Show one carrier"""
        return services.get_carrier(db.session, code)

    @idempotent
    @blp.arguments(CarrierPatchSchema())
    @blp.response(200, CarrierSchema)
    def patch(self, data, code):
        """Change a carrier (bureau, admin)"""
        return services.update_carrier(db.session, g.user, code, **data)


@blp.route("/vehicles")
class Vehicles(MethodView):
    @blp.arguments(VehicleQuerySchema(), location="query")
    @blp.response(200, VehicleSchema(many=True))
    def get(self, query):
        """List the vehicles, by carrier and plate"""
        return queries.list_vehicles(db.session, **query)

    @idempotent
    @blp.arguments(VehicleCreateSchema())
    @blp.response(201, VehicleSchema)
    def post(self, data):
        """Register a vehicle of a carrier (bureau, admin)"""
        return services.create_vehicle(db.session, g.user, **data)


@blp.route("/vehicles/<plate>")
class VehicleByPlate(MethodView):
    @blp.response(200, VehicleSchema)
    def get(self, plate):
        """Show one vehicle"""
        return services.get_vehicle(db.session, plate)

    @idempotent
    @blp.arguments(VehiclePatchSchema())
    @blp.response(200, VehicleSchema)
    def patch(self, data, plate):
        """Change a vehicle (bureau, admin)"""
        return services.update_vehicle(db.session, g.user, plate, **data)


@blp.route("/transport-agreements")
class Agreements(MethodView):
    @blp.arguments(TransportAgreementQuerySchema(), location="query")
    @blp.response(200, TransportAgreementSchema(many=True))
    def get(self, query):
        """List the transport agreements (运力储备)"""
        return queries.list_agreements(db.session, **query)

    @idempotent
    @blp.arguments(TransportAgreementCreateSchema())
    @blp.response(201, TransportAgreementSchema)
    def post(self, data):
        """Record a transport agreement with a carrier (bureau, admin)"""
        return services.create_agreement(db.session, g.user, **data)


@blp.route("/transport-agreements/<number>")
class AgreementByNumber(MethodView):
    @blp.response(200, TransportAgreementSchema)
    def get(self, number):
        """Show one transport agreement"""
        return services.get_agreement(db.session, number)

    @idempotent
    @blp.arguments(TransportAgreementPatchSchema())
    @blp.response(200, TransportAgreementSchema)
    def patch(self, data, number):
        """Change a transport agreement (bureau, admin)"""
        return services.update_agreement(db.session, g.user, number, **data)
