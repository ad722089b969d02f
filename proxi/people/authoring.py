"""The studio's work in the database: who may do what, drafts, proposals, publication.

    save_draft / draft / drafts / discard_draft
                                             one draft per author and scenario opened, kept
                                             across refreshes until published or discarded
    propose(db, trainer, text, opened)       a trainer's version for the coordination
    proposals(db, viewer)                    pending ones (a trainer sees their own)
    declined(db, author)                     the author's refused ones, with the reason
    publish(db, coordinator, text, opened)   the file (proxi.content.studio) and its audit
    decline(db, coordinator, proposal, why)  a proposal refused, with the reason
    restore(db, coordinator, version)        a kept version published again

A draft is keyed by the scenario it was opened from (`opened`: the scenario id, or '' for a
new one), not by the `id` in its text: an author renaming the scenario keeps one draft.
Every publication, proposal, refusal and restoration is recorded in the audit log
(`proxi.people.audit`) in the same transaction as the act. Who may: proxi.people.permissions
(« scenario.write » edits and keeps drafts, « scenario.propose », « scenario.publish »
publishes, declines and restores).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from proxi.content import studio
from proxi.content.yamlsource import MAX_BYTES
from proxi.dates import iso
from proxi.errors import ProxiError
from proxi.people import audit
from proxi.people.accounts import Person
from proxi.people.permissions import may, require
from proxi.progress.db import Database, inserted_id, write_transaction

NEW = ""  # `opened` of a scenario that does not exist yet


@dataclass(frozen=True)
class Draft:
    opened: str
    text: str
    updated_at: str


@dataclass(frozen=True)
class Proposal:
    id: int
    scenario_id: str
    opened: str
    text: str
    note: str
    proposed_by: int
    author_name: str
    proposed_at: str
    status: str
    reason: str


def save_draft(
    db: Database,
    person: Person,
    opened: str,
    text: str,
    *,
    now: datetime | None = None,
) -> Draft:
    """Keep `text` as this author's draft of `opened` (replacing the previous one)."""
    require(person, "scenario.write")
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise ProxiError("Brouillon trop volumineux (plus de 2 Mo) : il n'a pas été enregistré.")
    saved = Draft(opened, text, iso(now))
    with write_transaction(db):
        db.execute(
            "INSERT INTO studio_drafts (person_id, opened, text, updated_at)"
            " VALUES (:person_id, :opened, :text, :updated_at)"
            " ON CONFLICT (person_id, opened) DO UPDATE SET text = excluded.text,"
            " updated_at = excluded.updated_at",
            {
                "person_id": person.id,
                "opened": opened,
                "text": text,
                "updated_at": saved.updated_at,
            },
        )
    return saved


def draft(db: Database, person: Person, opened: str) -> Draft | None:
    row = db.execute(
        "SELECT opened, text, updated_at FROM studio_drafts"
        " WHERE person_id = :person_id AND opened = :opened",
        {"person_id": person.id, "opened": opened},
    ).fetchone()
    return Draft(*row) if row else None


def drafts(db: Database, person: Person) -> list[Draft]:
    """This author's drafts, the most recently edited first."""
    rows = db.execute(
        "SELECT opened, text, updated_at FROM studio_drafts WHERE person_id = :person_id"
        " ORDER BY updated_at DESC",
        {"person_id": person.id},
    ).fetchall()
    return [Draft(*row) for row in rows]


def discard_draft(db: Database, person: Person, opened: str) -> None:
    with write_transaction(db):
        db.execute(
            "DELETE FROM studio_drafts WHERE person_id = :person_id AND opened = :opened",
            {"person_id": person.id, "opened": opened},
        )


def propose(db: Database, person: Person, text: str, opened: str, note: str = "") -> Proposal:
    """Send a version without errors to the coordination; it replaces the author's
    previous pending proposal for the same scenario."""
    require(person, "scenario.propose")
    name = _checked(text, opened)
    now = iso()
    with write_transaction(db):
        db.execute(
            "UPDATE scenario_proposals SET status = 'replaced', decided_at = :now"
            " WHERE status = 'pending' AND proposed_by = :person_id AND opened = :opened",
            {"now": now, "person_id": person.id, "opened": opened},
        )
        cursor = db.execute(
            "INSERT INTO scenario_proposals (scenario_id, opened, text, note, proposed_by,"
            " proposed_at) VALUES (:scenario_id, :opened, :text, :note, :proposed_by,"
            " :proposed_at) RETURNING id",
            {
                "scenario_id": name,
                "opened": opened,
                "text": text,
                "note": note.strip(),
                "proposed_by": person.id,
                "proposed_at": now,
            },
        )
        proposal_id = inserted_id(cursor)
        audit.record(db, person, "scenario.propose", f"scenario:{name}", {"proposal": proposal_id})
    return proposal(db, proposal_id)


