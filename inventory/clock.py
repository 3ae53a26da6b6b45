"""Dates in the bureau's time zone (expiry dates are calendar days in China)."""

import os
from datetime import date, datetime
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
