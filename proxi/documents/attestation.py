"""Proof that a person completed a module: the « attestation de fin de formation » and the
« certificat de réalisation », on screen (Markdown) and as PDF, one or many in one file.

Both documents read the same `Completion`, built from the database and the content, so the
screen, the PDF and the `/verifier` page can never disagree. The certificate follows the
ministry's model (« certificat de réalisation », art. R6332-26 du Code du travail): the
provider attests that the person followed an « action de formation » (art. L6313-1, 1°)
between two dates, for a duration, at a distance. The attestation de fin de formation
(art. L6353-1) adds the objectives and the result against them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from proxi.content.course import CourseModule
from proxi.content.markdown import plain
from proxi.dates import french_date, iso, today
from proxi.documents import verification
from proxi.documents.pdf import Letterhead, ProofPdf
from proxi.errors import ProxiError
from proxi.people import audit
from proxi.people.permissions import Actor, require
from proxi.progress.db import Database, write_transaction

NATURE = "Action de formation (article L6313-1, 1° du Code du travail)"
MODALITY = "Formation à distance, en autonomie (modules en ligne Proxi)"
MAX_PER_FILE = 500  # one PDF for a manager's selection: a few seconds at most
MAX_LOGO_BYTES = 1_000_000


class BadLogo(ProxiError):
    """The uploaded logo is not a PNG or JPEG image Proxi can print."""


@dataclass(frozen=True)
class Completion:
    """One person's completed module, as every proof of it states it."""

    person_id: int
    person_name: str
    organisation_id: int | None
    organisation: str
    module: CourseModule
    started_at: str | None
    completed_at: str | None
    quiz_best: float | None

    @property
    def period(self) -> str:
        return (
            f"du {french_date(self.started_at) or '—'} au {french_date(self.completed_at) or '—'}"
        )

    @property
    def duration(self) -> str:
        return hours(self.module.duration)

    @property
    def result(self) -> str:
        best = "—" if self.quiz_best is None else f"{round(self.quiz_best)} %"
        return (
            f"objectifs atteints : toutes les leçons suivies et quiz final réussi avec {best} "
            f"(seuil de réussite : {self.module.pass_mark} %)"
        )

    def facts(self) -> dict[str, str]:
        """What the document states, as `/verifier` shows it back."""
        return {
            "Organisation": self.organisation or "non renseignée",
            "Période": self.period,
            "Durée": self.duration,
            "Résultat": self.result,
        }


def completion(person, organisation: str, module: CourseModule, row: dict) -> Completion:
    """From a person (accounts.Person or reports.PersonRow) and their module_progress row."""
    return Completion(
        person.id,
        person.display_name,
        person.organisation_id,
        organisation,
        module,
        row.get("started_at"),
        row.get("completed_at"),
        row.get("quiz_best"),
    )


def hours(minutes: int) -> str:
    """« 45 min », « 1 h 30 »: durations as a funder reads them."""
    whole, rest = divmod(int(minutes or 0), 60)
    if not whole:
        return f"{rest} min"
    return f"{whole} h {rest:02d}" if rest else f"{whole} h"


# --- On screen ------------------------------------------------------------------------------


def attestation_markdown(person, organisation: str, module: CourseModule, row: dict) -> str:
    """Markdown for the screen; every field comes from the database or the content, and the
    typed ones (names) are shown as typed (`plain`)."""
    done = completion(person, organisation, module, row)
    objectives = "\n".join(f"- {objective}" for objective in module.objectives)
    return (
        f"### Attestation de fin de formation\n\n"
        f"**{plain(done.person_name)}** ({plain(organisation) or 'organisation non renseignée'}) "
        f"a suivi le module **« {module.title} »** de la formation Proxi.\n\n"
        f"- Période : {done.period}\n"
        f"- Durée du module : {done.duration}\n"
        f"- Résultat : {done.result}\n\n"
        f"**Objectifs du module :**\n\n{objectives}\n"
    )


# --- PDF --------------------------------------------------------------------------------------


