"""Journey: a caretaker plays a role-play scenario alone on a phone, by taps. Each choice
opens the next scene at its top, with the feedback on what was chosen; a refresh in the
middle loses nothing; at the ending the debrief shows; then, as in forum theatre, she goes
back to the first decision and plays it differently; a choice made in an older second tab
is refused in French and that tab shows where the game is. Screenshots:
test-artifacts/screenshots/scenario-*.png."""

from __future__ import annotations

import re

import pytest

from proxi.content.catalogue import load_catalogue
from proxi.people import accounts
from proxi.people.permissions import OPERATOR

from .browser import (
    DEMO_PASSWORD,
    PHONE,
    click_in_step,
    expect,
    go_to,
    log_in,
    main,
    new_page,
    new_tab,
    open_app,
    reload,
    screenshot,
)
from .steps import choose, core, expand, play_to_an_ending

pytestmark = pytest.mark.e2e

SCENARIO = load_catalogue().scenarios["bruit-nuit"]
PLAYER = "samia.scene"


def a_new_caretaker(server) -> None:
    with core(server) as db:
        org = accounts.list_organisations(db)[0]
        accounts.create_person(
            db, OPERATOR, PLAYER, "Samia Scène", DEMO_PASSWORD, organisation_id=org.id
        )


def choices(page):
    return main(page).locator('[class*="st-key-choice-"] button')


def take(page, text: str) -> None:
    """Tap a choice at the bottom of the scene, as a thumb does."""
    button = main(page).get_by_role("button", name=text, exact=True)
    button.scroll_into_view_if_needed()
    click_in_step(page, button)


def opens_at_the_feedback(page, chosen: str) -> None:
    """The next scene opens at its top: « Votre choix : ... » is on screen, near the top."""
    feedback = main(page).get_by_text("Votre choix :", exact=False)
    expect(feedback).to_be_in_viewport()
    assert feedback.bounding_box()["y"] < 300, "the new scene opened mid-page"
    expect(main(page).get_by_text(chosen, exact=False).first).to_be_visible()


def test_a_caretaker_plays_a_scenario_on_her_phone_and_replays_a_decision(
    proxi_server, chromium_browser
):
    a_new_caretaker(proxi_server)
    first = SCENARIO.nodes[SCENARIO.start].choices
    with new_page(chromium_browser, proxi_server, PHONE) as page:
        log_in(page, PLAYER)
        go_to(page, "Mises en situation")
        choose(page, main(page).get_by_role("combobox", name="Situation"), SCENARIO.title)
        expect(main(page).get_by_text("Que faites-vous ?")).to_be_visible()
        screenshot(page, "scenario-1-first-scene-phone")

        take(page, first[0].text)
        opens_at_the_feedback(page, first[0].text)
        screenshot(page, "scenario-2-after-a-choice-phone")
        reload(page)  # a refresh in the middle: the same scene, nothing lost
        expect(main(page).get_by_text("Votre choix :", exact=False)).to_be_visible()

        play_to_an_ending(page)  # the first choice each time
        debrief = main(page).get_by_role("heading", name="Débriefing")
        expect(debrief).to_be_in_viewport()
        screenshot(page, "scenario-3-debrief-phone")

        # Forum theatre: back to the first decision, played differently.
        expand(page, "Rejouer à partir d'une décision")
        # « Décision 1 : … », not « Décision 10 : … » (choices come shuffled: paths vary)
        first_decision = main(page).get_by_role("button", name=re.compile(r"^Décision 1 : "))
        click_in_step(page, first_decision)
        expect(debrief).to_have_count(0)
        expect(main(page).get_by_role("button", name=first[1].text, exact=True)).to_be_visible()
        take(page, first[1].text)
        opens_at_the_feedback(page, first[1].text)
        screenshot(page, "scenario-4-replayed-differently-phone")

        # A second tab moves on; a choice from this older screen is refused, not recorded
        # over it, and this tab shows where the game now is.
        second = new_tab(page)
        open_app(second, "/")
        go_to(second, "Mises en situation")
        ahead = choices(second).first.inner_text()
        take(second, ahead)
        opens_at_the_feedback(second, ahead)
        stale = choices(page).last.inner_text()
        take(page, stale)
        refused = main(page).get_by_text("Ce choix n'a pas été enregistré", exact=False)
        expect(refused).to_be_in_viewport()
        expect(main(page).get_by_text(ahead, exact=False).first).to_be_visible()
        screenshot(page, "scenario-5-stale-tab-refused-phone")
