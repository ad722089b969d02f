"""Journey 4, on a desktop screen, only by what a person sees, taps and types: a trainer logs
in, opens the studio from the menu, starts « Nouvelle mise en situation », renames it and
makes a mistake, refreshes the page (the draft is still there, with the finding and its
numbered line), fixes the finding and proposes the version; the coordinator logs in, opens
the proposal and publishes it.

The server is this module's own, its scenarios a copy: publishing never writes into the
repository, and the other journeys never see the new scenario.
"""

from __future__ import annotations

import shutil

import pytest

from .browser import (
    DESKTOP,
    click,
    expect,
    go_to,
    log_in,
    log_out,
    main,
    new_page,
    reload,
    rerun_after,
    screenshot,
)
from .conftest import REPO, serving

pytestmark = pytest.mark.e2e

TRAINER, COORDINATOR = "formatrice", "coordination"
NEW_ID, NEW_TITLE = "fuite-plafond", "L'eau qui coule du plafond"
WARM_UP_MS = 120_000


@pytest.fixture(scope="module")
def studio_server(tmp_path_factory, chromium_browser):
    folder = tmp_path_factory.mktemp("proxi-e2e-studio")
    scenarios = folder / "scenarios"
    shutil.copytree(REPO / "scenarios", scenarios, ignore=shutil.ignore_patterns(".versions"))
    with serving(folder, PROXI_SCENARIOS_DIR=str(scenarios)) as server:
        warm_up(chromium_browser, server)
        yield server, scenarios


def warm_up(browser, server) -> None:
    """A fresh server's first run imports everything, which can outlast the journey's
    timeouts on a loaded machine: have it done once, before the journey starts."""
    context = browser.new_context(base_url=server.url)
    try:
        page = context.new_page()
        page.goto("/", timeout=WARM_UP_MS)
        page.get_by_label("Identifiant").wait_for(timeout=WARM_UP_MS)
    finally:
        context.close()


def editor(page):
    return main(page).get_by_label("YAML du scénario")


def type_in_editor(page, text: str) -> None:
    """Type into the editor, then Ctrl+Entrée, which applies it (as clicking away does)."""
    field = editor(page)
    field.fill(text)
    rerun_after(page, lambda: field.press("Control+Enter"))


def check_line(page, errors: int, warnings: int = 0):
    return main(page).get_by_text(f"Vérification : {errors} erreur(s), {warnings} avertissement(s)")


def open_the_studio(page) -> None:
    go_to(page, "Atelier d'écriture")
    expect(main(page).get_by_role("heading", name="Atelier d'écriture")).to_be_visible()


def choose(page, option: str) -> None:
    main(page).get_by_label("Ouvrir une mise en situation").click()
    click(page, page.get_by_role("option", name=option))


def test_author_from_an_edit_to_a_published_scenario(studio_server, chromium_browser):
    server, scenarios = studio_server
    with new_page(chromium_browser, server, DESKTOP) as page:
        log_in(page, TRAINER)
        open_the_studio(page)
        choose(page, "➕ Nouvelle mise en situation")
        template = editor(page).input_value()
        assert "id: nouvelle-situation" in template
        expect(check_line(page, 0)).to_be_visible()  # the template passes the check
        screenshot(page, "author-1-template")

        # The author renames the scenario, and mistypes the target of a choice.
        edited = (
            template.replace("id: nouvelle-situation", f"id: {NEW_ID}")
            .replace('"Nouvelle mise en situation : l\'eau qui coule du plafond"', f'"{NEW_TITLE}"')
            .replace("goto: fin_rupture", "goto: fin_ruptur")
        )
        type_in_editor(page, edited)
        expect(main(page).get_by_text("Brouillon enregistré le ")).to_be_visible()
        expect(check_line(page, 2)).to_be_visible()  # the broken link, and the ending it led to
        screenshot(page, "author-2-draft-with-a-finding")

        # A refresh keeps the draft, the finding and the line it points at, numbered.
        reload(page)
        expect(editor(page)).to_have_value(edited)
        line = edited.splitlines().index("        goto: fin_ruptur") + 1
        finding = main(page).get_by_text(f"Ligne {line}, colonne 9 — S102")
        expect(finding).to_be_visible()
        expect(main(page).get_by_text(f"→ {line} │         goto: fin_ruptur")).to_be_visible()
        # One error hides neither the map nor the play-test.
        expect(main(page).get_by_text("Carte de ce qui se lit")).to_be_visible()
        screenshot(page, "author-3-after-refresh")

        type_in_editor(page, edited.replace("goto: fin_ruptur\n", "goto: fin_rupture\n"))
        expect(check_line(page, 0)).to_be_visible()
        expect(finding).to_have_count(0)
        main(page).get_by_role("tab", name="Proposer ou publier").click()  # tabs switch in the page
        main(page).get_by_label("Un mot pour la coordination (facultatif)").fill("À relire.")
        click(
            page, main(page).get_by_role("button", name="Proposer cette version à la coordination")
        )
        expect(main(page).get_by_text("Version proposée le ")).to_be_visible()
        assert not (scenarios / f"{NEW_ID}.yaml").exists()
        screenshot(page, "author-4-proposed")
        log_out(page)

    with new_page(chromium_browser, server, DESKTOP) as page:
        log_in(page, COORDINATOR)
        open_the_studio(page)
        expect(main(page).get_by_text("Propositions à publier (1)")).to_be_visible()
        expect(main(page).get_by_text("À relire.")).to_be_visible()
        screenshot(page, "author-5-coordinator-sees-the-proposal")
        click(page, main(page).get_by_role("button", name="Ouvrir la proposition"))
        expect(editor(page)).to_have_value(
            edited.replace("goto: fin_ruptur\n", "goto: fin_rupture\n")
        )
        main(page).get_by_role("tab", name="Proposer ou publier").click()  # tabs switch in the page
        click(page, main(page).get_by_role("button", name="Publier la proposition"))
        expect(main(page).get_by_text(f"Publié : {NEW_ID}.yaml")).to_be_visible()
        expect(main(page).get_by_text("Propositions à publier")).to_have_count(0)
        screenshot(page, "author-6-published")
        published = (scenarios / f"{NEW_ID}.yaml").read_text(encoding="utf-8")
        assert f'title: "{NEW_TITLE}"' in published and "goto: fin_rupture\n" in published

        # What is open is now the published scenario, under its title, with no draft left.
        chosen = main(page).get_by_role("combobox", name="Ouvrir une mise en situation")
        expect(chosen).to_match_aria_snapshot(
            f'- combobox "Ouvrir une mise en situation": {NEW_TITLE}'
        )
        expect(main(page).get_by_text("Aucune modification.")).to_be_visible()
