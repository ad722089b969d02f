"""The linter names the right code at the right line, and passes good content."""

import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from linting import PORTE, findings_for, line_of

from proxi.content import lint
from proxi.content.scenario import load_scenario

FIXTURES = Path(__file__).parent / "fixtures"


pytestmark = pytest.mark.usefixtures("fixture_course")


def test_fixture_is_clean(tmp_path):
    assert findings_for(tmp_path, PORTE) == []


@pytest.mark.parametrize(
    ("old", "new", "code", "anchor"),
    [
        ("goto: colere\n", "goto: coler\n", "S102", "goto: coler"),
        (
            "        feedback: Écouter apaise.",
            "        feedbak: Écouter apaise.",
            "P003",
            "feedbak",
        ),
        ("duration: 5", "duration: cinq", "P002", "duration: cinq"),
        ('if: "note == 1"', 'if: "note =="', "S109", 'if: "note =="'),
        ('if: "note == 1"', 'if: "notes == 1"', "S107", 'if: "notes == 1"'),
        ('"tension += 2"', '"tension += 4"', "S110", '"tension += 4"'),
        ("start: accueil", "start: entree", "S101", "start: entree"),
        ("competencies: {ecoute: 2}", "competencies: {ecoute: 2, charme: 1}", "S114", "charme"),
        ("speaker: m_roche", "speaker: m_rocher", "S113", "m_rocher"),
        ("      debrief: Écoute puis trace écrite.\n", "", "S112", ("  bonne_fin:", 1)),
        ("        feedback: Écouter apaise.\n", "", "S111", "- text: Vous l'écoutez."),
        ("  note: {label", "  nota: {label", "S107", 'effects: ["note = 1"]'),
        ("id: porte", "id: porte\nid: porte", "P005", ("id: porte", 1)),
    ],
)
def test_each_problem_has_its_code_and_line(tmp_path, old, new, code, anchor):
    assert old in PORTE
    broken = PORTE.replace(old, new, 1)
    fragment, offset = anchor if isinstance(anchor, tuple) else (anchor, 0)
    anchor_line = line_of(broken, fragment) + offset
    assert (code, anchor_line) in findings_for(tmp_path, broken)


def test_yaml_syntax_error_gives_its_line(tmp_path):
    broken = PORTE.replace(
        "    narration: Il se calme un peu.", "    narration: Il se: calme: un peu."
    )
    assert findings_for(tmp_path, broken) == [("P001", line_of(broken, "Il se: calme"))]


def test_unreachable_node_and_never_reached_ending(tmp_path):
    broken = PORTE.replace("goto: mauvaise_fin", "goto: fin_moyenne")
    codes = findings_for(tmp_path, broken)
    assert ("S103", line_of(broken, "  mauvaise_fin:")) in codes
    gated = PORTE.replace('if: "note == 1"', 'if: "note == 1 and tension > 5"')
    assert ("S105", line_of(gated, "  bonne_fin:")) in findings_for(tmp_path, gated)


def test_graph_checks_run_beside_structural_errors_and_judge_what_was_written(tmp_path):
    # colere's choices lose their text (structural errors, the choices are not built) and a
    # node nothing leads to is added: the linter reports both kinds, and the parts that
    # failed to build neither hide a finding nor invent one.
    broken = (
        PORTE.replace("      - text: Vous vous excusez et l'écoutez.", "      - texte: Excuses.")
        .replace("      - text: Vous fermez la loge.", "      - texte: Vous fermez.")
        .replace("  bonne_fin:", "  oubliee:\n    narration: Personne ne vient ici.\n  bonne_fin:")
    )
    codes = findings_for(tmp_path, broken)
    assert ("P004", line_of(broken, "texte: Excuses.")) in codes  # the structural error
    assert ("S103", line_of(broken, "  oubliee:")) in codes  # reported beside it
    assert ("S104", line_of(broken, "  oubliee:")) in codes  # a dead end as written
    mauvaise_fin = line_of(broken, "  mauvaise_fin:")  # led to only by a broken choice
    assert ("S103", mauvaise_fin) not in codes
    assert ("S104", line_of(broken, "  colere:")) not in codes  # its choices exist, unbuilt
    assert ("S108", line_of(broken, "  tension:")) not in codes  # used by an unbuilt choice


def test_a_node_that_cannot_be_read_at_all_names_no_node_unreachable(tmp_path):
    start = PORTE.index("  colere:")
    unreadable = PORTE[:start] + "  colere: [Le ton monte]\n" + PORTE[PORTE.index("  bonne_fin:") :]
    codes = findings_for(tmp_path, unreadable)
    assert ("P002", line_of(unreadable, "  colere:")) in codes
    assert not any(code == "S103" for code, _ in codes)  # where colere led is unknown


def test_dead_end_and_endless_loop(tmp_path):
    dead = PORTE.replace('if: "note == 0"', 'if: "note == 2"').replace('"note == 1"', '"note == 5"')
    assert ("S104", line_of(dead, "  ecoute:")) in findings_for(tmp_path, dead)
    loop = PORTE.replace("goto: bonne_fin", "goto: ecoute").replace(
        "goto: fin_moyenne", "goto: ecoute"
    )
    codes = {code for code, _ in findings_for(tmp_path, loop)}
    assert "S106" in codes


