"""Journey 2: a trainer runs a group session with three phones, from creating it to the
attendance sheet, moving only by taps and typing after the login page. The projector is
the window the console opens; the phones arrive by the link decoded from the QR code the
projector shows, as a phone's camera reads it. A screenshot of each step goes to test-artifacts/screenshots/trainer-*.png."""

from __future__ import annotations

import re

import pytest

from proxi.content.catalogue import load_catalogue
from proxi.live import room

from .browser import (
    DESKTOP,
    PHONE,
    PROJECTOR,
    click,
    click_in_fragment,
    expect,
    log_in,
    main,
    new_page,
    open_app,
    screenshot,
    type_and_enter,
)
from .qr import qr_on_screen
from .steps import expand, pick

pytestmark = pytest.mark.e2e

SCENARIO_TITLE = "Du bruit la nuit"
TITLE = "Séance test — gestion des conflits"
PHONES = ("Awa Diallo", "Marc Petit", "Léa Martin")
SCENARIO = load_catalogue().scenarios["bruit-nuit"]
QUESTION = SCENARIO.nodes[SCENARIO.start].prompt or "Que faites-vous ?"
HIDE = "Masquer les votes au tableau jusqu'au résultat"
COUNTDOWN = "Compte à rebours (secondes, 0 = sans)"
POLL_MS = 6_000  # phones and projector poll every 1.5–2 s; a vote must show within 2 s


def tally(letter: str, count: int) -> re.Pattern:
    """A projector bar's label: « A. <the option's text> — 2 vote(s) »."""
    return re.compile(rf"^{letter}\. .+ — {count} vote\(s\)$")


def tap(page, name: str) -> None:
    click(page, page.get_by_role("button", name=name, exact=True))


def refusal_beside(page, button: str, message: str) -> None:
    """The French refusal shows right under the button that caused it, in view."""
    error = main(page).get_by_test_id("stAlertContentError").filter(has_text=message)
    expect(error).to_be_in_viewport()
    below = page.get_by_role("button", name=button, exact=True).bounding_box()
    assert 0 <= error.bounding_box()["y"] - (below["y"] + below["height"]) < 120


def create_and_open_session(trainer) -> str:
    """From the home page: the sidebar, the form (refused once, nothing lost), « Ouvrir »."""
    click(trainer, trainer.get_by_test_id("stSidebarNav").get_by_role("link", name="Séances"))
    expand(trainer, "Nouvelle séance")
    trainer.get_by_label("Titre").fill(TITLE)
    trainer.get_by_label("Lieu").fill("Maison de quartier")
    tap(trainer, "Créer la séance")  # no scenario chosen yet
    refusal_beside(trainer, "Créer la séance", "Choisissez au moins une mise en situation")
    expect(trainer.get_by_label("Titre")).to_have_value(TITLE)
    expect(trainer.get_by_label("Lieu")).to_have_value("Maison de quartier")
    screenshot(trainer, "trainer-1-refused-form-keeps-what-was-typed")
    pick(trainer, "Mises en situation", SCENARIO_TITLE)
    tap(trainer, "Créer la séance")
    tap(trainer, "Ouvrir la séance")
    code_line = main(trainer).get_by_text("Code à projeter")
    expect(code_line).to_be_visible()
    screenshot(trainer, "trainer-2-session-open")
    return re.search(r"Code à projeter : (\S+)", code_line.inner_text()).group(1)


def join_by_the_link(phone, link: str, name: str) -> None:
    open_app(phone, link)  # the phone's camera, on the projected QR code
    phone.get_by_label("Votre prénom et votre nom").fill(name)
    tap(phone, "Rejoindre")
    expect(phone.get_by_role("heading", name=TITLE)).to_be_visible()


def seconds_in(text: str) -> int:
    return int(re.search(r"\d+", text).group())


def vote(phone, letter: str) -> None:
    click_in_fragment(phone, phone.get_by_role("button", name=re.compile(rf"^{letter}\. ")))
    expect(phone.get_by_text(f"Votre vote : {letter}.")).to_be_visible()


