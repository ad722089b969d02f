"""How long Proxi keeps what it records (four configurable periods), and the purge that
enforces them.

    detail        $PROXI_RETENTION_DAYS (730 days): each lesson step seen, each answer, each
                  scenario move, each failed quiz; free-text answers; expired web sessions;
                  the audit log's entries (except the émargement's, below)
    connections   $PROXI_RETENTION_CONNECTIONS_YEARS (3 years): the relevé de connexions, the
                  times of activity per module, and its verification codes
    attendance    $PROXI_RETENTION_ATTENDANCE_YEARS (6 years): the émargement of a group
                  session (sheets, signatures, late arrivals and early departures, who sat
                  in it, the countersignature and corrections in the audit log, the
                  `attended` events, the sheets' verification codes), from the session's day
    certificates  $PROXI_RETENTION_CERTIFICATES_YEARS (10 years): attestations and
                  certificats de réalisation (their verification codes), the events that
                  carry a result (`completed`, `passed`, `ended`), training done elsewhere
                  with its proof file, attestations kept after an erasure

Whatever the periods, each run also deletes what can open nothing any more: expired login
tickets, and invitation links used or expired (proxi.people.invitations).

Why a derived record: the relevé de connexions (proxi.progress.connections) is read from the
events, and the detail period is shorter than the connections period. So when the purge
deletes a detailed event of a module, the event's time stays in `kept_activity` (person,
module, instant: none of the content) until the connections period ends, and the relevé
reads both, from the last purge's connections cutoff on (`retention_purges.cutoffs`).

What stays whatever its age: the progress itself (lessons, modules finished, scores, time
spent), which lives as long as the account and goes with its erasure (proxi.ops.privacy).
Once events are purged, `python -m proxi rebuild` would lose the progress of purged periods.

The purge deletes in batches of short transactions, so the app keeps serving while it runs,
and each run is recorded in `retention_purges`. Run it daily: see docs/exploitation.md.
A period set to something else than a whole number ≥ 1 stops the purge before it deletes
anything: a typing slip never shortens how long a proof is kept.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from proxi.dates import iso, utc
from proxi.errors import ProxiError
from proxi.progress import dialect, events
from proxi.progress.db import Database, write_transaction

DEFAULT_RETENTION_DAYS = 730
# Proof periods in years: the environment variable and its default.
YEARS = {
    "connections": ("PROXI_RETENTION_CONNECTIONS_YEARS", 3),
    "attendance": ("PROXI_RETENTION_ATTENDANCE_YEARS", 6),
    "certificates": ("PROXI_RETENTION_CERTIFICATES_YEARS", 10),
}
# The events that carry a result, and the period that keeps them; every other verb is detail.
PROOF_VERBS = {"completed": "certificates", "passed": "certificates", "ended": "certificates",
               "attended": "attendance"}  # fmt: skip
BATCH_SIZE = 2000


class RetentionError(ProxiError):
    """A retention period that makes no sense (the message says what to give)."""


@dataclass(frozen=True)
class Periods:
    """How long each kind of record is kept."""

    detail_days: int = DEFAULT_RETENTION_DAYS
    connections_years: int = 3
    attendance_years: int = 6
    certificates_years: int = 10

    def cutoffs(self, now: datetime) -> dict[str, str]:
        """Kind -> the instant before which its records go."""
        return {
            "detail": events.timestamp(now - timedelta(days=self.detail_days)),
            "connections": events.timestamp(years_before(now, self.connections_years)),
            "attendance": events.timestamp(years_before(now, self.attendance_years)),
            "certificates": events.timestamp(years_before(now, self.certificates_years)),
        }


@dataclass(frozen=True)
class Purge:
    """What a purge removed, and the cutoff of the detail period (events before it went)."""

    cutoff: str
    days: int
    events_deleted: int
    answers_cleared: int
    sessions_deleted: int
    audit_deleted: int = 0
    proofs_deleted: dict[str, int] = field(default_factory=dict)  # kind -> records removed


def retention_days() -> int:
    """Days detailed events are kept: $PROXI_RETENTION_DAYS, else two years."""
    try:
        return max(1, int(os.environ.get("PROXI_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)))
    except ValueError:
        return DEFAULT_RETENTION_DAYS


def periods(days: int | None = None) -> Periods:
    """The periods from the environment (`days` instead of $PROXI_RETENTION_DAYS)."""
    years = {kind: _years(name, default) for kind, (name, default) in YEARS.items()}
    return Periods(
        retention_days() if days is None else days,
        years["connections"],
        years["attendance"],
        years["certificates"],
    )


def years_before(moment: datetime, years: int) -> datetime:
    """The same day and time `years` earlier (29 February gives 28 February)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def _years(name: str, default: int) -> int:
    typed = os.environ.get(name, "").strip()
    if not typed:
        return default
    if not typed.isdigit() or int(typed) < 1:
        raise RetentionError(
            f"{name}=« {typed} » : indiquez un nombre entier d'années, au moins 1. "
            "Rien n'a été supprimé."
        )
    return int(typed)


