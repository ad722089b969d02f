"""Module player: pick a lesson, page through its steps, answer its blocks, take the quiz."""

from __future__ import annotations

import streamlit as st

from app_pages import ui
from app_pages.session import learner_progress
from proxi.content.course import CourseModule, Lesson

cat = ui.catalogue()
course = cat.course
progress = learner_progress()

if not course.modules:
    st.title("Modules")
    ui.content_errors(cat, "modules")
    st.info("Aucun module n'est disponible pour l'instant.")
    st.stop()

params = st.query_params
module_id = params.get("module") or progress.last_module() or next(iter(course.modules))
module: CourseModule | None = course.modules.get(module_id)
if module is None:
    st.warning("Ce module n'existe plus ou contient une erreur. Choisissez-en un autre.")
    ui.content_errors(cat, module_id)
    module = next(iter(course.modules.values()))

titles = {m.id: f"{m.order}. {m.title}" for m in course.modules.values()}
module_id = st.selectbox(
    "Module", list(titles), index=list(titles).index(module.id), format_func=titles.get
)
module = course.modules[module_id]
st.query_params["module"] = module_id
st.title(module.title)
ui.content_errors(cat, module_id)


def lesson_label(lesson: Lesson) -> str:
    return f"{lesson.title} ({lesson.duration} min)"


QUIZ = "__quiz__"
choices = [lesson.id for lesson in module.lessons] + [QUIZ]
radio_key = f"lesson-choice-{module.id}"
# The URL wins when it was changed from elsewhere (« Reprendre », « Leçon suivante »).
wanted = params.get("lecon")
if wanted in choices and st.session_state.get(radio_key) != wanted:
    st.session_state[radio_key] = wanted
if st.session_state.get(radio_key) not in choices:
    last = progress.last_lesson(module)
    st.session_state[radio_key] = last if last in choices else choices[0]
picked = st.radio(
    "Leçon",
    choices,
    format_func=lambda c: "🏁 Quiz final" if c == QUIZ else lesson_label(module.lesson(c)),
    key=radio_key,
)
st.caption(f"✔ Leçons terminées : {progress.lessons_done(module)} sur {len(module.lessons)}")
if picked != params.get("lecon"):
    st.query_params["lecon"] = picked

with st.expander("Objectifs et durée"):
    st.markdown("**À la fin, vous saurez :**")
    st.markdown("\n".join(f"- {objective}" for objective in module.objectives))
    st.caption(
        f"Durée estimée : {module.duration} minutes. Références à jour au {module.up_to_date}."
    )

if picked == QUIZ:
    from app_pages.quiz import show_quiz

    show_quiz(module, progress)
else:
    from app_pages.lesson import show_lesson

    show_lesson(module, module.lesson(picked), progress)

if module.further_reading:
    with st.expander("Pour aller plus loin"):
        st.markdown("\n".join(f"- {item}" for item in module.further_reading))
