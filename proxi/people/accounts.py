"""People, organisations and roles; passwords, login throttling, login tickets and sessions.

Login, in three steps (the page cannot set an HttpOnly cookie itself, Streamlit can't):

    authenticate(identifier, password)  -> Person      the login form, on the server
    issue_login_ticket(person)          -> ticket      single use, 60 s, stored hashed
    redeem_login_ticket(ticket)         -> token       by GET /proxi-auth/complete (web_auth),
                                                       which sets the signed cookie
    person_for_session(token)           -> Person|None on every rerun

The ticket keeps the 30-day session token out of every URL (history, logs). Tokens and
tickets are stored as SHA-256 hashes: a copy of the database opens no session. A revoked or
expired session, or a deactivated person, yields None at the next rerun, in every tab.

Error messages never say whether an identifier exists: an unknown identifier and a wrong
password give the same words, cost the same scrypt work, and count toward the same throttle.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from proxi import hierarchy
from proxi.dates import iso, utc
from proxi.errors import AuthError, NotAllowed, ProxiError
from proxi.people import audit, passwords, throttle
from proxi.people.permissions import Actor, Subject, require
from proxi.progress.db import Database, inserted_id, write_transaction

ROLES = {
    "learner": "Apprenant",
    "trainer": "Formateur",
    "manager": "Manager",
    "coordinator": "Coordinateur",
}
JOB_CATEGORIES = {
    "gardien": "Gardien d'immeuble",
    "employe-immeuble": "Employé d'immeuble / agent de maintenance",
    "agent-administratif": "Agent administratif",
    "manager-proximite": "Manager de proximité",
    "agent-ville": "Agent de la ville",
    "mediateur": "Médiateur",
    "regie-quartier": "Régie de quartier",
    "representant-locataires": "Représentant de locataires",
    "autre": "Autre",
}
ORGANISATION_KINDS = {"bailleur": "Bailleur social", "ville": "Ville", "association": "Association"}

TICKET_LIFETIME, SESSION_LIFETIME = timedelta(seconds=60), timedelta(days=30)

WRONG_CREDENTIALS = "Identifiant ou mot de passe incorrect."
ACCOUNT_DISABLED = "Ce compte est désactivé. Adressez-vous à la coordination de la formation."
TICKET_INVALID = "Ce lien de connexion n'est plus valable. Connectez-vous à nouveau."


class InvalidAccount(ProxiError):
    """A person or organisation as entered cannot be saved (the message says which field)."""


@dataclass(frozen=True)
class Organisation:
    id: int
    name: str
    kind: str


@dataclass(frozen=True)
class Person:
    """A person as the app sees them; never carries the password hash."""

    id: int
    identifier: str
    display_name: str
    organisation_id: int | None
    site: str
    job_category: str
    roles: tuple[str, ...]
    email: str | None
    active: bool
    created_at: str
    password_temporary: bool = False  # set by someone else: to change at the next login

    def has_role(self, *roles: str) -> bool:
        """True when the person has at least one of `roles`."""
        return any(role in self.roles for role in roles)

    @property
    def job_label(self) -> str:
        return JOB_CATEGORIES.get(self.job_category, self.job_category)


# --- Organisations ------------------------------------------------------------------------


def create_organisation(db: Database, actor: Actor, name: str, kind: str) -> Organisation:
    """Add an organisation (a landlord, the city, an association)."""
    require(actor, "organisation.manage")
    name = name.strip()
    if not name:
        raise InvalidAccount("Le nom de l'organisation est obligatoire.")
    if kind not in ORGANISATION_KINDS:
        raise InvalidAccount(f"Type d'organisation inconnu : « {kind} ».")
    with write_transaction(db):
        if db.execute("SELECT 1 FROM organisations WHERE name = :name", {"name": name}).fetchone():
            raise InvalidAccount(f"L'organisation « {name} » existe déjà.")
        cursor = db.execute(
            "INSERT INTO organisations (name, kind, created_at)"
            " VALUES (:name, :kind, :created_at) RETURNING id",
            {"name": name, "kind": kind, "created_at": iso(utc())},
        )
        created = Organisation(inserted_id(cursor), name, kind)
        audit.record(db, actor, "organisation.create", f"organisation:{created.id}")
    return created


def list_organisations(db: Database) -> list[Organisation]:
    rows = db.execute("SELECT id, name, kind FROM organisations ORDER BY name").fetchall()
    return [Organisation(*row) for row in rows]


# --- People -------------------------------------------------------------------------------


def create_person(
    db: Database,
    actor: Actor,
    identifier: str,
    display_name: str,
    password: str | None = None,
    *,
    organisation_id: int | None = None,
    site: str = "",
    job_category: str = "autre",
    roles: Iterable[str] = ("learner",),
    email: str | None = None,
) -> Person:
    """Create an account; the identifier is normalised and must be free.

    Without a password nobody can log in as the person until they have used an invitation
    (proxi.people.invitations). A password typed by a manager or the coordination is
    temporary: the person changes it at their first login. The operator's (the command
    line's: the first coordinator, the demo) is their own."""
    identifier = normalise_identifier(identifier)
    if problem := identifier_problem(identifier):
        raise InvalidAccount(problem)
    fields = _checked_fields(display_name, organisation_id, site, job_category, roles, email)
    roles_given = tuple(fields["roles"].split(","))
    require(actor, "person.manage", Subject(organisation_id, roles_given, fields["site"]))
    # Before the lock: scrypt takes ~50 ms.
    password_hash = passwords.hash_password(password) if password is not None else None
    temporary = password is not None and actor.id is not None
    with write_transaction(db):
        if person_by_identifier(db, identifier):
            raise InvalidAccount(f"L'identifiant « {identifier} » est déjà utilisé.")
        cursor = db.execute(
            "INSERT INTO people (identifier, display_name, organisation_id, site, job_category,"
            " roles, email, password_hash, password_temporary, created_at)"
            " VALUES (:identifier, :display_name, :organisation_id, :site, :job_category,"
            " :roles, :email, :password_hash, :password_temporary, :created_at) RETURNING id",
            {
                "identifier": identifier,
                **fields,
                "password_hash": password_hash,
                "password_temporary": int(temporary),
                "created_at": iso(utc()),
            },
        )
        person_id = inserted_id(cursor)
        audit.record(db, actor, "person.create", person_id, {"roles": fields["roles"]})
    return _require_person(db, person_id)


