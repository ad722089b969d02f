"""What a phone's screen depends on, as one short version string.

A phone in a group session shows the open vote, its role card and the émargement to sign;
all of it changes only when the trainer (or the phone itself) acts. Rather than rerun its
page every 2 s, the phone asks the server for this version (one indexed query, over a small
HTTP route: app_pages/phone_watch.py) and reruns only when it differs from the version its
screen was drawn with. A vote that opens thus reaches the phone at its next check, as
before, and a room of 60 idle phones costs the server 60 small queries every 2 s instead of
60 page runs.

The version covers what others change: the session's status and current decision, that
decision's status and whether its countdown is over, the participant's line (role, account)
and the émargement sheets (opened, countersigned) with what this participant signed. Its
own vote is not in it: a tap reruns the phone's ballot anyway.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from proxi.dates import utc
from proxi.people import passwords
from proxi.progress.db import Database

_PHONE_STATE_SQL = (
    "SELECT p.id, p.person_id, p.role_key, s.status, s.scenario_id, s.decision_id,"
    " d.status, d.closes_at,"
    " (SELECT count(*) FROM live_sheets h WHERE h.session_id = s.id),"
    " (SELECT count(*) FROM live_sheets h WHERE h.session_id = s.id"
    "  AND h.countersigned_at IS NOT NULL),"
    " (SELECT count(*) FROM live_signatures g WHERE g.participant_id = p.id)"
    " FROM live_passes ps"
    " JOIN live_participants p ON p.id = ps.participant_id"
    " JOIN live_sessions s ON s.id = p.session_id"
    " LEFT JOIN live_decisions d ON d.id = s.decision_id"
    " WHERE ps.token_hash = :token_hash"
)


def phone_version(db: Database, token: str | None, now: datetime | None = None) -> str | None:
    """The version of what the phone holding this pass shows; None for an unknown pass."""
    if not token:
        return None
    row = db.execute(_PHONE_STATE_SQL, {"token_hash": passwords.token_hash(token)}).fetchone()
    if row is None:
        return None
    *state, closes_at = row[:8]
    over = closes_at is not None and datetime.fromisoformat(closes_at) <= utc(now)
    seen = (*state, closes_at, over, *row[8:])
    return hashlib.blake2b(repr(seen).encode(), digest_size=8).hexdigest()
