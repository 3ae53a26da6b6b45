"""Transfer endpoints: draft, dispatch, receive, cancel, list, the printable order."""

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import or_, select

from inventory.api.fields import (
    Id,
    OccurredAt,
    Quantity,
    Strict,
    code_field,
    text_field,
)
from inventory.api.idempotency import idempotent, request_key
from inventory.api.pagination import paginate
from inventory.db import db
from inventory.documents import papers
from inventory.documents.api import PDF, in_request_language
from inventory.documents.views import pdf_response
from inventory.geo.queries import get_depot
from inventory.stock.schemas import MovementSchema
from inventory.transfers import queries, services
from inventory.transfers.models import TRANSFER_STATUSES, Transfer
from inventory.transport import waybills
from inventory.transport.waybill_api import WaybillInSchema
from inventory.uow import unit_of_work

blp = Blueprint("transfers_api", __name__, description="Transfers between depots 调拨")


class TransferLineInSchema(Strict):
    item = code_field(load_default=None)
    lot = fields.Integer(load_default=None, strict=True, validate=Id)
    quantity = fields.Integer(required=True, strict=True, validate=Quantity)


class TransferCreateSchema(Strict):
    from_depot = code_field(required=True)
    to_depot = code_field(required=True)
    lines = fields.List(fields.Nested(TransferLineInSchema), required=True,
                        validate=validate.Length(min=1, max=500))
    reason = text_field(500, load_default=None)
    reference = text_field(100, load_default=None)


class DispatchSchema(Strict):
    occurred_at = OccurredAt(load_default=None)
    waybill = fields.Nested(WaybillInSchema, load_default=None, metadata={
        "description": "the waybill (运单) of the load, recorded with the dispatch"})


class ReceiveLineSchema(Strict):
    lot = fields.Integer(required=True, strict=True, validate=Id,
                         metadata={"description": "source lot id"})
    quantity = fields.Integer(required=True, strict=True,
                              validate=validate.Range(min=0, max=1_000_000_000))


class ReceiveSchema(Strict):
    lines = fields.List(fields.Nested(ReceiveLineSchema), load_default=list,
                        metadata={"description": "quantities received per source lot; "
                                                 "lots not listed arrived in full"})
    occurred_at = OccurredAt(load_default=None)


class TransferLineSchema(Schema):
    id = fields.Integer()
    item = fields.Function(lambda line: line.item.code)
    item_name = fields.Function(lambda line: line.item.name_zh)
    lot = fields.Integer(attribute="lot_id", allow_none=True)
    lot_code = fields.Function(lambda line: line.lot.code if line.lot else None)
    expires_on = fields.Function(
        lambda line: line.lot.expires_on.isoformat() if line.lot and line.lot.expires_on else None)
    quantity = fields.Integer()
    quantity_received = fields.Integer(allow_none=True)
    discrepancy = fields.Integer(allow_none=True)
    received_lot = fields.Integer(attribute="received_lot_id", allow_none=True)


class TransferSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    from_depot = fields.Function(lambda t: t.from_depot.code)
    to_depot = fields.Function(lambda t: t.to_depot.code)
    status = fields.String()
    reason = fields.String(allow_none=True)
    reference = fields.String(allow_none=True)
    created_by = fields.Function(lambda t: t.created_by.username)
    created_at = fields.DateTime()
    dispatched_at = fields.DateTime(allow_none=True)
    received_at = fields.DateTime(allow_none=True)
    lines = fields.List(fields.Nested(TransferLineSchema))


class TransferResultSchema(Schema):
    transfer = fields.Nested(TransferSchema)
    movements = fields.List(fields.Nested(MovementSchema))


class TransferQuerySchema(Strict):
    depot = code_field(load_default=None, metadata={"description": "from or to this depot"})
    status = fields.String(load_default=None, validate=validate.OneOf(TRANSFER_STATUSES))


@blp.route("/transfers")
class Transfers(MethodView):
    @blp.arguments(TransferQuerySchema(), location="query")
    @blp.response(200, TransferSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """List transfers; dispatched ones are goods in transit"""
        stmt = select(Transfer).order_by(Transfer.id.desc())
        if query["depot"]:
            depot = get_depot(db.session, query["depot"])
            stmt = stmt.where(or_(Transfer.from_depot_id == depot.id,
                                  Transfer.to_depot_id == depot.id))
        if query["status"]:
            stmt = stmt.where(Transfer.status == query["status"])
        return paginate(stmt, pagination_parameters)

    @idempotent
    @blp.arguments(TransferCreateSchema())
    @blp.response(201, TransferSchema)
    def post(self, data):
        """Draft a transfer from one depot to another (调拨单)"""
        return services.create(db.session, g.user, **data)


@blp.route("/transfers/<int(max=2147483647):transfer_id>")
class TransferById(MethodView):
    @blp.response(200, TransferSchema)
    def get(self, transfer_id):
        """Show one transfer with its lines and discrepancies"""
        return services.get_transfer(db.session, transfer_id)


@blp.route("/transfers/<int(max=2147483647):transfer_id>/dispatch")
class Dispatch(MethodView):
    @idempotent
    @blp.arguments(DispatchSchema())
    @blp.response(200, TransferResultSchema)
    def post(self, data, transfer_id):
        """Send the goods: transfer_out rows at the source depot, and the load's waybill
        when one is given"""
        waybill = data.pop("waybill")
        with unit_of_work(db.session):
            transfer, movements = services.dispatch(db.session, g.user, transfer_id,
                                                    key=request_key(), **data)
            if waybill is not None:
                waybills.record_for_transfer(db.session, g.user, transfer.id, **waybill)
        return {"transfer": transfer, "movements": movements}


@blp.route("/transfers/<int(max=2147483647):transfer_id>/receive")
class Receive(MethodView):
    @idempotent
    @blp.arguments(ReceiveSchema())
    @blp.response(200, TransferResultSchema)
    def post(self, data, transfer_id):
        """Receive the goods: transfer_in rows at the target depot, differences recorded; the
        waybill, if nobody scanned it on arrival, arrives now"""
        with unit_of_work(db.session):
            transfer, movements = services.receive(db.session, g.user, transfer_id,
                                                   key=request_key(), **data)
            waybills.arrive_on_receipt(db.session, g.user, transfer)
        return {"transfer": transfer, "movements": movements}


@blp.route("/transfers/<int(max=2147483647):transfer_id>/cancel")
class Cancel(MethodView):
    @blp.response(200, TransferSchema)
    def post(self, transfer_id):
        """Cancel a draft transfer"""
        return services.cancel(db.session, g.user, transfer_id)


@blp.route("/transfers/<int(max=2147483647):transfer_id>/order.pdf")
class TransferOrder(MethodView):
    @blp.response(200, PDF, content_type="application/pdf")
    def get(self, transfer_id):
        """The transfer order (调拨单) as an A4 PDF, with the lots' QR codes"""
        transfer = services.get_transfer(db.session, transfer_id)
        detail = queries.transfer_detail(db.session, transfer.number)
        with in_request_language():
            return pdf_response(papers.transfer_order(detail))
