"""Targets, norms and the adequacy of the reserves: are we ready?"""

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from inventory.api.fields import Strict
from inventory.db import db
from inventory.geo.models import AREA_LEVELS
from inventory.readiness import queries, services
from inventory.readiness.models import SEASONS, Norm, StockMinimum, Target
from inventory.xlsx import MIMETYPE, add_table, send_workbook, workbook

blp = Blueprint("reserves_api", __name__,
                description="Targets, norms and adequacy 保障目标与储备充足度")


class TargetSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    area = fields.Function(lambda t: t.area.code, deserialize=str, required=True)
    area_name = fields.Function(lambda t: t.area.name, dump_only=True)
    level = fields.Function(lambda t: t.area.level, dump_only=True)
    people = fields.Integer(required=True, validate=validate.Range(min=1, max=100_000_000))
    deadline_hours = fields.Float(load_default=10, validate=validate.Range(min=0.1, max=720))
    season = fields.String(load_default="all", validate=validate.OneOf(SEASONS))
    target_date = fields.Date(allow_none=True, load_default=None)
    note = fields.String(allow_none=True, load_default=None)
    active = fields.Boolean(dump_only=True)


class NormSchema(Schema):
    item = fields.Function(lambda n: n.item.code)
    item_name = fields.Function(lambda n: n.item.name_zh)
    unit = fields.Function(lambda n: n.item.unit)
    per_person = fields.Float()
    duration_hours = fields.Integer()
    season = fields.String()
    basis = fields.String(allow_none=True, metadata={"description": "why, in English"})
    basis_zh = fields.String(allow_none=True, metadata={"description": "why, in Chinese"})
    source = fields.String(allow_none=True)


class AdequacyQuerySchema(Strict):
    target = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1),
                            metadata={"description": "the target's id"})


class CountedSchema(Schema):
    mode = fields.String(attribute="source")
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    quantity = fields.Integer()
    hours = fields.Float(allow_none=True)


class ItemAdequacySchema(Schema):
    item = fields.Function(lambda i: i.need.code)
    name = fields.Function(lambda i: i.need.name)
    unit = fields.Function(lambda i: i.need.unit)
    category = fields.Function(lambda i: i.need.category)
    per_person = fields.Function(lambda i: float(i.need.per_person))
    required = fields.Integer()
    available = fields.Integer()
    by_mode = fields.Function(lambda i: {"physical": i.physical, "contract": i.contract,
                                         "capacity": i.capacity})
    coverage = fields.Float()
    shortfall = fields.Integer()
    people_supplied = fields.Integer()
    sources = fields.List(fields.Nested(CountedSchema))


class FlagsSchema(Schema):
    expiring_30 = fields.List(fields.Dict(),
                              metadata={"description": "lots expiring within 30 days"})
    expiring_90 = fields.List(fields.Dict(),
                              metadata={"description": "lots expiring within 90 days"})
    agreements_expiring = fields.List(
        fields.Dict(), metadata={"description": "valid agreements ending within 90 days"})
    agreements_expired = fields.List(
        fields.Dict(), metadata={"description": "agreements still active whose term has ended"})
    agreements_exhausted = fields.List(fields.Dict())
    depots_over_capacity = fields.List(fields.Dict())
    depots_without_stocktake = fields.List(fields.Dict(),
                                           metadata={"description": "none approved in 6 months"})


class AdequacySchema(Schema):
    target = fields.Nested(TargetSchema)
    people = fields.Integer()
    deadline_hours = fields.Float()
    people_supplied = fields.Integer()
    coverage = fields.Float()
    limiting_items = fields.List(fields.String())
    items = fields.List(fields.Nested(ItemAdequacySchema))
    flags = fields.Nested(FlagsSchema)


@blp.route("/targets")
class Targets(MethodView):
    @blp.response(200, TargetSchema(many=True))
    def get(self):
        """List the targets: shelter N people in an area within H hours"""
        return db.session.scalars(select(Target).where(Target.active.is_(True))
                                  .order_by(Target.id)).all()

    @blp.arguments(TargetSchema())
    @blp.response(201, TargetSchema)
    def post(self, data):
        """Set a target (bureau, admin)"""
        return services.create_target(db.session, g.user, **data)


class NormInputSchema(Strict):
    item = fields.String(required=True, validate=validate.Length(min=1, max=32))
    per_person = fields.Float(required=True,
                              validate=validate.Range(*services.PER_PERSON_RANGE))
    season = fields.String(load_default="all", validate=validate.OneOf(SEASONS))
    duration_hours = fields.Integer(load_default=72, validate=validate.Range(
        min=1, max=services.MAX_NORM_HOURS))
    basis = fields.String(load_default="", validate=validate.Length(max=500))
    basis_zh = fields.String(load_default="", validate=validate.Length(max=500))
    source = fields.String(load_default="", validate=validate.Length(max=500))


@blp.route("/norms")
class Norms(MethodView):
    @blp.response(200, NormSchema(many=True))
    def get(self):
        """The per-person norms (人均标准) that turn people into item quantities"""
        return db.session.scalars(select(Norm).order_by(Norm.season, Norm.item_id)).all()

    @blp.arguments(NormInputSchema())
    @blp.response(200, NormSchema)
    def put(self, data):
        """Set an item's norm for a season (bureau, admin)"""
        return services.set_norm(db.session, g.user, **data)


