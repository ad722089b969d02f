"""Walk the engine move by move and assert the whole state after each (h11 style)."""

import copy
import dataclasses
import json
import re
from pathlib import Path

import pytest

from proxi.content import engine, expr
from proxi.content.scenario import load_scenario
from proxi.errors import IllegalMove

FIXTURE = Path(__file__).parent / "fixtures" / "scenarios" / "porte.yaml"


@pytest.fixture(scope="module")
def scenario():
    loaded, findings = load_scenario(FIXTURE)
    assert findings == []
    return loaded


def test_start(scenario):
    assert engine.start(scenario, seed=7) == {
        "scenario": "porte",
        "node": "accueil",
        "vars": {"tension": 3, "note": 0},
        "competencies": {"ecoute": 0, "tracabilite": 0},
        "used": [],
        "history": [],
        "seed": 7,
    }
    assert isinstance(engine.start(scenario)["seed"], int)


def test_walk_to_the_favourable_ending(scenario):
    state = engine.start(scenario, seed=7)
    state = engine.choose(scenario, state, 1)  # send him away
    assert state == {
        "scenario": "porte",
        "node": "colere",
        "vars": {"tension": 5, "note": 0},
        "competencies": {"ecoute": -2, "tracabilite": 0},
        "used": [],
        "history": [{"node": "accueil", "choice": 1}],
        "seed": 7,
    }
    state = engine.choose(scenario, state, 0)  # apologise and listen
    assert (state["node"], state["vars"]) == ("ecoute", {"tension": 4, "note": 0})
    assert sorted(c.index for c in engine.view(scenario, state).choices) == [0, 2]
    state = engine.choose(scenario, state, 0)  # write the report, once
    assert state == {
        "scenario": "porte",
        "node": "ecoute",
        "vars": {"tension": 4, "note": 1},
        "competencies": {"ecoute": -1, "tracabilite": 2},
        "used": ["ecoute#0"],
        "history": [
            {"node": "accueil", "choice": 1},
            {"node": "colere", "choice": 0},
            {"node": "ecoute", "choice": 0},
        ],
        "seed": 7,
    }
    view = engine.view(scenario, state)
    assert [c.index for c in view.choices] == [1]  # once-only gone, condition now true
    assert view.last_choice.feedback == "L'écrit garde la trace."
    state = engine.choose(scenario, state, 1)
    assert engine.is_over(scenario, state)
    result = engine.result(scenario, state)
    assert result.ending.outcome == "favourable"
    assert result.competencies == {"ecoute": 0, "tracabilite": 2}
    assert [step.choice.feedback for step in result.path][-1] == "Vous avez tout fait."


def test_rewind_replays_exactly(scenario):
    state = engine.replay(scenario, [1, 0, 0, 1], seed=3)
    rewound = engine.rewind(scenario, state, 1)
    assert rewound == engine.replay(scenario, [1], seed=3)
    assert engine.rewind(scenario, state, 0) == engine.start(scenario, seed=3)


def shown(scenario, state):
    return [choice.index for choice in engine.available_choices(scenario, state)]


def test_the_choice_order_depends_on_the_seed_only(scenario):
    orders = {tuple(shown(scenario, engine.start(scenario, seed))) for seed in range(40)}
    assert len(orders) > 1 and all(sorted(order) == [0, 1] for order in orders)
    assert shown(scenario, engine.start(scenario, 5)) == shown(scenario, engine.start(scenario, 5))


def test_resume_and_rewind_show_the_same_order(scenario):
    for seed in range(20):
        state = engine.replay(scenario, [1], seed=seed)
        order = shown(scenario, state)
        assert shown(scenario, engine.restore(scenario, json.loads(json.dumps(state)))) == order
        back = engine.rewind(scenario, engine.choose(scenario, state, 0), 1)
        assert shown(scenario, back) == order


def test_a_game_saved_before_seeds_keeps_the_authored_order(scenario):
    saved = engine.replay(scenario, [1, 0])
    del saved["seed"]
    restored = engine.restore(scenario, saved)
    assert restored["seed"] is None and shown(scenario, restored) == [0, 2]