def test_worst_behaviour_reaching_a_favourable_ending_is_warned(tmp_path):
    lenient = PORTE.replace("goto: mauvaise_fin", "goto: bonne_fin")
    assert ("S115", line_of(lenient, "  bonne_fin:")) in findings_for(tmp_path, lenient)


LONG = "Vous l'écoutez sans l'interrompre, vous reformulez sa colère, puis vous lui demandez ce qui s'est passé."


def test_a_favourable_choice_twice_as_long_as_the_others_is_warned(tmp_path):
    cued = PORTE.replace("      - text: Vous l'écoutez.", f"      - text: {LONG}")
    assert ("S126", line_of(cued, "  accueil:")) in findings_for(tmp_path, cued)


def test_a_long_unfavourable_choice_is_no_cue(tmp_path):
    lure = PORTE.replace("      - text: Vous lui dites de revenir demain.", f"      - text: {LONG}")
    assert "S126" not in {code for code, _ in findings_for(tmp_path, lure)}


def test_unused_variable_is_a_warning(tmp_path):
    extra = PORTE.replace("variables:\n", "variables:\n  inutile: {min: 0, max: 1, start: 0}\n")
    assert ("S108", line_of(extra, "inutile")) in findings_for(tmp_path, extra)


def test_exploration_summary():
    scenario, _ = load_scenario(FIXTURES / "scenarios" / "porte.yaml")
    _, report = lint.lint_scenario(scenario)
    assert report.paths == 5
    assert report.paths_by_ending == {"bonne_fin": 2, "fin_moyenne": 2, "mauvaise_fin": 1}
    assert report.endings_reached == {
        "bonne_fin": "favourable",
        "fin_moyenne": "mitigee",
        "mauvaise_fin": "defavorable",
    }
    assert report.competency_min == {"ecoute": -5, "tracabilite": -1}
    assert report.competency_max == {"ecoute": 3, "tracabilite": 2}
    assert report.worst_endings == {"mauvaise_fin"}


def test_cli_exit_codes_and_format(tmp_path):
    good = tmp_path / "porte.yaml"
    good.write_text(PORTE, encoding="utf-8")
    bad = tmp_path / "casse.yaml"
    bad.write_text(
        PORTE.replace("id: porte", "id: casse").replace("goto: colere\n", "goto: x\n"),
        encoding="utf-8",
    )
    run = [sys.executable, "-m", "proxi", "check"]
    assert subprocess.run([*run, str(good)], capture_output=True).returncode == 0
    out = subprocess.run([*run, str(bad)], capture_output=True, text=True)
    assert out.returncode == 1
    assert f"casse.yaml:{line_of(PORTE, 'goto: colere')}:9: S102 erreur" in out.stdout


def generated_scenario(size: int) -> dict:
    """A long corridor of decisions, each with a good and a poor choice."""
    nodes = {}
    for i in range(size - 2):
        nodes[f"n{i}"] = {
            "narration": "Scène.",
            "trainer_notes": "Notes.",
            "prompt": "Question ?",
            "choices": [
                {
                    "text": "Bien",
                    "goto": f"n{i + 1}" if i < size - 3 else "bien",
                    "feedback": "Oui.",
                    "competencies": {"ecoute": 1},
                },
                {"text": "Mal", "goto": "mal", "feedback": "Non.", "competencies": {"ecoute": -1}},
            ],
        }
    for node_id, outcome in (("bien", "favourable"), ("mal", "defavorable")):
        nodes[node_id] = {
            "ending": {
                "outcome": outcome,
                "title": "Fin",
                "debrief": "D.",
                "professional": "P.",
                "references": ["R"],
            }
        }
    return {
        "id": "grand",
        "title": "Grand",
        "summary": "S.",
        "module": "1-essai",
        "duration": 10,
        "competencies": ["ecoute"],
        "characters": {
            "moi": {"name": "Moi", "card": {"who": "a", "wants": "b", "knows": "c", "feels": "d"}}
        },
        "variables": {},
        "start": "n0",
        "nodes": nodes,
    }


@pytest.mark.slow  # a scenario at size: not in test-fast
def test_a_2000_node_scenario_is_checked_completely(tmp_path):
    path = tmp_path / "grand.yaml"
    path.write_text(yaml.safe_dump(generated_scenario(2000), allow_unicode=True), encoding="utf-8")
    started = time.perf_counter()
    findings, reports = lint.check([path])
    elapsed = time.perf_counter() - started
    assert findings == [] and reports[0].nodes == 2000 and reports[0].paths == 1999
    print(f"2,000-node lint: {elapsed:.2f} s (timed in bench/, not asserted here)")


def test_a_stopped_exploration_reports_nothing_it_did_not_finish_counting(tmp_path, monkeypatch):
    """Past the move limit the author reads « non compté », never a count or a worst conduct
    taken from part of the playthroughs."""
    from proxi.content import explore

    path = tmp_path / "porte.yaml"
    path.write_text(PORTE, encoding="utf-8")
    (complete,) = lint.check([path])[1]
    assert complete.complete and complete.paths_text() == str(complete.paths)
    assert complete.worst_endings
    monkeypatch.setattr(explore, "MAX_MOVES", 1)
    findings, (stopped,) = lint.check([path])
    assert [f.code for f in findings] == ["S118"]
    assert stopped.paths_text() == "non compté (exploration arrêtée)"
    assert stopped.worst_endings == set() and stopped.competency_min == {}
    assert stopped.paths_by_ending == {}
