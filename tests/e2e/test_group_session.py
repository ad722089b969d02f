"""Journey 2: a trainer runs a group session; two phones join with the code and vote; the
projector (1920×1080) shows the tally; the trainer reveals, follows, and replays."""

from __future__ import annotations

import re

import pytest

from .browser import (
    DESKTOP,
    PHONE,
    PROJECTOR,
    click,
    click_in_fragment,
    expect,
    log_in,
    new_page,
    open_app,
    screenshot,
)
from .steps import create_session_in_ui

pytestmark = pytest.mark.e2e

SCENARIO_TITLE = "Du bruit la nuit"
TITLE = "Séance test — gestion des conflits"
POLL_MS = 6_000  # phones and projector poll every 1.5–2 s; a vote must show within 2 s


def create_and_open_session(trainer) -> str:
    """Create a session for one scenario, open it, start the scenario, open the vote."""
    code = create_session_in_ui(trainer, TITLE, SCENARIO_TITLE)
    click(trainer, trainer.get_by_role("button", name="Lancer (depuis le début)"))
    click(trainer, trainer.get_by_role("button", name="Ouvrir le vote"))
    return code


def join_as_guest(phone, code: str, name: str) -> None:
    open_app(phone, f"/rejoindre?code={code}")
    expect(phone.get_by_label("Code de la séance")).to_have_value(code)
    phone.get_by_label("Votre prénom et votre nom").fill(name)
    click(phone, phone.get_by_role("button", name="Rejoindre"))
    expect(phone.get_by_role("button", name=re.compile(r"^A\. "))).to_be_visible()


def tally(letter: str, count: int) -> re.Pattern:
    """A projector bar's label: « A. <the option's text> — 2 vote(s) »."""
    return re.compile(rf"^{letter}\. .+ — {count} vote\(s\)$")


def vote(phone, letter: str) -> None:
    click_in_fragment(phone, phone.get_by_role("button", name=re.compile(rf"^{letter}\. ")))
    expect(phone.get_by_text(f"Votre vote : {letter}.")).to_be_visible()


def test_two_phones_vote_and_the_projector_shows_the_tally(proxi_server, chromium_browser):
    with (
        new_page(chromium_browser, proxi_server, DESKTOP) as trainer,
        new_page(chromium_browser, proxi_server, PROJECTOR) as projector,
        new_page(chromium_browser, proxi_server, PHONE) as first_phone,
        new_page(chromium_browser, proxi_server, PHONE) as second_phone,
    ):
        log_in(trainer, "formatrice")
        code = create_and_open_session(trainer)

        log_in(projector, "formatrice")
        open_app(projector, "/projection")
        expect(projector.get_by_role("heading", name=SCENARIO_TITLE)).to_be_visible()
        expect(projector.get_by_text(code)).to_be_visible()

        join_as_guest(first_phone, code, "Awa Diallo")
        join_as_guest(second_phone, code, "Marc Petit")
        screenshot(first_phone, "group-1-ballot-phone")
        vote(first_phone, "A")
        vote(second_phone, "B")
        expect(projector.get_by_text(tally("A", 1))).to_be_visible(timeout=POLL_MS)
        expect(projector.get_by_text(tally("B", 1))).to_be_visible(timeout=POLL_MS)
        vote(second_phone, "A")  # a vote can be changed until the reveal, and counts once
        expect(projector.get_by_text(tally("A", 2))).to_be_visible(timeout=POLL_MS)
        expect(projector.get_by_text(tally("B", 0))).to_be_visible()
        expect(projector.get_by_text(tally("C", 0))).to_be_visible()
        screenshot(projector, "group-2-projector-tally")

        click(trainer, trainer.get_by_role("button", name="Dévoiler le résultat"))
        expect(first_phone.get_by_text("Le résultat est au tableau !")).to_be_visible(
            timeout=POLL_MS
        )
        expect(projector.get_by_text("Majorité.")).to_be_visible(timeout=POLL_MS)
        screenshot(projector, "group-3-projector-revealed")

        click(trainer, trainer.get_by_role("button", name="Suivre la majorité"))
        click(trainer, trainer.get_by_role("button", name="Ouvrir le vote"))
        expect(first_phone.get_by_role("button", name=re.compile(r"^A\. "))).to_be_visible(
            timeout=POLL_MS
        )
        expect(projector.get_by_text(tally("A", 0))).to_be_visible(timeout=POLL_MS)
        first_scene = projector.get_by_text("Vous entendez ça ?", exact=False)
        expect(first_scene).to_have_count(0)

        click(trainer, trainer.get_by_role("button", name="Rejouer à partir d'ici"))
        expect(first_scene).to_be_visible(timeout=POLL_MS)
        screenshot(trainer, "group-4-trainer-after-replay")
