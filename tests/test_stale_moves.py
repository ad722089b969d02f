"""Every learner move counts once, by the state it was made from (double taps, two tabs)."""

import pytest
from pages import FIXTURES, logged_in, make_person, no_exception, texts, use_temporary_world

from proxi.content import engine
from proxi.content.scenario import load_scenario
from proxi.errors import StaleMove
from proxi.progress import store
from proxi.progress.db import open_db

SCENARIO, _ = load_scenario(FIXTURES / "scenarios" / "porte.yaml")


def chose_events(db) -> list:
    return db.execute("SELECT id FROM events WHERE verb = 'chose'").fetchall()


def test_a_second_tap_from_the_same_screen_is_not_recorded(db, learner):
    shown = engine.start(SCENARIO)
    after = engine.choose(SCENARIO, shown, 0)
    record = {"node_id": "accueil", "response": 0, "made_from": shown}
    store.record_scenario_state(db, learner.id, "porte", after, "chose", **record)
    with pytest.raises(StaleMove) as refused:
        store.record_scenario_state(db, learner.id, "porte", after, "chose", **record)
    assert refused.value.current["history"] == after["history"]
    assert len(chose_events(db)) == 1
    assert store.saved_scenario_state(db, learner.id, "porte")["node"] == "ecoute"


def test_a_move_from_the_current_state_is_recorded(db, learner):
    state = engine.start(SCENARIO)
    for index in (0, 0):
        new = engine.choose(SCENARIO, state, index)
        store.record_scenario_state(
            db,
            learner.id,
            "porte",
            new,
            "chose",
            node_id=state["node"],
            response=index,
            made_from=state,
        )
        state = new
    assert len(chose_events(db)) == 2


def test_a_choice_in_a_tab_left_behind_is_refused_in_french_and_shows_where_one_is(
    tmp_path, monkeypatch, app_database
):
    db_path = use_temporary_world(tmp_path, monkeypatch, database=app_database)
    alice = make_person(db_path, "alice")
    first = logged_in(db_path, alice, "app_pages/scenario.py")
    second = logged_in(db_path, alice, "app_pages/scenario.py")
    next(b for b in first.button if b.label == "Vous l'écoutez.").click().run()
    no_exception(first)

    next(b for b in second.button if b.label == "Vous lui dites de revenir demain.").click().run()
    no_exception(second)
    assert "Ce choix n'a pas été enregistré" in texts(second)
    assert "Il se calme un peu." in texts(second)  # the current state, from the first tab
    assert "Le ton monte." not in texts(second)
    db = open_db(db_path)
    assert len(chose_events(db)) == 1
    assert store.saved_scenario_state(db, alice.id, "porte")["node"] == "ecoute"
    next(b for b in second.button if b.label == "Vous concluez sans rien écrire.").click().run()
    assert "Rien ne bouge" in texts(second)
    assert len(chose_events(db)) == 2
