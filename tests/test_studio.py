"""Studio core: Twine import, story map, publication, play-test states."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from proxi.content import engine
from proxi.content.scenario import load_scenario
from proxi.content.storymap import to_dot
from proxi.content.studio import (
    PublishRefused,
    check_text,
    excerpt,
    playtest_state,
    publish,
    template_text,
)
from proxi.content.twee import convert, parse_link
from proxi.errors import ProxiError

FIXTURES = Path(__file__).parent / "fixtures"
PORTE = (FIXTURES / "scenarios" / "porte.yaml").read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def fixture_course(monkeypatch):
    monkeypatch.setenv("PROXI_MODULES_DIR", str(FIXTURES / "modules"))


TWEE = """:: StoryTitle
Le hall du 12

:: StoryData
{"ifid": "D674C58C-DEFA-4F70-B7A2-27742230C0FC", "format": "Harlowe"}

:: Début [depart] {"position":"100,100"}
Des jeunes occupent le hall. Une mère attend avec sa poussette.
[[Aller leur parler->Dialogue]]
[[Appel<-Appeler la police municipale]]
[[Rester dans la loge|Attente]]

:: Dialogue
Ils se poussent un peu.
[[Fin calme]]

:: Appel
La patrouille arrive une heure plus tard.

:: Attente
Rien ne change.

