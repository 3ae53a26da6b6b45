"""Distributions over the API: every role reads them; keepers write at their own depots, the
bureau and admins anywhere. No answer ever holds a full national ID number."""

from flask import Response, current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from inventory.api.fields import AwareDateTime, OccurredAt, Strict, code_field, text_field
from inventory.api.idempotency import idempotent, request_key
from inventory.api.pagination import paginate
from inventory.db import db, utcnow
from inventory.distribution import batches, domain, queries, recipients, services
from inventory.distribution.keys import hash_key
from inventory.errors import Forbidden
from inventory.imports.services import Limits, read_upload

blp = Blueprint("distributions_api", __name__,
                description="Distribution to households 发放（避难场所、村级发放点）")
ID = "int(max=2147483647)"


class LineSchema(Schema):
    item = fields.Function(lambda line: line.item.code)
    item_name = fields.Function(lambda line: line.item.name_zh)
    lot = fields.Integer(attribute="lot_id")
    lot_code = fields.Function(lambda line: line.lot.code)
    expires_on = fields.Function(lambda line: line.lot.expires_on)
    quantity = fields.Integer()
    movement = fields.Integer(attribute="movement_id")


def _personal(attribute: str, description: str = "") -> fields.Function:
    """A recipient's detail, shown only to those who may see who received at the depot
    (``recipients.sees_recipient``); null for the others."""
    return fields.Function(
        lambda d: getattr(d, attribute) if recipients.sees_recipient(g.user, d.depot) else None,
        allow_none=True, metadata={"description": description or "null for roles that may "
                                   "not see who received"})


class DistributionSchema(Schema):
    id = fields.Integer()
    number = fields.String(metadata={"description": "FF-<date>-<id>, the ledger's reference"})
    depot = fields.Function(lambda d: d.depot.code)
    occurred_at = AwareDateTime()
    recorded_at = AwareDateTime()
    keeper = fields.Function(lambda d: d.keeper.username)
    recipient_name = _personal("recipient_name", "the household code only for roles that may "
                                                 "not see who received (planners, other "
                                                 "depots' keepers): null")
    household_size = fields.Integer()
    phone = _personal("phone")
    id_number = _personal("id_masked", "masked, e.g. 6401**********1234; the number is never "
                                       "stored")
    household_code = fields.String(metadata={"description": "the ledger's recipient"})
    confirmation = fields.String(attribute="confirmation_kind",
                                 metadata={"description": "signature, photo or sheet"})
    batch = fields.Function(lambda d: d.batch.code if d.batch else None)
    repeat_confirmed = fields.Boolean()
    note = fields.String()
    lines = fields.List(fields.Nested(LineSchema))


class ItemWantedSchema(Strict):
    item = code_field(required=True)
    quantity = fields.Integer(required=True, strict=True,
                              validate=validate.Range(min=1, max=services.MAX_QUANTITY))


class ConfirmationSchema(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(("signature", "photo")))
    image = fields.String(required=True, validate=validate.Length(max=3_000_000), metadata={
        "description": "data URL: a PNG signature (≤ 200 KB) or a JPEG/PNG photo (≤ 2 MB)"})


class DistributionCreateSchema(Strict):
    depot = code_field(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    household_size = fields.Integer(required=True, strict=True,
                                    validate=validate.Range(min=1, max=50))
    phone = text_field(30, load_default=None)
    id_number = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(max=30), metadata={
        "description": "kept only masked and as a keyed hash"})
    items = fields.List(fields.Nested(ItemWantedSchema), required=True,
                        validate=validate.Length(min=1, max=services.MAX_ITEMS))
    confirmation = fields.Nested(ConfirmationSchema, required=True)
    occurred_at = OccurredAt(load_default=None, metadata={
        "description": "when it was handed over, by the device's clock (offline queue)"})
    confirm_repeat = fields.Boolean(load_default=False, metadata={
        "description": "give a ration again within the norm's duration (answered 409 "
                       "repeat_distribution otherwise)"})
    note = text_field(500, load_default=None)


