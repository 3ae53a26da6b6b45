"""The trace over the API: a lot's (JSON, CSV, XLSX) and a shelter's. Every role reads them;
neither shows anything of the people who received goods."""

from flask.views import MethodView
from flask_babel import gettext
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from inventory import clock
from inventory.db import db
from inventory.documents.api import PDF, in_request_language
from inventory.trace import exports, queries

blp = Blueprint("trace_api", __name__, description="The trace 追溯")
ID = "int(max=2147483647)"


def _iso(moment):
    return None if moment is None else clock.local_time(moment).isoformat()


def _lot_json(lot) -> dict:
    return {"id": lot.id, "code": lot.code, "depot": lot.depot.code, "item": lot.item.code,
            "source": lot.source, "quantity": lot.quantity}


def _waybill_json(waybill) -> dict | None:
    if waybill is None:
        return None
    return {"number": waybill.number, "plate": waybill.plate,
            "departed_at": _iso(waybill.departed_at), "arrived_at": _iso(waybill.arrived_at),
            "trip_hours": waybill.trip_hours}


def _section_json(section) -> dict:
    return {"key": section.key, "title": gettext(section.title),
            "headers": [gettext(h) for h in section.headers], "rows": section.rows}


class StepSchema(Schema):
    at = fields.Function(lambda s: _iso(s.at))
    kind = fields.String(metadata={"description": "the ledger row's kind"})
    handed_out = fields.Boolean(metadata={"description": "an issue: goods handed out"})
    movement = fields.Function(lambda s: s.movement.id)
    lot = fields.Function(lambda s: s.lot.id)
    lot_code = fields.Function(lambda s: s.lot.code)
    depot = fields.Function(lambda s: s.depot.code)
    item = fields.Function(lambda s: s.lot.item.code)
    quantity = fields.Function(lambda s: s.movement.quantity)
    reference = fields.Function(lambda s: s.movement.reference)
    transfer = fields.Function(lambda s: s.transfer.number if s.transfer else None)
    waybill = fields.Function(lambda s: _waybill_json(s.waybill))


class LegSchema(Schema):
    transfer = fields.Function(lambda leg: leg.transfer.number)
    transfer_id = fields.Function(lambda leg: leg.transfer.id)
    status = fields.Function(lambda leg: leg.transfer.status)
    from_depot = fields.Function(lambda leg: leg.transfer.from_depot.code)
    to_depot = fields.Function(lambda leg: leg.transfer.to_depot.code)
    from_lot = fields.Function(lambda leg: leg.from_lot.id)
    to_lot = fields.Function(lambda leg: leg.to_lot.id if leg.to_lot else None)
    sent = fields.Integer()
    received = fields.Integer(allow_none=True)
    dispatched_at = fields.Function(lambda leg: _iso(leg.transfer.dispatched_at))
    received_at = fields.Function(lambda leg: _iso(leg.transfer.received_at))
    waybill = fields.Function(lambda leg: _waybill_json(leg.waybill))


class LotTraceSchema(Schema):
    lot = fields.Function(lambda t: _lot_json(t.lot))
    first = fields.Function(lambda t: _lot_json(t.first),
                            metadata={"description": "the lot first received into the reserve"})
    ancestors = fields.Function(lambda t: [_lot_json(lot) for lot in t.ancestors])
    lots = fields.Function(lambda t: [_lot_json(lot) for lot in t.lots],
                           metadata={"description": "this lot and every lot it went into"})
    transfers = fields.List(fields.Nested(LegSchema), attribute="legs")
    steps = fields.List(fields.Nested(StepSchema))
    handed_out = fields.Function(lambda t: t.handed_out_total())
    sections = fields.Function(lambda t: [_section_json(s) for s in t.sections])


class ShelterTraceSchema(Schema):
    shelter = fields.Function(lambda t: {"code": t.shelter.code, "name": t.shelter.name,
                                         "depot": t.shelter.depot.code})
    arrivals = fields.Function(lambda t: [{
        "transfer": a.transfer.number, "from_depot": a.transfer.from_depot.code,
        "status": a.transfer.status, "dispatched_at": _iso(a.transfer.dispatched_at),
        "received_at": _iso(a.transfer.received_at), "waybill": _waybill_json(a.waybill),
        "lines": [{"item": line.item.code, "lot": line.lot_id, "sent": line.quantity,
                   "received": line.quantity_received, "received_lot": line.received_lot_id}
                  for line in a.transfer.lines]} for a in t.arrivals])
    receipts = fields.Function(lambda t: [_row_json(m) for m in t.receipts])
    handed_out = fields.Function(lambda t: [_row_json(m) for m in t.handed_out])
    totals = fields.Function(lambda t: [{"item": item.code, "arrived": arrived,
                                         "handed_out": out} for item, arrived, out in t.totals])
    sections = fields.Function(lambda t: [_section_json(s) for s in t.sections])


def _row_json(movement) -> dict:
    return {"at": _iso(movement.occurred_at), "movement": movement.id, "lot": movement.lot_id,
            "item": movement.lot.item.code, "quantity": movement.quantity,
            "reference": movement.reference}


@blp.route(f"/lots/<{ID}:lot_id>/trace")
class LotTrace(MethodView):
    @blp.response(200, LotTraceSchema)
    def get(self, lot_id):
        """A lot's trace: its first receipt, the transfers up to it and on from it with their
        waybills (departure, arrival, trip time), every ledger row of those lots and what was
        handed out, by reference"""
        return queries.lot_trace(db.session, lot_id)


def _lot_file(fmt: str, content_type: str, send) -> None:
    def get(self, lot_id):
        trace = queries.lot_trace(db.session, lot_id)
        with in_request_language():
            return send(trace)

    get.__doc__ = f"A lot's trace as {'CSV' if fmt == 'csv' else 'an XLSX workbook'}"
    view = type(f"LotTrace{fmt.upper()}", (MethodView,), {
        "get": blp.response(200, PDF, content_type=content_type)(get)})
    blp.route(f"/lots/<{ID}:lot_id>/trace.{fmt}")(view)


_lot_file("csv", "text/csv", exports.send_csv)
_lot_file("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          exports.send_xlsx)


@blp.route("/shelters/<code>/trace")
class ShelterTrace(MethodView):
    @blp.response(200, ShelterTraceSchema)
    def get(self, code):
        """A shelter's trace: what arrived at its receiving point (transfers with their
        waybills, direct receipts), when, and what was handed out there, by reference"""
        return queries.shelter_trace(db.session, code)

