"""What a manager records about the people they follow: due dates (proxi.progress.due_dates
reads them) and training followed elsewhere, with its proof file (proxi.progress.external
reads them).

Each writer asks proxi.people.permissions first and records its act in the audit log in
the same transaction, like every administrative writer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from proxi import hierarchy
from proxi.dates import french_date, iso, today
from proxi.errors import ProxiError
from proxi.people import accounts, audit
from proxi.people.permissions import Actor, Subject, require
from proxi.progress import external
from proxi.progress.db import Database, inserted_id, write_transaction


class BadDueDate(ProxiError):
    """A due date that cannot be set as asked (the message says why)."""


def set_due_date(
    db: Database,
    actor: Actor,
    module_id: str,
    due_on: date | None,
    *,
    organisation_id: int | None = None,
    site: str = "",
    person_id: int | None = None,
) -> None:
    """Set (or with None, remove) the date for a person, else a team (organisation and
    site), else an organisation."""
    site = hierarchy.normalise(site)
    concerned = Subject(organisation_id, site=site)
    if person_id is not None:
        row = db.execute(
            "SELECT organisation_id, site FROM people WHERE id = :person_id",
            {"person_id": person_id},
        ).fetchone()
        if row is None or row[0] is None:
            raise BadDueDate("Cette personne n'est rattachée à aucune organisation.")
        organisation_id, site = row[0], ""
        concerned = Subject(organisation_id, site=row[1])
    if organisation_id is None:
        raise BadDueDate("Choisissez une organisation, une équipe ou une personne.")
    require(actor, "due_date.set", concerned)
    if person_id:
        target = f"person:{person_id}"
    else:
        target = f"site:{organisation_id}:{site}" if site else f"organisation:{organisation_id}"
    with write_transaction(db):
        db.execute(
            "DELETE FROM due_dates WHERE module_id = :module_id AND target = :target",
            {"module_id": module_id, "target": target},
        )
        if due_on is not None:
            db.execute(
                "INSERT INTO due_dates (module_id, target, organisation_id, site, person_id,"
                " due_on, set_by, updated_at) VALUES (:module_id, :target, :organisation_id,"
                " :site, :person_id, :due_on, :set_by, :updated_at)",
                {"module_id": module_id, "target": target, "organisation_id": organisation_id,
                 "site": site, "person_id": person_id, "due_on": due_on.isoformat(),
                 "set_by": actor.id, "updated_at": iso()},
            )  # fmt: skip
        details = {"module_id": module_id, "due_on": due_on.isoformat() if due_on else None}
        action = "due_date.set" if due_on else "due_date.remove"
        audit.record(db, actor, action, person_id if person_id else target, details)


# --- Training done elsewhere ----------------------------------------------------------------

MAX_HOURS = 2000  # a year of full-time training: more is a typing slip
_HOURS = re.compile(r"\d+(?:[.,]\d+)?")


class BadTraining(ProxiError):
    """A training done elsewhere that cannot be recorded as typed (the message says why)."""


@dataclass(frozen=True)
class Proof:
    """The proof file of a training done elsewhere, as uploaded."""

    name: str
    content: bytes


def record_training(
    db: Database,
    actor: Actor,
    person_id: int,
    *,
    title: str,
    provider: str,
    started_on: date | None,
    ended_on: date | None,
    hours: str,
    module_id: str | None,
    proof: Proof | None,
) -> int:
    """Record a training the person followed outside Proxi; its id. Nothing is written
    unless every field reads right."""
    require(actor, "training.record", _person(db, person_id))
    title, provider = " ".join(title.split()), " ".join(provider.split())
    started_on, ended_on = _period(started_on, ended_on)
    duration = _hours(hours)
    if not title:
        raise BadTraining("Indiquez l'intitulé de la formation.")
    if not provider:
        raise BadTraining("Indiquez l'organisme qui a donné la formation.")
    proof, kind = _checked(proof)
    with write_transaction(db):
        cursor = db.execute(
            "INSERT INTO external_trainings (person_id, title, provider, started_on, ended_on,"
            " hours, module_id, proof_name, proof_type, proof, recorded_by, recorded_at)"
            " VALUES (:person_id, :title, :provider, :started_on, :ended_on, :hours, :module_id,"
            " :proof_name, :proof_type, :proof, :recorded_by, :recorded_at) RETURNING id",
            {"person_id": person_id, "title": title, "provider": provider,
             "started_on": started_on.isoformat(), "ended_on": ended_on.isoformat(),
             "hours": duration, "module_id": module_id or None, "proof_name": proof.name,
             "proof_type": kind, "proof": proof.content, "recorded_by": actor.id,
             "recorded_at": iso()},
        )  # fmt: skip
        training_id = inserted_id(cursor)
        details = {"training": training_id, "module_id": module_id or None, "hours": duration}
        audit.record(db, actor, "training.record", person_id, details)
    return training_id


def remove_training(db: Database, actor: Actor, training_id: int) -> None:
    """Remove a training recorded by mistake, its file with it."""
    training = external.get(db, training_id)
    if training is None:
        raise BadTraining("Cette formation a déjà été retirée.")
    require(actor, "training.record", _person(db, training.person_id))
    with write_transaction(db):
        db.execute(
            "DELETE FROM external_trainings WHERE id = :training_id", {"training_id": training_id}
        )
        details = {"training": training_id, "module_id": training.module_id}
        audit.record(db, actor, "training.remove", training.person_id, details)


def proof_file(db: Database, actor: Actor, training_id: int) -> Proof:
    """The proof, for the person themself and for whoever may record their trainings."""
    training = external.get(db, training_id)
    if training is None:
        raise BadTraining("Cette formation a été retirée.")
    if actor.id != training.person_id:
        require(actor, "training.record", _person(db, training.person_id))
    return Proof(training.proof_name, external.proof(db, training_id))


def _person(db: Database, person_id: int) -> accounts.Person:
    person = accounts.get_person(db, person_id)
    if person is None:
        raise BadTraining("Cette personne n'existe pas.")
    return person


def _period(started_on: date | None, ended_on: date | None) -> tuple[date, date]:
    if started_on is None or ended_on is None:
        raise BadTraining("Indiquez la date de début et la date de fin de la formation.")
    if ended_on < started_on:
        raise BadTraining(
            f"La date de fin ({french_date(ended_on)}) est avant la date de début "
            f"({french_date(started_on)})."
        )
    if ended_on > today():
        raise BadTraining(
            f"La date de fin ({french_date(ended_on)}) est à venir : enregistrez la formation "
            "une fois qu'elle est terminée."
        )
    return started_on, ended_on


def _hours(typed: str) -> float:
    text = typed.strip().replace(" ", "")
    if not _HOURS.fullmatch(text) or not 0 < float(text.replace(",", ".")) <= MAX_HOURS:
        raise BadTraining(
            f"Durée illisible « {typed.strip()} » : indiquez le nombre d'heures, par exemple 7 "
            f"ou 3,5 (au plus {MAX_HOURS})."
        )
    return float(text.replace(",", "."))


def _checked(proof: Proof | None) -> tuple[Proof, str]:
    """The proof and its type, or a refusal saying what is wrong with it."""
    if proof is None or not proof.content:
        raise BadTraining(
            "Joignez la preuve de la formation (attestation ou certificat) : un PDF ou une "
            "image PNG ou JPEG."
        )
    if len(proof.content) > external.MAX_PROOF_BYTES:
        size = f"{len(proof.content) / 1024 / 1024:.1f}".replace(".", ",")
        limit = external.MAX_PROOF_BYTES // 1024 // 1024
        raise BadTraining(f"Le fichier « {proof.name} » fait {size} Mo : {limit} Mo au plus.")
    kind = external.proof_type(proof.content)
    if kind is None:
        raise BadTraining(
            f"« {proof.name} » n'est ni un PDF ni une image PNG ou JPEG : joignez la preuve "
            "dans l'un de ces formats."
        )
    return proof, kind
