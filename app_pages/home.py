"""Learner home: my modules with progress, my scenarios with the best ending, « Reprendre »."""

import streamlit as st

from app_pages import ui
from app_pages.session import learner_progress

STATUS = {
    "not_started": "Pas commencé",
    "in_progress": "En cours",
    "quiz_failed": "Quiz à repasser",
    "completed": "Terminé",
}

progress = learner_progress()
overview = progress.overview
cat = ui.catalogue()
st.title(f"Bonjour {progress.person.display_name}")
ui.content_errors(cat)


def resume_target() -> tuple[str, str, dict] | None:
    """Label, page and query parameters of « Reprendre », if that place still exists."""
    resume = overview.resume
    if resume is None:
        return None
    if resume.kind == "lesson" and (
        lesson := cat.course.lesson(f"{resume.module_id}/{resume.lesson_id}")
    ):
        return (
            lesson.title,
            "app_pages/module.py",
            {"module": resume.module_id, "lecon": resume.lesson_id},
        )
    if resume.kind == "scenario" and resume.scenario_id in cat.scenarios:
        scenario = cat.scenarios[resume.scenario_id]
        return scenario.title, "app_pages/scenario.py", {"scenario": scenario.id}
    return None


if target := resume_target():
    title, page, query = target
    if st.button(f"▶️ Reprendre : {title}", type="primary", width="stretch"):
        st.switch_page(page, query_params=query)

st.subheader("Mes modules")
for module in cat.course.modules.values():
    row = overview.module(module.id)
    done, total = row.get("lessons_done") or 0, len(module.lessons)
    with st.container(border=True):
        st.markdown(f"**{module.order}. {module.title}**")
        st.progress(
            done / total if total else 0.0,
            text=f"{done} leçon(s) sur {total} · {STATUS.get(row.get('status'), 'Pas commencé')}",
        )
        if st.button("Ouvrir", key=f"open-{module.id}"):
            st.switch_page("app_pages/module.py", query_params={"module": module.id})

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
