"""The hostile-content suite: one defect per file under tests/fixtures/hostile.

Each file says what it breaks and where (`attendu: CODE ligne N`, in its first line for a
scenario, in ATTENDU for a module folder). For each one: the linter reports that code at
that line, and the running app, given the broken file beside valid content, keeps serving
every other module and scenario and shows a French card for the broken one.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pages import FIXTURES, logged_in, make_person, no_exception, texts, use_temporary_world

from proxi.content import lint
from proxi.content.catalogue import load_catalogue
from proxi.content.findings import ERROR
from proxi.progress.db import open_db

HOSTILE = FIXTURES / "hostile"
SCENARIOS = sorted((HOSTILE / "scenarios").glob("*.yaml"))
MODULES = sorted(path for path in (HOSTILE / "modules").iterdir() if path.is_dir())
EXPECTED = re.compile(r"attendu: (?P<code>[A-Z]\d{3}) (?:(?P<file>\S+) )?ligne (?P<line>\d+)")
WARNING_CODES = {"S125", "S118"}  # served, but flagged


def expectation(path: Path) -> tuple[str, Path, int]:
    """(code, file, line) written in the fixture itself."""
    header = (path / "ATTENDU") if path.is_dir() else path
    match = EXPECTED.search(header.read_bytes().decode("utf-8", "replace").splitlines()[0])
    file = path / match["file"] if match["file"] else path
    return match["code"], file, int(match["line"])


@pytest.fixture
def fixture_modules(monkeypatch):
    monkeypatch.setenv("PROXI_MODULES_DIR", str(FIXTURES / "modules"))


def located(findings, code: str, file: Path, line: int) -> bool:
    return any(
        f.code == code and Path(f.path).resolve() == file.resolve() and f.line == line
        for f in findings
    )


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_the_linter_names_the_scenario_defect_and_its_line(path, fixture_modules):
    code, file, line = expectation(path)
    findings, _ = lint.check([FIXTURES / "scenarios" / "porte.yaml", path])
    assert located(findings, code, file, line), [str(f) for f in findings]
    about_porte = [f for f in findings if f.path.endswith("porte.yaml") and f.code != "S125"]
    assert about_porte == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_the_linter_names_the_module_defect_and_its_line(path, tmp_path):
    code, file, line = expectation(path)
    root = tmp_path / "modules"
    shutil.copytree(FIXTURES / "modules", root)
    shutil.copytree(path, root / path.name, ignore=shutil.ignore_patterns("ATTENDU"))
    findings, _ = lint.check([root])
    assert located(findings, code, root / path.name / file.name, line), [str(f) for f in findings]


def world_with(tmp_path, monkeypatch, path: Path) -> Path:
    db_path = use_temporary_world(tmp_path, monkeypatch)
    if path.is_dir():
        shutil.copytree(
            path, tmp_path / "modules" / path.name, ignore=shutil.ignore_patterns("ATTENDU")
        )
    else:
        shutil.copy(path, tmp_path / "scenarios" / path.name)
    return db_path


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_the_app_keeps_serving_the_rest_beside_a_broken_scenario(path, tmp_path, monkeypatch):
    code, _, line = expectation(path)
    db_path = world_with(tmp_path, monkeypatch, path)
    served = load_catalogue()
    assert "porte" in served.scenarios and "1-essai" in served.course.modules
    assert (path.stem in served.scenarios) == (code in WARNING_CODES)

    at = logged_in(db_path, make_person(db_path, "alice"), "app_pages/scenario.py")
    no_exception(at)
    assert any(option.startswith("La porte du local vélos") for option in at.selectbox[0].options)
    if code not in WARNING_CODES:
        card = "\n".join(e.value for e in at.error)
        assert "Ce contenu ne peut pas être affiché" in card and path.name in card
    first_choice = next(b for b in at.button if b.label == "Vous l'écoutez.")
    first_choice.click().run()
    no_exception(at)
    assert "Écouter apaise." in texts(at)
    for page in ("app_pages/home.py", "app_pages/module.py", "app_pages/my_progress.py"):
        at.switch_page(page).run()
        no_exception(at)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_the_app_keeps_serving_the_rest_beside_a_broken_module(path, tmp_path, monkeypatch):
    db_path = world_with(tmp_path, monkeypatch, path)
    served = load_catalogue()
    assert [lesson.id for lesson in served.course.modules["1-essai"].lessons] == [
        "01-premiere",
        "02-seconde",
    ]
    assert "porte" in served.scenarios
    assert all(
        not lesson.path.startswith(str(tmp_path / "modules" / path.name))
        for module in served.course.modules.values()
        for lesson in module.lessons
    ), "a lesson with an error is not offered"

    at = logged_in(db_path, make_person(db_path, "alice"))
    no_exception(at)
    card = "\n".join(e.value for e in at.error)
    assert "Ce contenu ne peut pas être affiché" in card and path.name in card
    at.switch_page("app_pages/module.py").run()
    no_exception(at)
    assert at.title[0].value == "Module d'essai"
    at.switch_page("app_pages/scenario.py").run()
    no_exception(at)


def test_a_lesson_over_two_megabytes_is_refused_at_line_1(tmp_path):
    root = tmp_path / "modules"
    shutil.copytree(FIXTURES / "modules", root)
    lesson = root / "1-essai" / "03-enorme.md"
    lesson.write_text("---\ntitle: Énorme\nduration: 5\n---\n" + "bla " * 600_000, encoding="utf-8")
    findings, _ = lint.check([root])
    assert located(findings, "P006", lesson, 1)


def test_every_error_in_the_suite_is_an_error_not_a_warning(fixture_modules):
    for path in SCENARIOS:
        code, file, line = expectation(path)
        findings, _ = lint.check([FIXTURES / "scenarios" / "porte.yaml", path])
        severities = {f.severity for f in findings if f.code == code and f.line == line}
        assert severities == ({"avertissement"} if code in WARNING_CODES else {ERROR}), path


def test_two_scenarios_with_one_title_are_told_apart_and_a_choice_stays_on_its_own(
    tmp_path, monkeypatch
):
    db_path = world_with(tmp_path, monkeypatch, HOSTILE / "scenarios" / "titre-en-double.yaml")
    at = logged_in(db_path, make_person(db_path, "alice"), "app_pages/scenario.py")
    assert at.selectbox[0].options == [
        "La porte du local vélos (porte)",
        "La porte du local vélos (titre-en-double)",
    ]
    at.selectbox[0].select("titre-en-double").run()
    next(b for b in at.button if b.label == "Vous l'écoutez.").click().run()
    next(
        b for b in at.button if b.label == "Vous écrivez un signalement au bailleur."
    ).click().run()
    no_exception(at)
    assert at.selectbox[0].value == "titre-en-double"
    assert at.query_params["scenario"] == "titre-en-double"
    db = open_db(db_path)
    chosen = [row[0] for row in db.execute("SELECT object_id FROM events WHERE verb = 'chose'")]
    assert chosen == ["titre-en-double", "titre-en-double"]