def attestations_pdf(db: Database, done: list[Completion], kind: str = "attestation") -> bytes:
    """One page per completion, in one file: « attestation » or « certificat » (de réalisation)."""
    title = verification.KINDS[kind]
    pdf = ProofPdf(title if len(done) != 1 else f"{title} — {done[0].person_name}")
    logos = organisation_logos(db)
    issued = french_date(today())
    for item in done[:MAX_PER_FILE]:
        code = verification.issue(
            db, kind, item.person_id, item.module.id, item.module.title, item.facts()
        )
        pdf.add_page()
        head = Letterhead.of(item.organisation, logos.get(item.organisation_id))
        pdf.letterhead(head)
        pdf.heading(title)
        (_attestation_body if kind == "attestation" else _certificate_body)(pdf, item, head)
        pdf.signature_block(
            f"Fait le {issued}.\nPour l'organisme de formation : {head.provider}"
            + (f"\n{head.signatory}" if head.signatory else "")
            + "\nSignature et cachet :",
            f"Pour {item.organisation or 'l’employeur'}\nVisa (facultatif) :",
        )
        pdf.verification(code)
    return pdf.to_bytes()


def _attestation_body(pdf: ProofPdf, item: Completion, head: Letterhead) -> None:
    pdf.paragraph(
        f"L'organisme de formation {head.provider} atteste que {item.person_name} "
        f"({item.organisation or 'organisation non renseignée'}) a suivi et terminé l'action "
        "de formation suivante."
    )
    pdf.facts(
        [
            ("Intitulé", f"« {item.module.title} »"),
            ("Nature de l'action", NATURE),
            ("Modalité", MODALITY),
            ("Période", item.period),
            ("Durée", item.duration),
        ]
    )
    pdf.paragraph("Objectifs de l'action :", bold=True)
    pdf.bullets(list(item.module.objectives))
    pdf.paragraph("Résultat de l'évaluation des acquis au regard des objectifs :", bold=True)
    pdf.paragraph(item.result[:1].upper() + item.result[1:] + ".")


def _certificate_body(pdf: ProofPdf, item: Completion, head: Letterhead) -> None:
    provider = (
        f"{head.provider}, dispensateur de l'action concourant au développement des compétences"
    )
    pdf.paragraph(
        f"Je soussigné·e, {head.signatory}, représentant·e de {provider}, atteste que :"
        if head.signatory
        else f"L'organisme {provider}, atteste que :"
    )
    pdf.facts(
        [
            ("Nom et prénom", item.person_name),
            ("Employeur", item.organisation or "non renseigné"),
            ("A suivi l'action", f"« {item.module.title} »"),
            ("Nature de l'action", NATURE),
            ("Modalité", MODALITY),
            ("Qui s'est déroulée", item.period),
            ("Pour une durée de", item.duration),
        ]
    )
    pdf.paragraph(
        "Sans préjudice des délais imposés par les règles fiscales, comptables ou commerciales, "
        "je m'engage à conserver l'ensemble des pièces justificatives qui ont permis d'établir "
        "le présent certificat pendant une durée de 3 ans à compter de la fin de l'année du "
        "dernier paiement. En cas de cofinancement des fonds européens, la durée de "
        "conservation est étendue conformément aux obligations conventionnelles spécifiques.",
        size=9,
    )


# --- Logos ------------------------------------------------------------------------------------


def organisation_logos(db: Database) -> dict[int | None, bytes]:
    return dict(db.execute("SELECT organisation_id, image FROM organisation_logos").fetchall())


def set_logo(db: Database, actor: Actor, organisation_id: int, image: bytes | None) -> None:
    """Store (or, with None, remove) the logo printed on the organisation's documents."""
    require(actor, "organisation.manage")
    if image is not None:
        check_logo(image)
    with write_transaction(db):
        audit.record(db, actor, "organisation.logo", f"organisation:{organisation_id}")
        if image is None:
            db.execute(
                "DELETE FROM organisation_logos WHERE organisation_id = :organisation_id",
                {"organisation_id": organisation_id},
            )
            return
        db.execute(
            "INSERT INTO organisation_logos (organisation_id, image, updated_at)"
            " VALUES (:organisation_id, :image, :updated_at)"
            " ON CONFLICT (organisation_id) DO UPDATE SET image = excluded.image,"
            " updated_at = excluded.updated_at",
            {"organisation_id": organisation_id, "image": image, "updated_at": iso()},
        )


def check_logo(image: bytes) -> None:
    if len(image) > MAX_LOGO_BYTES:
        raise BadLogo("Le logo dépasse 1 Mo : enregistrez-le en plus petit et réessayez.")
    try:
        with Image.open(io.BytesIO(image)) as opened:
            kind = opened.format
            opened.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise BadLogo(
            "Ce fichier n'est pas une image lisible : choisissez un PNG ou un JPEG."
        ) from error
    if kind not in ("PNG", "JPEG"):
        raise BadLogo("Le logo doit être une image PNG ou JPEG.")
