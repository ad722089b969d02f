"""Access, as a person meets it: a link opened while logged out, a page the role may not see,
where each role lands, the wide layout from the first render, and logging out on a phone.

The first page of each test is a link someone was sent (or the site address); after it,
only taps and typing.
"""

from __future__ import annotations

import pytest

from .browser import (
    DEMO_PASSWORD,
    PHONE,
    PROJECTOR,
    click,
    expect,
    go_to,
    loaded_after,
    log_in,
    log_out,
    main,
    new_page,
    open_app,
    screenshot,
)

pytestmark = pytest.mark.e2e

MODULE = "4-gestion-des-conflits"
LESSON = "03-conflits-de-voisinage"
DEEP_LINK = f"/modules?module={MODULE}&lecon={LESSON}"


def no_english_modal(page) -> None:
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page.get_by_role("dialog")).to_have_count(0)


def submit_login(page, identifier: str) -> None:
    page.get_by_label("Identifiant").fill(identifier)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    loaded_after(page, page.get_by_role("button", name="Se connecter").click)


def main_width(page) -> float:
    return page.get_by_test_id("stMainBlockContainer").bounding_box()["width"]


def test_a_link_opened_logged_out_shows_the_login_then_that_page(proxi_server, chromium_browser):
    with new_page(chromium_browser, proxi_server, PHONE) as page:
        open_app(page, DEEP_LINK)
        expect(page.get_by_label("Identifiant")).to_be_visible()
        no_english_modal(page)
        screenshot(page, "access-1-deep-link-login-phone")
        submit_login(page, "karim.haddad")
        expect(
            main(page).get_by_role("heading", name="Les conflits entre voisins").first
        ).to_be_visible()
        assert f"module={MODULE}" in page.url and f"lecon={LESSON}" in page.url
        no_english_modal(page)
        screenshot(page, "access-2-deep-link-after-login-phone")


def test_a_page_the_role_may_not_see_says_so_in_french(proxi_server, chromium_browser):
    with new_page(chromium_browser, proxi_server, PHONE) as page:
        log_in(page, "karim.haddad")
        open_app(page, "/tableau-de-bord")  # a link a colleague sent
        no_english_modal(page)
        expect(
            main(page).get_by_text("Cette page n'est pas accessible avec votre rôle.")
        ).to_be_visible()
        screenshot(page, "access-3-not-for-your-role-phone")
        click(page, main(page).get_by_role("link", name="Retour à l'accueil"))
        expect(page.get_by_role("heading", name="Bonjour Karim Haddad")).to_be_visible()


def test_the_home_url_itself_leads_home(proxi_server, chromium_browser):
    with new_page(chromium_browser, proxi_server, PHONE) as page:
        log_in(page, "karim.haddad")
        open_app(page, "/accueil")
        no_english_modal(page)
        expect(page.get_by_role("heading", name="Bonjour Karim Haddad")).to_be_visible()


@pytest.mark.parametrize("identifier", ["manager.habitat", "coordination"])
def test_managers_and_coordinators_land_on_a_wide_dashboard(
    proxi_server, chromium_browser, identifier
):
    with new_page(chromium_browser, proxi_server, PROJECTOR) as page:
        log_in(page, identifier)
        expect(main(page).get_by_role("heading", name="Tableau de bord")).to_be_visible()
        assert main_width(page) > 1500, "the dashboard is not wide"
        go_to(page, "Accueil")
        expect(main(page).get_by_role("heading", name="Mes modules")).to_be_visible()
        assert main_width(page) < 800
        go_to(page, "Tableau de bord")  # wide at once, without a reload
        expect(main(page).get_by_role("heading", name="Tableau de bord")).to_be_visible()
        assert main_width(page) > 1500, "the dashboard opened from the menu is not wide"
        screenshot(page, f"access-4-{identifier}-dashboard-projector")


def test_the_studio_opened_from_the_menu_is_wide(proxi_server, chromium_browser):
    with new_page(chromium_browser, proxi_server, PROJECTOR) as page:
        log_in(page, "formatrice")
        go_to(page, "Atelier d'écriture")
        expect(main(page).get_by_role("heading", name="Atelier d'écriture")).to_be_visible()
        assert main_width(page) > 1500, "the studio opened from the menu is not wide"


def test_on_a_phone_the_login_page_offers_to_join_and_logging_out_closes_the_menu(
    proxi_server, chromium_browser
):
    with new_page(chromium_browser, proxi_server, PHONE) as page:
        log_in(page, "karim.haddad")
        log_out(page)
        expect(page.get_by_test_id("stSidebarContent")).not_to_be_in_viewport()
        form = page.get_by_role("button", name="Se connecter")
        expect(form).to_be_in_viewport()
        join = page.get_by_role("button", name="📱 Rejoindre une séance de groupe")
        expect(join).to_be_in_viewport()
        screenshot(page, "access-5-logged-out-phone")
        click(page, join)
        expect(main(page).get_by_role("heading", name="Rejoindre une séance")).to_be_visible()
        expect(page.get_by_label("Code de la séance")).to_be_visible()


def test_a_guest_at_the_site_address_sees_join_and_data_links(proxi_server, chromium_browser):
    with new_page(chromium_browser, proxi_server, PHONE) as page:
        open_app(page, "/")
        expect(
            page.get_by_role("button", name="📱 Rejoindre une séance de groupe")
        ).to_be_in_viewport()
        click(page, main(page).get_by_role("link", name="Vos données : ce que Proxi enregistre"))
        expect(main(page).get_by_role("heading", name="Vos données dans Proxi")).to_be_visible()
        click(page, main(page).get_by_role("link", name="Retour à la connexion"))
        expect(page.get_by_label("Identifiant")).to_be_visible()