def purge(
    db: Database,
    days: int | None = None,
    *,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
    kept: Periods | None = None,
) -> Purge:
    """Delete what each period no longer covers (`days`: the detail period; `kept`: every
    period, default from the environment); keep the rest."""
    kept = kept or periods(days)
    if kept.detail_days < 1:
        raise RetentionError(
            f"Durée de conservation invalide ({kept.detail_days} jours) : indiquez un nombre "
            "de jours ≥ 1."
        )
    now = utc(now)
    cutoffs = kept.cutoffs(now)
    deleted = _delete_events(db, cutoffs, "detail", batch_size)
    proofs = {
        "events": sum(_delete_events(db, cutoffs, kind, batch_size) for kind in YEARS),
        **_delete_proofs(db, cutoffs),
    }
    with write_transaction(db):
        answers = db.execute(
            "UPDATE block_answers SET response = NULL"
            " WHERE answered_at < :cutoff AND correct IS NULL AND response IS NOT NULL",
            {"cutoff": cutoffs["detail"]},
        ).rowcount
        sessions = db.execute(
            "DELETE FROM web_sessions WHERE expires_at < :cutoff",
            {"cutoff": iso(now - timedelta(kept.detail_days))},
        ).rowcount
        db.execute("DELETE FROM login_tickets WHERE expires_at < :now", {"now": iso(now)})
        # A used or expired invitation link opens nothing: its row is of no more use (the
        # audit log keeps that it was made, by whom, for whom).
        db.execute(
            "DELETE FROM invitations WHERE expires_at < :now OR used_at IS NOT NULL",
            {"now": iso(now)},
        )
        audit_deleted = db.execute(
            "DELETE FROM audit_log WHERE at < :cutoff AND action NOT LIKE 'attendance.%'",
            {"cutoff": cutoffs["detail"]},
        ).rowcount
        db.execute(
            "INSERT INTO retention_purges (purged_at, cutoff, retention_days, events_deleted,"
            " answers_cleared, audit_deleted, cutoffs) VALUES (:purged_at, :cutoff,"
            " :retention_days, :events_deleted, :answers_cleared, :audit_deleted, :cutoffs)",
            {"purged_at": events.timestamp(now), "cutoff": cutoffs["detail"],
             "retention_days": kept.detail_days, "events_deleted": deleted,
             "answers_cleared": answers, "audit_deleted": audit_deleted,
             "cutoffs": json.dumps(cutoffs)},
        )  # fmt: skip
    return Purge(
        cutoffs["detail"], kept.detail_days, deleted, answers, sessions, audit_deleted, proofs
    )