:: Fin calme
Le passage est libre.
"""


@pytest.mark.parametrize(
    ("inner", "expected"),
    [
        ("Cible", ("Cible", "Cible")),
        ("Aller ->Cible", ("Aller", "Cible")),
        ("Cible<- Aller", ("Aller", "Cible")),
        ("Aller|Cible", ("Aller", "Cible")),
    ],
)
def test_every_twine_link_form(inner, expected):
    assert parse_link(inner) == expected


def test_twee_import_gives_a_structurally_valid_skeleton(tmp_path):
    data = convert(TWEE, "hall-du-12", "3-incivilites-et-degradations")
    assert data["title"] == "Le hall du 12" and data["start"] == "debut"
    assert [c["goto"] for c in data["nodes"]["debut"]["choices"]] == [
        "dialogue",
        "appel",
        "attente",
    ]
    assert [c["text"] for c in data["nodes"]["debut"]["choices"]] == [
        "Aller leur parler",
        "Appeler la police municipale",
        "Rester dans la loge",
    ]
    assert set(data["nodes"]) == {"debut", "dialogue", "appel", "attente", "fin_calme"}
    path = tmp_path / "hall-du-12.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    scenario, findings = load_scenario(path)
    assert scenario is not None
    assert not [f for f in findings if f.code.startswith("P")]


@pytest.mark.slow  # a command-line subprocess: not in test-fast
def test_twee_cli(tmp_path):
    source = tmp_path / "hall.twee"
    source.write_text(TWEE, encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "proxi", "import", "twee", str(source)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0 and yaml.safe_load(out.stdout)["id"] == "hall"


def test_story_map_marks_kinds_conditions_and_problems():
    scenario, _ = load_scenario(
        FIXTURES / "scenarios" / "porte.yaml",
        text=PORTE.replace("goto: mauvaise_fin", "goto: fin_moyenne"),
    )
    dot = to_dot(scenario)
    assert '"accueil" [label="accueil", fillcolor="#bbdefb"]' in dot
    assert '"ecoute" -> "bonne_fin" [label="Vous concluez.", style=dashed]' in dot
    assert 'xlabel="jamais atteint"' in dot  # mauvaise_fin is now unreachable
    weighted = to_dot(scenario, {("accueil", 0): 9, ("accueil", 1): 1})
    assert "penwidth=8.0" in weighted and "(9)" in weighted


def test_check_text_reports_the_line(monkeypatch, tmp_path):
    monkeypatch.setenv("PROXI_SCENARIOS_DIR", str(tmp_path))
    broken = PORTE.replace("goto: colere\n", "goto: nulle_part\n")
    findings = check_text(broken).findings
    line = broken.splitlines().index("        goto: nulle_part") + 1
    # As `proxi check` says it: the broken link, and the nodes only it led to.
    assert [(f.code, f.line) for f in findings] == [
        ("S102", line),
        ("S103", broken.splitlines().index("  colere:") + 1),
        ("S103", broken.splitlines().index("  mauvaise_fin:") + 1),
    ]


def test_publish_keeps_the_previous_version_and_refuses_errors(monkeypatch, tmp_path):
    monkeypatch.setenv("PROXI_SCENARIOS_DIR", str(tmp_path))
    first = publish(PORTE)
    assert first == tmp_path / "porte.yaml"
    publish(PORTE.replace("Un locataire se plaint", "Un voisin se plaint"), opened="porte")
    assert "Un voisin" in first.read_text(encoding="utf-8")
    assert [
        "Un locataire" in p.read_text(encoding="utf-8") for p in (tmp_path / ".versions").iterdir()
    ] == [True]
    with pytest.raises(PublishRefused):
        publish(PORTE.replace("goto: colere\n", "goto: nulle_part\n"), opened="porte")
    assert "Un voisin" in first.read_text(encoding="utf-8")


def test_playtest_state_starts_anywhere_with_any_values():
    scenario, _ = load_scenario(FIXTURES / "scenarios" / "porte.yaml")
    state = playtest_state(scenario, "ecoute", {"note": 1})
    assert sorted(c.index for c in engine.view(scenario, state).choices) == [0, 1]  # shuffled order
    with pytest.raises(ProxiError):
        playtest_state(scenario, "nulle_part", {})


def test_each_finding_comes_with_its_lines_numbered_as_in_the_file():
    text = "id: porte\ntitle: La porte\nnodes:\n  accueil: {}\n"
    assert excerpt(text, 3, 1) == "  2 │ title: La porte\n→ 3 │ nodes:\n  4 │   accueil: {}"
    assert excerpt(text, 1, 5).splitlines() == [
        "→ 1 │ id: porte",
        "    │     ^",
        "  2 │ title: La porte",
    ]
    assert excerpt("a\n" * 9 + "b\n", 10, 1).splitlines()[1] == "→ 10 │ b"  # widths line up


def test_a_broken_link_keeps_the_map_and_points_at_a_missing_node(monkeypatch, tmp_path):
    monkeypatch.setenv("PROXI_SCENARIOS_DIR", str(tmp_path))
    checked = check_text(PORTE.replace("goto: colere\n", "goto: nulle_part\n"))
    assert checked.scenario is None and checked.errors == 3
    drawn = checked.sketch.scenario
    assert drawn is not None and set(drawn.nodes) == set(
        load_scenario(FIXTURES / "scenarios" / "porte.yaml")[0].nodes
    )
    dot = to_dot(drawn, broken=checked.sketch.broken)
    assert '"accueil" -> "?nulle_part"' in dot and "nœud inconnu" in dot
    assert 'xlabel="erreur ligne' in dot  # accueil holds the broken link


def test_a_yaml_syntax_error_sets_its_line_aside_and_the_rest_still_reads(monkeypatch, tmp_path):
    monkeypatch.setenv("PROXI_SCENARIOS_DIR", str(tmp_path))
    text = PORTE.replace("    narration: Le ton monte.", "    narration: Le ton monte : il crie")
    line = text.splitlines().index("    narration: Le ton monte : il crie") + 1
    checked = check_text(text)
    assert [(f.code, f.line) for f in checked.findings] == [("P001", line)]
    assert checked.sketch.set_aside == (line,)
    assert checked.sketch.broken == {"colere": line}
    assert len(checked.sketch.scenario.nodes) == 6  # every node is still on the map
    state = playtest_state(checked.sketch.scenario, "colere", {})
    assert {c.goto for c in engine.view(checked.sketch.scenario, state).choices} == {
        "ecoute",
        "mauvaise_fin",
    }


def test_a_node_that_does_not_read_stays_on_the_map_as_broken(monkeypatch, tmp_path):
    monkeypatch.setenv("PROXI_SCENARIOS_DIR", str(tmp_path))
    text = PORTE.replace("  fin_moyenne:\n    ending:", "  fin_moyenne:\n    endding:")
    checked = check_text(text)
    assert "fin_moyenne" in checked.sketch.broken
    assert "fin_moyenne" in checked.sketch.scenario.nodes
    summary_missing = PORTE.replace("summary: Un locataire se plaint d'une porte forcée.\n", "")
    assert check_text(summary_missing).sketch.scenario is not None  # a missing field: still drawn


def test_nothing_to_draw_when_nothing_reads(monkeypatch, tmp_path):
    monkeypatch.setenv("PROXI_SCENARIOS_DIR", str(tmp_path))
    assert check_text("id: porte\n").sketch.scenario is None
    assert check_text('nodes: "pas un nœud"\n').sketch.scenario is None


def test_the_new_scenario_template_passes_proxi_check(tmp_path, monkeypatch):
    monkeypatch.delenv("PROXI_MODULES_DIR")  # the shipped modules, as `proxi check` sees them
    target = tmp_path / "nouvelle-situation.yaml"
    target.write_text(template_text(), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "proxi", "check", str(target)], capture_output=True, text=True
    )
    assert (out.returncode, out.stdout.strip()) == (0, "0 erreur(s), 0 avertissement(s).")