def update_person(db: Database, actor: Actor, person_id: int, **changes) -> Person:
    """Change display_name, organisation_id, site, job_category, roles or email: the person
    must be in the actor's scope before, and after, the change."""
    current = _require_person(db, person_id)
    require(actor, "person.manage", current)
    merged = {
        "display_name": current.display_name,
        "organisation_id": current.organisation_id,
        "site": current.site,
        "job_category": current.job_category,
        "roles": current.roles,
        "email": current.email,
        **changes,
    }
    fields = _checked_fields(**merged)
    after = Subject(fields["organisation_id"], tuple(merged["roles"]), fields["site"])
    require(actor, "person.manage", after)
    # The columns are _checked_fields' own keys, never the caller's: each is its parameter.
    assignments = ", ".join(f"{column} = :{column}" for column in fields)
    with write_transaction(db):
        db.execute(
            f"UPDATE people SET {assignments} WHERE id = :person_id",
            {**fields, "person_id": person_id},
        )
        audit.record(db, actor, "person.update", person_id, {"fields": sorted(changes)})
    return _require_person(db, person_id)


def set_password(db: Database, actor: Actor, person_id: int, password: str) -> None:
    """Set a temporary password, changed at the next login; every session of the person is
    closed. (An invitation link, proxi.people.invitations, spares telling anyone a password.)"""
    require(actor, "person.manage", _require_person(db, person_id))
    with write_transaction(db):
        _store_password(db, person_id, password, temporary=actor.id is not None)
        audit.record(db, actor, "password.set_temporary", person_id)