def test_state_round_trips_through_json(scenario):
    state = engine.replay(scenario, [0, 0])
    assert json.loads(json.dumps(state)) == state
    assert engine.restore(scenario, json.loads(json.dumps(state))) == state


@pytest.mark.parametrize(
    ("choices", "move", "message"),
    [
        ([], ("choose", 7), "le choix 7 n'existe pas au nœud « accueil »"),
        ([0], ("choose", 1), "le choix 1 n'est pas disponible au nœud « ecoute »"),
        ([0, 0], ("choose", 0), "le choix 0 n'est pas disponible au nœud « ecoute »"),
        ([0, 2], ("choose", 0), "la scène est terminée"),
        ([0], ("rewind", 1), "cette partie compte 1 décision(s)"),
        ([], ("rewind", 0), "cette partie compte 0 décision(s)"),
        ([0], ("rewind", -1), "impossible de revenir à la décision -1"),
    ],
)
def test_illegal_moves_raise_and_leave_the_state_unchanged(scenario, choices, move, message):
    state = engine.replay(scenario, choices)
    before = json.dumps(state)
    move_function = engine.choose if move[0] == "choose" else engine.rewind
    with pytest.raises(IllegalMove, match=re.escape(message)):
        move_function(scenario, state, move[1])
    assert json.dumps(state) == before


def test_result_before_the_end_is_illegal(scenario):
    with pytest.raises(IllegalMove, match="pas terminée"):
        engine.result(scenario, engine.start(scenario))


def test_restore_detects_an_edited_scenario(scenario):
    saved = engine.replay(scenario, [0])
    saved["history"][0]["node"] = "autre"
    with pytest.raises(IllegalMove, match="a changé"):
        engine.restore(scenario, saved)


def test_a_legal_move_never_changes_the_state_it_was_given(scenario):
    for choices in ([], [1], [1, 0], [1, 0, 0]):
        state = engine.replay(scenario, choices)
        before = copy.deepcopy(state)
        for choice in engine.available_choices(scenario, state):
            engine.choose(scenario, state, choice.index)
            assert state == before
        if choices:
            engine.rewind(scenario, state, 0)
            assert state == before


def with_effect(scenario, text):
    """The scenario with the first choice at « accueil » given one effect."""
    node = scenario.nodes["accueil"]
    listen = dataclasses.replace(node.choices[0], effects=(expr.parse_effect(text),))
    edited = dataclasses.replace(node, choices=(listen, *node.choices[1:]))
    return dataclasses.replace(scenario, nodes={**scenario.nodes, "accueil": edited})


@pytest.mark.parametrize(
    ("effect", "tension", "overflows"),
    [
        ("tension += 10", 6, [("tension", 13)]),  # max 6
        ("tension -= 10", 0, [("tension", -7)]),  # min 0
        ("tension += 3", 6, []),  # exactly the maximum is in range
        ("tension -= 3", 0, []),  # exactly the minimum too
    ],
)
def test_effects_are_clamped_into_the_variable_range(scenario, effect, tension, overflows):
    edited = with_effect(scenario, effect)
    assert engine.choose(edited, engine.start(edited), 0)["vars"]["tension"] == tension
    choice = edited.nodes["accueil"].choices[0]
    values, found = engine.apply_effects(edited, choice, {"tension": 3, "note": 0})
    assert (values, found) == ({"tension": tension, "note": 0}, overflows)


def test_the_first_index_past_the_last_choice_is_illegal(scenario):
    state = engine.start(scenario)
    count = len(scenario.nodes["accueil"].choices)
    with pytest.raises(IllegalMove, match=f"le choix {count} n'existe pas"):
        engine.choose(scenario, state, count)


def test_a_competency_the_state_does_not_have_yet_starts_from_zero(scenario):
    state = engine.start(scenario)  # as saved before « ecoute » was added to the scenario
    del state["competencies"]["ecoute"]
    assert engine.choose(scenario, state, 0)["competencies"]["ecoute"] == 2


def test_a_state_from_another_scenario_is_not_restored(scenario):
    saved = {**engine.start(scenario), "scenario": "hall-occupe"}
    with pytest.raises(IllegalMove, match="un autre scénario"):
        engine.restore(scenario, saved)
