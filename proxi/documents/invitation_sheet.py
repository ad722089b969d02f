"""The printable sheet of invitations: one A4 page per person, to hand over in person.

Each page carries the organisation's letterhead, the person's name and identifier, their
link in words and as a large QR code, and the same few sentences as the e-mail
(proxi.people.invitations.letter). The links are made by the caller (invitations.issue_many,
audited); this module only draws them.
"""

from __future__ import annotations

from proxi.documents.attestation import organisation_logos
from proxi.documents.pdf import FONT, Letterhead, ProofPdf, printable
from proxi.people import accounts, invitations
from proxi.progress.db import Database

QR_WIDTH_MM = 60


def invitation_sheet(db: Database, links: list[invitations.Issued], base_url: str) -> bytes:
    """The PDF: one page per link, in the order given."""
    names = {o.id: o.name for o in accounts.list_organisations(db)}
    logos = organisation_logos(db)
    pdf = ProofPdf("Invitations à Proxi" if len(links) != 1 else "Invitation à Proxi")
    for issued in links:
        person, link = issued.person, issued.link(base_url)
        text = invitations.letter(issued, link)
        pdf.add_page()
        organisation = names.get(person.organisation_id or 0, "")
        pdf.letterhead(Letterhead.of(organisation, logos.get(person.organisation_id)))
        pdf.heading(text.subject)
        pdf.facts([("Nom", person.display_name), ("Identifiant", person.identifier)])
        pdf.paragraph(text.greeting)
        pdf.bullets(list(text.steps))
        top = pdf.get_y() + 2
        pdf.qr_code(link, (pdf.w - QR_WIDTH_MM) / 2, top, QR_WIDTH_MM)
        pdf.set_y(top + QR_WIDTH_MM + 4)
        pdf.set_font(FONT, size=8)
        pdf.multi_cell(0, 4, printable(link), align="C")
        pdf.ln(4)
        pdf.paragraph(text.warning, size=10, bold=True)
    return pdf.to_bytes()
