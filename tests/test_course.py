"""Module folders load into steps and blocks; broken lessons are reported, not fatal."""

import shutil
from pathlib import Path

import pytest

from proxi.content import lint
from proxi.content.course import ChoiceQuestion, Matching, Reflection, load_course

FIXTURE = Path(__file__).parent / "fixtures" / "modules"


@pytest.fixture
def modules(tmp_path):
    root = tmp_path / "modules"
    shutil.copytree(FIXTURE, root)
    return root


def test_module_loads_with_steps_and_blocks(modules):
    course, findings = load_course(modules)
    assert findings == []
    module = course.modules["1-essai"]
    assert (module.title, module.pass_mark, len(module.quiz)) == ("Module d'essai", 70, 2)
    first = module.lessons[0]
    assert [step.title for step in first.steps] == [
        "Première leçon",
        "Qui appeler ?",
        "Points clés à retenir",
    ]
    assert [type(b) for b in first.blocks()] == [ChoiceQuestion, Matching]
    assert isinstance(module.lessons[1].blocks()[0], Reflection)
    assert first.blocks()[0].is_right({0}) and not first.blocks()[0].is_right({0, 1})
    assert module.quiz[1].correct_indexes() == {0, 1}
    matching = first.blocks()[1]
    assert matching.answers() == ["Bailleur", "Police nationale", "Service propreté"]
    assert matching.score({0: "Service propreté", 1: "Police nationale"}) == 1
    assert course.lesson("1-essai/02-seconde").title == "Seconde leçon"


def test_block_ids_are_stable_and_unique(modules):
    course, _ = load_course(modules)
    ids = [b.id for m in course.modules.values() for lesson in m.lessons for b in lesson.blocks()]
    assert ids == ["1-essai/01-premiere#2.2", "1-essai/01-premiere#2.3", "1-essai/02-seconde#1.2"]


def lesson_findings(modules, text, name="01-premiere.md"):
    (modules / "1-essai" / name).write_text(text, encoding="utf-8")
    findings, _ = lint.check([modules])
    return [(f.code, f.line) for f in findings]


def test_quiz_question_without_correct_answer(modules):
    module_file = modules / "1-essai" / "module.yaml"
    text = module_file.read_text(encoding="utf-8").replace(
        "{text: L'État, correct: true", "{text: L'État, correct: false"
    )
    module_file.write_text(text, encoding="utf-8")
    findings, _ = lint.check([modules])
    assert [(f.code, f.line) for f in findings] == [("M201", 11)]


def test_bad_block_yaml_points_at_the_file_line(modules):
    text = (FIXTURE / "1-essai" / "01-premiere.md").read_text(encoding="utf-8")
    broken = text.replace("question: Que faites-vous ?", "question: Que faites: vous ?")
    line = broken.splitlines().index("question: Que faites: vous ?") + 1
    assert lesson_findings(modules, broken) == [("P001", line)]


def test_unknown_glossary_term_and_lesson_link(modules):
    text = (FIXTURE / "1-essai" / "01-premiere.md").read_text(encoding="utf-8")
    broken = text.replace("glossaire:qpv", "glossaire:qvp").replace(
        "lecon:1-essai/02-seconde", "lecon:1-essai/09-rien"
    )
    assert set(lesson_findings(modules, broken)) == {("M202", 5), ("M203", 9)}


def test_a_broken_lesson_leaves_the_rest_of_the_course(modules):
    (modules / "1-essai" / "02-seconde.md").write_text("---\ntitle: [\n---\nx\n", encoding="utf-8")
    course, findings = load_course(modules)
    assert [f.code for f in findings] == ["P001"]
    assert [lesson.id for lesson in course.modules["1-essai"].lessons] == ["01-premiere"]


def test_missing_front_matter(modules):
    assert lesson_findings(modules, "Pas d'en-tête.\n", "02-seconde.md") == [
        ("M211", 1),
        ("M203", 9),
    ]


def test_a_quiz_review_link_to_an_unknown_lesson_part_is_an_error_that_keeps_the_module(modules):
    path = modules / "1-essai" / "module.yaml"
    text = path.read_text(encoding="utf-8").replace(
        'review: "01-premiere#1"', 'review: "01-premiere#9"'
    )
    path.write_text(text, encoding="utf-8")
    course, findings = load_course(modules)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "01-premiere#9" in row)
    assert [(f.code, f.line) for f in findings] == [("M215", line)]
    assert "1-essai" in course.modules
