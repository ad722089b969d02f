"""Attestations and certificates as real PDFs, read back with pypdf; verification codes."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from proxi.content.course import load_course
from proxi.documents import verification
from proxi.documents.attestation import (
    BadLogo,
    attestations_pdf,
    completion,
    set_logo,
)
from proxi.ops import privacy
from proxi.people import accounts
from proxi.people.permissions import OPERATOR
from proxi.progress import store

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct-horse-battery"
CODE = re.compile(r"Code de vérification : ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})")


@pytest.fixture(scope="module")
def module():
    course, _ = load_course(ROOT / "modules")
    return next(iter(course.modules.values()))


def complete(db, person, module, score=9, when=datetime(2026, 11, 3, 10, tzinfo=UTC)):
    lessons = [lesson.id for lesson in module.lessons]
    for lesson in lessons:
        store.record_step(db, person.id, module.id, lesson, 0, 1, lessons, now=when)
    store.record_quiz(db, person.id, module.id, score, 10, module.pass_mark, lessons, now=when)
    return store.learner_overview(db, person.id).module(module.id)


def people(db, count, organisation):
    return [
        accounts.create_person(
            db, OPERATOR, f"p{i}", f"Personne Numéro{i}", PASSWORD, organisation_id=organisation.id
        )
        for i in range(count)
    ]


def pages_text(pdf: bytes) -> list[str]:
    """Each page's text, line breaks folded to spaces (the layout wraps long lines)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.slow  # twenty PDF pages: not in test-fast
def test_twenty_attestations_in_one_pdf_one_page_each_with_a_code_that_verifies(
    db, organisation, module
):
    done = [
        completion(p, organisation.name, module, complete(db, p, module))
        for p in people(db, 20, organisation)
    ]
    pages = pages_text(attestations_pdf(db, done))
    assert len(pages) == 20
    third = pages[2]
    assert "Attestation de fin de formation" in third
    assert "Personne Numéro2" in third and "Numéro3" not in third
    assert module.title in third and organisation.name in third
    assert module.objectives[0] in third
    assert "du 03/11/2026 au 03/11/2026" in third
    assert "quiz final réussi avec 90 %" in third
    code = CODE.search(third).group(1)
    found = verification.verify(db, code.lower().replace("-", " "))
    assert found.person_name == "Personne Numéro2"
    assert found.title == module.title and found.kind_label == "Attestation de fin de formation"
    assert found.facts["Période"] == "du 03/11/2026 au 03/11/2026"
    assert len({CODE.search(page).group(1) for page in pages}) == 20


def test_reprinting_keeps_the_code_and_the_certificate_has_its_own(
    db, learner, organisation, module
):
    done = [completion(learner, organisation.name, module, complete(db, learner, module))]
    first, again = (
        pages_text(attestations_pdf(db, done))[0],
        pages_text(attestations_pdf(db, done))[0],
    )
    assert CODE.search(first).group(1) == CODE.search(again).group(1)
    certificate = pages_text(attestations_pdf(db, done, "certificat"))[0]
    assert "Certificat de réalisation" in certificate
    assert "Action de formation (article L6313-1, 1° du Code du travail)" in certificate
    assert "Karim Haddad" in certificate and "Pour une durée de" in certificate
    assert CODE.search(certificate).group(1) != CODE.search(first).group(1)


def test_the_qr_code_and_the_logo_are_images_on_the_page(db, learner, organisation, module):
    done = [completion(learner, organisation.name, module, complete(db, learner, module))]
    plain = PdfReader(io.BytesIO(attestations_pdf(db, done))).pages[0]
    assert len(plain.images) == 1  # the QR code
    logo = io.BytesIO()
    Image.new("RGB", (120, 60), "navy").save(logo, format="PNG")
    set_logo(db, OPERATOR, organisation.id, logo.getvalue())
    with_logo = PdfReader(io.BytesIO(attestations_pdf(db, done))).pages[0]
    assert len(with_logo.images) == 2


def test_a_name_outside_french_letters_still_prints(db, organisation, module):
    person = accounts.create_person(
        db, OPERATOR, "l.w", "Łukasz Wąs 李", PASSWORD, organisation_id=organisation.id
    )
    done = [completion(person, organisation.name, module, complete(db, person, module))]
    assert "Lukasz Was ?" in pages_text(attestations_pdf(db, done))[0]


@pytest.mark.parametrize("content", [b"not an image", b"GIF89a" + b"\0" * 40])
def test_a_logo_that_is_not_a_png_or_jpeg_is_refused_in_french(db, organisation, content):
    with pytest.raises(BadLogo, match="PNG"):
        set_logo(db, OPERATOR, organisation.id, content)


def test_unknown_codes_and_erased_people_do_not_verify(db, learner, organisation, module):
    done = [completion(learner, organisation.name, module, complete(db, learner, module))]
    code = CODE.search(pages_text(attestations_pdf(db, done))[0]).group(1)
    assert verification.verify(db, "ZZZZ-ZZZZ-ZZZZ") is None
    assert verification.verify(db, "") is None
    assert verification.verify(db, code) is not None
    privacy.erase_person(db, OPERATOR, learner.id, keep_attestations=False)
    assert verification.verify(db, code) is None


def test_the_qr_leads_to_the_public_verifier(monkeypatch):
    monkeypatch.setenv("PROXI_PUBLIC_URL", "https://proxi.example.fr/")
    assert verification.verify_url("ABCDEFGHJKMN") == (
        "https://proxi.example.fr/verifier?code=ABCD-EFGH-JKMN"
    )
