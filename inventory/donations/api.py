"""Donations over the API: donors and pledges (the bureau and admins keep them), goods
received against a pledge (the receiving depot's keeper, an admin), money received (the
bureau, admins), acknowledgement letters, a donation's trace and the public disclosure.

Every role reads donors, pledges, receipts and the disclosure; donors' contact details are
shown to the bureau, admins and auditors only.
"""

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from inventory.api.fields import (
    AwareDateTime,
    Id,
    OccurredAt,
    Quantity,
    Strict,
    code_field,
    text_field,
)
from inventory.api.idempotency import idempotent, request_key
from inventory.db import db
from inventory.documents.api import PDF, in_request_language
from inventory.documents.views import pdf_response
from inventory.donations import papers, queries, services
from inventory.donations.disclosure import disclosure
from inventory.donations.models import DONOR_KINDS
from inventory.reports import scope

blp = Blueprint("donations_api", __name__, description="Donations 捐赠")
ID = "int(max=2147483647)"
#: roles that see a donor's contact details
SEE_CONTACTS = ("admin", "bureau", "auditor")
#: an amount of money in yuan, more than nothing
MONEY = validate.Range(min=0, min_inclusive=False, max=float(services.MAX_AMOUNT))


def _contact(attribute: str):
    return fields.Function(lambda d: getattr(d, attribute)
                           if g.user.role in SEE_CONTACTS else None,
                           metadata={"description": "bureau, admins and auditors only"})


class DonorSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String(metadata={"description": "organisation or person"})
    contact_name = _contact("contact_name")
    contact_phone = _contact("contact_phone")
    address = _contact("address")
    anonymous = fields.Boolean(metadata={"description": "not named in the public disclosure"})
    note = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class _DonorFields(Strict):
    name = fields.String(validate=validate.Length(min=1, max=100))
    kind = fields.String(validate=validate.OneOf(DONOR_KINDS))
    contact_name = text_field(50)
    contact_phone = text_field(30)
    address = text_field(200)
    anonymous = fields.Boolean()
    note = text_field(1000)


class DonorCreateSchema(_DonorFields):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    kind = fields.String(required=True, validate=validate.OneOf(DONOR_KINDS))


class DonorPatchSchema(_DonorFields):
    @validates_schema
    def something_to_change(self, data, **kwargs):
        if not data:
            raise ValidationError("give at least one field to change")


def _line_json(progress) -> dict:
    line = progress.line
    return {"id": line.id, "item": line.item.code, "item_name": line.item.name_zh,
            "unit": line.item.unit, "quantity": line.quantity, "purpose": line.purpose,
            "received": progress.received, "outstanding": progress.outstanding}


class ReceiptLineSchema(Schema):
    pledge_line = fields.Integer(attribute="pledge_line_id")
    item = fields.Function(lambda line: line.lot.item.code)
    lot = fields.Integer(attribute="lot_id")
    lot_code = fields.Function(lambda line: line.lot.code)
    movement = fields.Integer(attribute="movement_id",
                              metadata={"description": "the ledger row that brought it in"})
    quantity = fields.Integer()


class DonationReceiptSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    pledge = fields.Function(lambda r: r.pledge.number)
    pledge_id = fields.Integer()
    kind = fields.String(metadata={"description": "goods or money"})
    depot = fields.Function(lambda r: r.depot.code if r.depot else None)
    amount = fields.Decimal(as_string=True, allow_none=True)
    received_at = fields.DateTime()
    received_by = fields.Function(lambda r: r.received_by.username)
    note = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(ReceiptLineSchema))
    letter = fields.Function(lambda r: f"/api/v1/donation-receipts/{r.id}/letter.pdf")


class PledgeSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    donor = fields.Nested(DonorSchema)
    pledged_on = fields.Date()
    amount = fields.Decimal(as_string=True, allow_none=True)
    money_received = fields.Function(lambda p: str(services.money_received(p)))
    purpose = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    status = fields.Function(queries.pledge_status,
                             metadata={"description": "open while goods or money are to come"})
    lines = fields.Function(lambda p: [_line_json(x) for x in queries.progress(p)],
                            metadata={"description": "item, quantity, the use asked, "
                                                     "received and still to come"})
    receipts = fields.List(fields.Nested(DonationReceiptSchema))
    created_by = fields.Function(lambda p: p.created_by.username)
    created_at = fields.DateTime()


