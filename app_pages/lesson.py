"""One lesson, one step at a time (a phone screen each), with its interactive blocks.

The step is a fragment (`lesson_steps`): « Étape suivante », « Étape précédente » and a
block's answer rerun the step alone, not the menu, the module's header and its lesson list.
What the rest of the page shows (each lesson's mark, the module's state, the open lesson)
is compared before and after; when a step changed it, the whole page runs again.
"""

from __future__ import annotations

import streamlit as st

from app_pages import ui
from app_pages.learner import learner_progress
from proxi.content.course import CourseModule, Lesson

QUIZ = "__quiz__"  # the `lecon` URL value of a module's final quiz


def _step_key(lesson: Lesson) -> str:
    return f"step-{lesson.ref}"


def open_step(module: CourseModule, lesson: Lesson, progress) -> int:
    """The step this tab shows (first visit: where the learner should resume); recorded."""
    key = _step_key(lesson)
    if key not in st.session_state:
        st.session_state[key] = progress.lesson_step(module, lesson)
    number = min(st.session_state[key], len(lesson.steps) - 1)
    progress.record_step(module, lesson, number)
    return number


def page_state(module: CourseModule, progress) -> tuple:
    """What the page draws outside the step from the learner's progress: each lesson's
    mark in the list, the count of lessons done, the module's state."""
    marks = tuple(progress.lesson_status(module, lesson) for lesson in module.lessons)
    return marks, progress.module_status(module)


def _drawn_key(module: CourseModule) -> str:
    return f"lesson-page-state-{module.id}"


def remember_page_state(module: CourseModule, progress) -> None:
    """Called by the full run, once it has drawn the lesson list."""
    st.session_state[_drawn_key(module)] = page_state(module, progress)


@st.fragment
def lesson_steps(module_id: str, lesson_id: str) -> None:
    """The open step. Its arguments are ids, and the content, the person and their
    progress are read again: a fragment's rerun reuses the arguments of the full run that
    drew it, and checks the session itself (app_pages/identity.py)."""
    progress = learner_progress()
    module = ui.catalogue().course.modules.get(module_id)
    lesson = module.lesson(lesson_id) if module else None
    if lesson is None or st.query_params.get("lecon") != lesson_id:
        st.rerun()  # the content changed, or « Leçon suivante » opened another lesson
    number = open_step(module, lesson, progress)
    drawn = st.session_state.get(_drawn_key(module))
    if drawn is not None and drawn != page_state(module, progress):
        st.rerun()  # e.g. the lesson's last step: its mark in the list becomes « terminée »
    show_lesson(module, lesson, number, progress)


def show_lesson(module: CourseModule, lesson: Lesson, number: int, progress) -> None:
    step_count = len(lesson.steps)
    step = lesson.steps[number]
    ui.scroll_to_title(f"{lesson.ref}#{number}")
    st.subheader(lesson.title)
    st.progress((number + 1) / step_count, text=f"Étape {number + 1} sur {step_count}")
    st.markdown(f"### {step.title}")
    course = ui.catalogue().course  # once: each call stats every content file
    for part in step.parts:
        if isinstance(part, str):
            ui.markdown(part, course)
        else:
            ui.BLOCK_WIDGETS[part.kind](part, f"{part.id}", progress.record_answer)
    _pager(number, step_count, module, lesson)


def _pager(number: int, step_count: int, module: CourseModule, lesson: Lesson) -> None:
    key = _step_key(lesson)
    back, forward = st.columns(2)
    # Callbacks, not `if st.button(): ...; st.rerun()`: one script run per click, not two.
    if number > 0:
        back.button("← Étape précédente", width="stretch", on_click=_go_to, args=(key, number - 1))
    if number < step_count - 1:
        forward.button(
            "Étape suivante →",
            type="primary",
            width="stretch",
            on_click=_go_to,
            args=(key, number + 1),
        )
        return
    st.success("Leçon terminée. Bravo !")
    following = _next_lesson(module, lesson)
    label = f"Leçon suivante : {following.title}" if following else "Passer au quiz final"
    forward.button(
        label,
        type="primary",
        width="stretch",
        on_click=_open,
        args=(following.id if following else QUIZ,),
    )


def _go_to(key: str, number: int) -> None:
    st.session_state[key] = number


def _open(lesson_id: str) -> None:
    st.query_params["lecon"] = lesson_id


def _next_lesson(module: CourseModule, lesson: Lesson) -> Lesson | None:
    ids = [item.id for item in module.lessons]
    position = ids.index(lesson.id)
    return module.lessons[position + 1] if position + 1 < len(ids) else None


def go_to_step(lesson: Lesson, number: int) -> None:
    """Open `lesson` at step `number` (a button's callback, e.g. « Relire » after the quiz)."""
    _go_to(_step_key(lesson), number)
    _open(lesson.id)
