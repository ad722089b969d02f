"""The scenario engine: a pure state machine over a `Scenario`.

Theory of operation
-------------------
A playthrough is a JSON-safe dict::

    {"scenario": "bruit-nuit", "node": "loge",
     "vars": {"tension": 4, ...}, "competencies": {"ecoute": 0, ...},
     "used": ["loge#1"],                       # once-only choices already taken
     "history": [{"node": "loge", "choice": 1}, ...],   # every decision, in order
     "seed": 1804289383}                       # the order choices are shown in

There are two kinds of moves, and one function owns each:

    choose(choice)   at a decision node, take an available choice -> the target node
    rewind(k)        go back to just before decision k ("rejouer à partir d'ici")

A node with an `ending` is terminal: `is_over` is true and no move but `rewind` is legal.
`rewind` replays the first k decisions from `start`: effects are deterministic, so the
history alone is the truth and the cached `vars` can never drift from it.

Authors tend to write the best choice first, so the order a node's choices are shown in is
shuffled, once per playthrough: `seed` (drawn by `start`, kept by `rewind` and `restore`)
fixes one permutation per node, so a resumed or rewound game, and every screen showing a
group's state, list the same choices in the same order. A choice is still named by its
authored `index`; a state saved before seeds existed (no `seed`) keeps the authored order.

Every function is pure: it returns a new state and never mutates its argument. An illegal
move raises `IllegalMove`, naming the node and the move, and the caller keeps its state.

The engine is the one owner of the rules of a move: `is_available` (once-only and
conditions) and `apply_effects` (effects in order, each clamped into its variable's range).
The linter's exhaustive exploration (`explore.py`) calls them on its own compact states.
"""

from __future__ import annotations

import copy
import random
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

from proxi.content import expr
from proxi.content.scenario import Choice, Ending, Line, Node, Scenario
from proxi.errors import IllegalMove


class Step(TypedDict):
    node: str
    choice: int  # the choice's index in the node's authored list


class State(TypedDict):
    """A playthrough, JSON-safe (it lives in st.session_state and in SQLite)."""

    scenario: str
    node: str
    vars: dict[str, int]
    competencies: dict[str, int]
    used: list[str]  # once-only choices taken, as once_mark() writes them
    history: list[Step]
    seed: NotRequired[int | None]  # the order choices are shown in (None or absent: authored)


@dataclass(frozen=True)
class View:
    """What to show now."""

    node: Node
    lines: tuple[Line, ...]
    choices: tuple[Choice, ...]  # only the available ones, in the playthrough's order
    ending: Ending | None
    decision: int  # how many decisions were taken before this screen
    last_choice: Choice | None  # the choice that led here, for its feedback


@dataclass(frozen=True)
class PathStep:
    decision: int
    node_id: str
    choice: Choice


@dataclass(frozen=True)
class Result:
    ending: Ending
    node_id: str
    competencies: dict[str, int]
    path: tuple[PathStep, ...]


def start(scenario: Scenario, seed: int | None = None) -> State:
    """A fresh playthrough at the start node; `seed` fixes the choice order (random if None)."""
    return {
        "scenario": scenario.id,
        "node": scenario.start,
        "vars": {name: var.start for name, var in scenario.variables.items()},
        "competencies": dict.fromkeys(scenario.competencies, 0),
        "used": [],
        "history": [],
        "seed": secrets.randbelow(2**31) if seed is None else seed,
    }


def available_choices(scenario: Scenario, state: State) -> tuple[Choice, ...]:
    """The choices that can be taken now, in the order this playthrough shows them."""
    node = _node(scenario, state)
    if node.ending:
        return ()
    return tuple(
        choice for choice in _shown_order(node, state) if _is_available(choice, node, state)
    )


def _shown_order(node: Node, state: State) -> list[Choice]:
    choices = list(node.choices)
    if state.get("seed") is not None:
        # A string seed is hashed with SHA-512: the same order on every machine and run.
        random.Random(f"{state['seed']}/{node.id}").shuffle(choices)
    return choices


def once_mark(node_id: str, choice: Choice) -> str:
    """How a once-only choice is remembered as taken."""
    return f"{node_id}#{choice.index}"


def is_available(
    choice: Choice, node_id: str, values: Mapping[str, int], used: Collection[str]
) -> bool:
    """A choice can be taken: not a once-only choice already taken, and its condition holds."""
    if choice.once and once_mark(node_id, choice) in used:
        return False
    return choice.condition is None or bool(expr.evaluate(choice.condition, values))


def _is_available(choice: Choice, node: Node, state: State) -> bool:
    return is_available(choice, node.id, state["vars"], state["used"])


