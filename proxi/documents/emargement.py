"""The feuille d'émargement of one half-day as a PDF (proxi.live.signing holds the facts).

Who was there, the signature each person drew on their phone (vector lines in their row's
« Signature » cell), when they signed and from which device, late arrivals and early
departures, the trainer's countersignature; once countersigned, a verification code and QR
like every other proof. A line not signed on a phone keeps an empty box, so the printed
sheet can still be signed by hand; one signed without strokes says so in its box.
"""

from __future__ import annotations

from proxi.dates import french_date
from proxi.documents import verification
from proxi.documents.pdf import Letterhead, ProofPdf
from proxi.live import signing
from proxi.live.drawing import GRID, Drawing
from proxi.live.sessions import LiveSession
from proxi.people import accounts
from proxi.progress.db import Database

HEADER = [
    "Nom",
    "Organisation",
    "Signature",
    "Signée (heure, appareil)",
    "Arrivée tardive",
    "Départ anticipé",
]
WIDTHS = [22, 18, 24, 24, 11, 11]
# The picture of a signature is cropped to what was drawn, but never taller than this share
# of its width: a tall scribble would otherwise make its row, and the sheet, very long.
MIN_ASPECT = 3.5
INK = 'fill="none" stroke="#1a1a1a" stroke-linecap="round" stroke-linejoin="round"'


def sheet_pdf(db: Database, session: LiveSession, half_day: str) -> bytes:
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
        f"{signing.certification(session, half_day)} » et dessiné sa signature (colonne « "
        "Signature »). L'heure et l'appareil sont ceux de cette signature (heure de Paris).",
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


def _row(line: signing.SheetLine, session: LiveSession) -> list[str | bytes]:
    who = line.participant
    signed = signing.signed_phrase(line, session)
    device = device_label(line.device)
    name = who.name + (" (sans compte)" if who.is_guest else "")
    return [
        name,
        who.organisation,
        _signature_cell(line, signed),
        f"{signed}, {device}" if signed and device else signed,
        line.arrived_late,
        line.left_early,
    ]


# A line certified on the phone without strokes: signed before the pad existed (m067), or
# its person erased. An empty box would read as « not signed » to an auditor.
NOT_DRAWN = "certifié sans tracé"


def _signature_cell(line: signing.SheetLine, signed: str) -> str | bytes:
    if line.drawing:
        return signature_svg(line.drawing)
    return NOT_DRAWN if signed else ""


def signature_svg(drawn: Drawing) -> bytes:
    """The drawn strokes as SVG polylines, cropped to the ink with a small margin.

    Points are drawn at their true proportions: x in pad heights (the grid's x times the
    pad's aspect), y as stored. A one-point stroke (a dot on an « i ») is a zero-length line
    that the round cap shows as a dot."""
    strokes = [[(x * drawn.aspect, y) for x, y in stroke] for stroke in drawn.strokes]
    xs = [x for stroke in strokes for x, _ in stroke]
    ys = [y for stroke in strokes for _, y in stroke]
    pen = GRID / 30
    margin = 2.5 * pen  # the ink stays clear of the cell's border
    left, top = min(xs) - margin, min(ys) - margin
    width, height = max(xs) + margin - left, max(ys) + margin - top
    if width < height * MIN_ASPECT:  # widen, centred: the row stays low
        left -= (height * MIN_ASPECT - width) / 2
        width = height * MIN_ASPECT
    lines = "".join(
        f'<polyline points="{_points(stroke + stroke if len(stroke) == 1 else stroke)}"/>'
        for stroke in strokes
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{left:.1f} {top:.1f} {width:.1f}'
        f' {height:.1f}"><g {INK} stroke-width="{pen:.1f}">{lines}</g></svg>'
    ).encode()


def _points(stroke: list[tuple[float, int]]) -> str:
    return " ".join(f"{x:.1f},{y}" for x, y in stroke)


def device_label(agent: str) -> str:
    """A user agent shortened to what a reader recognises: « Linux; Android 14; Pixel 8 »."""
    inside = agent.split("(", 1)[1].split(")", 1)[0] if "(" in agent else agent
    return inside.strip()[:60]


def _organisations(db: Database, session: LiveSession) -> str:
    names = {o.id: o.name for o in accounts.list_organisations(db)}
    return ", ".join(names[i] for i in session.organisation_ids if i in names)
