"""The ending screen of a scenario: debrief, what a professional would do, the path."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from app_pages import ui
from proxi.content import engine
from proxi.content.scenario import Scenario


def show_debrief(scenario: Scenario, state: dict, restart: Callable[[dict], None]) -> None:
    """The ending reached from `state`; « Rejouer depuis le début » calls `restart(state)`."""
    result = engine.result(scenario, state)
    ending = result.ending
    st.header(ending.title)
    ui.outcome_badge(ending.outcome)
    st.markdown("#### Débriefing")
    st.markdown(ending.debrief)
    st.markdown("#### Ce qu'un professionnel ferait")
    st.markdown(ending.professional)
    if ending.references:
        st.markdown("#### Références")
        st.markdown("\n".join(f"- {reference}" for reference in ending.references))
    st.markdown("#### Vos compétences dans cette partie")
    ui.competency_chart(result.competencies)
    st.markdown("#### Votre parcours")
    for step in result.path:
        st.markdown(f"{step.decision + 1}. **{step.choice.text}** — {step.choice.feedback}")
    st.button(
        "Rejouer depuis le début", type="primary", width="stretch", on_click=restart, args=(state,)
    )
