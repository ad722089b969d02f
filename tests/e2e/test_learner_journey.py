"""Journey 1, on a phone, only by what a person sees and taps: log in, « Reprendre », the
lesson list, a lesson step by step (each step opens at its title), the final quiz, the
attestation; then a refresh (still there), a new tab, and « Se déconnecter » (and stay out).

The learner has read the first four lessons of module 1 (written through the core, as the
app writes them), so the journey is the last lesson, the quiz and the attestation.
"""

from __future__ import annotations

import re

import pytest

from proxi.content.catalogue import load_catalogue
from proxi.people import accounts
from proxi.people.permissions import OPERATOR
from proxi.progress import store

from .browser import (
    DEMO_PASSWORD,
    PHONE,
    click,
    click_in_step,
    expect,
    go_to,
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
from .steps import core, step_on_screen, tap_in_lesson_list

pytestmark = pytest.mark.e2e

MODULE = "1-politique-de-la-ville"
LEARNER = "lea.journey"


def a_learner_with_four_lessons_read(server):
    module = load_catalogue().course.modules[MODULE]
    ids = [lesson.id for lesson in module.lessons]
    with core(server) as db:
        org = accounts.list_organisations(db)[0]
        person = accounts.create_person(
            db, OPERATOR, LEARNER, "Léa Journey", DEMO_PASSWORD, organisation_id=org.id
        )
        for lesson in module.lessons[:4]:
            for step in range(len(lesson.steps)):
                store.record_step(db, person.id, MODULE, lesson.id, step, len(lesson.steps), ids)
    return module


def opens_at_its_title(page, title) -> None:
    """The lesson's title is at the top of the phone's screen, the step's title below it."""
    lesson_title = main(page).get_by_role("heading", level=3).first
    expect(lesson_title).to_be_in_viewport()
    top = lesson_title.bounding_box()["y"]
    assert 0 <= top < 200, f"the lesson title is {top:.0f} px down the screen"
    expect(main(page).get_by_role("heading", name=title)).to_be_in_viewport()


def scroll_to_the_bottom(page) -> None:
    button = page.get_by_role("button", name="Étape suivante →")
    button.scroll_into_view_if_needed()
    expect(button).to_be_in_viewport()


def answer_the_quiz(page, module) -> None:
    for index, question in enumerate(module.quiz):
        heading = main(page).get_by_text(f"{index + 1}. {question.question}", exact=True)
        for option in question.options:
            if option.correct:
                box = main(page).get_by_role("checkbox" if question.multiple else "radio")
                box = box.filter(has_text=option.text) if question.multiple else box
                target = main(page).get_by_text(option.text, exact=True)
                target = target.nth(_occurrence(module, index, option.text))
                target.click()
        expect(heading).to_be_attached()
    click(page, page.get_by_role("button", name="Valider le quiz"))


def _occurrence(module, index: int, text: str) -> int:
    """Which on-screen copy of an option text belongs to question `index` (texts repeat)."""
    return sum(o.text == text for q in module.quiz[:index] for o in q.options)


def test_learner_on_a_phone_from_login_to_attestation(each_server, chromium_browser):
    module = a_learner_with_four_lessons_read(each_server)
    last = module.lessons[4]
    with new_page(chromium_browser, each_server, PHONE) as page:
        log_in(page, LEARNER)
        expect(page.get_by_role("heading", name="Bonjour Léa Journey")).to_be_visible()
        cookie = session_cookie(page)
        assert cookie and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        screenshot(page, "learner-1-home-phone")

        # « Reprendre » opens the first unfinished lesson, not the finished one seen last.
        click(page, page.get_by_role("button", name=f"▶️ Reprendre : {last.title}"))
        expect(main(page).get_by_role("heading", name=last.title).first).to_be_visible()
        assert step_on_screen(page) == (1, len(last.steps))
        screenshot(page, "learner-2-resume-phone")

        # The list opens any lesson, and says which ones are done.
        first = module.lessons[0]
        tap_in_lesson_list(page, f"{first.title} ({first.duration} min) — ✔ terminée")
        expect(main(page).get_by_role("heading", name=first.title).first).to_be_visible()
        tap_in_lesson_list(page, f"{last.title} ({last.duration} min) — ◐ en cours")
        expect(main(page).get_by_role("heading", name=last.title).first).to_be_visible()
        screenshot(page, "learner-3-lesson-list-phone")

        for number in range(2, len(last.steps) + 1):
            scroll_to_the_bottom(page)
            click_in_step(page, page.get_by_role("button", name="Étape suivante →"))
            assert step_on_screen(page) == (number, len(last.steps))
            opens_at_its_title(page, last.steps[number - 1].title)
        expect(main(page).get_by_text("Leçon terminée. Bravo !")).to_be_visible()
        expect(
            main(page).get_by_text(f"Leçons terminées : 5 sur {len(module.lessons)}")
        ).to_be_attached()
        screenshot(page, "learner-4-lesson-done-phone")

        click_in_step(page, page.get_by_role("button", name="Passer au quiz final"))
        expect(main(page).get_by_role("heading", name="Quiz final")).to_be_in_viewport()
        answer_the_quiz(page, module)
        expect(main(page).get_by_text(re.compile(r"Quiz réussi : 100 %"))).to_be_visible()
        expect(main(page).get_by_text("Votre meilleur score : 100 %.")).to_be_visible()
        screenshot(page, "learner-5-quiz-passed-phone")

        go_to(page, "Ma progression")
        summary = main(page).get_by_text(f"Attestation — {module.title}")
        summary.click()
        expect(main(page).get_by_text("Léa Journey").first).to_be_visible()
        screenshot(page, "learner-6-attestation-phone")

        reload(page)
        expect(main(page).get_by_role("heading", name="Ma progression")).to_be_visible()
        expect(page.get_by_role("button", name="Se déconnecter")).to_be_attached()

        second_tab = new_tab(page)
        open_app(second_tab, "/")
        expect(second_tab.get_by_role("heading", name="Bonjour Léa Journey")).to_be_visible()
        second_tab.close()

        log_out(page)
        assert session_cookie(page) is None
        screenshot(page, "learner-7-logged-out-phone")
        reload(page)
        expect(page.get_by_label("Identifiant")).to_be_visible()
        expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)
        assert session_cookie(page) is None
