"""Moments in Sichuan's time: the registry and the log store UTC (ISO 8601 with its offset);
clerks, staff and employers read Beijing time — a day, a clock, today."""

from __future__ import annotations

import datetime as dt
import math
import re

BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")
"""Sichuan's clock: the day a clerk numbers a roster, a receipt's expiry, a quota's day."""


def beijing_today() -> dt.date:
    """Today in Sichuan, whatever the server's time zone: a date a clerk writes "today" is
    Beijing's, and servers run on UTC, eight hours behind until 08:00 — every register dated
    today was refused as future-dated then."""
    return dt.datetime.now(BEIJING).date()


def as_moment(value: str | dt.datetime) -> dt.datetime:
    """A stored moment as an aware datetime: ISO 8601 text or a datetime, one without an offset
    taken as UTC (a moment SQLite's own clock stamped). `ValueError` for text that is none."""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def beijing_clock(value: str | dt.datetime | None) -> str:
    """A stored moment (ISO 8601 with its offset, UTC in the registry and the log) as staff read
    it on the command line and in Datasette: ``2026-11-26 18:00:05（北京时间）``. Nothing for
    none; a text that is no moment as it is."""
    if value is None or value == "":
        return ""
    try:
        moment = as_moment(value)
    except ValueError:
        return str(value)
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S（北京时间）")


_DAY_OR_MOMENT = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?"
)
_JULIAN_UNIX_EPOCH = 2440587.5
"""The Julian day number of 1970-01-01T00:00:00Z, which SQLite's date() also takes."""


def beijing_minute(value: str | dt.datetime) -> str:
    """``2026-11-26T10:00:00+00:00`` → ``北京时间 2026-11-26 18:00``: a moment as an employer
    reads it, to the minute — the public pages, the batch CSV and ``certreg verify`` alike (the
    command line had shown staff's ``…18:00:05（北京时间）`` beside the page's form). The zone
    comes first: a time in brackets (关注 2 份证书（… 起）) then needs no brackets of its own."""
    return as_moment(value).astimezone(BEIJING).strftime("北京时间 %Y-%m-%d %H:%M")


def beijing_day(value: object) -> str | None:
    """The day a stored moment falls on in Beijing (``2026-12-01T20:00:00+00:00`` is
    2026-12-02); a date is its own day; ``now`` is today's; a number is a Julian day, as in
    SQLite; None for anything else, as SQLite's ``date()`` gives. Staff's Datasette reads
    ``date(x)`` so (a clerk's "today" is Beijing's), on every row a filter or facet reads: the
    registry's and the log's own form, ``…T…+00:00``, is answered without parsing."""
    if isinstance(value, str):
        if len(value) == 25 and value.endswith("+00:00") and value[10] == "T":
            if value[11:13] < "16":  # before 16:00 UTC it is the same day in Beijing
                try:
                    return dt.date.fromisoformat(value[:10]).isoformat()
                except ValueError:
                    return None
        elif value.lower() == "now":
            return beijing_today().isoformat()
        if not _DAY_OR_MOMENT.fullmatch(value):
            return None
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
        if len(value) == 10:
            return moment.date().isoformat()
    elif isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        try:
            moment = dt.datetime.fromtimestamp((value - _JULIAN_UNIX_EPOCH) * 86_400, dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    else:
        return None
    if moment.tzinfo is None:  # no offset: a moment SQLite's own clock stamped, which is UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(BEIJING).date().isoformat()
