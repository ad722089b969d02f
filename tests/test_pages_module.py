"""The module page and the home's module buttons, as a learner taps them (AppTest)."""

import pytest
from pages import logged_in, make_person, no_exception, texts, use_temporary_world

from proxi.progress import store
from proxi.progress.db import open_db

MODULE = "1-essai"
LESSONS = ["01-premiere", "02-seconde"]


@pytest.fixture
def world(tmp_path, monkeypatch, app_database):
    return use_temporary_world(tmp_path, monkeypatch, database=app_database)


def lesson_list(at):
    return next(r for r in at.radio if r.label == "Leçon")


def click(at, label):
    next(b for b in at.button if b.label == label).click().run()
    no_exception(at)


def see_every_step(db_path, person, lesson_id: str, step_count: int) -> None:
    db = open_db(db_path)
    for step in range(step_count):
        store.record_step(db, person.id, MODULE, lesson_id, step, step_count, LESSONS)
    db.close()


def test_a_tap_in_the_lesson_list_opens_that_lesson_and_the_quiz_is_one_tap_away(world):
    at = logged_in(world, make_person(world, "alice"))
    at.switch_page("app_pages/module.py").run()
    assert [s.value for s in at.subheader] == ["Première leçon"]
    lesson_list(at).set_value("02-seconde").run()
    no_exception(at)
    assert [s.value for s in at.subheader] == ["Seconde leçon"]
    assert at.query_params["lecon"] == "02-seconde"
    lesson_list(at).set_value("__quiz__").run()
    assert "Quiz final" in [s.value for s in at.subheader]
    lesson_list(at).set_value("01-premiere").run()
    assert [s.value for s in at.subheader] == ["Première leçon"]


def test_the_lesson_list_says_done_in_progress_and_not_started(world):
    learner = make_person(world, "alice")
    see_every_step(world, learner, "02-seconde", 1)
    at = logged_in(world, learner, "app_pages/module.py")
    labels = lesson_list(at).options
    assert labels[0].endswith("— ◐ en cours")  # open on screen now
    assert labels[1].endswith("— ✔ terminée")
    assert labels[2] == "🏁 Quiz final"
    at = logged_in(world, make_person(world, "bob"), "app_pages/module.py")
    lesson_list(at).set_value("__quiz__").run()
    assert lesson_list(at).options[1].endswith("— ○ pas commencée")


def test_the_count_includes_the_step_on_screen(world):
    learner = make_person(world, "alice")
    see_every_step(world, learner, "01-premiere", 3)
    at = logged_in(world, learner, "app_pages/module.py")
    lesson_list(at).set_value("02-seconde").run()
    assert "Leçon terminée. Bravo !" in texts(at)
    assert "✔ Leçons terminées : 2 sur 2" in texts(at)
    assert lesson_list(at).options[1].endswith("— ✔ terminée")


def pass_the_quiz(at, right: bool) -> None:
    question = next(r for r in at.radio if r.label == "Question 1")
    question.set_value(0 if right else 1)  # authored indexes: « L'État », « Le gardien »
    for box in at.checkbox:  # options come in a new order each attempt: found by label
        if box.label in (("A", "B") if right else ("C",)):
            box.check()
    click(at, "Valider le quiz")


def test_the_best_score_includes_the_attempt_just_made(world):
    at = logged_in(world, make_person(world, "alice"), "app_pages/module.py")
    lesson_list(at).set_value("__quiz__").run()
    pass_the_quiz(at, right=False)
    assert "Votre meilleur score : 0 %." in texts(at)
    click(at, "Recommencer le quiz")
    pass_the_quiz(at, right=True)
    assert "Quiz réussi : 100 % (seuil 70 %)." in texts(at)
    assert "Votre meilleur score : 100 %." in texts(at)
    assert lesson_list(at).options[2] == "🏁 Quiz final — meilleur score 100 %"


def test_open_and_resume_go_to_the_first_unfinished_lesson(world):
    learner = make_person(world, "alice")
    see_every_step(world, learner, "01-premiere", 3)  # the last thing seen: a finished lesson
    home = logged_in(world, learner)
    labels = [b.label for b in home.button]
    assert "▶️ Reprendre : Seconde leçon" in labels
    assert "Continuer : Seconde leçon" not in labels and "Commencer : Seconde leçon" in labels
    click(home, "▶️ Reprendre : Seconde leçon")
    assert [s.value for s in home.subheader] == ["Seconde leçon"]

    other = make_person(world, "bob")
    see_every_step(world, other, "01-premiere", 3)
    home = logged_in(world, other)
    click(home, "Commencer : Seconde leçon")
    assert [s.value for s in home.subheader] == ["Seconde leçon"]


def test_a_module_with_every_lesson_seen_offers_the_quiz_then_says_it_is_finished(world):
    learner = make_person(world, "alice")
    see_every_step(world, learner, "01-premiere", 3)
    see_every_step(world, learner, "02-seconde", 1)
    home = logged_in(world, learner)
    assert "▶️ Reprendre : quiz final « Module d'essai »" in [b.label for b in home.button]
    click(home, "Passer le quiz final")
    assert "Quiz final" in [s.value for s in home.subheader]
    pass_the_quiz(home, right=True)
    assert "Module terminé. Vous pouvez revoir une leçon ou refaire le quiz." in texts(home)

    home = logged_in(world, learner)
    labels = [b.label for b in home.button]
    assert "Revoir le module" in labels and "Refaire le quiz" in labels
    assert not any(label.startswith("▶️ Reprendre") for label in labels)
    assert "✔ Module terminé : leçons vues et quiz réussi." in texts(home)
    click(home, "Revoir le module")
    assert [s.value for s in home.subheader] == ["Première leçon"]
    assert any("Étape 1 sur 3" in str(p.proto.text) for p in home.get("progress"))


@pytest.mark.parametrize("roles", [("manager",), ("coordinator",)])
def test_managers_and_coordinators_land_on_their_dashboard(world, roles):
    at = logged_in(world, make_person(world, "claire", roles=roles))
    no_exception(at)
    assert at.title[0].value == "Tableau de bord"


def test_learners_and_trainers_land_on_the_home(world):
    for identifier, roles in (("alice", ("learner",)), ("nadia", ("trainer",))):
        at = logged_in(world, make_person(world, identifier, roles=roles))
        assert at.title[0].value == f"Bonjour {identifier.title()}"


def test_a_reflection_over_the_limit_is_refused_with_a_message_and_the_text_is_kept(world):
    learner = make_person(world, "alice")
    at = logged_in(world, learner, "app_pages/module.py")
    lesson_list(at).set_value("02-seconde").run()
    too_long = "Le locataire m'a parlé longtemps." * 100  # 3,300 characters
    at.text_area[0].input(too_long)
    click(at, "Enregistrer ma réflexion")
    assert any("3\u202f300 caractères, 3\u202f000 au plus" in w.value for w in at.warning)
    assert at.text_area[0].value == too_long
    assert "Réflexion enregistrée" not in texts(at)
    db = open_db(world)
    assert [e for e in store.history(db, learner.id) if e["verb"] == "answered"] == []
    at.text_area[0].input(too_long[:2990])
    click(at, "Enregistrer ma réflexion")
    assert "Réflexion enregistrée. Quelques pistes :" in texts(at)
    assert [e["verb"] for e in store.history(db, learner.id)].count("answered") == 1
