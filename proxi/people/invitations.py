"""One-time links to choose a password: an invitation for a new account, a reset link for a
forgotten password. No password is ever handed out or shared.

    issue(db, actor, person_id, kind)  -> Issued     a manager or the coordination; audited
    pending(db, token)                 -> Pending    who the link is for (the page greets them)
    redeem(db, token, password)        -> Person     the person's own password; link used up
    send(db, actor, ids, config, url)  -> Sending    by e-mail, to those who have an address

What the link says to its person (`letter`) is written once, here: the printed sheet
(proxi.documents.invitation_sheet) and the e-mail say the same.

A link is 256 random bits, stored hashed (a copy of the database opens nothing), valid once,
until it expires (an invitation 14 days, a reset link 2 days). Issuing a new link for a
person cancels their earlier unused ones: only the last sheet printed, or the last e-mail
sent, works. A deactivated or erased person's link does nothing.

A temporary password (set by someone else: accounts.set_password, or a password typed when
creating the account) leads, at login, to a short private link of this kind
(`after_temporary_password`), so the person chooses their own before going on.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from proxi.dates import french_date, iso, utc
from proxi.errors import AuthError
from proxi.mail import MailConfig, MailError, send_mail
from proxi.people import accounts, audit, passwords
from proxi.people.accounts import Person
from proxi.people.permissions import Actor, require
from proxi.progress.db import Database, write_transaction

LIFETIMES = {
    "invitation": timedelta(days=14),
    "reset": timedelta(days=2),
    "temporary": timedelta(minutes=15),
}
AUDIT_ACTIONS = {"invitation": "invitation.create", "reset": "reset.create"}
LINK_INVALID = (
    "Ce lien n'est plus valable : il a déjà servi, a expiré ou a été remplacé par un plus récent."
    " Demandez un nouveau lien à votre manager ou à la coordination de la formation."
)
PAGE_PATH = "invitation"  # the page's url_path in app_pages/shell.py
TOKEN_PARAMETER = "jeton"


class InvitationInvalid(AuthError):
    """A link that is unknown, used, expired, replaced, or for a deactivated account."""


@dataclass(frozen=True)
class Issued:
    """A link just made: the only moment the token exists in clear."""

    person: Person
    kind: str
    token: str
    expires_at: datetime

    def link(self, base_url: str) -> str:
        return f"{base_url.rstrip('/')}/{PAGE_PATH}?{TOKEN_PARAMETER}={self.token}"


@dataclass(frozen=True)
class Pending:
    person: Person
    kind: str
    expires_at: str


def issue(
    db: Database,
    actor: Actor,
    person_id: int,
    kind: str = "invitation",
    now: datetime | None = None,
) -> Issued:
    """A new link for this person (their earlier unused links stop working)."""
    if kind not in AUDIT_ACTIONS:
        raise ValueError(f"unknown link kind {kind!r}")
    person = accounts.get_person(db, person_id)
    if person is None or not person.active:
        raise accounts.InvalidAccount("Ce compte n'existe pas ou est désactivé.")
    require(actor, "person.manage", person)
    with write_transaction(db):
        issued = _issue(db, person, kind, actor.id, now)
        audit.record(
            db, actor, AUDIT_ACTIONS[kind], person, {"expires_at": iso(issued.expires_at)[:10]}
        )
    return issued


def issue_many(
    db: Database, actor: Actor, person_ids: list[int], kind: str = "invitation"
) -> list[Issued]:
    """One link per person, all or none (a printed sheet, a batch of e-mails)."""
    with write_transaction(db):
        return [issue(db, actor, person_id, kind) for person_id in person_ids]


@dataclass(frozen=True)
class Letter:
    """What a link tells its person, on paper or by e-mail."""

    subject: str
    greeting: str
    steps: tuple[str, ...]
    warning: str


def letter(issued: Issued, link: str) -> Letter:
    person, until = issued.person, french_date(iso(issued.expires_at))
    first = issued.kind == "invitation"
    return Letter(
        "Votre accès à Proxi" if first else "Proxi : choisissez un nouveau mot de passe",
        f"Bonjour {person.display_name},",
        (
            "Proxi est la formation en ligne des personnels de proximité."
            if first
            else "Un nouveau mot de passe a été demandé pour votre compte Proxi.",
            f"Ouvrez ce lien (ou scannez le code QR) avant le {until} : {link}",
            "Choisissez votre mot de passe : 10 caractères au moins, que vous seul connaissez.",
            f"Ensuite, connectez-vous avec votre identifiant « {person.identifier} » et ce"
            " mot de passe.",
        ),
        "Ce lien est personnel et ne sert qu'une fois : ne le donnez à personne. Si vous"
        " n'attendiez pas ce message, prévenez votre manager.",
    )


@dataclass(frozen=True)
class Sending:
    """What `send` did: who got their link by e-mail, who has no address, whose failed."""

    sent: list[Person]
    without_address: list[Person]
    failed: list[tuple[Person, str]]


def send(
    db: Database,
    actor: Actor,
    person_ids: list[int],
    config: MailConfig,
    base_url: str,
    kind: str = "invitation",
) -> Sending:
    """E-mail a new link to each person who has an address. Each e-mail sent is in the audit
    log; a failed one leaves the person without a valid link (issue or print another)."""
    done = Sending([], [], [])
    for person_id in person_ids:
        person = accounts.get_person(db, person_id)
        if person is None:
            raise accounts.InvalidAccount("Cette personne n'existe pas.")
        require(actor, "person.manage", person)
        if not person.email:
            done.without_address.append(person)
            continue
        issued = issue(db, actor, person_id, kind)
        text = letter(issued, issued.link(base_url))
        body = "\n\n".join([text.greeting, *text.steps, text.warning])
        try:  # outside any transaction: a slow mail server never holds the write lock
            send_mail(config, person.email, text.subject, body)
        except MailError as error:
            done.failed.append((person, str(error)))
            continue
        audit.record(db, actor, "invitation.send", person, {"kind": kind})
        done.sent.append(person)
    return done


def after_temporary_password(db: Database, person: Person) -> Issued:
    """The private link a login with a temporary password leads to (no admin act: not in
    the audit log)."""
    with write_transaction(db):
        return _issue(db, person, "temporary", person.id, None)


def pending(db: Database, token: str, now: datetime | None = None) -> Pending:
    """Whom a valid link is for; InvitationInvalid otherwise."""
    person_id, kind, expires_at = _valid_row(db, token, now)
    person = accounts.get_person(db, person_id)
    if person is None:  # _valid_row joined the person: only a race with an erasure
        raise InvitationInvalid(LINK_INVALID)
    return Pending(person, kind, expires_at)


def redeem(db: Database, token: str, password: str, now: datetime | None = None) -> Person:
    """Set the person's own password and use the link up; all their sessions are closed."""
    passwords.check_password(password)  # a weak password keeps the link valid for a retry
    password_hash = passwords.hash_password(password)  # before the lock: scrypt is slow
    moment = utc(now)
    with write_transaction(db):
        person_id = _valid_row(db, token, moment)[0]
        db.execute(
            "UPDATE invitations SET used_at = :now WHERE token_hash = :token_hash",
            {"now": iso(moment), "token_hash": passwords.token_hash(token)},
        )
        db.execute(
            "UPDATE people SET password_hash = :password_hash, password_temporary = 0"
            " WHERE id = :person_id",
            {"password_hash": password_hash, "person_id": person_id},
        )
        accounts.revoke_all_sessions(db, person_id, moment)
        # The person shows they own the account: the throttle on it starts afresh.
        db.execute(
            "DELETE FROM login_failures WHERE identifier ="
            " (SELECT identifier FROM people WHERE id = :person_id)",
            {"person_id": person_id},
        )
    person = accounts.get_person(db, person_id)
    if person is None:
        raise InvitationInvalid(LINK_INVALID)
    return person


