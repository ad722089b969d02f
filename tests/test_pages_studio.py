"""The authoring studio through its page (AppTest): check, map, play-test, publish."""

from pathlib import Path

import pytest
from pages import logged_in, make_person, no_exception, run_page_directly, use_temporary_world

from proxi.content.catalogue import load_catalogue
from proxi.content.storymap import to_dot


@pytest.fixture
def world(tmp_path, monkeypatch):
    return use_temporary_world(tmp_path, monkeypatch)


def open_studio(world, roles=("coordinator",)):
    person = make_person(world, "claire.morel", roles=roles)
    at = logged_in(world, person, "app_pages/studio.py")
    at.selectbox[0].set_value("porte").run()
    no_exception(at)
    return at


def test_break_fix_playtest_and_publish(world, tmp_path):
    at = open_studio(world)
    text = at.text_area(key="studio-text").value
    assert "id: porte" in text
    broken = text.replace("goto: colere\n", "goto: nulle_part\n")
    at.text_area(key="studio-text").input(broken).run()
    line = broken.splitlines().index("        goto: nulle_part") + 1
    assert any(f"Ligne {line}, colonne 9 — S102" in e.value for e in at.error)
    assert not [b for b in at.button if b.label == "Publier dans la bibliothèque"]
    assert any("Corrigez les erreurs" in i.value for i in at.info)

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

    next(b for b in at.button if b.label == "Publier dans la bibliothèque").click().run()
    assert any("Publié : porte.yaml" in s.value for s in at.success)
    published = (tmp_path / "scenarios" / "porte.yaml").read_text(encoding="utf-8")
    assert "Un voisin se plaint" in published
    assert len(list((tmp_path / "scenarios" / ".versions").iterdir())) == 1


def test_a_trainer_may_not_publish(world):
    at = open_studio(world, roles=("trainer",))
    assert not [b for b in at.button if b.label == "Publier dans la bibliothèque"]
    assert any("Seule la coordination peut publier" in c.value for c in at.caption)


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
