"""Shared marshmallow pieces for the API schemas."""

from datetime import UTC, datetime, timedelta

from flask import current_app, has_app_context
from marshmallow import Schema, ValidationError, fields, pre_load, validate

#: quantities are whole units; the upper bound keeps them inside a 32-bit column
Quantity = validate.Range(min=1, max=1_000_000_000)
#: ids of lots, transfers and other 32-bit keys; ledger rows have 64-bit ids
ID_MAX = 2**31 - 1
Id = validate.Range(min=1, max=ID_MAX)
BigId = validate.Range(min=1, max=2**63 - 1)


class Strict(Schema):
    """Input schemas refuse unknown fields (marshmallow's default), so typos are reported,
    and refuse control characters that no keeper types and databases cannot store."""

    @pre_load(pass_collection=True)
    def refuse_control_characters(self, data, **kwargs):
        bad = _control_characters(data)
        if bad:
            raise ValidationError({bad: ["contains control characters"]})
        return data


_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r"}
_CONTROL_TABLE = dict.fromkeys(map(ord, _CONTROL))


def is_free_of_control_characters(text: str) -> bool:
    """Tell whether a string holds none of the control characters ``Strict`` refuses."""
    return text.isprintable() or len(text.translate(_CONTROL_TABLE)) == len(text)


def _control_characters(value, path: str = "") -> str | None:
    """Return the path of the first string (or key) holding a control character, if any."""
    if isinstance(value, str):
        return path or "_schema" if any(c in _CONTROL for c in value) else None
    items = value.items() if hasattr(value, "items") else (
        enumerate(value) if isinstance(value, list) else [])
    for key, item in items:
        where = f"{path}.{key}" if path else str(key)
        if isinstance(key, str) and any(c in _CONTROL for c in key):
            return where
        found = _control_characters(item, where)
        if found:
            return found
    return None


class AwareDateTime(fields.AwareDateTime):
    """A timestamp with a time zone, as the offline queue sends (device time)."""

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            moment.astimezone(UTC)  # 0001-01-01T00:00:00+14:00 has no UTC time
        except OverflowError:
            raise ValidationError("out of range") from None
        return moment


#: days a device's movement may be dated back (a phone offline over a long weekend replays
#: later); the app's MOVEMENT_BACKDATE_DAYS setting
DEFAULT_BACKDATE_DAYS = 7


class OccurredAt(AwareDateTime):
    """When a movement happened by the device's clock: at most the app's
    ``MOVEMENT_BACKDATE_DAYS`` ago (the service refuses the future and any time before the
    lot's last row)."""

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        days = (current_app.config.get("MOVEMENT_BACKDATE_DAYS", DEFAULT_BACKDATE_DAYS)
                if has_app_context() else DEFAULT_BACKDATE_DAYS)
        if moment < datetime.now(UTC) - timedelta(days=days):
            raise ValidationError(f"more than {days:g} days ago")
        return moment


def code_field(**kwargs):
    """Return a code field: 1 to 32 characters."""
    return fields.String(validate=validate.Length(min=1, max=32), **kwargs)


def text_field(max_length: int, **kwargs):
    """Return an optional text field of at most ``max_length`` characters."""
    return fields.String(validate=validate.Length(max=max_length), allow_none=True, **kwargs)