def _delete_events(db: Database, cutoffs: dict[str, str], kind: str, batch_size: int) -> int:
    """Delete, batch by batch, the events of this period's verbs older than its cutoff; a
    detailed event of a module leaves its time in kept_activity for the relevé."""
    if kind == "detail":
        verbs_sql = f"NOT ({dialect.in_list(db, 'verb', 'verbs')})"
        verb_list = list(PROOF_VERBS)
    else:
        verbs_sql = dialect.in_list(db, "verb", "verbs")
        verb_list = [verb for verb, period in PROOF_VERBS.items() if period == kind]
    ids_sql = dialect.in_list(db, "id", "ids")
    deleted = 0
    while True:
        with write_transaction(db):
            ids = [
                row[0]
                for row in db.execute(
                    f"SELECT id FROM events WHERE timestamp < :cutoff AND {verbs_sql}"
                    " LIMIT :batch_size",
                    {
                        "cutoff": cutoffs[kind],
                        "verbs": dialect.list_value(db, verb_list),
                        "batch_size": batch_size,
                    },
                )
            ]
            batch = dialect.list_value(db, ids)
            if kind == "detail":
                db.execute(
                    "INSERT INTO kept_activity (person_id, module_id, at) SELECT person_id,"
                    f" module_id, timestamp FROM events WHERE {ids_sql}"
                    " AND module_id IS NOT NULL AND timestamp >= :connections_cutoff",
                    {"ids": batch, "connections_cutoff": cutoffs["connections"]},
                )
            db.execute(f"DELETE FROM events WHERE {ids_sql}", {"ids": batch})
        deleted += len(ids)
        if len(ids) < batch_size:
            return deleted


_SESSIONS_PAST = "SELECT id FROM live_sessions WHERE day < substr(:cutoff, 1, 10)"
_SEATS_PAST = f"SELECT id FROM live_participants WHERE session_id IN ({_SESSIONS_PAST})"
# An émargement's code names its sheet "live-<session id>-<half day>". Matched as text, not
# by casting a piece of it to a number: PostgreSQL refuses to cast "12-matin".
_SHEET_OF_SESSION_PAST = (
    "EXISTS (SELECT 1 FROM live_sessions AS s WHERE s.day < substr(:cutoff, 1, 10)"
    " AND document_codes.subject_id LIKE 'live-' || s.id || '-%')"
)
_PROOFS = [
    ("connections", "kept_activity", "at < :cutoff"),
    ("connections", "document_codes",
     "kind = 'connexions' AND substr(subject_id, 12) < :cutoff"),
    ("attendance", "live_signatures", f"participant_id IN ({_SEATS_PAST})"),
    ("attendance", "live_presence", f"participant_id IN ({_SEATS_PAST})"),
    ("attendance", "live_passes", f"participant_id IN ({_SEATS_PAST})"),
    ("attendance", "live_sheets", f"session_id IN ({_SESSIONS_PAST})"),
    ("attendance", "document_codes", f"kind = 'emargement' AND {_SHEET_OF_SESSION_PAST}"),
    ("attendance", "audit_log", "action LIKE 'attendance.%' AND at < :cutoff"),
    ("certificates", "document_codes",
     "kind IN ('attestation', 'certificat') AND issued_at < :cutoff"),
    ("certificates", "external_trainings", "ended_on < substr(:cutoff, 1, 10)"),
]  # fmt: skip


def _proofs(db: Database) -> list[tuple[str, str, str]]:
    """Each proof's records past its period: (kind, table, condition on the cutoff). An
    attestation kept after an erasure dates from its training, else from when it was kept."""
    fields_sql = ", ".join(
        dialect.json_field(db, "detail", key) for key in ("completed_at", "day", "ended_on")
    )
    kept_sql = f"COALESCE({fields_sql}, kept_at) < :cutoff"
    return [*_PROOFS, ("certificates", "kept_attestations", kept_sql)]


def _delete_proofs(db: Database, cutoffs: dict[str, str]) -> dict[str, int]:
    """Remove every proof past its period; the seats of sessions past theirs stay for the
    votes' tallies but name nobody."""
    removed: dict[str, int] = {}
    with write_transaction(db):
        for kind, table, condition_sql in _proofs(db):
            sql = f"DELETE FROM {table} WHERE {condition_sql}"
            count = db.execute(sql, {"cutoff": cutoffs[kind]}).rowcount
            removed[kind] = removed.get(kind, 0) + count
        removed["attendance"] += db.execute(
            "UPDATE live_participants SET person_id = NULL, guest_name = NULL, device_hash = NULL"
            f" WHERE id IN ({_SEATS_PAST}) AND (person_id IS NOT NULL OR guest_name IS NOT NULL)",
            {"cutoff": cutoffs["attendance"]},
        ).rowcount
    return removed
