"""Journey: the coordination imports a list of three people by taps. A file with a repeated
identifier is previewed with that line's problem (the line would be left out), nothing
written; she corrects the file, which is previewed, confirmed, and one invitation sheet is
printed for the three, one page each, whose QR code holds the link printed on it; a newcomer
opens hers on her phone, chooses her password and logs in. The same file imported again
changes nothing. Screenshots: test-artifacts/screenshots/roster-*.png."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from proxi.progress.dialect import in_list, list_value

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
from .steps import choose_password_and_log_in, core

pytestmark = pytest.mark.e2e

HEADER = "nom;identifiant;organisation;site;catégorie d'emploi;rôle;courriel"
PEOPLE = [
    ("Samia Benali", "samia.benali"),
    ("Yanis Morel", "yanis.morel"),
    ("Fatou Camara", "fatou.camara"),
]
ORGANISATION, SITE = "Habitat Val de Seine", "Résidence des Érables"
CHOSEN = "les erables au printemps"


def roster(people: list[tuple[str, str]]) -> bytes:
    """The file as a spreadsheet saves it for French Excel (BOM, « ; », CRLF)."""
    lines = [HEADER] + [f"{n};{i};{ORGANISATION};{SITE};gardien;apprenant;" for n, i in people]
    return "\r\n".join([*lines, ""]).encode("utf-8-sig")


def choose_file(page, name: str, content: bytes) -> None:
    """Tap « Choisir un fichier » and pick the file in the dialog that opens."""
    with page.expect_file_chooser() as chooser:
        zone = main(page).get_by_role("region", name=re.compile("^Liste des personnes"))
        zone.locator("button", has_text="Choisir un fichier").click()  # not its hidden <input>
    chooser.value.set_files({"name": name, "mimeType": "text/csv", "buffer": content})


def preview_says(page, text: str) -> None:
    expect(main(page).get_by_text(text, exact=False)).to_be_visible()


def remove_file(page) -> None:
    click(page, main(page).get_by_role("button", name=re.compile("^Retirer ")))


def test_the_coordination_imports_a_list_and_prints_the_invitations(proxi_server, chromium_browser):
    typo = [*PEOPLE[:2], ("Fatou Camara", PEOPLE[0][1])]  # the third line repeats the first id
    with new_page(chromium_browser, proxi_server, DESKTOP) as coordination:
        log_in(coordination, "coordination")
        go_to(coordination, "Personnes")
        expect(main(coordination).get_by_role("tab", name="Importer une liste")).to_have_attribute(
            "aria-selected", "true"
        )
        choose_file(coordination, "equipe-erables.csv", roster(typo))
        expect(
            main(coordination).get_by_text(
                f"Ligne 4 : identifiant « {PEOPLE[0][1]} » déjà présent ligne 2."
            )
        ).to_be_visible()
        preview_says(coordination, "2 création(s), 0 mise(s) à jour, 0 inchangée(s), 1 ligne(s)")
        screenshot(coordination, "roster-1-refused-line-by-line")  # she corrects her file

        remove_file(coordination)
        choose_file(coordination, "equipe-erables.csv", roster(PEOPLE))
        preview_says(coordination, "3 création(s), 0 mise(s) à jour")
        with core(proxi_server) as db:  # the preview wrote nothing
            identifiers_sql = in_list(db, "identifier", "identifiers")
            assert db.execute(
                f"SELECT count(*) FROM people WHERE {identifiers_sql}",
                {"identifiers": list_value(db, [i for _, i in PEOPLE])},
            ).fetchone() == (0,)
        click(coordination, main(coordination).get_by_role("button", name="Confirmer l'import"))
        expect(
            main(coordination).get_by_text("Import terminé : 3 création(s), 0 mise(s) à jour.")
        ).to_be_visible()
        expect(main(coordination).get_by_text("Aperçu", exact=False)).to_have_count(0)
        click(
            coordination,
            main(coordination).get_by_role(
                "button", name="Préparer la feuille à imprimer pour les 3 personnes"
            ),
        )
        screenshot(coordination, "roster-2-imported")
        with coordination.expect_download() as done:
            main(coordination).get_by_role("button", name="Télécharger la feuille (PDF)").click()
        sheet = PdfReader(io.BytesIO(done.value.path().read_bytes()))
        links = {}
        assert len(sheet.pages) == len(PEOPLE)  # one page each, to hand out
        for page in sheet.pages:
            text = page.extract_text()
            (name,) = [n for n, i in PEOPLE if n in text and i in text]
            link = qr_in_pdf_page(page)
            assert link.startswith(f"{proxi_server.url}/invitation?jeton=")
            assert link in text.replace("\n", ""), "the printed link is the one in the QR code"
            links[name] = link

        expect(main(coordination).get_by_text("equipe-erables.csv")).to_have_count(0)  # emptied
        choose_file(coordination, "equipe-erables.csv", roster(PEOPLE))  # the same file again
        preview_says(coordination, "0 création(s), 0 mise(s) à jour, 3 inchangée(s)")
        screenshot(coordination, "roster-3-same-file-again")

    with new_page(chromium_browser, proxi_server, PHONE) as samia:
        open_app(samia, links["Samia Benali"])  # her phone's camera, on her page of the sheet
        expect(
            main(samia).get_by_role("heading", name="Choisir votre mot de passe")
        ).to_be_visible()
        expect(main(samia).get_by_text("Bonjour Samia Benali.")).to_be_visible()
        expect(
            main(samia).get_by_text("Votre identifiant de connexion : samia.benali")
        ).to_be_visible()
        screenshot(samia, "roster-4-invitation-phone")
        choose_password_and_log_in(
            samia, "samia.benali", "Samia Benali", CHOSEN, "roster-5-password"
        )
        screenshot(samia, "roster-6-home-phone")
