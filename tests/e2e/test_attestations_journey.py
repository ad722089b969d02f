"""Journey: a manager downloads the attestations of 20 people as one PDF from the dashboard,
then someone verifies one of them on /verifier, on a phone, by the link decoded from that
page's QR code (what a funder's phone reads; opening it directly is what a person does).
Screenshots: test-artifacts/screenshots/attestations-*.png."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from proxi import dates
from proxi.content.catalogue import load_catalogue
from proxi.documents import spreadsheet, verification
from proxi.people import accounts
from proxi.people.permissions import OPERATOR
from proxi.progress import store

from .browser import (
    DESKTOP,
    PHONE,
    click,
    expect,
    go_to,
    log_in,
    main,
    new_page,
    open_app,
    screenshot,
)
from .qr import qr_in_pdf_page
from .steps import core, person

pytestmark = pytest.mark.e2e

COUNT = 20


def twenty_who_finished(server):
    """Twenty learners of the manager's organisation who finished the last module."""
    module = list(load_catalogue().course.modules.values())[-1]
    lessons = [lesson.id for lesson in module.lessons]
    with core(server) as db:
        organisation = person(db, "manager.habitat").organisation_id
        names = [f"Agent Attestation {n:02d}" for n in range(1, COUNT + 1)]
        for n, name in enumerate(names, 1):
            learner = accounts.create_person(
                db,
                OPERATOR,
                f"attestation.{n}",
                name,
                "mot-de-passe-solide",
                organisation_id=organisation,
            )
            for lesson in lessons:
                store.record_step(db, learner.id, module.id, lesson, 0, 1, lessons)
            store.record_quiz(db, learner.id, module.id, 10, 10, module.pass_mark, lessons)
    return module, names


def test_a_manager_downloads_twenty_attestations_and_one_is_verified(each_server, chromium_browser):
    module, names = twenty_who_finished(each_server)
    with new_page(chromium_browser, each_server, DESKTOP) as manager:
        log_in(manager, "manager.habitat")
        go_to(manager, "Tableau de bord")
        click(manager, manager.get_by_role("tab", name="Impressions"))
        field = main(manager).get_by_role("combobox", name="Attestations du module")
        field.click()  # opens the list; choosing reruns the page
        click(manager, manager.get_by_role("option", name=module.title))
        counted = main(manager).get_by_text(re.compile(r"^\d+ personne\(s\) de la sélection"))
        expect(counted).to_be_visible()
        selected = int(counted.inner_text().split()[0])
        assert selected >= COUNT
        screenshot(manager, "attestations-1-dashboard")
        with manager.expect_download() as done:
            button = "Attestations de fin de formation (PDF)"
            main(manager).get_by_role("button", name=button).click()
        reader = PdfReader(io.BytesIO(done.value.path().read_bytes()))
        named = spreadsheet.file_name("attestations", module.title, dates.today(), "pdf")
        assert done.value.suggested_filename == named  # what, for which module, which day
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert len(pages) == selected  # one page per person, in one file
    for name in names:
        (page,) = [text for text in pages if name in text]
        assert "Attestation de fin de formation" in page and module.title in page
    chosen = next(i for i, text in enumerate(pages) if names[7] in text)
    code = re.search(r"Code de vérification : ([A-Z0-9-]{14})", pages[chosen]).group(1)
    link = qr_in_pdf_page(reader.pages[chosen])  # what the funder's phone reads on that page
    assert link.startswith(f"{each_server.url}/verifier?code=") and code in link

    with core(each_server) as db:
        found = verification.verify(db, code)
    assert found.person_name == names[7]
    with new_page(chromium_browser, each_server, PHONE) as funder:  # logged out: the phone
        open_app(funder, link)  # that read the QR code
        expect(main(funder).get_by_text("Document authentique", exact=False)).to_be_visible()
        expect(main(funder).get_by_text("Attestation de fin de formation").first).to_be_visible()
        for fact in (names[7], found.facts["Résultat"]):  # each whole: a table cut the result
            shown = main(funder).get_by_text(fact, exact=False).last
            shown.scroll_into_view_if_needed()
            expect(shown).to_be_in_viewport(ratio=1)
        screenshot(funder, "attestations-2-verified-phone")