def proposals(db: Database, viewer: Person) -> list[Proposal]:
    """Pending proposals, oldest first: all of them for the coordination, else one's own."""
    # `:sees_all = 1`, not a bare parameter: PostgreSQL's OR wants a boolean, not 0 or 1.
    rows = db.execute(
        f"{_SELECT} WHERE p.status = 'pending' AND (:sees_all = 1 OR p.proposed_by = :viewer_id)"
        " ORDER BY p.proposed_at, p.id",
        {"sees_all": int(may(viewer, "scenario.publish")), "viewer_id": viewer.id},
    ).fetchall()
    return [Proposal(*row) for row in rows]


def declined(db: Database, author: Person, limit: int = 5) -> list[Proposal]:
    """The author's proposals the coordination refused, the latest first, with the reason."""
    rows = db.execute(
        f"{_SELECT} WHERE p.status = 'declined' AND p.proposed_by = :author_id"
        " ORDER BY p.decided_at DESC, p.id DESC LIMIT :limit",
        {"author_id": author.id, "limit": limit},
    ).fetchall()
    return [Proposal(*row) for row in rows]


def proposal(db: Database, proposal_id: int) -> Proposal:
    row = db.execute(
        f"{_SELECT} WHERE p.id = :proposal_id", {"proposal_id": proposal_id}
    ).fetchone()
    if row is None:
        raise ProxiError(f"Proposition introuvable (n° {proposal_id}).")
    return Proposal(*row)


_SELECT = (
    "SELECT p.id, p.scenario_id, p.opened, p.text, p.note, p.proposed_by,"
    " COALESCE(a.display_name, ''), p.proposed_at, p.status, p.reason"
    " FROM scenario_proposals p LEFT JOIN people a ON a.id = p.proposed_by"
)


def publish(
    db: Database,
    person: Person,
    text: str,
    opened: str,
    proposal_id: int | None = None,
) -> Path:
    """Publish `text` (a proposal's, when `proposal_id` is given); the publisher's draft of
    it ends, and so does the proposer's when it still holds the text proposed."""
    require(person, "scenario.publish")
    pending = _pending(db, proposal_id) if proposal_id is not None else None
    with write_transaction(db):
        path = studio.publish(text, opened or None)
        details = {"proposal": proposal_id} if proposal_id is not None else {}
        audit.record(db, person, "scenario.publish", f"scenario:{path.stem}", details)
        db.execute(
            "DELETE FROM studio_drafts WHERE person_id = :person_id AND opened = :opened",
            {"person_id": person.id, "opened": opened},
        )
        if pending is not None:
            _decide(db, pending.id, person, "published")
            db.execute(
                "DELETE FROM studio_drafts"
                " WHERE person_id = :person_id AND opened = :opened AND text = :text",
                {"person_id": pending.proposed_by, "opened": pending.opened, "text": pending.text},
            )
    return path


def decline(db: Database, person: Person, proposal_id: int, reason: str) -> None:
    require(person, "scenario.publish")
    if not reason.strip():
        raise ProxiError("Dites en une phrase pourquoi la proposition est refusée.")
    pending = _pending(db, proposal_id)
    with write_transaction(db):
        _decide(db, pending.id, person, "declined", reason.strip())
        db.execute(  # the decider's copy of the proposal, opened to read it
            "DELETE FROM studio_drafts"
            " WHERE person_id = :person_id AND opened = :opened AND text = :text",
            {"person_id": person.id, "opened": pending.opened, "text": pending.text},
        )
        audit.record(
            db,
            person,
            "scenario.decline",
            f"scenario:{pending.scenario_id}",
            {"proposal": pending.id},
        )


def restore(db: Database, person: Person, version_name: str) -> Path:
    """Publish a kept version again; the version it replaces is kept in turn."""
    require(person, "scenario.publish")
    text = studio.version_text(version_name)
    name = studio.scenario_name(text, fallback="")
    with write_transaction(db):
        path = studio.publish(text, name or None)
        audit.record(
            db, person, "scenario.restore", f"scenario:{path.stem}", {"version": version_name}
        )
    return path


def _checked(text: str, opened: str) -> str:
    name = studio.publishable_name(text, opened or None)
    if studio.check_text(text).errors:
        raise studio.PublishRefused("le scénario contient des erreurs : corrigez-les d'abord")
    return name


def _pending(db: Database, proposal_id: int) -> Proposal:
    found = proposal(db, proposal_id)
    if found.status != "pending":
        raise ProxiError("Cette proposition a déjà été traitée.")
    return found


def _decide(db, proposal_id: int, person: Person, status: str, reason: str = "") -> None:
    db.execute(
        "UPDATE scenario_proposals SET status = :status, decided_by = :decided_by,"
        " decided_at = :decided_at, reason = :reason WHERE id = :proposal_id",
        {
            "status": status,
            "decided_by": person.id,
            "decided_at": iso(),
            "reason": reason,
            "proposal_id": proposal_id,
        },
    )
