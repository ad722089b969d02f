"""The studio's play-test panel and path-analytics counts (kept apart to keep pages short)."""

from __future__ import annotations

import streamlit as st

from app_pages import ui
from proxi.content import engine
from proxi.content.scenario import Scenario
from proxi.content.studio import playtest_state
from proxi.errors import IllegalMove, ProxiError

STACK = "studio-playtest"


def playtest(scenario: Scenario) -> None:
    """Start anywhere with any values; choose, watch and edit variables, step back. Nothing saved."""
    start_column, values_column = st.columns(2)
    node_id = start_column.selectbox(
        "Commencer au nœud", list(scenario.nodes), index=list(scenario.nodes).index(scenario.start)
    )
    values = {
        name: values_column.number_input(
            variable.label, variable.minimum, variable.maximum, variable.start, key=f"start-{name}"
        )
        for name, variable in scenario.variables.items()
    }
    if st.button("Jouer à partir d'ici"):
        try:
            st.session_state[STACK] = [playtest_state(scenario, node_id, values)]
        except ProxiError as error:
            st.error(str(error))
    stack = st.session_state.get(STACK)
    if not stack or stack[0]["scenario"] != scenario.id or stack[-1]["node"] not in scenario.nodes:
        st.caption(
            "Choisissez un nœud et des valeurs, puis « Jouer à partir d'ici ». Rien n'est enregistré dans la progression de qui que ce soit."
        )
        return
    _screen(scenario, stack)


def _screen(scenario: Scenario, stack: list[dict]) -> None:
    state = stack[-1]
    view = engine.view(scenario, state)
    st.markdown(f"**Nœud : {view.node.id}**")
    _variable_watch(scenario, state)
    if view.last_choice:
        st.info(view.last_choice.feedback or "(pas de feedback)")
    if view.node.narration:
        st.markdown(view.node.narration)
    for line in view.lines:
        st.markdown(f"**{scenario.speaker_name(line.speaker)}** : {line.text}")
    if view.ending:
        ui.outcome_badge(view.ending.outcome)
        st.markdown(f"**{view.ending.title}** — {view.ending.debrief}")
    for choice in view.choices:
        condition = f" *(si {choice.condition_text})*" if choice.condition_text else ""
        if st.button(
            f"{choice.text}{condition}", key=f"try-{state['node']}-{choice.index}-{len(stack)}"
        ):
            try:
                stack.append(engine.choose(scenario, state, choice.index))
            except IllegalMove as error:
                st.error(str(error))
            st.rerun()
    if len(stack) > 1 and st.button("↩ Revenir au choix précédent"):
        stack.pop()
        st.rerun()


def _variable_watch(scenario: Scenario, state: dict) -> None:
    """Current values, editable on the spot to try a branch."""
    columns = st.columns(max(1, len(scenario.variables)))
    for column, (name, variable) in zip(columns, scenario.variables.items(), strict=False):
        state["vars"][name] = column.number_input(
            variable.label,
            variable.minimum,
            variable.maximum,
            state["vars"][name],
            key=f"watch-{name}-{id(state)}",
        )


def choice_counts(person, scenario_id: str) -> dict[tuple[str, int], int]:
    """How often each choice was taken, within what this person may see."""
    from app_pages.connection import db
    from proxi.progress import reports

    counts: dict[tuple[str, int], int] = {}
    for row in reports.path_analytics(db(), reports.Viewer.of(person), scenario_id):
        key = (row.node_id, row.choice_index)
        counts[key] = counts.get(key, 0) + row.count
    return counts