def unused(db: Database, person_id: int, now: datetime | None = None) -> str | None:
    """When the person's current link (invitation or reset) expires; None without one."""
    row = db.execute(
        "SELECT max(expires_at) FROM invitations WHERE person_id = :person_id"
        " AND used_at IS NULL AND kind != 'temporary' AND expires_at > :now",
        {"person_id": person_id, "now": iso(utc(now))},
    ).fetchone()
    return row[0] if row else None


def _issue(db: Database, person: Person, kind: str, created_by: int | None, now) -> Issued:
    moment, token = utc(now), secrets.token_urlsafe(32)
    expires = moment + LIFETIMES[kind]
    db.execute(
        "UPDATE invitations SET expires_at = :now WHERE person_id = :person_id"
        " AND used_at IS NULL AND expires_at > :now",
        {"now": iso(moment), "person_id": person.id},
    )
    db.execute(
        "INSERT INTO invitations (token_hash, person_id, kind, created_by, created_at,"
        " expires_at) VALUES (:token_hash, :person_id, :kind, :created_by, :created_at,"
        " :expires_at)",
        {
            "token_hash": passwords.token_hash(token),
            "person_id": person.id,
            "kind": kind,
            "created_by": created_by,
            "created_at": iso(moment),
            "expires_at": iso(expires),
        },
    )
    return Issued(person, kind, token, expires)


def _valid_row(db: Database, token: str, now) -> tuple[int, str, str]:
    row = db.execute(
        "SELECT i.person_id, i.kind, i.expires_at FROM invitations i"
        " JOIN people p ON p.id = i.person_id"
        " WHERE i.token_hash = :token_hash AND i.used_at IS NULL AND i.expires_at > :now"
        " AND p.active = 1 AND p.erased_at IS NULL",
        {"token_hash": passwords.token_hash(token or ""), "now": iso(utc(now))},
    ).fetchone()
    if row is None:
        raise InvitationInvalid(LINK_INVALID)
    return row[0], row[1], row[2]