class DistributionQuerySchema(Strict):
    depot = code_field(load_default=None)
    date_from = fields.Date(load_default=None)
    date_to = fields.Date(load_default=None)
    batch = fields.String(load_default=None, validate=validate.Length(max=32))


class HouseholdSchema(Schema):
    row = fields.Integer()
    name = fields.String()
    household_size = fields.Integer()
    phone = fields.String()
    id_number = fields.String(attribute="id_masked")
    items = fields.List(fields.Dict())


def _households(batch) -> list[dict]:
    shown = HouseholdSchema(many=True).dump(batch.households)
    if not recipients.sees_recipient(g.user, batch.depot):
        for row in shown:
            row.update(name=None, phone=None, id_number=None)
    return shown


class BatchSchema(Schema):
    code = fields.String()
    depot = fields.Function(lambda b: b.depot.code)
    status = fields.String()
    filename = fields.String()
    households = fields.Function(lambda b: _households(b), metadata={
        "description": "rows of HouseholdSchema; name, phone and ID number null for roles "
                       "that may not see who received"})
    created_by = fields.Function(lambda b: b.created_by.username)
    created_at = AwareDateTime()
    issued_at = AwareDateTime()
    confirmed = fields.Function(lambda b: b.confirmation_id is not None)
    distributions = fields.Function(
        lambda b: [d.number for d in queries.batch_distributions(db.session, b)])
    repeats = fields.Function(lambda b: [
        {"row": b.households[index]["row"], "distributions": numbers}
        for index, numbers in queries.batch_repeats(db.session, b, utcnow()).items()],
        metadata={"description": "households that received an item within its ration's "
                                 "duration: issuing needs confirm_repeats"})


class BatchFormSchema(Strict):
    depot = code_field(required=True)


class HouseholdsFileSchema(Schema):
    file = Upload(required=True, metadata={"description": ".xlsx or .csv households list"})


class PhotoSchema(Schema):
    photo = Upload(required=True, metadata={"description": "JPEG or PNG, at most 2 MB"})


class BatchIssueSchema(Strict):
    confirm_repeats = fields.Boolean(load_default=False)
    occurred_at = OccurredAt(load_default=None)


