"""Journey: the coordination creates a person by taps, prints her invitation sheet and reads
both acts in the « Journal des actions »; the new person opens the link on the sheet on her
phone (a link someone is handed, so opening it directly is what a person does), chooses her
password, logs in and lands on her home; the same link opened a second time is refused in
French. Screenshots: test-artifacts/screenshots/invitation-*.png."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

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
from .steps import choose, choose_password_and_log_in

pytestmark = pytest.mark.e2e

NAME, TYPED_IDENTIFIER, IDENTIFIER = "Inès Nouvelle", "Inès Nouvelle", "ines-nouvelle"
ORGANISATION = "Habitat Val de Seine"
CHOSEN = "ma phrase a moi 2026"


def link_on_the_sheet(pdf: bytes) -> str:
    """The one invitation link printed on a one-page sheet, as the person reads it."""
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert NAME in text and IDENTIFIER in text
    # The link is printed twice (in the steps, and under the QR code), maybe across lines;
    # the QR code holds the same one.
    links = set(re.findall(r"(https?://\S+/invitation\?jeton=[A-Za-z0-9_-]{43})",
                           text.replace("\n", "")))  # fmt: skip
    assert len(links) == 1, text
    assert qr_in_pdf_page(reader.pages[0]) in links
    return links.pop()


def test_an_invited_person_chooses_her_password_on_her_phone_and_the_link_works_once(
    proxi_server, chromium_browser
):
    with new_page(chromium_browser, proxi_server, DESKTOP) as coordination:
        log_in(coordination, "coordination")
        go_to(coordination, "Personnes")
        tab = main(coordination).get_by_role("tab", name="Créer")
        tab.click()  # tabs switch in the browser: no rerun
        expect(tab).to_have_attribute("aria-selected", "true")
        form = (
            main(coordination)
            .get_by_test_id("stForm")
            .filter(has=coordination.get_by_role("button", name="Créer la personne"))
        )
        form.get_by_label("Nom affiché").fill(NAME)
        form.get_by_label("Identifiant de connexion").fill(TYPED_IDENTIFIER)
        choose(coordination, form.get_by_role("combobox", name="Organisation"), ORGANISATION)
        click(coordination, form.get_by_role("button", name="Créer la personne"))
        created = main(coordination).get_by_text(f"Compte « {IDENTIFIER} » créé.")
        expect(created).to_be_visible()  # the identifier as she will type it
        click(coordination, main(coordination).get_by_role(
            "button", name=f"Préparer la feuille à imprimer pour {NAME}"))  # fmt: skip
        download = main(coordination).get_by_role("button", name="Télécharger la feuille (PDF)")
        expect(download).to_be_visible()
        screenshot(coordination, "invitation-1-created-coordination")
        with coordination.expect_download() as done:
            download.click()
        link = link_on_the_sheet(done.value.path().read_bytes())
        go_to(coordination, "Journal des actions")  # both acts are there, by whom, on whom
        log = coordination.get_by_test_id("stDataFrame").first
        for act in ("Compte créé", "Invitation créée"):
            row = log.locator("tr").filter(has_text=act).filter(has_text=NAME)
            expect(row.filter(has_text="Claire Morel")).to_have_count(1)
        screenshot(coordination, "invitation-2-audit-log-coordination")
    assert link.startswith(f"{proxi_server.url}/invitation?jeton=")

    with new_page(chromium_browser, proxi_server, PHONE) as newcomer:
        open_app(newcomer, link)
        expect(
            main(newcomer).get_by_role("heading", name="Choisir votre mot de passe")
        ).to_be_visible()
        expect(main(newcomer).get_by_text(f"Bonjour {NAME}.")).to_be_visible()
        expect(
            main(newcomer).get_by_text(f"Votre identifiant de connexion : {IDENTIFIER}")
        ).to_be_visible()
        assert "jeton=" not in newcomer.url, "the link's secret stays in the address bar"
        expect(main(newcomer).get_by_text("Le même, encore une fois")).to_be_visible()
        screenshot(newcomer, "invitation-3-link-opened-phone")
        shot = "invitation-4-password-chosen-phone"
        choose_password_and_log_in(newcomer, IDENTIFIER, NAME, CHOSEN, shot)
        screenshot(newcomer, "invitation-5-home-phone")

    with new_page(chromium_browser, proxi_server, PHONE) as later:  # the sheet, found again
        open_app(later, link)
        expect(
            main(later).get_by_text("Ce lien n'est plus valable : il a déjà servi")
        ).to_be_visible()
        expect(later.get_by_label("Nouveau mot de passe")).to_have_count(0)
        screenshot(later, "invitation-6-link-used-phone")
        click(later, main(later).get_by_role("link", name="Aller à la connexion"))
        expect(later.get_by_label("Identifiant")).to_be_visible()
