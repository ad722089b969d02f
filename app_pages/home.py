"""Learner home: my modules with progress, my scenarios with the best ending, « Reprendre »."""

import streamlit as st

from app_pages import due_parts, ui
from app_pages.learner import learner_progress
from app_pages.lesson import QUIZ
from proxi import labels
from proxi.content.markdown import plain
from proxi.progress import places

progress = learner_progress()
overview = progress.overview
cat = ui.catalogue()
st.title(f"Bonjour {plain(progress.person.display_name)}")
ui.content_errors(cat)


def module_link(module) -> tuple[str, dict]:
    """What a module's button says and opens: its first unfinished lesson, else its quiz,
    else (module finished) a review from its first lesson."""
    place = progress.next_place(module)
    query = {"module": module.id}
    if progress.module_status(module) == "completed":
        first = module.lessons[0].id if module.lessons else QUIZ
        return "Revoir le module", {**query, "lecon": first}
    if place.is_quiz:
        return "Passer le quiz final", {**query, "lecon": QUIZ}
    lesson = module.lesson(place.lesson_id)
    verb = (
        "Commencer" if progress.lesson_status(module, lesson) == places.NOT_STARTED else "Continuer"
    )
    return f"{verb} : {lesson.title}", {**query, "lecon": lesson.id}


def resume_target() -> tuple[str, str, dict] | None:
    """Label, page and query parameters of « Reprendre »: the next unfinished place of the
    module last worked on (or of the next unfinished module), or the scenario last played."""
    resume = overview.resume
    if resume is None:
        return None
    if resume.kind == "scenario" and resume.scenario_id in cat.scenarios:
        scenario = cat.scenarios[resume.scenario_id]
        return scenario.title, "app_pages/scenario.py", {"scenario": scenario.id}
    modules = list(cat.course.modules.values())
    if resume.kind != "lesson" or resume.module_id not in cat.course.modules:
        return None
    start = [module.id for module in modules].index(resume.module_id)
    for module in modules[start:] + modules[:start]:
        if progress.module_status(module) != "completed":
            label, query = module_link(module)
            title = label.partition(" : ")[2] or f"quiz final « {module.title} »"
            return title, "app_pages/module.py", query
    return None


if target := resume_target():
    title, page, query = target
    if st.button(f"▶️ Reprendre : {title}", type="primary", width="stretch"):
        st.switch_page(page, query_params=query)

due_parts.learner_list(progress.person.id, {m.id: m.title for m in cat.course.modules.values()})
st.subheader("Mes modules")
for module in cat.course.modules.values():
    done, total = progress.lessons_done(module), len(module.lessons)
    status = progress.module_status(module)
    with st.container(border=True):
        st.markdown(f"**{module.order}. {module.title}**")
        st.progress(
            done / total if total else 0.0,
            text=f"{done} leçon(s) sur {total} · {labels.status(status or 'not_started')}",
        )
        label, query = module_link(module)
        if status == "completed":
            st.caption("✔ Module terminé : leçons vues et quiz réussi.")
        if st.button(label, key=f"open-{module.id}"):
            st.switch_page("app_pages/module.py", query_params=query)
        if status == "completed" and st.button("Refaire le quiz", key=f"quiz-{module.id}"):
            st.switch_page("app_pages/module.py", query_params={**query, "lecon": QUIZ})

st.subheader("Mes mises en situation")
for scenario in cat.scenarios.values():
    row = overview.scenarios.get(scenario.id) or {}
    best = row.get("best_outcome")
    with st.container(border=True):
        st.markdown(f"**{scenario.title}** · {scenario.duration} min")
        st.caption(scenario.summary)
        if best:
            ui.outcome_badge(best)
        if st.button("Jouer", key=f"play-{scenario.id}"):
            st.switch_page("app_pages/scenario.py", query_params={"scenario": scenario.id})
