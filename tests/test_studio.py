"""Studio core: Twine import, story map, publication, play-test states."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from proxi.content import engine
from proxi.content.scenario import load_scenario
from proxi.content.storymap import to_dot
from proxi.content.studio import PublishRefused, check_text, playtest_state, publish
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
    _, findings, _ = check_text(broken)
    line = broken.splitlines().index("        goto: nulle_part") + 1
    assert [(f.code, f.line) for f in findings] == [("S102", line)]


def test_publish_keeps_the_previous_version_and_refuses_errors(monkeypatch, tmp_path):
    monkeypatch.setenv("PROXI_SCENARIOS_DIR", str(tmp_path))
    first = publish(PORTE)
    assert first == tmp_path / "porte.yaml"
    publish(PORTE.replace("Un locataire se plaint", "Un voisin se plaint"))
    assert "Un voisin" in first.read_text(encoding="utf-8")
    assert [
        "Un locataire" in p.read_text(encoding="utf-8") for p in (tmp_path / ".versions").iterdir()
    ] == [True]
    with pytest.raises(PublishRefused):
        publish(PORTE.replace("goto: colere\n", "goto: nulle_part\n"))
    assert "Un voisin" in first.read_text(encoding="utf-8")


def test_playtest_state_starts_anywhere_with_any_values():
    scenario, _ = load_scenario(FIXTURES / "scenarios" / "porte.yaml")
    state = playtest_state(scenario, "ecoute", {"note": 1})
    assert sorted(c.index for c in engine.view(scenario, state).choices) == [0, 1]  # shuffled order
    with pytest.raises(ProxiError):
        playtest_state(scenario, "nulle_part", {})
