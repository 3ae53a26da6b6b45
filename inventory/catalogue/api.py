"""Catalogue endpoints."""

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import or_, select

from inventory.api.fields import Strict
from inventory.catalogue.models import Item
from inventory.db import db
from inventory.stock.services import get_item

blp = Blueprint("catalogue_api", __name__, description="The catalogue of relief items 物资目录")


class ItemSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    category = fields.String()
    gbt_class = fields.String(allow_none=True)
    gbt_code = fields.String(allow_none=True)
    unit = fields.String()
    shelf_life_days = fields.Integer(allow_none=True)
    unit_volume_m3 = fields.Float(allow_none=True)
    unit_weight_kg = fields.Float(allow_none=True)
    active = fields.Boolean()


class ItemQuerySchema(Strict):
    category = fields.String(load_default=None, validate=validate.Length(max=30))
    q = fields.String(load_default=None, validate=validate.Length(max=50),
                      metadata={"description": "part of the code or a name"})


@blp.route("/items")
class Items(MethodView):
    @blp.arguments(ItemQuerySchema, location="query")
    @blp.response(200, ItemSchema(many=True))
    def get(self, query):
        """Catalogue items, by category or search text"""
        stmt = select(Item).order_by(Item.code)
        if query["category"]:
            stmt = stmt.where(Item.category == query["category"])
        if query["q"]:
            like = f"%{query['q']}%"
            stmt = stmt.where(or_(Item.code.ilike(like), Item.name_zh.like(like),
                                  Item.name_en.ilike(like)))
        return db.session.scalars(stmt).all()


@blp.route("/items/<code>")
class ItemByCode(MethodView):
    @blp.response(200, ItemSchema)
    def get(self, code):
        """Show one catalogue item"""
        return get_item(db.session, code)
