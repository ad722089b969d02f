"""Connection records (« relevé de connexions »): when a person worked on each module, and
for how long, as a funder of distance learning asks for it.

Read from the learning events, each stamped with its time: the events of one person in one
module that follow each other within GAP make one period of activity, from its first event
to its last. A period's duration is that span, counted as at least one minute (a single
action still shows that the person was there). Reading before the first action of a period
is not counted: the record understates, never inflates.

The retention purge (proxi.ops.retention) deletes detailed events before the record's own
period ends: it keeps their times in `kept_activity`, read here beside the events. Nothing
older than the last purge's connections cutoff is read, so the record covers its period,
no more (the events that carry a result are kept longer, for the attestations).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from proxi.progress.db import Database
from proxi.progress.dialect import json_field

GAP = timedelta(minutes=30)


@dataclass(frozen=True)
class Period:
    """One stretch of activity on one module."""

    module_id: str
    start: str  # UTC ISO, the first event
    end: str  # the last event
    actions: int

    @property
    def minutes(self) -> int:
        span = datetime.fromisoformat(self.end) - datetime.fromisoformat(self.start)
        return max(1, math.ceil(span.total_seconds() / 60))


def periods(db: Database, person_id: int, module_ids: Iterable[str] | None = None) -> list[Period]:
    """The person's periods of activity, module by module in the given order (or every
    module with activity), oldest first within a module."""
    rows = db.execute(
        "SELECT module_id, timestamp FROM events"
        " WHERE person_id = :person_id AND module_id IS NOT NULL AND timestamp >= :since"
        " UNION ALL SELECT module_id, at FROM kept_activity"
        " WHERE person_id = :person_id AND at >= :since ORDER BY 1, 2",
        {"person_id": person_id, "since": kept_since(db)},
    ).fetchall()
    found: dict[str, list[Period]] = {}
    for module_id, stamp in rows:
        mine = found.setdefault(module_id, [])
        last = mine[-1] if mine else None
        if last and datetime.fromisoformat(stamp) - datetime.fromisoformat(last.end) <= GAP:
            mine[-1] = Period(module_id, last.start, stamp, last.actions + 1)
        else:
            mine.append(Period(module_id, stamp, stamp, 1))
    order = list(module_ids) if module_ids is not None else sorted(found)
    return [period for module_id in order for period in found.get(module_id, [])]


def kept_since(db: Database) -> str:
    """From when the record is whole: the last purge's connections cutoff ('' before any)."""
    cutoff_sql = json_field(db, "cutoffs", "connections")
    row = db.execute(
        f"SELECT {cutoff_sql} FROM retention_purges ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return (row[0] or "") if row else ""


def total_minutes(found: list[Period]) -> int:
    return sum(period.minutes for period in found)