def change_own_password(
    db: Database, person: Person, current: str, new: str, keep_token: str | None
) -> None:
    """The person changes their own password: the current one is required. Their other
    sessions are closed; this browser's (`keep_token`) stays open."""
    row = db.execute(
        "SELECT password_hash FROM people WHERE id = :person_id", {"person_id": person.id}
    ).fetchone()
    if not (row and row[0] and passwords.verify_password(current, row[0])):
        raise InvalidAccount("Le mot de passe actuel n'est pas le bon.")
    if new == current:
        raise passwords.WeakPassword("Choisissez un mot de passe différent de l'actuel.")
    _store_password(db, person.id, new, temporary=False, keep_token=keep_token)


def _store_password(
    db: Database,
    person_id: int,
    password: str,
    *,
    temporary: bool,
    keep_token: str | None = None,
) -> None:
    password_hash = passwords.hash_password(password)
    with write_transaction(db):
        db.execute(
            "UPDATE people SET password_hash = :password_hash,"
            " password_temporary = :password_temporary WHERE id = :person_id",
            {
                "password_hash": password_hash,
                "password_temporary": int(temporary),
                "person_id": person_id,
            },
        )
        revoke_all_sessions(db, person_id, keep_token=keep_token)


def set_active(db: Database, actor: Actor, person_id: int, active: bool) -> None:
    """Deactivate (sessions closed at once, in every tab) or reactivate an account."""
    require(actor, "person.manage", _require_person(db, person_id))
    if actor.id == person_id and not active:
        raise NotAllowed("Vous ne pouvez pas désactiver votre propre compte.")
    with write_transaction(db):
        db.execute(
            "UPDATE people SET active = :active WHERE id = :person_id",
            {"active": int(active), "person_id": person_id},
        )
        if not active:
            revoke_all_sessions(db, person_id)
        audit.record(db, actor, "person.reactivate" if active else "person.deactivate", person_id)


def deactivate_person(db: Database, actor: Actor, person_id: int) -> None:
    set_active(db, actor, person_id, False)


def get_person(db: Database, person_id: int) -> Person | None:
    row = db.execute(
        f"SELECT {_PERSON_COLUMNS} FROM people WHERE id = :person_id", {"person_id": person_id}
    ).fetchone()
    return _person(row) if row else None


def person_by_identifier(db: Database, identifier: str) -> Person | None:
    row = db.execute(
        f"SELECT {_PERSON_COLUMNS} FROM people WHERE identifier = :identifier",
        {"identifier": normalise_identifier(identifier)},
    ).fetchone()
    return _person(row) if row else None


def list_people(
    db: Database, organisation_id: int | None = None, role: str | None = None
) -> list[Person]:
    """People not erased (active or not), by name; optionally of one organisation, one role."""
    sql = f"SELECT {_PERSON_COLUMNS} FROM people WHERE erased_at IS NULL"
    params: dict[str, object] = {}
    if organisation_id is not None:
        sql += " AND organisation_id = :organisation_id"
        params["organisation_id"] = organisation_id
    people = [_person(row) for row in db.execute(sql + " ORDER BY display_name", params)]
    return [p for p in people if role is None or p.has_role(role)]


def normalise_identifier(identifier: str) -> str:
    """« Élodie  Durand » -> « elodie-durand »: lower case, accents folded, spaces as one
    « - » (what a person types on a phone finds their account). Anything else stays, for
    `identifier_problem` to refuse."""
    folded = unicodedata.normalize("NFKD", identifier.strip().lower().translate(_LIGATURES))
    unaccented = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"\s+", "-", unaccented)


_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})


IDENTIFIER = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")


def identifier_problem(identifier: str) -> str | None:
    """Why a (normalised) identifier cannot be used, in French; None when it can.

    Letters without accents, digits, « . _ - @ », 64 at most: it is typed on a phone, shown
    in lists and exports, and must never carry markup, spaces or control characters.
    """
    if not identifier:
        return "L'identifiant est obligatoire."
    if not IDENTIFIER.fullmatch(identifier):
        return (
            f"Identifiant « {identifier[:40]!s} » refusé : lettres sans accent, chiffres, "
            "« . », « _ », « - » ou « @ » seulement (64 au plus), sans espace."
        )
    return None


_PERSON_COLUMNS = (
    "id, identifier, display_name, organisation_id, site, job_category, roles, email,"
    " active, created_at, password_temporary"
)


