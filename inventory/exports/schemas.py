"""What an export request may ask for: the filters of ``GET /movements`` and a few more."""

from marshmallow import fields, validate

from inventory.api.fields import Id, Strict, code_field
from inventory.geo.models import AREA_LEVELS
from inventory.stock.models import MOVEMENT_KINDS
from inventory.stock.schemas import MovementQuerySchema
from inventory.values import FIRST_DAY, LAST_DAY


def _tier():
    return fields.String(load_default=None, validate=validate.OneOf(AREA_LEVELS),
                         metadata={"description": "county, township or village"})


def _category():
    return fields.String(load_default=None, validate=validate.Length(min=1, max=30),
                         metadata={"description": "an item category, e.g. 生活类"})


def _actor():
    return fields.String(load_default=None, validate=validate.Length(min=1, max=64),
                         metadata={"description": "the username who recorded the rows"})


class ExportQuerySchema(MovementQuerySchema):
    tier = _tier()
    category = _category()
    actor = _actor()


#: the days the page may name: their first moment (and the day after the last) stay times
_DAYS = validate.Range(min=FIRST_DAY, max=LAST_DAY)


class ExportPageQuerySchema(Strict):
    """The export page's form: calendar days rather than moments."""

    first = fields.Date(data_key="from", load_default=None, validate=_DAYS)
    last = fields.Date(data_key="to", load_default=None, validate=_DAYS)
    depot = code_field(load_default=None)
    item = code_field(load_default=None)
    lot = fields.Integer(load_default=None, validate=Id)
    kind = fields.String(load_default=None, validate=validate.OneOf(MOVEMENT_KINDS))
    tier = _tier()
    category = _category()
    actor = _actor()
