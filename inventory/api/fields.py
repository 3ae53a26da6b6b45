"""Shared marshmallow pieces for the API schemas."""

from marshmallow import Schema, fields, validate

#: quantities are whole units; the upper bound keeps them inside a 32-bit column
Quantity = validate.Range(min=1, max=1_000_000_000)


class Strict(Schema):
    """Input schemas refuse unknown fields (marshmallow's default), so typos are reported."""


class AwareDateTime(fields.AwareDateTime):
    """A timestamp with a time zone, as the offline queue sends (device time)."""


def code_field(**kwargs):
    return fields.String(validate=validate.Length(min=1, max=32), **kwargs)


def text_field(max_length: int, **kwargs):
    return fields.String(validate=validate.Length(max=max_length), allow_none=True, **kwargs)
