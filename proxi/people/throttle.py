"""Login throttling that stops an attacker without locking out the owner.

Failures are counted per identifier AND per client: the browser the try comes from (its
device cookie, else its address through the trusted proxy: proxi.web.edge.device_key, read
by the login page). Not the address alone: colleagues share their office's.


- from one client, on one identifier: after 3 failures each new try waits a little longer
  (5 s, 10 s, …), and 5 failures within 15 minutes block that client on that identifier
  for 15 minutes. The owner, on their own phone or office computer, is not blocked;
- on one identifier, from every client together (a spread attack): from 10 failures within
  15 minutes, a try must come 30 s after the last failure. It delays; it never locks. It is
  also what bounds an attacker who drops their cookie to look like a new client each time.

A try refused by the throttle is neither checked nor counted, so hammering does not
lengthen the wait. Unknown identifiers are throttled the same way (nothing tells whether an
account exists). The messages say what to do: wait, or ask for a link to choose a new
password.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from proxi.dates import iso
from proxi.progress.db import Database, write_transaction

MAX_FAILURES, FAILURE_WINDOW, LOCKOUT = 5, timedelta(minutes=15), timedelta(minutes=15)
SLOW_AFTER, SLOW_STEP = 3, timedelta(seconds=5)
BRAKE_AFTER, BRAKE_PAUSE = 10, timedelta(seconds=30)
ASK_FOR_A_LINK = (
    " Mot de passe oublié ? Demandez à votre manager ou à la coordination un lien pour en "
    "choisir un nouveau."
)


def refusal(db: Database, identifier: str, client: str, now: datetime) -> str | None:
    """Why a try must not be checked now, in French; None when it may be."""
    blocked = lockout_remaining(db, identifier, now, client)
    if blocked:
        minutes = math.ceil(blocked.total_seconds() / 60)
        plural = "s" if minutes > 1 else ""
        return f"Trop de tentatives. Réessayez dans {minutes} minute{plural}." + ASK_FOR_A_LINK
    wait = _pause(db, identifier, now, client) or _pause(db, identifier, now, None)
    if wait:
        seconds = math.ceil(wait.total_seconds())
        return f"Patientez {seconds} secondes avant de réessayer." + ASK_FOR_A_LINK
    return None


def lockout_remaining(
    db: Database, identifier: str, now: datetime, client: str = ""
) -> timedelta | None:
    """How long this client stays blocked on this identifier: 5 failures within 15 minutes
    block it 15 minutes."""
    recent = _failures(db, identifier, now - timedelta(days=1), client, MAX_FAILURES)
    if len(recent) < MAX_FAILURES or recent[0] - recent[-1] > FAILURE_WINDOW:
        return None
    remaining = recent[0] + LOCKOUT - now
    return remaining if remaining > timedelta(0) else None


def record_failure(db: Database, identifier: str, client: str, now: datetime) -> None:
    with write_transaction(db):
        db.execute(
            "INSERT INTO login_failures (identifier, client, failed_at)"
            " VALUES (:identifier, :client, :failed_at)",
            {"identifier": identifier, "client": client, "failed_at": iso(now)},
        )
        # Keep the table small: a failure older than a day can lock nothing.
        db.execute(
            "DELETE FROM login_failures WHERE failed_at < :cutoff",
            {"cutoff": iso(now - timedelta(1))},
        )


def forget(db: Database, identifier: str, client: str) -> None:
    """After a success: this client's failures go (an attacker's elsewhere stay counted)."""
    with write_transaction(db):
        db.execute(
            "DELETE FROM login_failures WHERE identifier = :identifier AND client = :client",
            {"identifier": identifier, "client": client},
        )


def _pause(db: Database, identifier: str, now: datetime, client: str | None) -> timedelta | None:
    """The slow-down of one client (`client`), or the brake of all (None)."""
    recent = _failures(db, identifier, now - FAILURE_WINDOW, client, None)
    if client is None:
        needed = BRAKE_PAUSE if len(recent) >= BRAKE_AFTER else None
    else:
        needed = SLOW_STEP * (len(recent) - SLOW_AFTER + 1) if len(recent) >= SLOW_AFTER else None
    if needed is None:
        return None
    remaining = recent[0] + needed - now
    return remaining if remaining > timedelta(0) else None


def _failures(
    db: Database,
    identifier: str,
    since: datetime,
    client: str | None,
    limit: int | None,
) -> list[datetime]:
    """Failures on `identifier` since `since`, newest first; of one client, or of all (None)."""
    sql = (
        "SELECT failed_at FROM login_failures"
        " WHERE identifier = :identifier AND failed_at >= :since"
    )
    params: dict[str, object] = {"identifier": identifier, "since": iso(since)}
    if client is not None:
        sql += " AND client = :client"
        params["client"] = client
    sql += " ORDER BY failed_at DESC"
    if limit:
        sql += " LIMIT :limit"
        params["limit"] = limit
    return [datetime.fromisoformat(row[0]) for row in db.execute(sql, params)]
