"""Resolving what a keeper scanned or typed: a label (lot, depot, bin) or a lot code."""

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from inventory import clock
from inventory.api.fields import Strict
from inventory.auth.permissions import can_move_stock
from inventory.db import db
from inventory.errors import NotFound
from inventory.labels import service
from inventory.scan import queries
from inventory.stock.models import Lot, Movement
from inventory.stock.schemas import LotSchema, MovementSchema
from inventory.transport.waybill_api import WaybillSchema

blp = Blueprint("scan_api", __name__, description="Scanning labels 扫码")


class ScannedLotSchema(LotSchema):
    depot_name = fields.Function(lambda lot: lot.depot.name)
    days_to_expiry = fields.Function(
        lambda lot: (lot.expires_on - clock.today()).days if lot.expires_on else None)
    can_move = fields.Function(lambda lot: can_move_stock(g.user, lot.depot))
    recent = fields.Function(lambda lot: MovementSchema(many=True).dump(db.session.scalars(
        select(Movement).where(Movement.lot_id == lot.id)
        .order_by(Movement.seq.desc()).limit(5)).all()))


class ScannedDepotSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    tier = fields.String()
    can_move = fields.Function(lambda depot: can_move_stock(g.user, depot))


class ScanResultSchema(Schema):
    kind = fields.String(metadata={"description": "lot, lots (several lots share the code), "
                                                 "depot, bin or waybill"})
    lot = fields.Nested(ScannedLotSchema, allow_none=True)
    lots = fields.List(fields.Nested(ScannedLotSchema), allow_none=True)
    depot = fields.Nested(ScannedDepotSchema, allow_none=True)
    bin = fields.Function(lambda r: {"id": r["bin"].id, "code": r["bin"].code,
                                     "name": r["bin"].name} if r.get("bin") else None)
    waybill = fields.Nested(WaybillSchema, allow_none=True,
                            metadata={"description": "a waybill's label: record its arrival "
                                                     "with POST /waybills/arrivals"})


class ScanQuerySchema(Strict):
    code = fields.String(required=True, validate=validate.Length(min=1, max=300),
                         metadata={"description": "a label's URL or payload, or a lot code"})


def _my_depot_ids(user) -> list[int]:
    return [depot.id for depot in user.depots] if user.role == "keeper" else []


@blp.route("/scan")
class Scan(MethodView):
    @blp.arguments(ScanQuerySchema(), location="query")
    @blp.response(200, ScanResultSchema)
    def get(self, query):
        """What a scanned label or a typed lot code names, with what the user may do there"""
        return queries.resolve(db.session, query["code"], _my_depot_ids(g.user))


class LabelLinkSchema(Schema):
    url = fields.String()
    pdf = fields.String()
    pallet_pdf = fields.String()


@blp.route("/lots/<int(max=2147483647):lot_id>/label")
class LotLabel(MethodView):
    @blp.response(200, LabelLinkSchema)
    def get(self, lot_id):
        """The signed label address of a lot, and where to print it"""
        lot = db.session.get(Lot, lot_id)
        if lot is None:
            raise NotFound(f"没有编号为 {lot_id} 的批次。", f"No lot with id {lot_id}.")
        return {"url": service.label_url("lot", lot.id), "pdf": f"/labels.pdf?lot={lot.id}",
                "pallet_pdf": f"/labels.pdf?lot={lot.id}&layout=pallet"}
