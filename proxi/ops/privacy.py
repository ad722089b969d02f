"""Data protection (RGPD): everything about one person, exported as JSON, or erased.

Theory of operation
-------------------
Personal data lives wherever a column points at `people(id)`. Rather than a list of tables
that a new one could slip past, `person_references` reads the schema — every foreign key to
`people`, and any column named `person_id` — and `POLICIES` says what an erasure does to
each reference:

    delete             the rows go (web sessions, login tickets)
    anonymise          the rows move to the person's anonymous stand-in (progress, a session
                       they trained): aggregate statistics stay true, nobody is named
    anonymise_events   the same for events, which also get a new statement id (a copy sent
                       to an LRS can no longer be matched), no idempotency key (it can embed
                       an answer) and lose their free-text responses
    anonymise_answers  the same for block answers, free-text responses removed
    anonymise_seats    group-session seats: the seat keeps its votes (tallies stay true),
                       loses its guest name, and its phone passes are revoked
    unlink             the column is set to NULL (who set a due date, who erased whom)

A reference without a policy makes `erase_person` refuse before it changes anything (and a
test fails), so a new table cannot be forgotten. Data that names a person without an id is
handled by name: failed logins (by identifier) and group-session join failures
(`person:<id>` keys).

The anonymous stand-in is a new `people` row: a random identifier, « Personne effacée », the
same organisation (so an employer's statistics stay right), nothing else, and `erased_at`
set, so it can never log in and no list of people shows it. The person's own row is then
deleted: with foreign keys on, SQLite itself refuses if any row still points at it. The
erasure is one transaction, run with `secure_delete` on (deleted bytes are overwritten) and
followed by a WAL checkpoint, so the name does not linger in the file either.

With $PROXI_KEEP_ATTESTATIONS=1 the proof of training (modules completed, group sessions
attended, training done elsewhere without its file) is first copied, with the name and the
organisation, into `kept_attestations`, a table linked to nothing else.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from proxi.dates import iso
from proxi.documents import lrs
from proxi.errors import ProxiError
from proxi.people import accounts, audit
from proxi.people.permissions import Actor, require
from proxi.progress import dialect, events
from proxi.progress.db import Database, inserted_id, write_transaction

__all__ = [
    "POLICIES",
    "Erasure",
    "PrivacyError",
    "erase_person",
    "export_json",
    "export_person",
    "keep_attestations_configured",
    "kept_attestations",
    "kept_attestations_table",
    "person_named",
    "person_references",
    "unhandled_references",
    "write_private",
]

ANONYMOUS_NAME = "Personne effacée"
EXPORT_FORMAT = "proxi.donnees-personnelles"
POLICIES: dict[tuple[str, str], str] = {
    ("web_sessions", "person_id"): "delete",
    ("login_tickets", "person_id"): "delete",
    ("events", "person_id"): "anonymise_events",
    ("lesson_progress", "person_id"): "anonymise",
    ("block_answers", "person_id"): "anonymise_answers",
    ("module_progress", "person_id"): "anonymise",
    ("scenario_progress", "person_id"): "anonymise",
    ("resume", "person_id"): "anonymise",
    ("time_spent", "person_id"): "anonymise",
    ("live_sessions", "trainer_id"): "anonymise",
    ("live_participants", "person_id"): "anonymise_seats",
    ("live_sheets", "countersigned_by"): "anonymise",
    ("due_dates", "set_by"): "unlink",
    ("due_dates", "person_id"): "delete",
    ("reminders_sent", "person_id"): "delete",
    ("digests_sent", "manager_id"): "delete",
    ("privacy_erasures", "erased_by"): "unlink",
    ("audit_log", "actor_id"): "anonymise",
    ("audit_log", "target_id"): "anonymise",
    ("document_codes", "person_id"): "delete",
    ("studio_drafts", "person_id"): "delete",
    ("scenario_proposals", "proposed_by"): "anonymise",
    ("scenario_proposals", "decided_by"): "anonymise",
    ("invitations", "person_id"): "delete",
    ("invitations", "created_by"): "unlink",
    ("external_trainings", "person_id"): "delete",
    ("external_trainings", "recorded_by"): "unlink",
    ("kept_activity", "person_id"): "anonymise",
}
# Never exported: they prove nothing to the person and would let a copy open a session.
SECRET_COLUMNS = frozenset({"password_hash", "token_hash", "ticket_hash"})
_TRUE = {"1", "true", "oui", "yes", "on"}


class PrivacyError(ProxiError):
    """An export or an erasure that cannot be done (the message says why and what to do)."""


@dataclass(frozen=True)
class Erasure:
    """What an erasure did: rows removed or anonymised per table, attestations kept, and
    statements an LRS holds that the next export there will void (proxi.documents.lrs)."""

    summary: dict[str, int]
    attestations_kept: int
    statements_to_void: int = 0

    def told(self, identifier: str) -> str:
        """What the coordinator is told, on the page and by the command line."""
        text = (
            f"{identifier} a été effacé : {sum(self.summary.values())} enregistrements "
            f"supprimés ou anonymisés, {self.attestations_kept} attestation(s) conservée(s)."
        )
        if self.statements_to_void:
            text += (
                f" {self.statements_to_void} déclaration(s) xAPI déjà envoyée(s) à un entrepôt "
                "LRS y seront annulées au prochain export xAPI vers cet entrepôt."
            )
        return text


def keep_attestations_configured() -> bool:
    """$PROXI_KEEP_ATTESTATIONS: 1, true, oui, yes or on keeps the proof of training."""
    return os.environ.get("PROXI_KEEP_ATTESTATIONS", "").strip().lower() in _TRUE


# --- The schema: where a person is referenced ----------------------------------------------


def person_references(db: Database) -> list[tuple[str, str]]:
    """Every (table, column) that points at a person: foreign keys to people, and person_id."""
    found: list[tuple[str, str]] = []
    for table in dialect.table_names(db):
        columns = dialect.references_to(db, table, "people")
        named = [
            c for c in dialect.column_names(db, table)
            if c == "person_id" or c.endswith("_person_id")
        ]  # fmt: skip
        found += [(table, column) for column in dict.fromkeys(columns + named)]
    return found


def unhandled_references(db: Database) -> list[tuple[str, str]]:
    """References to people that no policy covers: erasing would leave data behind."""
    return [ref for ref in person_references(db) if ref not in POLICIES]


# --- Export ----------------------------------------------------------------------------------


def export_person(db: Database, person_id: int) -> dict:
    """Everything Proxi holds about one person, JSON-ready (the right of access, art. 15)."""
    person = _person_row(db, person_id)
    organisation = _one(
        db,
        "SELECT * FROM organisations WHERE id = :organisation_id",
        {"organisation_id": person["organisation_id"]},
    )
    tables: dict[str, list[dict]] = {}
    for table, column in person_references(db):
        sql = f'SELECT * FROM "{table}" WHERE "{column}" = :person_id'
        rows = _rows(db, sql, {"person_id": person_id})
        if rows:
            tables.setdefault(table, []).extend(rows)
    for table, sql, params in _named_data(db, person):
        rows = _rows(db, sql, params)
        if rows:
            tables[table] = rows
    return {
        "format": EXPORT_FORMAT,
        "version": 1,
        "exported_at": iso(),
        "explication": (
            "Toutes les données que Proxi enregistre sur cette personne, table par table. "
            "Les empreintes de mot de passe et de jeton de connexion ne sont pas exportées."
        ),
        "person": _clean(person),
        "organisation": organisation,
        "tables": tables,
    }


def export_json(db: Database, person_id: int) -> str:
    """The export as UTF-8 JSON text, indented for a human reader too."""
    return json.dumps(export_person(db, person_id), ensure_ascii=False, indent=2)


def _named_data(db: Database, person: dict) -> list[tuple[str, str, dict]]:
    """Data about the person that holds no person id: by identifier, key or seat."""
    found = [
        (
            "login_failures",
            "SELECT * FROM login_failures WHERE identifier = :identifier",
            {"identifier": person["identifier"]},
        )
    ]
    sql = f"SELECT * FROM live_join_failures WHERE {_JOIN_FAILURE_KEYS}"
    found.append(("live_join_failures", sql, _join_failure_keys(person["id"])))
    votes = (
        "SELECT d.session_id, d.number AS decision, d.scenario_id, d.node_id, v.choice,"
        " v.voted_at FROM live_votes v JOIN live_participants p ON p.id = v.participant_id"
        " JOIN live_decisions d ON d.id = v.decision_id WHERE p.person_id = :person_id"
        " ORDER BY v.voted_at"
    )
    found.append(("live_votes", votes, {"person_id": person["id"]}))
    signatures = (
        "SELECT p.session_id, g.half_day, g.signed_at, g.device, g.drawing"
        " FROM live_signatures g"
        " JOIN live_participants p ON p.id = g.participant_id WHERE p.person_id = :person_id"
        " ORDER BY g.signed_at"
    )
    found.append(("live_signatures", signatures, {"person_id": person["id"]}))
    return found


# A logged-in person's failed join codes are keyed `person:<id>` (or `device:person:<id>`).
_JOIN_FAILURE_KEYS = "key = :person_key OR key LIKE :device_key_pattern"


def _join_failure_keys(person_id: int) -> dict[str, str]:
    return {"person_key": f"person:{person_id}", "device_key_pattern": f"%:person:{person_id}"}


def _rows(db: Database, sql: str, params: dict) -> list[dict]:
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [_clean(dict(zip(names, row, strict=True))) for row in cursor.fetchall()]


def _one(db: Database, sql: str, params: dict) -> dict | None:
    rows = _rows(db, sql, params)
    return rows[0] if rows else None


def _clean(row: dict) -> dict:
    """Secrets left out, JSON text columns parsed."""
    return {k: _parsed(v) for k, v in row.items() if k not in SECRET_COLUMNS}


def _parsed(value: Any) -> Any:
    if isinstance(value, bytes):  # a file (a training's proof): as base64 text
        return {"base64": base64.b64encode(value).decode("ascii")}
    if isinstance(value, str) and value[:1] in '{["':
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


# --- Erasure ---------------------------------------------------------------------------------


def erase_person(
    db: Database,
    actor: Actor,
    person_id: int,
    *,
    keep_attestations: bool | None = None,
    now: datetime | None = None,
) -> Erasure:
    """Remove or anonymise everything about the person, in one transaction (art. 17)."""
    require(actor, "person.erase")
    keep = keep_attestations_configured() if keep_attestations is None else keep_attestations
    missing = unhandled_references(db)
    if missing:
        names = ", ".join(f"{table}.{column}" for table, column in missing)
        raise PrivacyError(
            f"Effacement impossible : des données de personnes sont rangées dans {names}, "
            "que l'effacement ne sait pas encore traiter. Rien n'a été modifié ; "
            "signalez-le à l'équipe technique."
        )
    if actor.id == person_id:
        raise PrivacyError(
            "Vous ne pouvez pas effacer votre propre compte : demandez-le à une autre personne "
            "de la coordination."
        )
    with dialect.erasing(db), write_transaction(db):
        return _erase(db, _person_row(db, person_id), actor, keep, iso(now))


def _erase(db: Database, person: dict, actor: Actor, keep: bool, stamp: str) -> Erasure:
    kept = _keep_attestations(db, person, stamp) if keep else 0
    voids = lrs.queue_voids(db, person["id"])  # before the events get new ids
    stand_in = _stand_in(db, person, stamp)
    summary: dict[str, int] = {}
    for table, column in person_references(db):
        changed = _ACTIONS[POLICIES[(table, column)]](db, table, column, person["id"], stand_in)
        summary[table] = summary.get(table, 0) + changed
    summary["login_failures"] = db.execute(
        "DELETE FROM login_failures WHERE identifier = :identifier",
        {"identifier": person["identifier"]},
    ).rowcount
    sql = f"DELETE FROM live_join_failures WHERE {_JOIN_FAILURE_KEYS}"
    summary["live_join_failures"] = db.execute(sql, _join_failure_keys(person["id"])).rowcount
    summary["people"] = db.execute(
        "DELETE FROM people WHERE id = :person_id", {"person_id": person["id"]}
    ).rowcount
    db.execute(
        "INSERT INTO privacy_erasures (erased_at, erased_by, summary, attestations_kept)"
        " VALUES (:erased_at, :erased_by, :summary, :attestations_kept)",
        {
            "erased_at": stamp,
            "erased_by": actor.id,
            "summary": json.dumps(summary, sort_keys=True),
            "attestations_kept": kept,
        },
    )
    audit.record(db, actor, "person.erase", stand_in, {"attestations_kept": kept})
    return Erasure(summary, kept, voids)


def _stand_in(db: Database, person: dict, stamp: str) -> int:
    """The anonymous person who keeps the statistics: same organisation, nothing else."""
    cursor = db.execute(
        "INSERT INTO people (identifier, display_name, organisation_id, site, job_category,"
        " roles, email, password_hash, active, created_at, erased_at)"
        " VALUES (:identifier, :display_name, :organisation_id, '', 'autre', 'learner', NULL,"
        " NULL, 0, :created_at, :erased_at) RETURNING id",
        {
            "identifier": f"anonyme-{secrets.token_hex(8)}",
            "display_name": ANONYMOUS_NAME,
            "organisation_id": person["organisation_id"],
            "created_at": stamp,
            "erased_at": stamp,
        },
    )
    return inserted_id(cursor)


def _delete(db, table: str, column: str, person_id: int, stand_in: int) -> int:
    sql = f'DELETE FROM "{table}" WHERE "{column}" = :person_id'
    return db.execute(sql, {"person_id": person_id}).rowcount


def _anonymise(db, table: str, column: str, person_id: int, stand_in: int) -> int:
    sql = f'UPDATE "{table}" SET "{column}" = :stand_in WHERE "{column}" = :person_id'
    return db.execute(sql, {"stand_in": stand_in, "person_id": person_id}).rowcount


def _unlink(db, table: str, column: str, person_id: int, stand_in: int) -> int:
    sql = f'UPDATE "{table}" SET "{column}" = NULL WHERE "{column}" = :person_id'
    return db.execute(sql, {"person_id": person_id}).rowcount


def _anonymise_events(db, table: str, column: str, person_id: int, stand_in: int) -> int:
    # The UPDATE trigger lets an event through only when it goes to an erased stand-in.
    rows = db.execute(
        "SELECT id, verb, result FROM events WHERE person_id = :person_id",
        {"person_id": person_id},
    ).fetchall()
    db.executemany(
        "UPDATE events SET person_id = :stand_in, uuid = :uuid, idempotency_key = NULL,"
        " result = :result WHERE id = :id",
        [
            {
                "stand_in": stand_in,
                "uuid": str(uuid.uuid4()),
                "result": _without_free_text(verb, result),
                "id": id_,
            }
            for id_, verb, result in rows
        ],
    )
    return len(rows)


def _without_free_text(verb: str, result: str) -> str:
    decoded = json.loads(result or "{}")
    if events.is_free_text(verb, decoded):
        decoded.pop("response", None)
    return json.dumps(decoded, ensure_ascii=False, separators=(",", ":"))


def _anonymise_answers(db, table: str, column: str, person_id: int, stand_in: int) -> int:
    changed = _anonymise(db, table, column, person_id, stand_in)
    db.execute(
        "UPDATE block_answers SET response = NULL WHERE person_id = :stand_in AND correct IS NULL",
        {"stand_in": stand_in},
    )
    return changed


def _anonymise_seats(db, table: str, column: str, person_id: int, stand_in: int) -> int:
    seats_sql = "participant_id IN (SELECT id FROM live_participants WHERE person_id = :person_id)"
    params = {"person_id": person_id}
    db.execute(f"DELETE FROM live_passes WHERE {seats_sql}", params)
    # A drawn signature and the phone's browser point to the person as surely as a name:
    # the anonymous line keeps only that it was signed, and when.
    db.execute(f"UPDATE live_signatures SET drawing = NULL, device = '' WHERE {seats_sql}", params)
    return db.execute(
        "UPDATE live_participants SET person_id = :stand_in, guest_name = NULL"
        " WHERE person_id = :person_id",
        {"stand_in": stand_in, "person_id": person_id},
    ).rowcount


_ACTIONS = {
    "delete": _delete,
    "anonymise": _anonymise,
    "anonymise_events": _anonymise_events,
    "anonymise_answers": _anonymise_answers,
    "anonymise_seats": _anonymise_seats,
    "unlink": _unlink,
}


# --- Attestations kept after an erasure --------------------------------------------------------


def _keep_attestations(db: Database, person: dict, stamp: str) -> int:
    """Copy the proof of training, name included, into kept_attestations."""
    organisation = db.execute(
        "SELECT name FROM organisations WHERE id = :organisation_id",
        {"organisation_id": person["organisation_id"]},
    ).fetchone()
    owner = {"person_id": person["id"]}
    module_sql = dialect.json_object_sql(
        db,
        ("started_at", "m.started_at"),
        ("completed_at", "m.completed_at"),
        ("quiz_best", "m.quiz_best"),
        ("quiz_passed_at", "m.quiz_passed_at"),
        ("seconds", "t.seconds"),
    )
    modules = db.execute(
        f"SELECT m.module_id, '', {module_sql} FROM module_progress m LEFT JOIN time_spent t"
        " ON t.person_id = m.person_id AND t.kind = 'module' AND t.subject_id = m.module_id"
        " WHERE m.person_id = :person_id AND m.status = 'completed'",
        owner,
    ).fetchall()
    session_sql = dialect.json_object_sql(
        db,
        ("day", "s.day"),
        ("half_day", "s.half_day"),
        ("place", "s.place"),
        ("joined_at", "p.joined_at"),
    )
    sessions = db.execute(
        f"SELECT 'live-' || s.id, s.title, {session_sql} FROM live_participants p"
        " JOIN live_sessions s ON s.id = p.session_id WHERE p.person_id = :person_id",
        owner,
    ).fetchall()
    elsewhere_sql = dialect.json_object_sql(
        db,
        ("provider", "provider"),
        ("started_on", "started_on"),
        ("ended_on", "ended_on"),
        ("hours", "hours"),
    )
    elsewhere = db.execute(
        f"SELECT COALESCE(module_id, ''), title, {elsewhere_sql} FROM external_trainings"
        " WHERE person_id = :person_id",
        owner,
    ).fetchall()
    rows = [("module", *row) for row in modules] + [("session", *row) for row in sessions]
    rows += [("externe", *row) for row in elsewhere]
    db.executemany(
        "INSERT INTO kept_attestations (kind, display_name, organisation, subject_id, title,"
        " detail, kept_at) VALUES (:kind, :display_name, :organisation, :subject_id, :title,"
        " :detail, :kept_at)",
        [
            {
                "kind": kind,
                "display_name": person["display_name"],
                "organisation": organisation[0] if organisation else "",
                "subject_id": subject_id,
                "title": title,
                "detail": detail,
                "kept_at": stamp,
            }
            for kind, subject_id, title, detail in rows
        ],
    )
    return len(rows)


def kept_attestations(db: Database, name: str = "") -> list[dict]:
    """Attestations kept after erasures, by name (a part of it is enough, in any case)."""
    # LOWER on both sides: PostgreSQL's LIKE minds case, SQLite's does not.
    return _rows(
        db,
        "SELECT * FROM kept_attestations WHERE LOWER(display_name) LIKE LOWER(:name_pattern)"
        " ORDER BY display_name, id",
        {"name_pattern": f"%{name.strip()}%"},
    )


def kept_attestations_table(db: Database) -> list[dict]:
    """The kept attestations as the coordination reads them (French column names)."""
    return [
        {
            "Nom": row["display_name"],
            "Structure": row["organisation"],
            "Formation": row["title"] or row["subject_id"],
            "Date": (
                row["detail"].get("completed_at")
                or row["detail"].get("day")
                or row["detail"].get("ended_on")
                or ""
            )[:10],
        }
        for row in kept_attestations(db)
    ]


# --- Helpers ------------------------------------------------------------------------------------


def _person_row(db: Database, person_id: int) -> dict:
    row = _one(
        db,
        "SELECT * FROM people WHERE id = :person_id AND erased_at IS NULL",
        {"person_id": person_id},
    )
    if row is None:
        raise PrivacyError("Cette personne n'existe pas ou a déjà été effacée.")
    return row


def person_named(db: Database, identifier: str) -> accounts.Person:
    """The person with this login identifier, or a French error saying none has it."""
    person = accounts.person_by_identifier(db, identifier)
    if person is None:
        raise PrivacyError(
            f"Aucune personne n'a l'identifiant « {identifier} ». Vérifiez l'orthographe."
        )
    return person


def write_private(target: Path, text: str) -> None:
    """Write personal data to a file readable by its owner only."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
