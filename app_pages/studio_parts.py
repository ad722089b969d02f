"""The studio's findings (each with the lines it points at), story map and play-test.

The map and the play-test work on what reads (`proxi.content.sketch`): with errors, the
broken nodes are marked and a choice leading nowhere cannot be taken, the rest plays.
"""

from __future__ import annotations

import streamlit as st

from app_pages import ui
from proxi.content import engine
from proxi.content.findings import ERROR
from proxi.content.markdown import plain
from proxi.content.scenario import Scenario
from proxi.content.storymap import to_dot
from proxi.content.studio import Check, excerpt, playtest_state
from proxi.errors import IllegalMove, ProxiError

STACK = "studio-playtest"


def findings(checked: Check, text: str) -> None:
    """The count, then each finding with its lines numbered as in the file."""
    warnings = len(checked.findings) - checked.errors
    st.markdown(f"**Vérification :** {checked.errors} erreur(s), {warnings} avertissement(s)")
    for finding in checked.findings:
        (st.error if finding.severity == ERROR else st.warning)(
            f"Ligne {finding.line}, colonne {finding.col} — {finding.code} : {plain(finding.message)}"
        )
        st.code(excerpt(text, finding.line, finding.col), language=None, wrap_lines=True)
    if checked.report:
        report = checked.report
        paths = report.paths_text()
        st.caption(
            f"{report.nodes} nœuds · {paths} parcours · fins atteintes : {', '.join(report.endings_reached) or 'aucune'}"
        )


def story_map(checked: Check, person) -> None:
    sketch = checked.sketch
    if sketch.scenario is None:
        st.info(_unreadable(sketch.set_aside))
        return
    if checked.errors:
        st.warning(
            "Carte de ce qui se lit : les nœuds en rouge contiennent une erreur (ligne indiquée), "
            "« ? » marque un nœud qui n'existe pas."
        )
    show_counts = st.toggle("Épaisseur selon les choix des apprenants", value=False)
    counts = choice_counts(person, sketch.scenario.id) if show_counts else None
    st.graphviz_chart(to_dot(sketch.scenario, counts, sketch.broken))
    st.caption(
        "Bleu : départ · vert / orange / rouge : fins favorable / mitigée / défavorable · pointillés : choix sous condition · bord rouge : nœud jamais atteint ou impasse."
    )


def _unreadable(set_aside: tuple[int, ...]) -> str:
    where = f" (ligne {set_aside[0]})" if set_aside else ""
    return (
        f"Le fichier ne se lit pas encore{where} : il faut au moins « nodes: » avec un nœud. "
        "La carte et l'essai apparaissent dès qu'un nœud se lit."
    )


def playtest(checked: Check) -> None:
    """Start anywhere with any values; choose, watch and edit variables, step back. Nothing saved."""
    scenario = checked.sketch.scenario
    if scenario is None:
        st.info(_unreadable(checked.sketch.set_aside))
        return
    if checked.errors:
        st.warning("Essai de ce qui se lit : un choix qui mène à un nœud inconnu ne se prend pas.")
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
    _screen(scenario, stack, checked.sketch.broken)


def _screen(scenario: Scenario, stack: list[dict], broken: dict[str, int]) -> None:
    state = stack[-1]
    view = engine.view(scenario, state)
    st.markdown(f"**Nœud : {view.node.id}**")
    if view.node.id in broken:
        st.error(
            f"Ce nœud contient une erreur (ligne {broken[view.node.id]}) : il peut être incomplet."
        )
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
        nowhere = choice.goto not in scenario.nodes
        label = f"{choice.text}{condition}" + (
            f" — mène à « {choice.goto} », qui n'existe pas" if nowhere else ""
        )
        if st.button(
            label, key=f"try-{state['node']}-{choice.index}-{len(stack)}", disabled=nowhere
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
