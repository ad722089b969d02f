"""Module player: the lesson list (with what is done), one lesson's steps, the final quiz.

The URL (`?module=…&lecon=…`) says which lesson is open: tapping the list writes it, and
« Leçon suivante », « Ouvrir » or « Reprendre » set it from elsewhere. Without one, the
module opens at the learner's first unfinished lesson and step.
"""

from __future__ import annotations

import streamlit as st

from app_pages import ui
from app_pages.learner import learner_progress
from app_pages.lesson import QUIZ, lesson_steps, open_step, remember_page_state
from proxi.content.course import CourseModule
from proxi.progress import places

LESSON_MARKS = {
    places.DONE: "✔ terminée",
    places.IN_PROGRESS: "◐ en cours",
    places.NOT_STARTED: "○ pas commencée",
}

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

choices = [lesson.id for lesson in module.lessons] + [QUIZ]
radio_key = f"lesson-choice-{module.id}"
wanted = params.get("lecon")
if wanted in choices:
    st.session_state[radio_key] = wanted
elif st.session_state.get(radio_key) not in choices:
    place = progress.next_place(module)
    st.session_state[radio_key] = QUIZ if place.is_quiz else place.lesson_id
picked = st.session_state[radio_key]
st.query_params["lecon"] = picked
# The step is recorded before the list is drawn, so the list and the count already
# include the screen the learner is looking at.
lesson = None if picked == QUIZ else module.lesson(picked)
if lesson:
    open_step(module, lesson, progress)
    remember_page_state(module, progress)  # what the lesson list below shows


def choice_label(choice: str) -> str:
    if choice == QUIZ:
        best = progress.quiz_best(module)
        return "🏁 Quiz final" + ("" if best is None else f" — meilleur score {best} %")
    item = module.lesson(choice)
    mark = LESSON_MARKS[progress.lesson_status(module, item)]
    return f"{item.title} ({item.duration} min) — {mark}"


def follow_the_list() -> None:
    """A tap in the list becomes the URL, so the next run opens that lesson."""
    st.query_params["lecon"] = st.session_state[radio_key]


# Drawn after the lesson or quiz below has recorded what the learner just did.
lesson_list = st.container()

with st.expander("Objectifs et durée"):
    st.markdown("**À la fin, vous saurez :**")
    st.markdown("\n".join(f"- {objective}" for objective in module.objectives))
    st.caption(
        f"Durée estimée : {module.duration} minutes. Références à jour au {module.up_to_date}."
    )

if lesson is None:
    from app_pages.quiz import show_quiz

    ui.scroll_to_title(f"{module.id}/{QUIZ}")
    show_quiz(module, progress)
else:
    lesson_steps(module.id, lesson.id)

if module.further_reading:
    with st.expander("Pour aller plus loin"):
        st.markdown("\n".join(f"- {item}" for item in module.further_reading))

with lesson_list:
    st.radio("Leçon", choices, format_func=choice_label, key=radio_key, on_change=follow_the_list)
    done = progress.lessons_done(module)
    st.caption(f"✔ Leçons terminées : {done} sur {len(module.lessons)}")
    if progress.module_status(module) == "completed":
        st.success("Module terminé. Vous pouvez revoir une leçon ou refaire le quiz.")
    elif done == len(module.lessons):
        st.info("Toutes les leçons sont terminées : il reste le quiz final, dans la liste.")
