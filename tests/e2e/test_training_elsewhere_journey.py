"""Journey: a manager records, on Karim's « Fiche individuelle », a training he followed
elsewhere with its proof uploaded from the computer; Karim then finds it in « Ma
progression » and downloads the very file. Taps, typing and a file chosen only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .browser import (
    DESKTOP,
    PHONE,
    click,
    expect,
    go_to,
    log_in,
    log_out,
    main,
    new_page,
    screenshot,
)
from .steps import choose

pytestmark = pytest.mark.e2e

PROOF = b"%PDF-1.4\n% attestation de l'Institut du feu\n%%EOF\n"


def test_a_manager_records_a_training_and_the_learner_downloads_its_proof(
    proxi_server, chromium_browser, tmp_path
):
    scan = tmp_path / "attestation-incendie.pdf"
    scan.write_bytes(PROOF)
    with new_page(chromium_browser, proxi_server, DESKTOP) as manager:
        log_in(manager, "manager.habitat")
        go_to(manager, "Tableau de bord")
        click(manager, main(manager).get_by_role("tab", name="Fiche individuelle"))
        choose(
            manager,
            main(manager).get_by_role("combobox", name="Personne"),
            "Karim Haddad (Habitat Val de Seine)",
            typed=True,
        )
        expect(
            main(manager).get_by_text("Enregistrer une formation suivie ailleurs")
        ).to_be_visible()
        form = main(manager).get_by_test_id("stForm")
        for label, value in (
            ("Intitulé de la formation", "Sécurité incendie"),
            ("Organisme de formation", "Institut du feu"),
            ("Du", "02/03/2026"),
            ("Au", "03/03/2026"),
            ("Durée (heures)", "7"),
        ):
            form.get_by_label(label, exact=True).fill(value)  # fmt: skip
        # In a form, choosing the file uploads it without a rerun: its name then shows.
        form.locator("input[type=file]").set_input_files(scan)
        expect(form.get_by_text(re.compile(r"^attest.*\.pdf$"))).to_be_visible()  # name shortened
        click(manager, form.get_by_role("button", name="Enregistrer la formation"))
        expect(
            main(manager).get_by_text(
                "Formation « Sécurité incendie » enregistrée pour Karim Haddad"
            )
        ).to_be_visible()
        expect(
            main(manager).get_by_text("Institut du feu, du 02/03/2026 au 03/03/2026, 7 h")
        ).to_be_visible()
        expect(form.get_by_label("Intitulé de la formation", exact=True)).to_have_value("")
        screenshot(manager, "training-elsewhere-1-recorded")
        log_out(manager)
    with new_page(chromium_browser, proxi_server, PHONE) as karim:
        log_in(karim, "karim.haddad")
        go_to(karim, "Ma progression")
        heading = main(karim).get_by_role("heading", name="Formations suivies ailleurs")
        heading.scroll_into_view_if_needed()
        expect(heading).to_be_visible()
        screenshot(karim, "training-elsewhere-2-learner")
        with karim.expect_download() as done:
            main(karim).get_by_role("button", name="Preuve : attestation-incendie.pdf").click()
        assert done.value.suggested_filename == "attestation-incendie.pdf"
        assert Path(done.value.path()).read_bytes() == PROOF
