"""One lesson, one step at a time (a phone screen each), with its interactive blocks."""

from __future__ import annotations

import streamlit as st

from app_pages import ui
from proxi.content.course import CourseModule, Lesson


def show_lesson(module: CourseModule, lesson: Lesson, progress) -> None:
    step_count = len(lesson.steps)
    key = f"step-{lesson.ref}"
    if key not in st.session_state:
        st.session_state[key] = progress.lesson_step(module, lesson)
    number = min(st.session_state[key], step_count - 1)
    progress.record_step(module, lesson, number)

    step = lesson.steps[number]
    st.subheader(lesson.title)
    st.progress((number + 1) / step_count, text=f"Étape {number + 1} sur {step_count}")
    st.markdown(f"### {step.title}")
    course = ui.catalogue().course  # once: each call stats every content file
    for part in step.parts:
        if isinstance(part, str):
            ui.markdown(part, course)
        else:
            ui.BLOCK_WIDGETS[part.kind](part, f"{part.id}", progress.record_answer)
    _pager(key, number, step_count, module, lesson)


def _pager(key: str, number: int, step_count: int, module: CourseModule, lesson: Lesson) -> None:
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
    else:
        st.success("Leçon terminée. Bravo !")
        following = _next_lesson(module, lesson)
        label = f"Leçon suivante : {following.title}" if following else "Passer au quiz final"
        if forward.button(label, type="primary", width="stretch"):
            st.query_params["lecon"] = following.id if following else "__quiz__"
            st.rerun()


def _go_to(key: str, number: int) -> None:
    st.session_state[key] = number


def _next_lesson(module: CourseModule, lesson: Lesson) -> Lesson | None:
    ids = [item.id for item in module.lessons]
    position = ids.index(lesson.id)
    return module.lessons[position + 1] if position + 1 < len(ids) else None
