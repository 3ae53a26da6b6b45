"""Waybills over the API: recorded with a dispatch or right after it, arrivals scanned by the
receiving keeper, the printable waybill, goods in transit and measured trip times."""

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from inventory import clock
from inventory.api.fields import AwareDateTime, Strict, code_field, text_field
from inventory.api.idempotency import idempotent
from inventory.db import db
from inventory.documents.api import PDF, in_request_language
from inventory.documents.views import pdf_response
from inventory.transport import papers, queries, scanning, waybills

blp = Blueprint("waybills_api", __name__,
                description="Waybills and goods in transit 运单与在途物资")

ID = "<int(max=2147483647):{}>"


class WaybillInSchema(Strict):
    carrier = code_field(load_default=None,
                         metadata={"description": "the carrier's code; defaults to the "
                                                  "registered vehicle's"})
    plate = fields.String(required=True, validate=validate.Length(min=5, max=20))
    driver_name = text_field(50, load_default=None)
    driver_phone = text_field(30, load_default=None)
    seal_number = text_field(40, load_default=None, metadata={"description": "铅封号"})
    departed_at = AwareDateTime(load_default=None,
                                metadata={"description": "default: the dispatch time (or now)"})
    note = text_field(1000, load_default=None)


class WaybillSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    transfer = fields.Function(lambda w: w.transfer.number if w.transfer else None)
    transfer_id = fields.Integer(allow_none=True)
    call_off_id = fields.Integer(allow_none=True)
    from_depot = fields.Function(lambda w: w.from_depot.code if w.from_depot else None)
    to_depot = fields.Function(lambda w: w.to_depot.code)
    carrier = fields.Function(lambda w: w.carrier.code if w.carrier else None)
    carrier_name = fields.Function(lambda w: w.carrier.name if w.carrier else None)
    plate = fields.String()
    registered_vehicle = fields.Function(lambda w: w.vehicle_id is not None)
    driver_name = fields.String(allow_none=True)
    driver_phone = fields.String(allow_none=True)
    seal_number = fields.String(allow_none=True)
    departed_at = fields.DateTime()
    expected_at = fields.Function(
        lambda w: _iso(queries.expected_arrival(db.session, w, _road_table())),
        metadata={"description": "departure + the travel table's road hours (a delivery: "
                                 "the call-off's expected time)"})
    arrived_at = fields.DateTime(allow_none=True)
    arrived_by = fields.Function(lambda w: w.arrived_by.username if w.arrived_by else None)
    trip_hours = fields.Float(allow_none=True)
    note = fields.String(allow_none=True)
    created_by = fields.Function(lambda w: w.created_by.username)
    created_at = fields.DateTime()
    label_url = fields.Function(lambda w: scanning.label_url(w))
    pdf = fields.Function(lambda w: f"/api/v1/waybills/{w.id}/waybill.pdf")


def _iso(moment):
    return None if moment is None else clock.local_time(moment).isoformat()


def _road_table() -> queries.RoadTable:
    """The travel table, read once per request however many waybills it answers with."""
    if "road_table" not in g:
        g.road_table = queries.RoadTable(db.session)
    return g.road_table


class WaybillQuerySchema(Strict):
    depot = code_field(load_default=None, metadata={"description": "from or to this depot"})


class ArrivalSchema(Strict):
    occurred_at = AwareDateTime(load_default=None,
                                metadata={"description": "when it arrived (device time)"})


class ScannedArrivalSchema(Strict):
    code = fields.String(required=True, validate=validate.Length(min=1, max=300), metadata={
        "description": "what the keeper scanned: the waybill's label or number, or a lot's "
                       "label on it"})
    occurred_at = AwareDateTime(load_default=None)


@blp.route("/waybills")
class Waybills(MethodView):
    @blp.arguments(WaybillQuerySchema(), location="query")
    @blp.response(200, WaybillSchema(many=True))
    def get(self, query):
        """List the newest waybills (运单), at most 200"""
        return queries.list_waybills(db.session, **query)


@blp.route(f"/waybills/{ID.format('waybill_id')}")
class WaybillById(MethodView):
    @blp.response(200, WaybillSchema)
    def get(self, waybill_id):
        """Show one waybill"""
        return waybills.get_waybill(db.session, waybill_id)


@blp.route(f"/transfers/{ID.format('transfer_id')}/waybill")
class TransferWaybill(MethodView):
    @blp.response(200, WaybillSchema)
    def get(self, transfer_id):
        """Show a transfer's waybill"""
        return scanning.transfer_waybill(db.session, transfer_id)

    @idempotent
    @blp.arguments(WaybillInSchema())
    @blp.response(201, WaybillSchema)
    def post(self, data, transfer_id):
        """Record the waybill of a transfer in transit (the source depot's keeper, admin)"""
        return waybills.record_for_transfer(db.session, g.user, transfer_id, **data)


