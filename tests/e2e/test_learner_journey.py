"""Journey 1, on a phone: log in, read a lesson, answer a block, play a scenario to its
debrief, refresh (still logged in, still there), open a new tab, log out (and stay out)."""

from __future__ import annotations

import pytest

from .browser import (
    expect,
    log_in,
    log_out,
    main,
    new_page,
    new_tab,
    open_app,
    reload,
    screenshot,
    session_cookie,
)
from .steps import answer_the_block, play_to_an_ending, read_until

pytestmark = pytest.mark.e2e

LESSON = "/modules?module=4-gestion-des-conflits&lecon=01-quand-la-tension-monte"
SCENARIO = "/situations?scenario=bruit-nuit"


def test_learner_on_a_phone_keeps_their_place_across_a_refresh(proxi_server, chromium_browser):
    with new_page(chromium_browser, proxi_server) as page:
        log_in(page, "karim.haddad")
        expect(page.get_by_role("heading", name="Bonjour Karim Haddad")).to_be_visible()
        cookie = session_cookie(page)
        assert cookie and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        screenshot(page, "learner-1-home-phone")

        open_app(page, LESSON)
        expect(
            main(page).get_by_role("heading", name="Quand la tension monte").first
        ).to_be_visible()
        read_until(page, "Valider ma réponse")
        answer_the_block(page)
        screenshot(page, "learner-2-lesson-block-phone")

        open_app(page, SCENARIO)
        expect(main(page).get_by_role("heading", name="Mises en situation")).to_be_visible()
        play_to_an_ending(page)
        expect(main(page).get_by_role("heading", name="Votre parcours")).to_be_visible()
        screenshot(page, "learner-3-debrief-phone")

        reload(page)
        expect(main(page).get_by_role("heading", name="Débriefing")).to_be_visible()
        expect(page.get_by_role("button", name="Se déconnecter")).to_be_attached()
        assert "scenario=bruit-nuit" in page.url

        second_tab = new_tab(page)
        open_app(second_tab, "/")
        expect(second_tab.get_by_role("heading", name="Bonjour Karim Haddad")).to_be_visible()
        second_tab.close()

        log_out(page)
        assert session_cookie(page) is None
        reload(page)
        expect(page.get_by_label("Identifiant")).to_be_visible()
        expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)
        assert session_cookie(page) is None
        open_app(page, SCENARIO)
        expect(page.get_by_role("heading", name="Débriefing")).to_have_count(0)
        expect(page.get_by_label("Identifiant")).to_be_visible()
