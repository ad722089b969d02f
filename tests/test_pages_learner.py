"""Learner journeys through the real pages (AppTest), against a temporary database."""

import pytest
from pages import (
    APP,
    PASSWORD,
    chart_specs,
    logged_in,
    make_person,
    no_exception,
    texts,
    use_temporary_world,
)
from streamlit.testing.v1 import AppTest


@pytest.fixture
def world(tmp_path, monkeypatch, app_database):
    return use_temporary_world(tmp_path, monkeypatch, database=app_database)


def log_in_with_form(identifier: str, password: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.text_input[0].input(identifier)
    at.text_input[1].input(password)
    at.button[0].click().run()
    return at


def test_wrong_password_and_unknown_identifier_get_the_same_message(world):
    make_person(world, "alice")
    wrong = log_in_with_form("alice", "pas-le-bon-mot")
    unknown = log_in_with_form("personne", "pas-le-bon-mot")
    assert (
        [e.value for e in wrong.error]
        == [e.value for e in unknown.error]
        == ["Identifiant ou mot de passe incorrect."]
    )
    assert wrong.title[0].value == "Proxi"


def test_log_in_then_log_out(world):
    make_person(world, "alice")
    at = log_in_with_form("alice", PASSWORD)
    no_exception(at)
    assert at.title[0].value == "Bonjour Alice"
    at.sidebar.button(key="logout").click().run()
    assert at.title[0].value == "Proxi"
    assert "session_token" not in at.session_state


def open_lesson(at, lesson_id):
    at.switch_page("app_pages/module.py").run()
    lesson_radio = next(r for r in at.radio if r.label == "Leçon")
    lesson_radio.set_value(lesson_id).run()
    return at


def click(at, label):
    next(b for b in at.button if b.label == label).click().run()
    no_exception(at)


def answer_the_quiz(at, first_answer: int) -> None:
    """Question 1 by its authored option index; question 2: A and B, found by their labels."""
    next(r for r in at.radio if r.label == "Question 1").set_value(first_answer)
    for box in at.checkbox:
        if box.label in ("A", "B"):
            box.check()
    click(at, "Valider le quiz")


def test_lesson_blocks_quiz_failed_then_passed_completes_the_module(world):
    learner = make_person(world, "alice")
    at = logged_in(world, learner)
    open_lesson(at, "01-premiere")
    assert any("Étape 1 sur 3" in str(p.proto.text) for p in at.get("progress"))
    click(at, "Étape suivante →")
    qcm = next(r for r in at.radio if r.label == "Votre réponse")
    qcm.set_value("Je crie.")
    click(at, "Valider ma réponse")
    assert "Ce n'est pas la bonne réponse." in texts(at)
    assert "✘ Faux : **Je crie.** (votre choix) — Non." in texts(at)
    click(at, "Étape suivante →")
    click(at, "Leçon suivante : Seconde leçon")
    assert "Leçon terminée. Bravo !" in texts(at)
    click(at, "Passer au quiz final")
    answer_the_quiz(at, 1)  # the authored index of « Le gardien »: wrong
    assert "Quiz non réussi : 50 % (seuil 70 %)." in texts(at)
    click(at, "Recommencer le quiz")
    answer_the_quiz(at, 0)  # « L'État »
    assert "Quiz réussi : 100 % (seuil 70 %)." in texts(at)
    at.switch_page("app_pages/my_progress.py").run()
    no_exception(at)
    assert any(e.label == "Attestation — Module d'essai" for e in at.expander)


def test_scenario_to_an_ending_then_resume_in_a_brand_new_session(world):
    learner = make_person(world, "alice")
    at = logged_in(world, learner, "app_pages/scenario.py")
    click(at, "Vous lui dites de revenir demain.")
    assert "Renvoyer à plus tard fait monter la colère." in texts(at)
    assert any("Tension : 5 / 6" in str(p.proto.text) for p in at.get("progress"))
    # A brand-new session (new tab, refresh, or server restart: nothing in memory) resumes here.
    again = logged_in(world, learner, "app_pages/scenario.py")
    assert "Le ton monte." in texts(again)
    click(again, "Vous fermez la loge.")
    assert "Rupture" in [h.value for h in again.header]
    assert "Écouter d'abord." in texts(again)
    home = logged_in(world, learner)
    assert any(b.label == "▶️ Reprendre : La porte du local vélos" for b in home.button)


def test_rewind_from_an_earlier_decision(world):
    learner = make_person(world, "alice")
    at = logged_in(world, learner, "app_pages/scenario.py")
    click(at, "Vous lui dites de revenir demain.")
    click(at, "Vous fermez la loge.")
    click(at, "Décision 1 : « Vous lui dites de revenir demain. » — rejouer à partir d'ici")
    assert "M. Roche arrive à la loge." in texts(at)
    click(at, "Vous l'écoutez.")
    assert "Il se calme un peu." in texts(at)


def test_a_choice_that_is_a_quotation_is_quoted_once_in_the_rewind_button(world, tmp_path):
    porte = tmp_path / "scenarios" / "porte.yaml"
    text = porte.read_text(encoding="utf-8")
    porte.write_text(
        text.replace("Vous lui dites de revenir demain.", '"« Revenez demain. »"'), encoding="utf-8"
    )
    at = logged_in(world, make_person(world, "alice"), "app_pages/scenario.py")
    click(at, "« Revenez demain. »")
    labels = [b.label for b in at.button if b.label.startswith("Décision 1")]
    assert labels == ["Décision 1 : « Revenez demain. » — rejouer à partir d'ici"]


def test_a_broken_scenario_file_shows_an_error_card_and_the_rest_works(world, tmp_path):
    (tmp_path / "scenarios" / "casse.yaml").write_text("id: casse\ntitle: [\n", encoding="utf-8")
    learner = make_person(world, "alice")
    at = logged_in(world, learner, "app_pages/scenario.py")
    no_exception(at)
    assert any("casse.yaml" in e.value and "P001" in e.value for e in at.error)
    assert any(b.label == "Vous l'écoutez." for b in at.button)


def test_the_history_names_what_was_done_by_its_title_in_paris_time(world):
    from datetime import UTC, datetime

    from proxi.progress import store
    from proxi.progress.db import open_db

    learner = make_person(world, "alice")
    db = open_db(world)
    late = datetime(2026, 11, 15, 23, 30, tzinfo=UTC)  # 16/11 at 00:30 in Paris
    lessons = ["01-premiere", "02-seconde"]
    store.record_step(db, learner.id, "1-essai", "01-premiere", 0, 3, lessons, now=late)
    store.record_quiz(db, learner.id, "1-essai", 1, 2, 70, lessons, now=late)
    db.close()
    at = logged_in(world, learner, "app_pages/my_progress.py")
    no_exception(at)
    shown = (m.value.replace("\\", "") for m in at.markdown)  # as read: no escapes
    day = next(text for text in shown if text.startswith("**16/11/2026**"))
    assert "- 00:30 — a consulté la leçon « Première leçon » (étape 1 sur 3)" in day
    assert "- 00:30 — n'a pas réussi le quiz final du module « Module d'essai » (50 %)" in day
    assert "1-essai" not in day and "23:30" not in day


def test_my_progress_lists_each_module_on_one_line_a_phone_shows_whole(world):
    from proxi.progress import store
    from proxi.progress.db import open_db

    learner = make_person(world, "alice")
    db = open_db(world)
    lessons = ["01-premiere", "02-seconde"]
    for step in range(3):  # the first lesson seen to its end
        store.record_step(db, learner.id, "1-essai", "01-premiere", step, 3, lessons)
    store.record_quiz(db, learner.id, "1-essai", 1, 2, 70, lessons)
    db.close()
    at = logged_in(world, learner, "app_pages/my_progress.py")
    no_exception(at)
    shown = [m.value.replace("\\", "") for m in at.markdown]
    line = "- **Module d'essai** — leçons terminées : 1 sur 2 · meilleur score au quiz : 50 %"
    assert any(text.startswith(line + " · temps passé : ") for text in shown), shown
    assert not at.dataframe  # a table cut the title on a phone and hid the figures


def test_the_competency_chart_names_its_axes_and_leaves_room_for_every_bar(world):
    at = logged_in(world, make_person(world, "alice"), "app_pages/scenario.py")
    click(at, "Vous lui dites de revenir demain.")
    click(at, "Vous fermez la loge.")  # Écoute -2 then -3: the longest bar is -5
    (spec,) = chart_specs(at)
    bars = spec["layer"][0]["encoding"]
    assert bars["x"]["title"] == "Points" and bars["y"]["title"] is None
    assert bars["y"]["axis"]["labelLimit"] == 0  # names in full
    low, high = bars["x"]["scale"]["domain"]
    assert low < -5 and high >= 0  # room past the longest bar for its value
    assert "streamlit-generated" not in str(spec)