class PledgeLineInSchema(Strict):
    item = code_field(required=True)
    quantity = fields.Integer(required=True, strict=True, validate=Quantity)
    purpose = text_field(200, load_default=None)


class PledgeCreateSchema(Strict):
    donor = fields.Integer(required=True, strict=True, validate=Id)
    lines = fields.List(fields.Nested(PledgeLineInSchema), load_default=list,
                        validate=validate.Length(max=services.MAX_LINES))
    amount = fields.Float(load_default=None, allow_nan=False, validate=MONEY,
                          metadata={"description": "money promised, in yuan"})
    purpose = text_field(200, load_default=None, metadata={"description": "the use asked"})
    pledged_on = fields.Date(load_default=None)
    note = text_field(1000, load_default=None)


class PledgeQuerySchema(Strict):
    donor = fields.Integer(load_default=None, validate=Id)


class GoodsLineInSchema(Strict):
    line = fields.Integer(required=True, strict=True, validate=Id,
                          metadata={"description": "the pledge line's id"})
    quantity = fields.Integer(required=True, strict=True, validate=Quantity)
    lot_code = fields.String(load_default=None, validate=validate.Length(min=1, max=64),
                             metadata={"description": "default: the receipt's number and "
                                                      "the line's position"})
    expires_on = fields.Date(load_default=None)
    manufactured_on = fields.Date(load_default=None)
    unit_cost = fields.Float(load_default=None, allow_nan=False,
                             validate=validate.Range(min=0, max=1e9),
                             metadata={"description": "a value per unit, for the accounts"})
    bin = code_field(load_default=None)


class GoodsReceiptSchema(Strict):
    depot = code_field(required=True)
    lines = fields.List(fields.Nested(GoodsLineInSchema), required=True,
                        validate=validate.Length(min=1, max=services.MAX_LINES))
    occurred_at = OccurredAt(load_default=None)
    note = text_field(1000, load_default=None)


class MoneyReceiptSchema(Strict):
    amount = fields.Float(required=True, allow_nan=False, validate=MONEY,
                          metadata={"description": "yuan received"})
    received_at = AwareDateTime(load_default=None)
    note = text_field(1000, load_default=None)


class ReceiptQuerySchema(Strict):
    pledge = fields.Integer(load_default=None, validate=Id)


class DisclosureQuerySchema(Strict):
    from_ = fields.Date(data_key="from", load_default=None)
    to = fields.Date(load_default=None)


class NamedRowSchema(Schema):
    donor = fields.String()
    donor_kind = fields.String()
    item = fields.Function(lambda r: r.item.code if r.item else None)
    item_name = fields.Function(lambda r: r.item.name_zh if r.item else None)
    unit = fields.Function(lambda r: r.item.unit if r.item else None)
    quantity = fields.Integer()
    amount = fields.Decimal(as_string=True, allow_none=True)


class UsedRowSchema(Schema):
    purpose = fields.String()
    place = fields.String()
    area = fields.String()
    item = fields.Function(lambda r: r.item.code)
    item_name = fields.Function(lambda r: r.item.name_zh)
    unit = fields.Function(lambda r: r.item.unit)
    quantity = fields.Integer()


class DisclosureSchema(Schema):
    first = fields.Function(lambda d: d.period.first.isoformat())
    last = fields.Function(lambda d: d.period.last.isoformat())
    received = fields.List(fields.Nested(NamedRowSchema))
    money = fields.List(fields.Nested(NamedRowSchema))
    used = fields.List(fields.Nested(UsedRowSchema))
    received_by_item = fields.Function(lambda d: d.received_by_item())
    used_by_item = fields.Function(lambda d: d.used_by_item())
    money_total = fields.Function(lambda d: str(d.money_total))


