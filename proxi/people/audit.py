"""The audit log: who did which administrative act, when, on whom. Append-only.

    record(db, actor, action, target, details)   inside the writer's own transaction
    entries(db, viewer, ...filters)              for the coordinator's page, newest first

Every core function that creates, deactivates, resets, invites, imports, erases, attaches or
publishes records one entry here, in the same transaction as the act: the act and its trace
are committed together or not at all. The table refuses UPDATE (a trigger), except the one
the erasure makes: an erased person's entries move to their anonymous stand-in, so the log
still says that something was done, never to whom. Rows are deleted only by the retention
purge (proxi.ops.retention).

`details` is a small JSON object of facts (counts, roles, a module id); it never holds a
name, an identifier or an address, so an erasure leaves nothing behind in it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from proxi.people.permissions import Actor, require
from proxi.progress.db import Database, inserted_id, write_transaction
from proxi.progress.dialect import in_list, list_value
from proxi.progress.events import timestamp

# The vocabulary of administrative acts: slug -> what the coordinator reads.
ACTIONS = {
    "organisation.create": "Organisation créée",
    "organisation.logo": "Logo d'organisation changé",
    "person.create": "Compte créé",
    "person.update": "Compte modifié",
    "person.deactivate": "Compte désactivé",
    "person.reactivate": "Compte réactivé",
    "password.set_temporary": "Mot de passe temporaire défini",
    "invitation.create": "Invitation créée",
    "invitation.send": "Invitation envoyée par courriel",
    "reset.create": "Lien de nouveau mot de passe créé",
    "roster.import": "Liste de personnes importée",
    "person.export": "Données personnelles exportées",
    "person.erase": "Données personnelles effacées",
    "guest.attach": "Participant invité rattaché à un compte",
    "guest.detach": "Rattachement d'un participant invité annulé",
    "participant.remove": "Participant retiré d'une séance",
    "participant.merge": "Deux lignes d'une séance fusionnées",
    "attendance.countersign": "Feuille d'émargement contresignée",
    "attendance.correct": "Feuille d'émargement corrigée après contresignature",
    "scenario.publish": "Mise en situation publiée",
    "reminder.send": "Rappel d'échéance envoyé à la main",
    "due_date.set": "Échéance fixée",
    "due_date.remove": "Échéance retirée",
    "training.record": "Formation suivie ailleurs enregistrée",
    "training.remove": "Formation suivie ailleurs retirée",
    "scenario.propose": "Version de mise en situation proposée",
    "scenario.decline": "Proposition de mise en situation refusée",
    "scenario.restore": "Ancienne version de mise en situation rétablie",
}
COMMAND_LINE = "Exploitation (ligne de commande)"
DEFAULT_LIMIT = 500


@dataclass(frozen=True)
class Entry:
    """One administrative act as the coordinator reads it."""

    id: int
    at: str
    actor_id: int | None
    actor_name: str
    action: str
    target_id: int | None
    target_name: str
    target: str
    details: dict

    @property
    def label(self) -> str:
        return ACTIONS.get(self.action, self.action)


def record(
    db: Database,
    actor: Actor | None,
    action: str,
    target: Actor | int | str | None = None,
    details: dict | None = None,
    *,
    now: datetime | None = None,
) -> int:
    """Append one entry; `actor` None (or OPERATOR, whose id is None) is the command line.
    Joins the caller's transaction. `target`: a person (or their id), or a label such as
    « scenario:porte »."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: add it to audit.ACTIONS")
    target_id, target_text = _target(target)
    with write_transaction(db):
        cursor = db.execute(
            "INSERT INTO audit_log (at, actor_id, action, target_id, target, details)"
            " VALUES (:at, :actor_id, :action, :target_id, :target, :details) RETURNING id",
            {
                "at": timestamp(now),
                "actor_id": actor.id if actor else None,
                "action": action,
                "target_id": target_id,
                "target": target_text,
                "details": json.dumps(details or {}, ensure_ascii=False, sort_keys=True),
            },
        )
        # Inside the block: the RETURNING row must be read before the savepoint is released.
        return inserted_id(cursor)


def entries(
    db: Database,
    viewer: Actor,
    *,
    actions: tuple[str, ...] = (),
    actor_id: int | None = None,
    target_id: int | None = None,
    person_id: int | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[Entry]:
    """The log, newest first, for a coordinator. `person_id`: acted by or on this person;
    `since`/`until`: ISO dates, both included."""
    require(viewer, "audit.read")
    where: list[str] = ["1 = 1"]
    params: dict[str, object] = {"limit": limit}
    if actions:
        where.append(in_list(db, "a.action", "actions"))
        params["actions"] = list_value(db, actions)
    if actor_id is not None:
        where.append("a.actor_id = :actor_id")
        params["actor_id"] = actor_id
    if target_id is not None:
        where.append("a.target_id = :target_id")
        params["target_id"] = target_id
    if person_id is not None:
        where.append("(a.actor_id = :person_id OR a.target_id = :person_id)")
        params["person_id"] = person_id
    if since:
        where.append("a.at >= :since")
        params["since"] = since[:10]
    if until:
        # The whole last day: '2026-12-01' < '2026-12-01T…' < '…~'.
        where.append("a.at < :until")
        params["until"] = until[:10] + "~"
    rows = db.execute(
        "SELECT a.id, a.at, a.actor_id, actor.display_name, a.action, a.target_id,"
        " target.display_name, a.target, a.details FROM audit_log a"
        " LEFT JOIN people actor ON actor.id = a.actor_id"
        " LEFT JOIN people target ON target.id = a.target_id"
        f" WHERE {' AND '.join(where)} ORDER BY a.at DESC, a.id DESC LIMIT :limit",
        params,
    ).fetchall()
    return [_entry(row) for row in rows]


def _entry(row: tuple) -> Entry:
    entry_id, at, actor_id, actor_name, action, target_id, target_name, target, details = row
    return Entry(
        entry_id,
        at,
        actor_id,
        actor_name or (COMMAND_LINE if actor_id is None else ""),
        action,
        target_id,
        target_name or "",
        target,
        json.loads(details),
    )


def _target(target: Actor | int | str | None) -> tuple[int | None, str]:
    if target is None or isinstance(target, str):
        return None, target or ""
    return (target, "") if isinstance(target, int) else (target.id, "")
