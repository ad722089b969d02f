"""Journey 3: a manager sees the completion of a learner of their organisation on the
dashboard; the manager of another organisation does not, not even through a crafted URL.

The demo gives Karim Haddad (Habitat Val de Seine) two completed modules.
"""

from __future__ import annotations

import sqlite3

import pytest

from .browser import (
    DESKTOP,
    expect,
    log_in,
    main,
    new_page,
    open_app,
    screenshot,
    type_and_enter,
)
from .steps import expand

pytestmark = pytest.mark.e2e

LEARNER = "Karim Haddad"
OUT_OF_SCOPE = "Cette personne ne fait pas partie des personnes que vous suivez."


def person_id(server, identifier: str) -> int:
    with sqlite3.connect(server.db_path) as connection:
        row = connection.execute("SELECT id FROM people WHERE identifier = ?", [identifier])
        return row.fetchone()[0]


def search(page, name: str) -> None:
    expand(page, "Filtres")
    type_and_enter(page, page.get_by_label("Rechercher un nom"), name)


def matrix_rows(page):
    """The rows of the people × modules table: the grid draws on a canvas and keeps an
    accessible table of the cells on screen, so scroll it into view first."""
    table = page.get_by_test_id("stDataFrame").first
    table.scroll_into_view_if_needed()
    return table.locator("tr")


def metric(page, label: str):
    return page.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue")


def open_person_tab(page, identifier_query: int) -> None:
    open_app(page, f"/tableau-de-bord?personne={identifier_query}")
    page.get_by_role("tab", name="Fiche individuelle").click()


def test_a_manager_sees_their_learner_and_another_manager_does_not(proxi_server, chromium_browser):
    karim = person_id(proxi_server, "karim.haddad")
    with new_page(chromium_browser, proxi_server, DESKTOP) as habitat:
        log_in(habitat, "manager.habitat")
        open_app(habitat, "/tableau-de-bord")
        expect(main(habitat).get_by_role("heading", name="Tableau de bord")).to_be_visible()
        search(habitat, LEARNER)
        expect(metric(habitat, "Personnes")).to_have_text("1")
        row = matrix_rows(habitat).filter(has_text=LEARNER)
        expect(row).to_have_count(1)
        expect(row.locator("td").filter(has_text="Terminé").first).to_be_attached()
        screenshot(habitat, "manager-1-dashboard")

        open_person_tab(habitat, karim)
        expect(main(habitat).get_by_role("heading", name=LEARNER)).to_be_visible()
        screenshot(habitat, "manager-2-person")

    with new_page(chromium_browser, proxi_server, DESKTOP) as logis:
        log_in(logis, "manager.logis")
        open_app(logis, "/tableau-de-bord")
        expect(matrix_rows(logis).filter(has_text="Thomas Blanc")).to_have_count(1)
        search(logis, LEARNER)
        expect(metric(logis, "Personnes")).to_have_text("0")
        expect(main(logis).get_by_text(LEARNER)).to_have_count(0)

        open_person_tab(logis, karim)
        expect(main(logis).get_by_text(OUT_OF_SCOPE)).to_be_visible()
        expect(main(logis).get_by_text(LEARNER)).to_have_count(0)
        screenshot(logis, "manager-3-other-organisation")