class MinimumSchema(Schema):
    id = fields.Integer(dump_only=True)
    level = fields.String(required=True, validate=validate.OneOf(AREA_LEVELS),
                          metadata={"description": "the tier: county, township or village"})
    people = fields.Integer(allow_none=True, load_default=None,
                            validate=validate.Range(min=1, max=10_000_000),
                            metadata={"description": "supplies for this many people, by the norms"})
    season = fields.String(load_default="all", validate=validate.OneOf(SEASONS))
    item = fields.Function(lambda m: getattr(getattr(m, "item", None), "code", None),
                           deserialize=str,
                           allow_none=True, load_default=None,
                           metadata={"description": "or this item's code, with a quantity"})
    quantity = fields.Integer(allow_none=True, load_default=None,
                              validate=validate.Range(min=1, max=2_000_000_000))
    note = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=500))
    active = fields.Boolean(dump_only=True)


class ShortSchema(Schema):
    item = fields.String()
    name = fields.String()
    unit = fields.String()
    required = fields.Integer()
    held = fields.Integer()
    short = fields.Integer()


class DepotMinimumSchema(Schema):
    depot = fields.String(attribute="code")
    name = fields.String()
    area = fields.String()
    met = fields.Boolean()
    coverage = fields.Float()
    people_held = fields.Integer(allow_none=True)
    shortfalls = fields.Function(lambda d: [
        {"item": need.code, "name": need.name, "unit": need.unit, "required": need.quantity,
         "held": held, "short": short} for need, held, short in d.shortfalls])


class MinimumComplianceSchema(Schema):
    minimum = fields.Nested(MinimumSchema)
    requirements = fields.Function(lambda r: [
        {"item": need.code, "name": need.name, "unit": need.unit, "quantity": need.quantity}
        for need in r.requirements])
    depots_total = fields.Function(lambda r: len(r.depots))
    depots_met = fields.Integer(attribute="met")
    depots = fields.List(fields.Nested(DepotMinimumSchema))


@blp.route("/minimums")
class Minimums(MethodView):
    @blp.response(200, MinimumSchema(many=True))
    def get(self):
        """The minimum stock each tier holds (储备定额): supplies for N people, or an item's
        quantity"""
        return db.session.scalars(select(StockMinimum).where(StockMinimum.active.is_(True))
                                  .order_by(StockMinimum.id)).all()

    @blp.arguments(MinimumSchema())
    @blp.response(201, MinimumSchema)
    def post(self, data):
        """Set a minimum for every depot of a tier (bureau, admin)"""
        return services.create_minimum(db.session, g.user, **data)


@blp.route("/minimums/<int(max=2147483647):minimum_id>")
class MinimumById(MethodView):
    @blp.response(204)
    def delete(self, minimum_id):
        """Stop checking a minimum; it stays on record (bureau, admin)"""
        services.end_minimum(db.session, g.user, minimum_id)


@blp.route("/minimums/compliance")
class MinimumCompliance(MethodView):
    @blp.response(200, MinimumComplianceSchema(many=True))
    def get(self):
        """Each depot of each tier against its minimums: met or short, and by how much"""
        return queries.minimum_compliance(db.session)


def _assessment(target_id: int) -> dict:
    target = queries.get_target(db.session, target_id)
    result = queries.assess_target(db.session, target)
    return {"target": target, "people": result.people, "deadline_hours": result.deadline_hours,
            "people_supplied": result.people_supplied, "coverage": result.coverage,
            "limiting_items": [i.need.code for i in result.limiting_items], "items": result.items,
            "_result": result}


@blp.route("/adequacy")
class AdequacyView(MethodView):
    @blp.arguments(AdequacyQuerySchema(), location="query")
    @blp.response(200, AdequacySchema)
    def get(self, query):
        """Adequacy of the reserves for a target: per item required, available by mode and depot,
        coverage and shortfall; the people fully supplied and the items that limit them"""
        found = _assessment(query["target"])
        del found["_result"]
        return found | {"flags": queries.flags(db.session)}


HEADERS = ["物资编码", "物资名称", "单位", "类别", "人均标准", "需求量", "实物储备", "协议储备",
           "产能储备", "合计可用", "保障率", "缺口", "可保障人数"]


@blp.route("/adequacy.xlsx")
class AdequacyWorkbook(MethodView):
    @blp.arguments(AdequacyQuerySchema(), location="query")
    @blp.response(200, {"format": "binary", "type": "string"},
                  content_type=MIMETYPE)
    def get(self, query):
        """The adequacy of a target as an Excel workbook (Chinese headers)"""
        found = _assessment(query["target"])
        result, target = found["_result"], found["target"]
        modes = {"physical": "实物储备", "contract": "协议储备", "capacity": "产能储备"}
        book = workbook()
        add_table(book, "储备充足度", HEADERS, (
            [item.need.code, item.need.name, item.need.unit, item.need.category,
             float(item.need.per_person), item.required, item.physical, item.contract,
             item.capacity, item.available, round(item.coverage, 4), item.shortfall,
             item.people_supplied] for item in result.items),
            preamble=[[f"{target.name}：{target.area.name} {target.people} 人，"
                       f"{float(target.deadline_hours):g} 小时内"],
                      ["可完全保障人数", result.people_supplied, "限制物资",
                       "、".join(i.need.name for i in result.limiting_items)]])
        add_table(book, "来源明细", ["物资编码", "储备方式", "编号", "名称", "数量",
                                    "到达时间（小时）"], (
            [item.need.code, modes[source.source], source.code, source.name, source.quantity,
             source.hours] for item in result.items for source in item.sources))
        return send_workbook(book, f"adequacy-{target.id}.xlsx")