@blp.route("/distributions")
class Distributions(MethodView):
    @blp.arguments(DistributionQuerySchema(), location="query")
    @blp.response(200, DistributionSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """List distributions, newest first, by depot, local dates and batch"""
        return paginate(queries.list_distributions(db.session, **query), pagination_parameters)

    @idempotent
    @blp.arguments(DistributionCreateSchema())
    @blp.response(201, DistributionSchema)
    def post(self, data):
        """Hand stock to a household (发放): lots chosen first-expiry-first-out, issue rows in
        the ledger; a repeat within the ration's duration is answered 409 unless confirmed"""
        return services.create_distribution(db.session, g.user, id_key=hash_key(),
                                             key=request_key(), **data)


@blp.route(f"/distributions/<{ID}:distribution_id>")
class DistributionById(MethodView):
    @blp.response(200, DistributionSchema)
    def get(self, distribution_id):
        """Show one distribution"""
        return queries.get_distribution(db.session, distribution_id)


@blp.route(f"/distributions/<{ID}:distribution_id>/confirmation")
class DistributionConfirmation(MethodView):
    @blp.response(200, {"format": "binary", "type": "string"}, content_type="image/png")
    def get(self, distribution_id):
        """The recipient's signature or photo (PNG or JPEG)"""
        record = queries.get_distribution(db.session, distribution_id)
        if not recipients.sees_recipient(g.user, record.depot):
            raise Forbidden("签名和照片只有本储备库保管员、应急管理局和审计人员可以查看。",
                            "Only the depot's keepers, the bureau and auditors see signatures.")
        image = record.confirmation or (record.batch.confirmation if record.batch else None)
        if image is None:
            raise queries.NotFound("该发放记录没有签名图片。", "No confirmation image.")
        return Response(image.data, mimetype=image.mime)


@blp.route("/distribution-batches")
class Batches(MethodView):
    @blp.arguments(BatchFormSchema(), location="form")
    @blp.arguments(HouseholdsFileSchema, location="files")
    @blp.response(201, BatchSchema)
    def post(self, form, files):
        """Stage a households list (XLSX or CSV: 姓名, 家庭人口, 电话, 身份证号, 物资) for its
        sign-off sheet; every row is checked, ID numbers are kept masked and hashed only"""
        upload = files["file"]
        limits = Limits.of(current_app.config)
        data, filename = read_upload(upload.stream, limits), upload.filename or ""
        households = batches.read_households(data, filename, limits)
        return services.stage_batch(db.session, g.user, id_key=hash_key(), depot=form["depot"],
                                    households=households, filename=filename[:200])


@blp.route("/distribution-batches/<code>")
class BatchByCode(MethodView):
    @blp.response(200, BatchSchema)
    def get(self, code):
        """Show a batch: its households (masked ID numbers) and the distributions made"""
        return queries.get_batch(db.session, code)


@blp.route("/distribution-batches/<code>/issue")
class BatchIssue(MethodView):
    @idempotent
    @blp.arguments(BatchIssueSchema())
    @blp.response(201, BatchSchema)
    def post(self, data, code):
        """Issue a staged batch: one distribution per household, all or none"""
        return services.issue_batch(db.session, g.user, code, id_key=hash_key(),
                                   key=request_key(), **data)


@blp.route("/distribution-batches/<code>/confirmation")
class BatchConfirmation(MethodView):
    @blp.arguments(PhotoSchema, location="files")
    @blp.response(200, BatchSchema)
    def post(self, files, code):
        """Keep the photo of the batch's signed sign-off sheet"""
        upload = files["photo"]
        image = domain.image_from_upload(upload.read(domain.MAX_PHOTO_BYTES + 1))
        return services.confirm_batch(db.session, g.user, code, image)


class RecipientQuerySchema(Strict):
    id_number = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(max=30), metadata={
        "description": "the national ID number: hashed with the installation's key to find "
                       "the household; neither stored, logged nor answered back"})
    name = text_field(50, load_default=None)
    phone = text_field(30, load_default=None)


class RecipientDistributionSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    occurred_at = AwareDateTime()
    depot = fields.Function(lambda d: d.depot.code)
    depot_name = fields.Function(lambda d: d.depot.name)
    household_code = fields.String()
    household_size = fields.Integer()
    recipient_name = fields.String()
    id_number = fields.String(attribute="id_masked")
    keeper = fields.Function(lambda d: d.keeper.username)
    batch = fields.Function(lambda d: d.batch.code if d.batch else None)
    lines = fields.Function(lambda d: [{
        "item": line.item.code, "item_name": line.item.name_zh, "quantity": line.quantity,
        "lot": line.lot_id, "lot_code": line.lot.code,
        "lot_trace": f"/api/v1/lots/{line.lot_id}/trace"} for line in d.lines])


class RecipientTraceSchema(Schema):
    by = fields.String(metadata={"description": "id_number or name_phone"})
    id_number = fields.String(attribute="id_masked", metadata={
        "description": "masked, e.g. 6401**********1234"})
    households = fields.List(fields.String())
    lots = fields.List(fields.Integer(), attribute="lot_ids")
    distributions = fields.List(fields.Nested(RecipientDistributionSchema))


@blp.route("/recipients/trace")
class RecipientTrace(MethodView):
    @blp.arguments(RecipientQuerySchema())
    @blp.response(200, RecipientTraceSchema)
    def post(self, query):
        """What one household received (bureau, admin, auditor): by ID number or by name and
        phone, sent in the body so that no number sits in a URL; every look-up is written to
        the audit trail with the ID number masked"""
        return recipients.trace_recipient(db.session, g.user, id_key=hash_key(), **query)
