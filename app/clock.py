"""The partnership's calendar. A cycle's dates are the backbone's calendar dates: whether a cycle is open today, on a
page, in an answer's save, in an export or an email, is decided by one ``today()`` in one time zone,
``REASSESS_TIME_ZONE`` (an IANA name such as America/Los_Angeles; default UTC), never by the server's own clock zone.
Times shown to people are in that zone too. Stored timestamps stay in UTC.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_zone: dt.tzinfo = dt.UTC


def zone_named(name: str) -> dt.tzinfo:
    """The time zone of an IANA name; ValueError with what to write for an unknown one."""
    if name.strip().upper() in ("UTC", "Z", "ETC/UTC"):
        return dt.UTC
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"REASSESS_TIME_ZONE: unknown time zone '{name}'; use a name such as America/Los_Angeles or UTC") from None


def set_zone(name: str) -> None:
    global _zone
    _zone = zone_named(name)


def zone() -> dt.tzinfo:
    return _zone


def today() -> dt.date:
    """Today's date in the partnership's time zone."""
    return dt.datetime.now(_zone).date()


def local(value: dt.datetime) -> dt.datetime:
    """A stored (UTC) timestamp in the partnership's time zone."""
    return value.astimezone(_zone)