class TraceLotSchema(Schema):
    receipt = fields.Function(lambda d: d.receipt.number)
    lot = fields.Function(lambda d: d.line.lot_id)
    item = fields.Function(lambda d: d.line.lot.item.code)
    received = fields.Function(lambda d: d.line.quantity)
    handed_out = fields.Integer()
    in_transit = fields.Integer()
    on_hand = fields.Function(lambda d: [{"depot": lot.depot.code, "lot": lot.id,
                                          "quantity": quantity} for lot, quantity in d.on_hand])
    transfers = fields.Function(lambda d: [_leg_json(leg) for leg in d.trace.legs])


def _iso(moment):
    from inventory import clock

    return None if moment is None else clock.local_time(moment).isoformat()


def _leg_json(leg) -> dict:
    waybill = leg.waybill
    return {"transfer": leg.transfer.number, "from_depot": leg.transfer.from_depot.code,
            "to_depot": leg.transfer.to_depot.code, "from_lot": leg.from_lot.id,
            "to_lot": leg.to_lot.id if leg.to_lot else None, "sent": leg.sent,
            "received": leg.received, "dispatched_at": _iso(leg.transfer.dispatched_at),
            "received_at": _iso(leg.transfer.received_at),
            "waybill": waybill.number if waybill else None,
            "departed_at": _iso(waybill.departed_at) if waybill else None,
            "arrived_at": _iso(waybill.arrived_at) if waybill else None,
            "trip_hours": leg.trip_hours}


class PlaceSchema(Schema):
    depot = fields.Function(lambda p: p.depot.code)
    depot_name = fields.Function(lambda p: p.depot.name)
    item = fields.Function(lambda p: p.item.code)
    quantity = fields.Integer()
    first_at = fields.DateTime()
    last_at = fields.DateTime()


class DonationTraceSchema(Schema):
    pledge = fields.Function(lambda t: t.pledge.number)
    lots = fields.List(fields.Nested(TraceLotSchema))
    places = fields.List(fields.Nested(PlaceSchema),
                         metadata={"description": "handed out, by depot and item"})


# -- donors ------------------------------------------------------------------------------

@blp.route("/donors")
class Donors(MethodView):
    @blp.response(200, DonorSchema(many=True))
    def get(self):
        """List the donors (捐赠方) by name"""
        return queries.list_donors(db.session)

    @idempotent
    @blp.arguments(DonorCreateSchema())
    @blp.response(201, DonorSchema)
    def post(self, data):
        """Register a donor: an organisation or a person, with contact details; no identity
        numbers (bureau, admin)"""
        return services.create_donor(db.session, g.user, **data)


@blp.route(f"/donors/<{ID}:donor_id>")
class DonorById(MethodView):
    @blp.response(200, DonorSchema)
    def get(self, donor_id):
        """Show one donor"""
        return services.get_donor(db.session, donor_id)

    @idempotent
    @blp.arguments(DonorPatchSchema())
    @blp.response(200, DonorSchema)
    def patch(self, data, donor_id):
        """Change a donor's particulars (bureau, admin)"""
        return services.update_donor(db.session, g.user, donor_id, **data)


# -- pledges -----------------------------------------------------------------------------

@blp.route("/pledges")
class Pledges(MethodView):
    @blp.arguments(PledgeQuerySchema(), location="query")
    @blp.response(200, PledgeSchema(many=True))
    def get(self, query):
        """List the pledges (捐赠登记), newest first, with what has been received"""
        return queries.list_pledges(db.session, **query)

    @idempotent
    @blp.arguments(PledgeCreateSchema())
    @blp.response(201, PledgeSchema)
    def post(self, data):
        """Register a pledge: goods by line (item, quantity, the use asked) and/or money,
        for a use the donor asks (bureau, admin)"""
        return services.create_pledge(db.session, g.user, **data)


@blp.route(f"/pledges/<{ID}:pledge_id>")
class PledgeById(MethodView):
    @blp.response(200, PledgeSchema)
    def get(self, pledge_id):
        """Show one pledge with its lines, what has been received and its receipts"""
        return services.get_pledge(db.session, pledge_id)


