"""What an export request may ask for: the filters of ``GET /movements`` and a few more."""

from marshmallow import fields, validate

from inventory.api.fields import Strict
from inventory.geo.models import AREA_LEVELS
from inventory.stock.schemas import MovementQuerySchema


class ExportQuerySchema(MovementQuerySchema):
    tier = fields.String(load_default=None, validate=validate.OneOf(AREA_LEVELS),
                         metadata={"description": "county, township or village"})
    category = fields.String(load_default=None, validate=validate.Length(min=1, max=30),
                             metadata={"description": "an item category, e.g. 生活类"})
    actor = fields.String(load_default=None, validate=validate.Length(min=1, max=64),
                          metadata={"description": "the username who recorded the rows"})


class ExportPageQuerySchema(Strict):
    """The export page's form: calendar days rather than moments."""

    first = fields.Date(data_key="from", load_default=None)
    last = fields.Date(data_key="to", load_default=None)
    depot = fields.String(load_default=None, validate=validate.Length(min=1, max=32))
    item = fields.String(load_default=None, validate=validate.Length(min=1, max=32))
    tier = ExportQuerySchema._declared_fields["tier"]
    category = ExportQuerySchema._declared_fields["category"]
    kind = MovementQuerySchema._declared_fields["kind"]
    actor = ExportQuerySchema._declared_fields["actor"]
    lot = MovementQuerySchema._declared_fields["lot"]
