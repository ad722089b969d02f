"""Scenario player: the scene, choices as big buttons, feedback, tension, rewind, debrief."""

from __future__ import annotations

import streamlit as st

from app_pages import ui
from app_pages.session import learner_progress
from proxi.content import engine
from proxi.content.scenario import Scenario
from proxi.errors import IllegalMove

cat = ui.catalogue()
progress = learner_progress()
st.title("Mises en situation")
ui.content_errors(cat, "scenarios")
if not cat.scenarios:
    st.info("Aucune mise en situation n'est disponible pour l'instant.")
    st.stop()

ids = list(cat.scenarios)
wanted = st.query_params.get("scenario") or progress.last_scenario() or ids[0]
if wanted not in cat.scenarios:
    st.warning(
        "Cette mise en situation a été retirée ou contient une erreur. Choisissez-en une autre."
    )
    wanted = ids[0]
scenario_id = st.selectbox(
    "Situation", ids, index=ids.index(wanted), format_func=lambda i: cat.scenarios[i].title
)
st.query_params["scenario"] = scenario_id
scenario: Scenario = cat.scenarios[scenario_id]


def load_state() -> dict:
    key = f"scenario-state-{scenario.id}"
    if key not in st.session_state:
        saved = progress.saved_state(scenario)
        try:
            st.session_state[key] = (
                engine.restore(scenario, saved) if saved else engine.start(scenario)
            )
        except IllegalMove:
            st.warning(
                "Cette mise en situation a été modifiée depuis votre dernière partie : elle recommence au début."
            )
            st.session_state[key] = engine.start(scenario)
    return st.session_state[key]


def save(new_state: dict, verb: str, **detail) -> None:
    """Record the move, then make it this tab's current state."""
    progress.record_scenario(scenario, new_state, verb, **detail)
    st.session_state[f"scenario-state-{scenario.id}"] = new_state


def move(new_state: dict, verb: str, **detail) -> None:
    save(new_state, verb, **detail)
    st.rerun()


def choose(index: int) -> None:
    """A choice button's callback, so that a choice costs one script run, not two."""
    save(engine.choose(scenario, state, index), "chose", node=state["node"], choice=index)


state = load_state()
view = engine.view(scenario, state)
with st.expander("Le contexte et les personnages"):
    st.markdown(scenario.summary)
    for character in scenario.characters.values():
        st.markdown(f"**{character.name}** — {character.card['who']}")

if view.last_choice and view.last_choice.feedback:
    st.info(f"**Votre choix :** {view.last_choice.text}\n\n{view.last_choice.feedback}", icon="💬")
ui.scenario_gauges(scenario, state["vars"])
if view.node.narration:
    ui.markdown(view.node.narration, cat.course)
for line in view.lines:
    with st.chat_message("user" if line.speaker == scenario.player else "assistant", avatar="🗣️"):
        st.markdown(f"**{scenario.speaker_name(line.speaker)}** : {line.text}")

if view.ending:
    from app_pages.debrief import show_debrief

    show_debrief(scenario, state, move)
else:
    st.markdown("**Que faites-vous ?**")
    for choice in view.choices:
        st.button(
            choice.text,
            key=f"choice-{state['node']}-{choice.index}",
            width="stretch",
            on_click=choose,
            args=(choice.index,),
        )

if state["history"]:
    with st.expander("Rejouer à partir d'une décision"):
        for step in reversed(range(len(state["history"]))):
            past = state["history"][step]
            text = scenario.nodes[past["node"]].choices[past["choice"]].text
            if st.button(
                f"Décision {step + 1} : « {text} » — rejouer à partir d'ici", key=f"rewind-{step}"
            ):
                move(engine.rewind(scenario, state, step), "rewound", decision=step)