@blp.route(f"/pledges/<{ID}:pledge_id>/receipts")
class PledgeGoods(MethodView):
    @idempotent
    @blp.arguments(GoodsReceiptSchema())
    @blp.response(201, DonationReceiptSchema)
    def post(self, data, pledge_id):
        """Receive donated goods at a depot against the pledge: each line a new lot whose
        source is the donation, one ledger row each (the depot's keeper, an admin)"""
        return services.receive_goods(db.session, g.user, pledge_id, key=request_key(), **data)


@blp.route(f"/pledges/<{ID}:pledge_id>/money")
class PledgeMoney(MethodView):
    @idempotent
    @blp.arguments(MoneyReceiptSchema())
    @blp.response(201, DonationReceiptSchema)
    def post(self, data, pledge_id):
        """Record money received against the pledge; nothing is stocked (bureau, admin)"""
        return services.receive_money(db.session, g.user, pledge_id, **data)


@blp.route(f"/pledges/<{ID}:pledge_id>/trace")
class PledgeTrace(MethodView):
    @blp.response(200, DonationTraceSchema)
    def get(self, pledge_id):
        """The donation's trace: its lots, the transfers that took them on with their
        waybills, and what was handed out where and when"""
        return queries.donation_trace(db.session, services.get_pledge(db.session, pledge_id))


# -- receipts ----------------------------------------------------------------------------

@blp.route("/donation-receipts")
class Receipts(MethodView):
    @blp.arguments(ReceiptQuerySchema(), location="query")
    @blp.response(200, DonationReceiptSchema(many=True))
    def get(self, query):
        """List the donation receipts (捐赠接收单), goods and money, newest first"""
        return queries.list_receipts(db.session, **query)


@blp.route(f"/donation-receipts/<{ID}:receipt_id>")
class ReceiptById(MethodView):
    @blp.response(200, DonationReceiptSchema)
    def get(self, receipt_id):
        """Show one donation receipt"""
        return services.get_receipt(db.session, receipt_id)


@blp.route(f"/donation-receipts/<{ID}:receipt_id>/letter.pdf")
class Letter(MethodView):
    @blp.response(200, PDF, content_type="application/pdf")
    def get(self, receipt_id):
        """The acknowledgement letter (捐赠接收确认书) of a receipt as an A4 PDF"""
        receipt = services.get_receipt(db.session, receipt_id)
        with in_request_language():
            return pdf_response(papers.acknowledgement(receipt))


# -- the disclosure ----------------------------------------------------------------------

def read_disclosure(query: dict):
    """The disclosure for the period asked (this year to today by default)."""
    from flask_babel import gettext

    period = scope.period(query.get("from_"), query.get("to"))
    return disclosure(db.session, period, anonymous_name=gettext("匿名捐赠人"),
                      no_purpose=gettext("未指定用途"), unregistered=gettext("未登记捐赠方"))


@blp.route("/donations/disclosure")
class Disclosure(MethodView):
    @blp.arguments(DisclosureQuerySchema(), location="query")
    @blp.response(200, DisclosureSchema)
    def get(self, query):
        """The public disclosure (捐赠物资接收和使用情况公示) for a period: goods and money
        received by donor, goods used by purpose and place, from the ledger; no recipient's
        personal data"""
        with in_request_language():
            return read_disclosure(query)


def _disclosure_file(fmt: str, content_type: str) -> None:
    def get(self, query):
        with in_request_language():
            return papers.send_disclosure(read_disclosure(query), fmt)

    get.__doc__ = ("The public disclosure as "
                   + ("an XLSX workbook" if fmt == "xlsx" else "an A4 PDF"))
    view = type(f"Disclosure{fmt.upper()}", (MethodView,), {
        "get": blp.response(200, PDF, content_type=content_type)(
            blp.arguments(DisclosureQuerySchema(), location="query")(get))})
    blp.route(f"/donations/disclosure.{fmt}")(view)


_disclosure_file("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
_disclosure_file("pdf", "application/pdf")
