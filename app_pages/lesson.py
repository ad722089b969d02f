"""One lesson, one step at a time (a phone screen each), with its interactive blocks."""

from __future__ import annotations

import streamlit as st

from app_pages import ui
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
