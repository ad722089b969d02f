"""The authoring studio through its page (AppTest): check with the lines, map and play-test
even with errors, drafts across refreshes, proposals, publication, versions, the template."""

from pathlib import Path

import pytest
from pages import (
    APP,
    logged_in,
    make_person,
    no_exception,
    run_page_directly,
    session_token,
    use_temporary_world,
)
from streamlit.testing.v1 import AppTest

from proxi.content.catalogue import load_catalogue
from proxi.content.storymap import to_dot
from proxi.people import accounts, audit
from proxi.people.permissions import OPERATOR
from proxi.progress.db import open_db


@pytest.fixture
def world(tmp_path, monkeypatch, app_database):
    return use_temporary_world(tmp_path, monkeypatch, database=app_database)


def open_studio(world, roles=("coordinator",), identifier="claire.morel", person=None):
    person = person or make_person(world, identifier, roles=roles)
    at = logged_in(world, person, "app_pages/studio.py")
    at.selectbox(key="studio-choice").set_value("porte").run()
    no_exception(at)
    return at


def refreshed(world, person, scenario="porte"):
    """The same person's studio after a browser refresh: a new session, the URL kept."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["session_token"] = session_token(world, person)
    at.query_params["scenario"] = scenario
    at.run()
    at.switch_page("app_pages/studio.py").run()
    no_exception(at)
    return at


def button(at, label):
    return next(b for b in at.button if b.label == label)


def test_break_fix_playtest_and_publish(world, tmp_path):
    at = open_studio(world)
    text = at.text_area(key="studio-text").value
    assert "id: porte" in text
    broken = text.replace("goto: colere\n", "goto: nulle_part\n")
    at.text_area(key="studio-text").input(broken).run()
    line = broken.splitlines().index("        goto: nulle_part") + 1
    assert any(f"Ligne {line}, colonne 9 — S102" in e.value for e in at.error)
    # The offending line, numbered as in the file, beside the finding.
    assert f"→ {line} │         goto: nulle_part" in [c.value for c in at.code][0]
    assert button(at, "Publier dans la bibliothèque").disabled
    # One error hides neither the map nor the play-test.
    [chart] = at.get("graphviz_chart")
    assert '"accueil" -> "?nulle_part"' in chart.proto.spec
    assert 'xlabel="erreur ligne' in chart.proto.spec
    next(b for b in at.button if b.label == "Jouer à partir d'ici").click().run()
    assert button(
        at, "Vous lui dites de revenir demain. — mène à « nulle_part », qui n'existe pas"
    ).disabled

    at.text_area(key="studio-text").input(
        text.replace("Un locataire se plaint", "Un voisin se plaint")
    ).run()
    assert not at.error
    at.toggle[0].set_value(True).run()  # edge thickness from path analytics
    no_exception(at)
    assert len(at.get("graphviz_chart")) == 1
    node_select = next(s for s in at.selectbox if s.label == "Commencer au nœud")
    node_select.set_value("ecoute")
    at.number_input(key="start-note").set_value(1)
    next(b for b in at.button if b.label == "Jouer à partir d'ici").click().run()
    no_exception(at)
    assert any(b.label == "Vous concluez. *(si note == 1)*" for b in at.button)
    next(b for b in at.button if b.label.startswith("Vous concluez.")).click().run()
    assert any("Porte réparée" in m.value for m in at.markdown)

    button(at, "Publier dans la bibliothèque").click().run()
    no_exception(at)
    assert any("Publié : porte.yaml" in s.value for s in at.success)
    published = (tmp_path / "scenarios" / "porte.yaml").read_text(encoding="utf-8")
    assert "Un voisin se plaint" in published
    assert len(list((tmp_path / "scenarios" / ".versions").iterdir())) == 1
    assert any(c.value.startswith("Aucune modification") for c in at.caption)  # draft ended


def test_an_edit_survives_a_refresh_until_discarded(world, tmp_path):
    person = make_person(world, "nadia.benali", roles=("trainer",))
    at = open_studio(world, person=person)
    original = at.text_area(key="studio-text").value
    edited = original.replace("M. Roche arrive", "M. Roche arrive en courant")
    at.text_area(key="studio-text").input(edited).run()
    assert any(c.value.startswith("Brouillon enregistré le ") for c in at.caption)

    again = refreshed(world, person)
    assert again.text_area(key="studio-text").value == edited
    assert "brouillon en cours" in again.selectbox(key="studio-choice").format_func("porte")
    button(again, "Abandonner le brouillon").click().run()
    assert again.text_area(key="studio-text").value == original
    assert any(s.value == "Brouillon abandonné." for s in again.success)
    assert refreshed(world, person).text_area(key="studio-text").value == original
    assert "en courant" not in (tmp_path / "scenarios" / "porte.yaml").read_text(encoding="utf-8")


def test_a_trainer_proposes_and_the_coordination_publishes(world, tmp_path):
    trainer = make_person(world, "nadia.benali", roles=("trainer",))
    at = open_studio(world, person=trainer)
    assert not [b for b in at.button if b.label.startswith("Publier")]
    edited = at.text_area(key="studio-text").value.replace("Rupture", "Rupture du lien")
    at.text_area(key="studio-text").input(edited).run()
    at.text_input(key="studio-note").input("Titre de fin plus parlant.").run()
    button(at, "Proposer cette version à la coordination").click().run()
    no_exception(at)
    assert any(s.value.startswith("Version proposée le ") for s in at.success)
    assert "Rupture du lien" not in (tmp_path / "scenarios" / "porte.yaml").read_text()

    coordinator = make_person(world, "claire.morel", roles=("coordinator",))
    desk = logged_in(world, coordinator, "app_pages/studio.py")
    assert any("Titre de fin plus parlant." in c.value for c in desk.caption)
    button(desk, "Ouvrir la proposition").click().run()
    assert desk.text_area(key="studio-text").value == edited
    button(desk, "Publier la proposition").click().run()
    no_exception(desk)
    assert any("Publié : porte.yaml" in s.value for s in desk.success)
    assert "Rupture du lien" in (tmp_path / "scenarios" / "porte.yaml").read_text()
    assert not [b for b in desk.button if b.label == "Ouvrir la proposition"]
    # The trainer's draft was the text proposed: it ends with the publication.
    assert any(c.value.startswith("Aucune modification") for c in refreshed(world, trainer).caption)


def test_the_coordination_declines_with_a_reason(world):
    trainer = make_person(world, "nadia.benali", roles=("trainer",))
    at = open_studio(world, person=trainer)
    at.text_area(key="studio-text").input(at.text_area(key="studio-text").value + "\n").run()
    button(at, "Proposer cette version à la coordination").click().run()
    desk = logged_in(world, make_person(world, "claire.morel", roles=("coordinator",)),
                     "app_pages/studio.py")  # fmt: skip
    button(desk, "Ouvrir la proposition").click().run()
    button(desk, "Refuser la proposition").click().run()
    assert any("pourquoi" in e.value for e in desk.error)  # beside the button, nothing lost
    desk.text_input(key="studio-decline-reason").input("Rien n'a changé.").run()
    button(desk, "Refuser la proposition").click().run()
    assert any(s.value.startswith("Proposition refusée") for s in desk.success)
    assert not [b for b in desk.button if b.label == "Ouvrir la proposition"]
    # The author reads the reason in the studio.
    author = logged_in(world, trainer, "app_pages/studio.py")
    assert any("refusée : Rien n'a changé." in m.value.replace("\\", "") for m in author.markdown)


def test_versions_are_listed_and_restored_in_the_app(world, tmp_path):
    at = open_studio(world)
    original = at.text_area(key="studio-text").value
    at.text_area(key="studio-text").input(original.replace("Rupture", "Fin du lien")).run()
    button(at, "Publier dans la bibliothèque").click().run()
    assert any(m.value.startswith("Version remplacée le ") for m in at.markdown)
    button(at, "Rétablir cette version").click().run()
    no_exception(at)
    assert any(s.value.startswith("Version du ") and "rétablie" in s.value for s in at.success)
    assert (tmp_path / "scenarios" / "porte.yaml").read_text(encoding="utf-8") == original
    assert at.text_area(key="studio-text").value == original
    assert len([m for m in at.markdown if m.value.startswith("Version remplacée le ")]) == 2
    db = open_db(world)
    coordinator = next(p for p in accounts.list_people(db) if p.has_role("coordinator"))
    assert [e.action for e in audit.entries(db, coordinator)][:2] == [
        "scenario.restore",
        "scenario.publish",
    ]


def test_a_new_scenario_starts_from_a_template_that_passes_the_check(world, monkeypatch):
    monkeypatch.delenv("PROXI_MODULES_DIR")  # the template names a shipped module
    person = make_person(world, "nadia.benali", roles=("trainer",))
    at = logged_in(world, person, "app_pages/studio.py")
    at.selectbox(key="studio-choice").set_value("nouvelle").run()
    no_exception(at)
    assert "id: nouvelle-situation" in at.text_area(key="studio-text").value
    assert any(m.value == "**Vérification :** 0 erreur(s), 0 avertissement(s)" for m in at.markdown)
    assert not button(at, "Proposer cette version à la coordination").disabled


def test_a_trainer_may_not_publish(world):
    at = open_studio(world, roles=("trainer",))
    assert not [b for b in at.button if b.label == "Publier dans la bibliothèque"]
    assert any(b.label == "Proposer cette version à la coordination" for b in at.button)


def test_a_learner_cannot_open_the_studio(world):
    person = make_person(world, "alice")
    at = logged_in(world, person)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/studio.py")
    direct = run_page_directly(world, person, "app_pages/studio.py")
    assert [e.value for e in direct.error] == ["Cette page n'est pas accessible avec votre rôle."]
    assert not direct.text_area


def test_the_map_renders_for_every_shipped_scenario(monkeypatch):
    monkeypatch.delenv("PROXI_SCENARIOS_DIR", raising=False)
    scenarios = load_catalogue().scenarios
    assert scenarios
    for scenario in scenarios.values():
        dot = to_dot(scenario)
        assert dot.startswith("digraph") and all(f'"{node}"' in dot for node in scenario.nodes)
        assert "jamais atteint" not in dot and "impasse" not in dot
    assert Path(next(iter(scenarios.values())).path).exists()


def test_a_button_acts_for_who_is_logged_in_when_it_is_tapped(world, tmp_path):
    trainer = make_person(world, "nadia.benali", roles=("trainer",))
    at = open_studio(world, person=trainer)
    at.text_area(key="studio-text").input(at.text_area(key="studio-text").value + "\n").run()
    with open_db(world) as db:
        accounts.set_active(
            db, OPERATOR, trainer.id, False
        )  # the account ends while the page is open
    button(at, "Proposer cette version à la coordination").click().run()
    no_exception(at)
    with open_db(world) as db:
        assert db.execute("SELECT count(*) FROM scenario_proposals").fetchone() == (0,)
    assert not at.text_area  # and the page is gone too
