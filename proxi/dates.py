"""Dates and instants: as French readers and spreadsheets expect them, and as Proxi stores them.

Stored instants are UTC ISO 8601 strings of fixed width (microseconds always written), so
that they sort as instants do: `iso()`. Events keep their own xAPI timestamp
(`proxi.progress.events.timestamp`, milliseconds, as statements carry them). People read
times of day on the clock of the room, Paris time: `local_time()`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LOCAL_TIME = ZoneInfo("Europe/Paris")


def utc(moment: datetime | None = None) -> datetime:
    """`moment` (default now) in UTC; a naive datetime is taken as UTC."""
    if moment is None:
        return datetime.now(UTC)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def iso(moment: datetime | None = None) -> str:
    """The stored form of an instant (default now): fixed-width UTC ISO 8601."""
    return utc(moment).isoformat(timespec="microseconds")


def french_date(iso: str | None) -> str:
    """« 25/11/2026 » from an ISO date or timestamp; empty when there is none."""
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}" if iso else ""


def local_time(stamp: str) -> str:
    """« 09:05 »: a stored instant as the clock in the room read it (Paris time)."""
    return datetime.fromisoformat(stamp).astimezone(LOCAL_TIME).strftime("%H:%M")


def local_moment(stamp: str) -> str:
    """« 01/12/2026 14:05 »: a stored instant, day and time in Paris."""
    return datetime.fromisoformat(stamp).astimezone(LOCAL_TIME).strftime("%d/%m/%Y %H:%M")