def _person(row: tuple) -> Person:
    values = list(row)
    values[6] = tuple(role for role in values[6].split(",") if role)
    values[8], values[10] = bool(values[8]), bool(values[10])
    return Person(*values)


def _require_person(db: Database, person_id: int) -> Person:
    person = get_person(db, person_id)
    if person is None:
        raise InvalidAccount("Cette personne n'existe pas.")
    return person


def _checked_fields(display_name, organisation_id, site, job_category, roles, email) -> dict:
    """The person's columns, validated, in table order; raises InvalidAccount."""
    roles = tuple(dict.fromkeys(roles))
    if not display_name or not display_name.strip():
        raise InvalidAccount("Le nom affiché est obligatoire.")
    if job_category not in JOB_CATEGORIES:
        raise InvalidAccount(f"Catégorie d'emploi inconnue : « {job_category} ».")
    unknown = [role for role in roles if role not in ROLES]
    if unknown or not roles:
        raise InvalidAccount(f"Rôle inconnu ou manquant : « {', '.join(unknown)} ».")
    if email and "@" not in email:
        raise InvalidAccount(f"Adresse électronique invalide : « {email} ».")
    site = hierarchy.normalise(site)
    if problem := hierarchy.problem(site):
        raise InvalidAccount(f"Agence ou secteur : {problem}")
    return {
        "display_name": display_name.strip(),
        "organisation_id": organisation_id,
        "site": site,
        "job_category": job_category,
        "roles": ",".join(roles),
        "email": email.strip() if email else None,
    }


# --- Login and throttling -------------------------------------------------------------------


def authenticate(
    db: Database,
    identifier: str,
    password: str,
    now: datetime | None = None,
    *,
    client: str = "",
) -> Person:
    """The person these credentials open, or AuthError with a French message. `client`: the
    address the try comes from (proxi.people.throttle counts failures per identifier and
    client)."""
    now, key = utc(now), normalise_identifier(identifier)
    refused = throttle.refusal(db, key, client, now)
    if refused:
        raise AuthError(refused)
    row = db.execute(
        "SELECT id, password_hash, active, erased_at FROM people WHERE identifier = :identifier",
        {"identifier": key},
    ).fetchone()
    # Always one scrypt, found or not: the time taken must not tell whether `key` exists.
    matches = passwords.verify_password(
        password, row[1] if row and row[1] else passwords.DUMMY_HASH
    )
    if not (row and matches and row[3] is None):
        throttle.record_failure(db, key, client, now)
        raise AuthError(WRONG_CREDENTIALS)
    if not row[2]:
        raise AuthError(ACCOUNT_DISABLED)  # only said to someone who knows the password
    throttle.forget(db, key, client)
    return _require_person(db, row[0])


def lockout_remaining(
    db: Database, identifier: str, now: datetime | None = None, client: str = ""
) -> timedelta | None:
    """How long this client stays blocked on this identifier (proxi.people.throttle)."""
    return throttle.lockout_remaining(db, normalise_identifier(identifier), utc(now), client)


# --- Tickets and sessions -------------------------------------------------------------------


def issue_login_ticket(db: Database, person_id: int, now: datetime | None = None) -> str:
    """A single-use ticket, valid 60 seconds, to exchange for a session cookie."""
    now, ticket = utc(now), secrets.token_urlsafe(32)
    with write_transaction(db):
        db.execute("DELETE FROM login_tickets WHERE expires_at < :now", {"now": iso(now)})
        db.execute(
            "INSERT INTO login_tickets (ticket_hash, person_id, created_at, expires_at)"
            " VALUES (:ticket_hash, :person_id, :created_at, :expires_at)",
            {
                "ticket_hash": passwords.token_hash(ticket),
                "person_id": person_id,
                "created_at": iso(now),
                "expires_at": iso(now + TICKET_LIFETIME),
            },
        )
    return ticket


