"""Dates in the bureau's time zone (expiry dates are calendar days in China)."""

import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo(os.environ.get("RESERVES_TIMEZONE", "Asia/Shanghai"))


def local_date(moment: datetime) -> date:
    """Return the calendar day of a moment in the bureau's time zone."""
    return moment.astimezone(TIMEZONE).date()


def today() -> date:
    """Return today's date in the bureau's time zone."""
    return datetime.now(TIMEZONE).date()


def start_of_day(day: date) -> datetime:
    """Return the first moment of a calendar day in the bureau's time zone."""
    return datetime.combine(day, datetime.min.time(), TIMEZONE)


def local_time(moment: datetime | None) -> datetime | None:
    """Return a moment in the bureau's time zone (naive moments are taken as UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite hands back naive UTC when a column lacks our type
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TIMEZONE)


def format_local(moment: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """Format a moment as the bureau reads it: in its own time zone; empty for no moment."""
    local = local_time(moment)
    return local.strftime(pattern) if local else ""


def format_local_date(moment: datetime | date | None) -> str:
    """Format the calendar day of a moment (or a date) in the bureau's time zone."""
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        return format_local(moment, "%Y-%m-%d")
    return moment.isoformat()


def spreadsheet_time(moment: datetime | None) -> datetime | None:
    """Return a moment as a spreadsheet cell holds it: the bureau's wall-clock time, no zone.

    Excel cells carry no time zone, so an aware UTC time would be read as local.
    """
    local = local_time(moment)
    return local.replace(tzinfo=None) if local else None
