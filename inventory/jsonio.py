"""JSON as the API speaks it: dates and times in ISO 8601, times with their offset."""

from datetime import UTC, date, datetime

from flask.json.provider import DefaultJSONProvider


class IsoJSONProvider(DefaultJSONProvider):
    """Flask's JSON, but dates as ``2026-12-08`` and times as ``2026-12-08T02:17:00+00:00``.

    Flask's default writes both as HTTP dates (``Tue, 08 Dec 2026 00:00:00 GMT``), which no
    ISO 8601 parser reads, wherever a plain dict rather than a schema carries a date.
    """

    ensure_ascii = False

    @staticmethod
    def default(value):
        if isinstance(value, datetime):
            if value.tzinfo is None:  # the database's times are UTC
                value = value.replace(tzinfo=UTC)
            return value.isoformat()
        if isinstance(value, date):
            return value.isoformat()
        return DefaultJSONProvider.default(value)
