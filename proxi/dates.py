"""Dates and instants: as French readers and spreadsheets expect them, and as Proxi stores them.

Stored instants are UTC ISO 8601 strings of fixed width (microseconds always written), so
that they sort as instants do: `iso()`. Events keep their own xAPI timestamp
(`proxi.progress.events.timestamp`, milliseconds, as statements carry them).

People read every date and time in one format, in Paris time (Proxi's users are in
metropolitan France): « 25/11/2026 » and « 25/11/2026 14:05 ». A day (a due date, a
session's day: `2026-11-25`) is shown as it is; an instant is shown on its Paris day and
clock, so an act at 23:30 UTC in winter reads the next day, 00:30.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from proxi.errors import ProxiError

PARIS = ZoneInfo("Europe/Paris")
DAY_FORMAT = "%d/%m/%Y"
# The same two formats in moment.js notation, for the tables' date columns (app_pages/ui.py).
DAY_PATTERN = "DD/MM/YYYY"
MOMENT_PATTERN = "DD/MM/YYYY HH:mm"

Moment = datetime | str  # an instant: a datetime, or its stored ISO form
DAY_HINT = "JJ/MM/AAAA"  # what a date field shows before anything is typed
_TYPED_DAY = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})")


class DateError(ProxiError):
    """A date typed in a form that is not a day of the calendar."""


def utc(moment: datetime | None = None) -> datetime:
    """`moment` (default now) in UTC; a naive datetime is taken as UTC."""
    if moment is None:
        return datetime.now(UTC)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def iso(moment: datetime | None = None) -> str:
    """The stored form of an instant (default now): fixed-width UTC ISO 8601."""
    return utc(moment).isoformat(timespec="microseconds")


def paris(moment: Moment | None = None) -> datetime:
    """An instant (default now) on the Paris clock; a naive one, or a stored string without
    an offset, is taken as UTC."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return utc(moment).astimezone(PARIS)


def today() -> date:
    """Today in Paris (not in UTC: from midnight to 1 or 2 am they differ)."""
    return paris().date()


def day(value: date | Moment | None) -> date | None:
    """The day a value falls on, for people: a date or an ISO day as it is, an instant on
    its Paris day. None for nothing."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and len(value) == 10:
        return date.fromisoformat(value)
    if isinstance(value, datetime | str):
        return paris(value).date()
    return value


def french_date(value: date | Moment | None) -> str:
    """« 25/11/2026 » (see `day`); empty when there is none."""
    found = day(value)
    return found.strftime(DAY_FORMAT) if found else ""


def local_time(moment: Moment) -> str:
    """« 14:05 », Paris time (the clock in the room)."""
    return paris(moment).strftime("%H:%M")


def local_moment(moment: Moment | None) -> str:
    """« 25/11/2026 14:05 », Paris time; empty when there is none."""
    if moment is None or moment == "":
        return ""
    return f"{french_date(moment)} {local_time(moment)}"


def parse_day(typed: str) -> date | None:
    """The day typed in a form, « 15/01/2026 » (or 15-1-2026, 15.01.2026); None when the
    field is empty. Anything else raises DateError with a French message."""
    text = typed.strip()
    if not text:
        return None
    found = _TYPED_DAY.fullmatch(text)
    if found:
        day_number, month, year = (int(part) for part in found.groups())
        try:
            return date(year, month, day_number)
        except ValueError:
            raise DateError(f"« {text} » n'existe pas dans le calendrier.") from None
    raise DateError(f"Date illisible « {text} » : écrivez-la {DAY_HINT}, par exemple 15/01/2026.")
