"""Catalogue endpoints."""

from functools import cache

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from inventory.api.fields import Strict
from inventory.catalogue.models import Item
from inventory.catalogue.queries import get_item
from inventory.db import db

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


def matches(item: Item, text: str) -> bool:
    """Search as keepers type: part of the code or a name, or the pinyin initials of the
    Chinese name (mb → 棉被, zdc → 折叠床)."""
    text = text.strip().lower()
    return (text in item.code.lower() or text in item.name_zh or text in item.name_en.lower()
            or text.replace(" ", "") in initials(item.name_zh))


@cache
def initials(name: str) -> str:
    """The pinyin initials of a Chinese name, lower case (棉被 → mb)."""
    # Imported on first use: its dictionaries take about 55 MB, which every worker process
    # (and every export or job) would otherwise carry from the start.
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()


class ItemQuerySchema(Strict):
    category = fields.String(load_default=None, validate=validate.Length(max=30))
    q = fields.String(load_default=None, validate=validate.Length(max=50),
                      metadata={"description": "part of the code or a name, or the pinyin "
                                               "initials of the Chinese name"})


@blp.route("/items")
class Items(MethodView):
    @blp.arguments(ItemQuerySchema(), location="query")
    @blp.response(200, ItemSchema(many=True))
    def get(self, query):
        """Catalogue items, by category or search text"""
        stmt = select(Item).order_by(Item.code)
        if query["category"]:
            stmt = stmt.where(Item.category == query["category"])
        items = db.session.scalars(stmt).all()
        if query["q"]:
            items = [item for item in items if matches(item, query["q"])]
        return items


@blp.route("/items/<code>")
class ItemByCode(MethodView):
    @blp.response(200, ItemSchema)
    def get(self, code):
        """Show one catalogue item"""
        return get_item(db.session, code)
