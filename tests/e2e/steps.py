"""Steps several journeys share: paging through a lesson, answering, playing a scenario, and
setting up a group session straight through the core (the server reads the same SQLite file).
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest

from proxi import dates
from proxi.content.catalogue import load_catalogue
from proxi.content.course import Reflection
from proxi.live import flow as live_flow
from proxi.live import sessions as live
from proxi.people import accounts
from proxi.progress.db import open_db

from .browser import (
    PlaywrightTimeout,
    click,
    click_in_step,
    expect,
    go_to,
    loaded_after,
    main,
    screenshot,
)

MAX_STEPS = 30
SCENARIO = "bruit-nuit"


STEP = re.compile(r"Étape (\d+) sur (\d+)")


def step_on_screen(page) -> tuple[int, int]:
    """The « Étape N sur M » a learner reads above the step."""
    line = main(page).get_by_text(STEP)
    expect(line).to_be_visible()
    number, total = STEP.search(line.inner_text()).groups()
    return int(number), int(total)


def tap_in_lesson_list(page, label: str) -> None:
    click(page, main(page).get_by_role("radiogroup", name="Leçon").get_by_text(label, exact=True))


def rewind_lesson(page) -> None:
    """Back to the first step (a lesson reopens where this learner last was)."""
    for _ in range(MAX_STEPS):
        number, _total = step_on_screen(page)
        if number == 1:
            return
        click_in_step(page, page.get_by_role("button", name="← Étape précédente"))
        expect(main(page).get_by_text(f"Étape {number - 1} sur")).to_be_visible()


def read_until(page, button_name: str) -> None:
    """Page through the lesson from its first step until a block with this button shows.

    Each move waits for the step number on screen to change before looking for the button:
    looking while the next step was still being drawn once paged past it."""
    rewind_lesson(page)
    wanted = page.get_by_role("button", name=button_name)
    for _ in range(MAX_STEPS):
        number, total = step_on_screen(page)
        if wanted.count():
            return
        if number == total:
            break
        click_in_step(page, page.get_by_role("button", name="Étape suivante →"))
        expect(main(page).get_by_text(f"Étape {number + 1} sur")).to_be_visible()
    pytest.fail(f"no « {button_name} » in this lesson")


def answer_the_block(page) -> None:
    """Tick the first option of the question on screen and validate it."""
    form = page.get_by_test_id("stForm").filter(
        has=page.get_by_role("button", name="Valider ma réponse")
    )
    first_option = form.get_by_role("checkbox").or_(form.get_by_role("radio")).first
    first_option.check(force=True)  # Streamlit draws its own box over the real input
    click_in_step(page, form.get_by_role("button", name="Valider ma réponse"))
    feedback = main(page).get_by_text("Bonne réponse !")
    expect(feedback.or_(main(page).get_by_text("Ce n'est pas la bonne réponse."))).to_be_visible()


def play_to_an_ending(page) -> None:
    """Always take the first choice until the debrief shows (starting over if already ended)."""
    debrief = main(page).get_by_role("heading", name="Débriefing")
    if debrief.count():
        click_in_step(page, page.get_by_role("button", name="Rejouer depuis le début"))
        expect(debrief).to_have_count(0)
    choices = main(page).locator('[class*="st-key-choice-"] button')
    for _ in range(MAX_STEPS):
        if debrief.count():
            return
        expect(choices.first).to_be_visible()
        click_in_step(page, choices.first)
    pytest.fail("no ending reached by always taking the first choice")


def expand(page, label: str) -> None:
    """Open an st.expander by its label, unless it is open already."""
    details = main(page).locator("details").filter(has=page.locator("summary", has_text=label))
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    expect(details).to_have_attribute("open", "")


def pick(page, label: str, option: str, attempts: int = 3) -> None:
    """Choose an option of an st.multiselect (inside a form: no rerun) and check it shows.

    Typing opens the list, filtered; under load the list can be redrawn under the click,
    so the choice is checked and, if it did not take, made again."""
    field = page.get_by_role("combobox", name=label)
    # « Selected values », in French by app_pages/french.py
    chosen = page.get_by_role("group", name="Choix faits").filter(has_text=option)
    chosen = (
        page.get_by_test_id("stMultiSelect")
        .filter(has=field)
        .and_(page.get_by_test_id("stMultiSelect").filter(has=chosen))
    )
    for attempt in range(attempts):
        field.click()
        field.press_sequentially(option)
        page.get_by_role("option", name=option, exact=True).click()
        page.keyboard.press("Escape")
        try:
            expect(chosen).to_be_visible(timeout=3_000)
            return
        except AssertionError:
            if attempt == attempts - 1:
                raise


def choose(page, field, option: str, attempts: int = 3, typed: bool = False) -> None:
    """Choose `option` of an st.selectbox `field` (a locator) and check it shows.

    A console that follows the room by itself redraws under an open list and closes it;
    the choice is then made again. `typed`: type the option first, as a person does in a
    long list (the list draws only the options in view)."""
    for attempt in range(attempts):
        field.click()
        if typed:
            field.fill(option)
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=5_000)
            expect(field).to_have_value(option, timeout=3_000)
            return
        except (AssertionError, PlaywrightTimeout):
            page.keyboard.press("Escape")
            if attempt == attempts - 1:
                raise


def choose_password_and_log_in(page, identifier: str, name: str, password: str, shot: str) -> None:
    """On an opened invitation: the password twice, saved (screenshot `shot`), then the login
    with it, which lands on her home."""
    page.get_by_label("Nouveau mot de passe").fill(password)
    page.get_by_label("Le même, encore une fois").fill(password)
    click(page, page.get_by_role("button", name="Enregistrer mon mot de passe"))
    saved = main(page).get_by_text("Votre mot de passe est enregistré.")
    expect(saved).to_contain_text(f"« {identifier} »")  # the identifier she will type
    screenshot(page, shot)
    click(page, main(page).get_by_role("button", name="Se connecter"))
    page.get_by_label("Identifiant").fill(identifier)
    page.get_by_label("Mot de passe").fill(password)
    loaded_after(page, page.get_by_role("button", name="Se connecter").click)
    expect(main(page).get_by_role("heading", name=f"Bonjour {name}")).to_be_visible()


def create_session_in_ui(trainer, title: str, scenario_title: str = "Du bruit la nuit") -> str:
    """Create a session with the trainer's form, open it; returns the code to project."""
    go_to(trainer, "Séances de groupe")
    expand(trainer, "Nouvelle séance")
    trainer.get_by_label("Titre").fill(title)
    pick(trainer, "Mises en situation", scenario_title)
    click(trainer, trainer.get_by_role("button", name="Créer la séance"))
    click(trainer, trainer.get_by_role("button", name="Ouvrir la séance"))
    code_line = main(trainer).get_by_text("Code à projeter")
    expect(code_line).to_be_visible()
    return re.search(r"Code à projeter : (\S+)", code_line.inner_text()).group(1)


