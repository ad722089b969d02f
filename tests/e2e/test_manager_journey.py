"""Journey 3: a manager sees the completion of a learner of their organisation on the
dashboard; the manager of another organisation does not, not even through a crafted URL.
Then the whole journey by taps on a 1920×1080 screen: login, dashboard, filters, a
person's « Fiche individuelle », the CSV for French Excel.

The demo gives Karim Haddad (Habitat Val de Seine) two completed modules.
"""

from __future__ import annotations

import csv
import io

import pytest

from proxi import dates
from proxi.progress.db import open_db

from .browser import (
    DESKTOP,
    PROJECTOR,
    click,
    expect,
    go_to,
    log_in,
    main,
    new_page,
    open_app,
    screenshot,
    type_and_enter,
)
from .steps import choose, expand

pytestmark = pytest.mark.e2e

LEARNER = "Karim Haddad"
OUT_OF_SCOPE = "Cette personne ne fait pas partie des personnes que vous suivez."


def person_id(server, identifier: str) -> int:
    with open_db(server.db_path) as db:
        row = db.execute(
            "SELECT id FROM people WHERE identifier = :identifier", {"identifier": identifier}
        )
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
    """A link to someone's sheet (as a colleague could send one)."""
    open_app(page, f"/tableau-de-bord?personne={identifier_query}")
    page.get_by_role("tab", name="Fiche individuelle").click()


def test_a_manager_sees_their_learner_and_another_manager_does_not(each_server, chromium_browser):
    karim = person_id(each_server, "karim.haddad")
    with new_page(chromium_browser, each_server, DESKTOP) as habitat:
        log_in(habitat, "manager.habitat")
        go_to(habitat, "Tableau de bord")
        expect(main(habitat).get_by_role("heading", name="Tableau de bord")).to_be_visible()
        search(habitat, LEARNER)
        expect(metric(habitat, "Personnes")).to_have_text("1")
        row = matrix_rows(habitat).filter(has_text=LEARNER)
        expect(row).to_have_count(1)
        expect(row.locator("td").filter(has_text="Terminé").first).to_be_attached()
        screenshot(habitat, "manager-1-dashboard")

        habitat.get_by_role("tab", name="Fiche individuelle").click()
        field = main(habitat).get_by_role("combobox", name="Personne")
        choose(habitat, field, f"{LEARNER} (Habitat Val de Seine)", typed=True)
        expect(main(habitat).get_by_role("heading", name=LEARNER)).to_be_visible()
        screenshot(habitat, "manager-2-person")

    with new_page(chromium_browser, each_server, DESKTOP) as logis:
        log_in(logis, "manager.logis")
        go_to(logis, "Tableau de bord")
        expect(matrix_rows(logis).filter(has_text="Thomas Blanc")).to_have_count(1)
        # Sophie heads the Agence du Parc only: Antoine, of the Agence du Moulin, is not hers.
        expect(matrix_rows(logis).filter(has_text="Antoine Perrin")).to_have_count(0)
        search(logis, LEARNER)
        expect(metric(logis, "Personnes")).to_have_text("0")
        expect(main(logis).get_by_text(LEARNER)).to_have_count(0)

        open_person_tab(logis, karim)
        expect(main(logis).get_by_text(OUT_OF_SCOPE)).to_be_visible()
        expect(main(logis).get_by_text(LEARNER)).to_have_count(0)
        screenshot(logis, "manager-3-other-organisation")


def in_view(page, target):
    """What the manager must see or tap next, brought into the screen as a person would
    (the mouse wheel), never by the test's own scrolling; then it must be on screen."""
    for _ in range(WHEEL_TURNS):
        if target.is_visible() and target.evaluate(ON_SCREEN):
            break
        page.mouse.wheel(0, 400)
        page.wait_for_timeout(100)
    expect(target).to_be_in_viewport(ratio=1)
    return target


WHEEL_TURNS = 8
ON_SCREEN = """(element) => {
  const box = element.getBoundingClientRect();
  return box.top >= 0 && box.bottom <= window.innerHeight && box.width > 0;
}"""


def test_a_manager_goes_from_login_to_the_csv_by_taps_on_a_1080p_screen(
    proxi_server, chromium_browser
):
    with new_page(chromium_browser, proxi_server, PROJECTOR) as page:
        log_in(page, "manager.habitat")  # the only address typed: the site's
        heading = main(page).get_by_role("heading", name="Tableau de bord")
        expect(in_view(page, heading)).to_be_visible()  # a manager lands on the dashboard
        go_to(page, "Personnes")  # a look at the accounts, then back by the menu
        expect(main(page).get_by_role("heading", name="Personnes")).to_be_visible()
        go_to(page, "Tableau de bord")
        expect(in_view(page, heading)).to_be_visible()
        screenshot(page, "manager-journey-1-dashboard")

        in_view(page, main(page).get_by_text("Filtres", exact=True)).click()
        site = in_view(page, main(page).get_by_role("combobox", name="Agence ou secteur"))
        choose(page, site, "Agence Nord › Quartier des Tilleuls")
        expect(in_view(page, metric(page, "Personnes"))).to_have_text("2")
        type_and_enter(page, in_view(page, page.get_by_label("Rechercher un nom")), "Karim")
        expect(in_view(page, metric(page, "Personnes"))).to_have_text("1")
        screenshot(page, "manager-journey-2-filtered")

        click(page, in_view(page, main(page).get_by_role("tab", name="Fiche individuelle")))
        person = in_view(page, main(page).get_by_role("combobox", name="Personne"))
        choose(page, person, f"{LEARNER} (Habitat Val de Seine)")
        expect(in_view(page, main(page).get_by_role("heading", name=LEARNER))).to_be_visible()
        screenshot(page, "manager-journey-3-person")

        click(page, in_view(page, main(page).get_by_role("tab", name="Vue d'ensemble")))
        button = main(page).get_by_role("button", name="Télécharger pour Excel (CSV)")
        in_view(page, button)
        screenshot(page, "manager-journey-4-download")
        with page.expect_download() as done:
            button.click()
        download = done.value
        data = download.path().read_bytes()

    today = dates.today().isoformat()
    assert download.suggested_filename == f"proxi-suivi-habitat-val-de-seine-{today}.csv"
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data  # UTF-8 with BOM, CRLF
    header, *lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert header[:3] == ["Nom", "Identifiant", "Organisation"]  # columns, not one cell
    assert [line[0] for line in lines] == [LEARNER]  # the filtered selection, whole
    assert lines[0][3] == "Agence Nord › Quartier des Tilleuls"
