"""Scenario player: the scene, choices as big buttons, feedback, tension, rewind, debrief.

The scene is a fragment (`scene`): a choice, a rewind or « Rejouer depuis le début » reruns
the scene alone, not the menu, the title and the list of situations; none of them changes
what the page shows around it.
"""

from __future__ import annotations

import streamlit as st

from app_pages import ui
from app_pages.learner import LearnerProgress, learner_progress
from proxi.content import engine
from proxi.content.catalogue import Catalogue
from proxi.content.scenario import Scenario
from proxi.errors import IllegalMove, StaleMove
from proxi.labels import quoted

NOTICE = "scenario-notice"


class Game:
    """One learner's game of one scenario, as this tab shows it."""

    def __init__(self, scenario: Scenario, progress: LearnerProgress) -> None:
        self.scenario, self.progress = scenario, progress
        self.key = f"scenario-state-{scenario.id}"

    def load_state(self) -> dict:
        """This tab's state; replayed on the new version when the file changed since."""
        held = st.session_state.get(self.key)
        if held is not None and held["digest"] == self.scenario.digest:
            return held["state"]
        state = self.resumed(held["state"] if held else self.progress.saved_state(self.scenario))
        self.keep(state)
        return state

    def resumed(self, saved: dict | None) -> dict:
        """The saved state replayed on this version of the file, or a fresh start (said so)."""
        if not saved:
            return engine.start(self.scenario)
        try:
            return engine.restore(self.scenario, saved)
        except IllegalMove:
            st.session_state[NOTICE] = (
                "Cette mise en situation a été modifiée depuis votre dernière partie : "
                "elle recommence au début."
            )
            state = engine.start(self.scenario)
            self.progress.record_scenario(self.scenario, state, "started")
            return state

    def keep(self, state: dict) -> None:
        st.session_state[self.key] = {"digest": self.scenario.digest, "state": state}

    def save(self, new_state: dict, verb: str, made_from: dict, **detail) -> None:
        """Record the move made from `made_from`, then show it; a move from an old screen
        is not."""
        try:
            self.progress.record_scenario(
                self.scenario, new_state, verb, made_from=made_from, **detail
            )
        except StaleMove as stale:
            current = self.resumed(stale.current)
            self.keep(current)
            if current["history"] != new_state["history"]:  # not just the same tap twice
                st.session_state[NOTICE] = (
                    "Ce choix n'a pas été enregistré : la mise en situation a avancé "
                    "entre-temps (dans un autre onglet ?). Voici où vous en êtes."
                )
            return
        self.keep(new_state)

    # Buttons' callbacks (one script run per tap), each with the state its screen showed.
    def choose(self, index: int, shown: dict) -> None:
        new_state = engine.choose(self.scenario, shown, index)
        self.save(new_state, "chose", shown, node=shown["node"], choice=index)

    def rewind(self, decision: int, shown: dict) -> None:
        self.save(engine.rewind(self.scenario, shown, decision), "rewound", shown,
                  decision=decision)  # fmt: skip

    def restart(self, shown: dict) -> None:
        self.save(engine.start(self.scenario), "restarted", shown)


def situation(cat: Catalogue, progress: LearnerProgress) -> Scenario:
    """The list of situations; the one picked (the URL's, else the last one played)."""
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
    return cat.scenarios[scenario_id]


@st.fragment
def scene(scenario_id: str) -> None:
    """The scene and what one may do there. Its argument is an id, and the content and
    the learner's progress are read again: a fragment's rerun reuses the arguments of the
    full run that drew it, and checks the session itself (app_pages/identity.py)."""
    cat = ui.catalogue()
    scenario = cat.scenarios.get(scenario_id)
    if scenario is None or st.query_params.get("scenario") != scenario_id:
        st.rerun()  # the file was changed or removed meanwhile: the page says so
    game = Game(scenario, learner_progress())
    state = game.load_state()
    view = engine.view(scenario, state)
    # After a move (a choice, a rewind) the next scene opens at its top, not where the
    # tapped button was; the page's first draw of a scenario stays at the page's own top.
    place = f"{state['node']}:{len(state['history'])}"
    last_place = f"scenario-place-{scenario.id}"
    if st.session_state.get(last_place) not in (None, place):
        ui.scroll_to_title(f"{scenario.id}:{place}")
    st.session_state[last_place] = place
    if notice := st.session_state.pop(NOTICE, None):  # at the scene's top, where the eye is
        st.warning(notice)
    if view.last_choice and view.last_choice.feedback:
        st.info(
            f"**Votre choix :** {view.last_choice.text}\n\n{view.last_choice.feedback}", icon="💬"
        )
    ui.scenario_gauges(scenario, state["vars"])
    if view.node.narration:
        ui.markdown(view.node.narration, cat.course)
    for line in view.lines:
        speaker = "user" if line.speaker == scenario.player else "assistant"
        with st.chat_message(speaker, avatar="🗣️"):
            st.markdown(f"**{scenario.speaker_name(line.speaker)}** : {line.text}")
    if view.ending:
        from app_pages.debrief import show_debrief

        show_debrief(scenario, state, game.restart)
    else:
        choices(view, state, game)
    if state["history"]:
        replays(scenario, state, game)


def choices(view, state: dict, game: Game) -> None:
    st.markdown("**Que faites-vous ?**")
    for choice in view.choices:
        st.button(
            choice.text,
            key=f"choice-{state['node']}-{choice.index}",
            width="stretch",
            on_click=game.choose,
            args=(choice.index, state),
        )


def replays(scenario: Scenario, state: dict, game: Game) -> None:
    with st.expander("Rejouer à partir d'une décision"):
        for step in reversed(range(len(state["history"]))):
            past = state["history"][step]
            text = scenario.nodes[past["node"]].choices[past["choice"]].text
            st.button(
                f"Décision {step + 1} : {quoted(text)} — rejouer à partir d'ici",
                key=f"rewind-{step}",
                on_click=game.rewind,
                args=(step, state),
            )


cat = ui.catalogue()
progress = learner_progress()
st.title("Mises en situation")
ui.content_errors(cat, "scenarios")
if not cat.scenarios:
    st.info("Aucune mise en situation n'est disponible pour l'instant.")
    st.stop()

scenario = situation(cat, progress)
with st.expander("Le contexte et les personnages"):
    st.markdown(scenario.summary)
    for character in scenario.characters.values():
        st.markdown(f"**{character.name}** — {character.card['who']}")
scene(scenario.id)