def redeem_login_ticket(db: Database, ticket: str, now: datetime | None = None) -> str:
    """Use up a ticket and open a 30-day session; returns the session token."""
    now, token = utc(now), secrets.token_urlsafe(32)
    with write_transaction(db):
        row = db.execute(
            "SELECT t.person_id FROM login_tickets t JOIN people p ON p.id = t.person_id"
            " WHERE t.ticket_hash = :ticket_hash AND t.used_at IS NULL AND t.expires_at > :now"
            " AND p.active = 1 AND p.erased_at IS NULL",
            {"ticket_hash": passwords.token_hash(ticket), "now": iso(now)},
        ).fetchone()
        if row is None:
            raise AuthError(TICKET_INVALID)
        db.execute(
            "UPDATE login_tickets SET used_at = :now WHERE ticket_hash = :ticket_hash",
            {"now": iso(now), "ticket_hash": passwords.token_hash(ticket)},
        )
        db.execute(
            "INSERT INTO web_sessions (token_hash, person_id, created_at, expires_at)"
            " VALUES (:token_hash, :person_id, :created_at, :expires_at)",
            {
                "token_hash": passwords.token_hash(token),
                "person_id": row[0],
                "created_at": iso(now),
                "expires_at": iso(now + SESSION_LIFETIME),
            },
        )
    return token


def person_for_session(
    db: Database, token: str | None, now: datetime | None = None
) -> Person | None:
    """The person of a live session: None if unknown, revoked, expired or deactivated."""
    if not token:
        return None
    row = db.execute(
        f"SELECT {', '.join('p.' + c.strip() for c in _PERSON_COLUMNS.split(','))}"
        " FROM web_sessions s JOIN people p ON p.id = s.person_id"
        " WHERE s.token_hash = :token_hash AND s.revoked_at IS NULL AND s.expires_at > :now"
        " AND p.active = 1 AND p.erased_at IS NULL",
        {"token_hash": passwords.token_hash(token), "now": iso(now or utc())},
    ).fetchone()
    return _person(row) if row else None


def revoke_session(db: Database, token: str, now: datetime | None = None) -> None:
    """Log out this session (this browser)."""
    with write_transaction(db):
        db.execute(
            "UPDATE web_sessions SET revoked_at = :now"
            " WHERE token_hash = :token_hash AND revoked_at IS NULL",
            {"now": iso(now or utc()), "token_hash": passwords.token_hash(token)},
        )


def revoke_all_sessions(
    db: Database,
    person_id: int,
    now: datetime | None = None,
    *,
    keep_token: str | None = None,
) -> None:
    """Log the person out everywhere (but in the session of `keep_token`, if given)."""
    kept = passwords.token_hash(keep_token) if keep_token else None
    with write_transaction(db):
        db.execute(
            "UPDATE web_sessions SET revoked_at = :now"
            " WHERE person_id = :person_id AND revoked_at IS NULL"
            # IS DISTINCT FROM (SQLite's IS NOT is not PostgreSQL's): NULL, no token to
            # keep, matches every session.
            " AND token_hash IS DISTINCT FROM :kept_token_hash",
            {"now": iso(now or utc()), "person_id": person_id, "kept_token_hash": kept},
        )


@dataclass(frozen=True)
class OpenSession:
    """One browser where the person is logged in (what « Mon compte » lists)."""

    id: int
    created_at: str
    expires_at: str
    current: bool  # the browser looking at the list


def open_sessions(
    db: Database, person: Person, token: str | None, now: datetime | None = None
) -> list[OpenSession]:
    """The person's live sessions, newest first; `token` marks the current one."""
    current = passwords.token_hash(token) if token else None
    rows = db.execute(
        "SELECT id, created_at, expires_at, token_hash = :current_token_hash FROM web_sessions"
        " WHERE person_id = :person_id AND revoked_at IS NULL AND expires_at > :now"
        " ORDER BY created_at DESC, id DESC",
        {"current_token_hash": current, "person_id": person.id, "now": iso(now or utc())},
    ).fetchall()
    return [OpenSession(row[0], row[1], row[2], bool(row[3])) for row in rows]


def close_own_session(db: Database, person: Person, session_id: int) -> None:
    """The person logs out one of their browsers (never anyone else's session)."""
    with write_transaction(db):
        db.execute(
            "UPDATE web_sessions SET revoked_at = :now WHERE id = :session_id"
            " AND person_id = :person_id AND revoked_at IS NULL",
            {"now": iso(utc()), "session_id": session_id, "person_id": person.id},
        )