def reflection_lesson() -> tuple[str, Reflection]:
    """The URL of the first shipped lesson with a free-text reflection, and that block."""
    for module in load_catalogue().course.modules.values():
        for lesson in module.lessons:
            for block in lesson.blocks():
                if isinstance(block, Reflection):
                    return f"/modules?module={module.id}&lecon={lesson.id}", block
    pytest.fail("no reflection block in the shipped modules")


@contextmanager
def core(server):
    """The server's database, opened by the core like the app opens it."""
    db = open_db(server.db_path)
    try:
        yield db
    finally:
        db.close()


def person(db, identifier: str) -> accounts.Person:
    return accounts.person_by_identifier(db, identifier)


def running_session(server, title: str, trainer: str = "formatrice") -> tuple[int, str]:
    """An open session whose scenario is on screen with a vote open: (id, join code)."""
    scenario = load_catalogue().scenarios[SCENARIO]
    with core(server) as db:
        actor = person(db, trainer)
        created = live.create_session(db, actor, title, dates.today(), "matin", "", (), [SCENARIO])
        code = live_flow.open_session(db, actor, created.id)
        live_flow.start_scenario(db, actor, created.id, scenario)
        live_flow.open_vote(db, actor, created.id, scenario)
    return created.id, code


def reveal(server, session_id: int, trainer: str = "formatrice") -> None:
    with core(server) as db:
        scenario = load_catalogue().scenarios[SCENARIO]
        live_flow.reveal(db, person(db, trainer), session_id, scenario)


def end_session(server, session_id: int, trainer: str = "formatrice") -> None:
    with core(server) as db:
        live_flow.end_session(db, person(db, trainer), session_id)