def view(scenario: Scenario, state: State) -> View:
    node = _node(scenario, state)
    return View(
        node=node,
        lines=node.lines,
        choices=available_choices(scenario, state),
        ending=node.ending,
        decision=len(state["history"]),
        last_choice=last_choice(scenario, state),
    )


def last_choice(scenario: Scenario, state: State) -> Choice | None:
    if not state["history"]:
        return None
    step = state["history"][-1]
    return scenario.nodes[step["node"]].choices[step["choice"]]


def is_over(scenario: Scenario, state: State) -> bool:
    return _node(scenario, state).ending is not None


def choose(scenario: Scenario, state: State, choice_index: int) -> State:
    """Take choice `choice_index` (its index in the node's authored list)."""
    node = _node(scenario, state)
    if node.ending:
        raise IllegalMove(f"la scène est terminée (fin « {node.id} ») : aucun choix possible")
    if not isinstance(choice_index, int) or not 0 <= choice_index < len(node.choices):
        raise IllegalMove(f"le choix {choice_index} n'existe pas au nœud « {node.id} »")
    choice = node.choices[choice_index]
    if not _is_available(choice, node, state):
        raise IllegalMove(f"le choix {choice_index} n'est pas disponible au nœud « {node.id} »")
    new = copy.deepcopy(state)
    new["vars"], _ = apply_effects(scenario, choice, state["vars"])
    for code, amount in choice.competencies:
        new["competencies"][code] = new["competencies"].get(code, 0) + amount
    if choice.once:
        new["used"].append(once_mark(node.id, choice))
    new["history"].append({"node": node.id, "choice": choice.index})
    new["node"] = choice.goto
    return new


def apply_effects(
    scenario: Scenario, choice: Choice, values: Mapping[str, int]
) -> tuple[dict[str, int], list[tuple[str, int]]]:
    """The values after the choice's effects, applied in order, each clamped into its
    variable's range (a last defence: the linter reports overflow, S-codes), and the
    (variable, unclamped value) of every effect that overflowed."""
    new, overflows = dict(values), []
    for effect in choice.effects:
        variable = scenario.variables[effect.variable]
        value = effect.apply(new)
        if not variable.minimum <= value <= variable.maximum:
            overflows.append((effect.variable, value))
        new[effect.variable] = max(variable.minimum, min(variable.maximum, value))
    return new, overflows


def rewind(scenario: Scenario, state: State, decision: int) -> State:
    """Go back to just before decision number `decision` (0 is the first decision)."""
    history = state["history"]
    if not isinstance(decision, int) or not 0 <= decision < len(history):
        raise IllegalMove(
            f"impossible de revenir à la décision {decision} : "
            f"cette partie compte {len(history)} décision(s)"
        )
    return _replay(scenario, [step["choice"] for step in history[:decision]], state.get("seed"))


def replay(scenario: Scenario, choices: list[int], seed: int | None = None) -> State:
    """The state reached by taking `choices` from the start (raises IllegalMove if one fails)."""
    return _replay(scenario, choices, start(scenario, seed)["seed"])


def _replay(scenario: Scenario, choices: list[int], seed: int | None) -> State:
    state = start(scenario, seed=0) | {"seed": seed}  # None stays None: a pre-seed save
    for choice_index in choices:
        state = choose(scenario, state, choice_index)
    return state


def restore(scenario: Scenario, saved: Mapping[str, Any]) -> State:
    """Rebuild a saved state against the current scenario file.

    Replaying the history validates it: if the scenario was edited and the saved path no
    longer exists, IllegalMove tells the caller to start again.
    """
    if saved.get("scenario") != scenario.id:
        raise IllegalMove(f"cette partie appartient à un autre scénario ({saved.get('scenario')})")
    state = _replay(
        scenario, [step["choice"] for step in saved.get("history", [])], saved.get("seed")
    )
    if [step["node"] for step in state["history"]] != [
        step["node"] for step in saved.get("history", [])
    ]:
        raise IllegalMove("le scénario a changé depuis cette partie")
    return state


def result(scenario: Scenario, state: State) -> Result:
    """The outcome of a finished playthrough: ending, competencies, path with feedback."""
    node = _node(scenario, state)
    if node.ending is None:
        raise IllegalMove(f"la scène n'est pas terminée (nœud « {node.id} »)")
    path = tuple(
        PathStep(number, step["node"], scenario.nodes[step["node"]].choices[step["choice"]])
        for number, step in enumerate(state["history"])
    )
    return Result(node.ending, node.id, dict(state["competencies"]), path)


def _node(scenario: Scenario, state: State) -> Node:
    try:
        return scenario.nodes[state["node"]]
    except KeyError:
        raise IllegalMove(f"nœud inconnu « {state['node']} » dans ce scénario") from None
