"""Scenario player: the scene, choices as big buttons, feedback, tension, rewind, debrief."""

from __future__ import annotations

import streamlit as st

from app_pages import ui
from app_pages.learner import learner_progress
from proxi.content import engine
from proxi.content.scenario import Scenario
from proxi.errors import IllegalMove, StaleMove
from proxi.labels import quoted

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
    "Situation", ids, index=ids.index(wanted), format_func=cat.scenario_titles().get
)
st.query_params["scenario"] = scenario_id
scenario: Scenario = cat.scenarios[scenario_id]


KEY, NOTICE = f"scenario-state-{scenario.id}", "scenario-notice"


def load_state() -> dict:
    """This tab's state; replayed on the new version when the file changed since."""
    held = st.session_state.get(KEY)
    if held is not None and held["digest"] == scenario.digest:
        return held["state"]
    state = resumed(held["state"] if held else progress.saved_state(scenario))
    keep(state)
    return state


def resumed(saved: dict | None) -> dict:
    """The saved state replayed on this version of the file, or a fresh start (said so)."""
    if not saved:
        return engine.start(scenario)
    try:
        return engine.restore(scenario, saved)
    except IllegalMove:
        st.session_state[NOTICE] = (
            "Cette mise en situation a été modifiée depuis votre dernière partie : "
            "elle recommence au début."
        )
        state = engine.start(scenario)
        progress.record_scenario(scenario, state, "started")
        return state


def keep(state: dict) -> None:
    st.session_state[KEY] = {"digest": scenario.digest, "state": state}


def save(new_state: dict, verb: str, made_from: dict, **detail) -> None:
    """Record the move made from `made_from`, then show it; a move from an old screen is not."""
    try:
        progress.record_scenario(scenario, new_state, verb, made_from=made_from, **detail)
    except StaleMove as stale:
        current = resumed(stale.current)
        keep(current)
        if current["history"] != new_state["history"]:  # not just the same tap twice
            st.session_state[NOTICE] = (
                "Ce choix n'a pas été enregistré : la mise en situation a avancé entre-temps "
                "(dans un autre onglet ?). Voici où vous en êtes."
            )
        return
    keep(new_state)


def move(new_state: dict, verb: str, **detail) -> None:
    save(new_state, verb, state, **detail)
    st.rerun()


def choose(index: int, shown: dict) -> None:
    """A choice button's callback (one script run per choice), with the state it was shown on."""
    save(engine.choose(scenario, shown, index), "chose", shown, node=shown["node"], choice=index)


state = load_state()
view = engine.view(scenario, state)
with st.expander("Le contexte et les personnages"):
    st.markdown(scenario.summary)
    for character in scenario.characters.values():
        st.markdown(f"**{character.name}** — {character.card['who']}")

# After a move (a choice, a rewind) the next scene opens at its top, not where the tapped
# button was; the page's first draw of a scenario stays at the page's own top.
place = f"{state['node']}:{len(state['history'])}"
last_place = f"scenario-place-{scenario.id}"
if st.session_state.get(last_place) not in (None, place):
    ui.scroll_to_title(f"{scenario.id}:{place}")
st.session_state[last_place] = place
if notice := st.session_state.pop(NOTICE, None):  # at the scene's top, where the eye is
    st.warning(notice)
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
            args=(choice.index, state),
        )

if state["history"]:
    with st.expander("Rejouer à partir d'une décision"):
        for step in reversed(range(len(state["history"]))):
            past = state["history"][step]
            text = scenario.nodes[past["node"]].choices[past["choice"]].text
            if st.button(
                f"Décision {step + 1} : {quoted(text)} — rejouer à partir d'ici",
                key=f"rewind-{step}",
            ):
                move(engine.rewind(scenario, state, step), "rewound", decision=step)
