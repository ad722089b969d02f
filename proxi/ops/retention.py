"""How long detailed learning events are kept (configurable), and the purge that enforces it.

`python -m proxi purge` deletes the DETAILED events older than the retention period: each
lesson step seen, each answer, each scenario move, each failed quiz. It keeps what proves
the training and what progress is made of: the derived tables (lesson, module and scenario
progress, time spent) are not touched, and the events that carry a result stay —
`completed` (lesson, module), `passed` (quiz), `attended` (group session) and `ended`
(a scenario's outcome). Free-text answers older than the period are blanked in
`block_answers`, web sessions that expired before the cutoff are deleted, and so are the
audit-log entries (proxi.people.audit) older than the period.

The purge deletes in batches of short transactions, so the app keeps serving while it runs,
and it is recorded in `retention_purges`. Run it daily (cron, systemd timer): see
docs/exploitation.md.

Once events are purged, the derived tables hold more than the remaining events can
rebuild: `python -m proxi rebuild` would lose the progress of purged periods.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from proxi.dates import iso, utc
from proxi.errors import ProxiError
from proxi.progress import events
from proxi.progress.db import write_transaction

DEFAULT_RETENTION_DAYS = 730
# The events that prove training or carry a result: kept whatever their age.
PROOF_VERBS = ("completed", "passed", "attended", "ended")
BATCH_SIZE = 2000


class RetentionError(ProxiError):
    """A retention period that makes no sense (the message says what to give)."""


@dataclass(frozen=True)
class Purge:
    """What a purge removed, and the cutoff it used (events before it were examined)."""

    cutoff: str
    days: int
    events_deleted: int
    answers_cleared: int
    sessions_deleted: int
    audit_deleted: int = 0


def retention_days() -> int:
    """Days detailed events are kept: $PROXI_RETENTION_DAYS, else two years."""
    try:
        return max(1, int(os.environ.get("PROXI_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)))
    except ValueError:
        return DEFAULT_RETENTION_DAYS


def purge(
    db: sqlite_utils.Database,
    days: int | None = None,
    *,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
) -> Purge:
    """Delete detailed events older than `days` (default: retention_days()); keep the rest."""
    days = retention_days() if days is None else days
    if days < 1:
        raise RetentionError(
            f"Durée de conservation invalide ({days} jours) : indiquez un nombre de jours ≥ 1."
        )
    now = utc(now)
    cutoff = events.timestamp(now - timedelta(days=days))
    deleted = 0
    while True:
        with write_transaction(db):
            batch = _delete_batch(db, cutoff, batch_size)
        deleted += batch
        if batch < batch_size:
            break
    with write_transaction(db):
        answers = db.execute(
            "UPDATE block_answers SET response = NULL"
            " WHERE answered_at < ? AND correct IS NULL AND response IS NOT NULL",
            [cutoff],
        ).rowcount
        sessions = db.execute(
            "DELETE FROM web_sessions WHERE expires_at < ?", [iso(now - timedelta(days))]
        ).rowcount
        db.execute("DELETE FROM login_tickets WHERE expires_at < ?", [iso(now)])
        audit_deleted = db.execute("DELETE FROM audit_log WHERE at < ?", [cutoff]).rowcount
        db.execute(
            "INSERT INTO retention_purges (purged_at, cutoff, retention_days, events_deleted,"
            " answers_cleared, audit_deleted) VALUES (?, ?, ?, ?, ?, ?)",
            [events.timestamp(now), cutoff, days, deleted, answers, audit_deleted],
        )
    return Purge(cutoff, days, deleted, answers, sessions, audit_deleted)


def _delete_batch(db: sqlite_utils.Database, cutoff: str, batch_size: int) -> int:
    placeholders = ", ".join("?" for _ in PROOF_VERBS)
    return db.execute(
        "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE timestamp < ?"
        f" AND verb NOT IN ({placeholders}) LIMIT ?)",
        [cutoff, *PROOF_VERBS, batch_size],
    ).rowcount
