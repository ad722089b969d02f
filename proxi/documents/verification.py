"""Verification codes: a short code printed (and as a QR) on every proof that leaves Proxi.

A funder, an employer or an auditor types the code on the public `/verifier` page and sees
whether Proxi issued that document: its kind, the person's name, the title, the dates. Nothing
else is shown, and nothing can be listed: a code carries 59 random bits (12 symbols of the
same unambiguous alphabet as the session codes), so guessing one is hopeless.

One code per document, not per download: the same person, kind and subject always get the
same code, so reprinting an attestation never invalidates the copy already handed in. The
person's name is read from `people` when verifying (never copied here), so an erasure
(proxi.ops.privacy deletes the codes) leaves no trace of it.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from proxi.dates import iso
from proxi.documents.xapi import DEFAULT_PUBLIC_URL
from proxi.live.sessions import CODE_ALPHABET
from proxi.progress.db import Database, write_transaction

CODE_SYMBOLS = 12
KINDS = {
    "attestation": "Attestation de fin de formation",
    "certificat": "Certificat de réalisation",
    "emargement": "Feuille d'émargement",
    "connexions": "Relevé de connexions",
}


@dataclass(frozen=True)
class Verified:
    """What `/verifier` may show about a genuine document."""

    code: str
    kind: str  # a key of KINDS
    person_name: str
    title: str
    facts: dict[str, str]  # French label -> value, as printed on the document
    issued_at: str

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)


def issue(
    db: Database,
    kind: str,
    person_id: int | None,
    subject_id: str,
    title: str,
    facts: dict[str, str],
    now: datetime | None = None,
) -> str:
    """The document's code: created on first issue, the same one ever after."""
    with write_transaction(db):
        # IS NOT DISTINCT FROM: a document of no one (person_id NULL) matches its own kind.
        found = db.execute(
            "SELECT code FROM document_codes WHERE kind = :kind"
            " AND person_id IS NOT DISTINCT FROM :person_id AND subject_id = :subject_id",
            {"kind": kind, "person_id": person_id, "subject_id": subject_id},
        ).fetchone()
        if found:
            return found[0]
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_SYMBOLS))
        db.execute(
            "INSERT INTO document_codes (code, kind, person_id, subject_id, title, facts,"
            " issued_at) VALUES (:code, :kind, :person_id, :subject_id, :title, :facts,"
            " :issued_at)",
            {
                "code": code,
                "kind": kind,
                "person_id": person_id,
                "subject_id": subject_id,
                "title": title,
                "facts": json.dumps(facts, ensure_ascii=False),
                "issued_at": iso(now),
            },
        )
    return code


def verify(db: Database, typed: str) -> Verified | None:
    """The document behind a typed code (spaces, dashes and case ignored), or None."""
    code = normalise(typed)
    if len(code) != CODE_SYMBOLS:
        return None
    row = db.execute(
        "SELECT d.code, d.kind, COALESCE(p.display_name, ''), d.title, d.facts, d.issued_at"
        " FROM document_codes d LEFT JOIN people p ON p.id = d.person_id WHERE d.code = :code",
        {"code": code},
    ).fetchone()
    if row is None:
        return None
    code, kind, name, title, facts, issued_at = row
    return Verified(code, kind, name, title, json.loads(facts), issued_at)


def normalise(typed: str) -> str:
    return "".join(char for char in (typed or "").upper() if char.isalnum())


def display(code: str) -> str:
    """ABCD-EFGH-JKMN: easier to read aloud and to type."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def verify_url(code: str) -> str:
    """The address the QR code leads to ($PROXI_PUBLIC_URL, as the xAPI ids use)."""
    return f"{public_url()}/verifier?code={quote(display(code))}"


def public_url() -> str:
    """Where this Proxi instance is reached: $PROXI_PUBLIC_URL (as for the xAPI ids)."""
    return (os.environ.get("PROXI_PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/")
