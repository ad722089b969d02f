"""The feuille d'émargement of one half-day as a PDF (proxi.live.signing holds the facts).

Who was there, when each person signed on their phone and from which device, late arrivals
and early departures, the trainer's countersignature; once countersigned, a verification
code and QR like every other proof. A line signed on no phone keeps an empty box, so the
printed sheet can still be signed by hand.
"""

from __future__ import annotations

import sqlite_utils

from proxi.dates import french_date
from proxi.documents import verification
from proxi.documents.pdf import Letterhead, ProofPdf
from proxi.live import signing
from proxi.live.sessions import LiveSession
from proxi.people import accounts

HEADER = ["Nom", "Organisation", "Signature", "Appareil", "Arrivée tardive", "Départ anticipé"]
WIDTHS = [24, 20, 22, 22, 12, 12]


def sheet_pdf(db: sqlite_utils.Database, session: LiveSession, half_day: str) -> bytes:
    sheet = signing.sheet(db, session, half_day)
    when = f"{french_date(session.day)}, {sheet.label}"
    title = f"Feuille d'émargement — {when}"
    trainer = accounts.get_person(db, session.trainer_id)
    pdf = ProofPdf(title)
    pdf.add_page()
    pdf.letterhead(Letterhead.of(_organisations(db, session)))
    pdf.heading(title)
    pdf.facts(
        [
            ("Action de formation", session.title),
            ("Date", when),
            ("Lieu", session.place or "non précisé"),
            ("Formateur·rice", trainer.display_name if trainer else "—"),
            ("Présences signées", f"{sheet.signed} sur {len(sheet.lines)}"),
        ]
    )
    pdf.paragraph(
        f"En signant sur son téléphone, chaque participant·e a déclaré : « "
        f"{signing.certification(session, half_day)} » L'heure et l'appareil sont ceux de "
        "cette signature (heure de Paris).",
        size=9,
    )
    pdf.grid(HEADER, [_row(line, session) for line in sheet.lines], WIDTHS)
    if not sheet.closed:
        pdf.paragraph(
            "Feuille pas encore contresignée par le formateur ou la formatrice.", bold=True
        )
        return pdf.to_bytes()
    countersigned = signing.local_moment(sheet.countersigned_at or "", session)
    pdf.paragraph(f"Contresignée par {sheet.countersigned_by}, {countersigned}.", bold=True)
    code = verification.issue(
        db,
        "emargement",
        None,
        f"live-{session.id}-{half_day}",
        session.title,
        {
            "Date": when,
            "Lieu": session.place or "non précisé",
            "Contresignée": f"par {sheet.countersigned_by}, {countersigned}",
        },
    )
    pdf.verification(code)
    return pdf.to_bytes()


def _row(line: signing.SheetLine, session: LiveSession) -> list[str]:
    who = line.participant
    signed = signing.signed_phrase(line, session)
    name = who.name + (" (sans compte)" if who.is_guest else "")
    return [
        name,
        who.organisation,
        signed,
        device_label(line.device),
        line.arrived_late,
        line.left_early,
    ]


def device_label(agent: str) -> str:
    """A user agent shortened to what a reader recognises: « Linux; Android 14; Pixel 8 »."""
    inside = agent.split("(", 1)[1].split(")", 1)[0] if "(" in agent else agent
    return inside.strip()[:60]


def _organisations(db: sqlite_utils.Database, session: LiveSession) -> str:
    names = {o.id: o.name for o in accounts.list_organisations(db)}
    return ", ".join(names[i] for i in session.organisation_ids if i in names)
