"""Training followed outside Proxi: what a manager recorded about one of their people.

A training has a title, the organisation that gave it, its dates and hours, and a proof
file (PDF or image). When the manager says which module it stands for, it counts in
completion: the dashboard shows the module « Suivi ailleurs » (reports), due dates and
reminders treat it as finished (due_dates.completed_modules). It never yields a Proxi
attestation: its proof is the file. proxi.people.follow_up writes these rows (permission
and audit); this module reads them.
"""

from __future__ import annotations

from dataclasses import dataclass

from proxi.progress.db import Database

# The proof files accepted, told apart by their first bytes (not by the name's extension).
PROOF_TYPES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
MAX_PROOF_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class ExternalTraining:
    """One training done elsewhere, without its file (proof() reads that)."""

    id: int
    person_id: int
    title: str
    provider: str
    started_on: str  # ISO date
    ended_on: str
    hours: float
    module_id: str | None
    proof_name: str
    proof_type: str
    recorded_at: str


_COLUMNS = (
    "id, person_id, title, provider, started_on, ended_on, hours, module_id, proof_name,"
    " proof_type, recorded_at"
)


def for_person(db: Database, person_id: int) -> list[ExternalTraining]:
    """The person's trainings done elsewhere, latest first."""
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM external_trainings WHERE person_id = :person_id"
        " ORDER BY ended_on DESC, id DESC",
        {"person_id": person_id},
    )
    return [ExternalTraining(*row) for row in rows]


def get(db: Database, training_id: int) -> ExternalTraining | None:
    row = db.execute(
        f"SELECT {_COLUMNS} FROM external_trainings WHERE id = :id", {"id": training_id}
    ).fetchone()
    return ExternalTraining(*row) if row else None


def proof(db: Database, training_id: int) -> bytes:
    """The proof file as it was uploaded (callers ask follow_up.proof_file, which checks
    who asks)."""
    row = db.execute(
        "SELECT proof FROM external_trainings WHERE id = :id", {"id": training_id}
    ).fetchone()
    return bytes(row[0]) if row else b""


def proof_type(content: bytes) -> str | None:
    """The file's type from its first bytes, or None for anything but PDF, PNG, JPEG."""
    return next((kind for magic, kind in PROOF_TYPES.items() if content.startswith(magic)), None)