@blp.route(f"/call-offs/{ID.format('call_off_id')}/waybill")
class CallOffWaybill(MethodView):
    @idempotent
    @blp.arguments(WaybillInSchema())
    @blp.response(201, WaybillSchema)
    def post(self, data, call_off_id):
        """Record the waybill of a supplier's delivery (bureau, admin, the receiving keeper)"""
        return waybills.record_for_call_off(db.session, g.user, call_off_id, **data)


@blp.route(f"/waybills/{ID.format('waybill_id')}/arrival")
class Arrival(MethodView):
    @idempotent
    @blp.arguments(ArrivalSchema())
    @blp.response(200, WaybillSchema)
    def post(self, data, waybill_id):
        """Record the load's arrival (the receiving depot's keeper, admin); a repeat keeps
        the first arrival"""
        return waybills.record_arrival(db.session, g.user, waybill_id, **data)


@blp.route("/waybills/arrivals")
class ScannedArrival(MethodView):
    @idempotent
    @blp.arguments(ScannedArrivalSchema())
    @blp.response(200, WaybillSchema)
    def post(self, data):
        """Record an arrival from a scan: the waybill's label or number, or a lot on it"""
        return scanning.arrival_from_scan(db.session, g.user, data["code"],
                                          occurred_at=data["occurred_at"])


@blp.route(f"/waybills/{ID.format('waybill_id')}/waybill.pdf")
class WaybillPaper(MethodView):
    @blp.response(200, PDF, content_type="application/pdf")
    def get(self, waybill_id):
        """The waybill (运单) as an A4 PDF with its QR code"""
        waybill = waybills.get_waybill(db.session, waybill_id)
        with in_request_language():
            return pdf_response(papers.waybill_paper(db.session, waybill))


# -- in transit and trip times -------------------------------------------------------------

class WaybillBriefSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    carrier = fields.Function(lambda w: w.carrier.code if w.carrier else None)
    carrier_name = fields.Function(lambda w: w.carrier.name if w.carrier else None)
    plate = fields.String()
    driver_name = fields.String(allow_none=True)
    driver_phone = fields.String(allow_none=True)
    seal_number = fields.String(allow_none=True)
    departed_at = fields.DateTime()


class GoodsSchema(Schema):
    item_name = fields.Function(lambda g_: g_[0])
    quantity = fields.Function(lambda g_: g_[1])
    unit = fields.Function(lambda g_: g_[2])


class InTransitSchema(Schema):
    kind = fields.String(metadata={"description": "transfer or call_off"})
    reference = fields.String(metadata={"description": "the transfer's number, or the "
                                                       "agreement's for a delivery"})
    transfer_id = fields.Function(lambda t: t.transfer.id if t.transfer else None)
    call_off_id = fields.Function(lambda t: t.call_off.id if t.call_off else None)
    from_depot = fields.Function(lambda t: t.from_depot.code if t.from_depot else None)
    sender = fields.String()
    to_depot = fields.Function(lambda t: t.to_depot.code)
    to_depot_name = fields.Function(lambda t: t.to_depot.name)
    departed_at = fields.DateTime()
    road_hours = fields.Float(allow_none=True)
    expected_at = fields.DateTime(allow_none=True)
    arrived_at = fields.DateTime(allow_none=True,
                                 metadata={"description": "arrived, not yet received"})
    overdue = fields.Boolean()
    waybill = fields.Nested(WaybillBriefSchema, allow_none=True)
    goods = fields.List(fields.Nested(GoodsSchema))


class InTransitQuerySchema(Strict):
    depot = code_field(load_default=None, metadata={"description": "from or to this depot"})
    overdue = fields.Boolean(load_default=False, metadata={"description": "only overdue loads"})


class TripTimesSchema(Schema):
    from_depot = fields.Function(lambda t: t.from_depot.code)
    to_depot = fields.Function(lambda t: t.to_depot.code)
    table_hours = fields.Float(allow_none=True,
                               metadata={"description": "the travel table's figure"})
    count = fields.Integer()
    median_hours = fields.Float()
    last_hours = fields.Float()
    last_arrived_at = fields.DateTime()
    difference = fields.Float(allow_none=True,
                              metadata={"description": "median measured − table"})


class TripQuerySchema(Strict):
    depot = code_field(load_default=None, metadata={"description": "routes from this depot"})


@blp.route("/in-transit")
class GoodsInTransit(MethodView):
    @blp.arguments(InTransitQuerySchema(), location="query")
    @blp.response(200, InTransitSchema(many=True))
    def get(self, query):
        """Goods on the road with their waybills and expected arrival, soonest first"""
        return queries.in_transit(db.session, depot=query["depot"],
                                  overdue_only=query["overdue"])


@blp.route("/trip-times")
class Trips(MethodView):
    @blp.arguments(TripQuerySchema(), location="query")
    @blp.response(200, TripTimesSchema(many=True))
    def get(self, query):
        """Measured trip times by route beside the travel table's figure"""
        return queries.trip_times(db.session, **query)