def test_a_trainer_runs_a_session_with_three_phones(each_server, chromium_browser):
    with (
        new_page(chromium_browser, each_server, DESKTOP) as trainer,
        new_page(chromium_browser, each_server, PHONE) as awa,
        new_page(chromium_browser, each_server, PHONE) as marc,
        new_page(chromium_browser, each_server, PHONE) as lea,
    ):
        phones = (awa, marc, lea)
        log_in(trainer, "formatrice")
        code = create_and_open_session(trainer)

        with trainer.context.expect_page() as opened:
            trainer.get_by_role("link", name="Ouvrir la projection (nouvelle fenêtre)").click()
        projector = opened.value
        projector.set_viewport_size(PROJECTOR)
        expect(projector.get_by_text(code)).to_be_visible()
        link = qr_on_screen(projector, "QR code pour rejoindre la séance")
        assert link == f"{each_server.url}/rejoindre?code={code.replace('-', '')}"
        for phone, name in zip(phones, PHONES, strict=True):
            join_by_the_link(phone, link, name)
        with new_page(chromium_browser, each_server, PHONE) as intruder:  # Awa's name, typed
            open_app(intruder, link)  # on another phone: refused, her line untouched
            intruder.get_by_label("Votre prénom et votre nom").fill(PHONES[0].upper())
            tap(intruder, "Rejoindre")
            expect(main(intruder).get_by_text(room.NAME_TAKEN)).to_be_visible()
            screenshot(intruder, "trainer-3b-same-name-other-phone-refused")
        expect(projector.get_by_text("3 personne(s) ont rejoint la séance.")).to_be_visible(
            timeout=POLL_MS
        )
        expect(projector.get_by_text(", ".join(PHONES))).to_be_visible()
        screenshot(projector, "trainer-3-projector-waiting-with-names")

        tap(trainer, "Lancer (depuis le début)")
        tap(trainer, "Ouvrir le vote")
        for phone in phones:  # the question, then the options
            expect(phone.get_by_role("heading", name=QUESTION)).to_be_visible(timeout=POLL_MS)
            expect(phone.get_by_role("button", name=re.compile(r"^A\. "))).to_be_visible()
        screenshot(awa, "trainer-4-phone-ballot")
        vote(awa, "A")
        vote(marc, "B")
        vote(lea, "A")
        expect(projector.get_by_text(tally("A", 2))).to_be_visible(timeout=POLL_MS)
        expect(projector.get_by_text(tally("B", 1))).to_be_visible()
        expect(main(trainer).get_by_text(re.compile(r"^A\. .+ — 2 vote\(s\)$"))).to_be_visible(
            timeout=POLL_MS
        )  # the console names each option beside its count
        screenshot(projector, "trainer-5-projector-tally")
        screenshot(trainer, "trainer-6-console-tally")

        tap(trainer, "Dévoiler le résultat")
        expect(projector.get_by_text("Majorité.", exact=False)).to_be_visible(timeout=POLL_MS)
        expect(awa.get_by_text("Le résultat est au tableau !")).to_be_visible(timeout=POLL_MS)
        screenshot(projector, "trainer-7-projector-revealed")
        tap(trainer, "Suivre la majorité")

        # Against the herd effect: this time the room votes without seeing the others' votes.
        click(trainer, main(trainer).get_by_text(HIDE, exact=True))
        expect(main(trainer).get_by_role("switch", name=HIDE)).to_be_checked()
        type_and_enter(trainer, trainer.get_by_label(COUNTDOWN), "90")  # and a countdown
        tap(trainer, "Ouvrir le vote")
        ballot = awa.get_by_role("button", name=re.compile(r"^A\. "))
        expect(ballot).to_be_visible(timeout=POLL_MS)
        # The phone counts the seconds down itself, and while nothing changes in the session
        # it asks the server only whether something did: no run of its page.
        clock = main(awa).get_by_text(re.compile(r"^Temps restant : \d+ s$"))
        expect(clock).to_be_visible()
        asked, shown = awa.runs.reruns_asked, clock.inner_text()
        awa.wait_for_timeout(4_500)  # two checks of the watcher
        assert awa.runs.reruns_asked == asked
        assert seconds_in(clock.inner_text()) < seconds_in(shown) <= 90
        screenshot(awa, "trainer-7b-phone-countdown")
        bars = projector.get_by_test_id("stMain").get_by_test_id("stProgress")
        counts = projector.get_by_text(re.compile(r"— \d+ vote\(s\)$"))

        tap(trainer, "Lancer (depuis le début)")  # over an open vote: asks first
        refusal_beside(trainer, "Lancer (depuis le début)", "Un vote est en cours")
        expect(ballot).to_be_visible()  # the vote is still on
        screenshot(trainer, "trainer-8-restart-needs-confirmation")
        vote(awa, "A")
        projector.wait_for_timeout(2_500)  # a poll of the projector has passed
        expect(bars).to_have_count(0)
        expect(counts).to_have_count(0)
        screenshot(projector, "trainer-8b-projector-counts-hidden")
        tap(trainer, "Dévoiler le résultat")
        expect(projector.get_by_text(tally("A", 1))).to_be_visible(timeout=POLL_MS)

        people_tab = trainer.get_by_role("tab", name="Participants et rôles")
        click(trainer, people_tab)
        tap(trainer, "Inscrire")  # no name typed
        refusal_beside(trainer, "Inscrire", "saisissez un nom")
        expect(people_tab).to_have_attribute("aria-selected", "true")  # the tab stays
        for name in PHONES:
            expect(main(trainer).get_by_text(name, exact=False).first).to_be_visible()
        screenshot(trainer, "trainer-9-participants-refusal-in-place")

        click(trainer, trainer.get_by_role("tab", name="Animer"))
        click(trainer, trainer.get_by_text("Je veux terminer la séance"))
        tap(trainer, "Terminer la séance")
        expect(projector.get_by_role("heading", name="Séance terminée", exact=False)).to_be_visible(
            timeout=POLL_MS
        )
        expect(
            projector.get_by_text(re.compile(r"3 participant\(s\), 2 décision\(s\)"))
        ).to_be_visible()
        screenshot(projector, "trainer-10-projector-summary")
        expect(lea.get_by_text("La séance est terminée", exact=False)).to_be_visible(
            timeout=POLL_MS
        )

        click(trainer, trainer.get_by_role("tab", name="Émargement"))
        sheet = main(trainer).get_by_role("table")
        expect(sheet).to_be_visible()
        for name in ("Nadia Benali", *PHONES):
            expect(sheet.get_by_text(name)).to_be_visible()
        screenshot(trainer, "trainer-11-attendance-sheet")
