"""The catalogue: every course module and scenario the app can offer, loaded together.

The app plays only what the linter passes: a scenario or a lesson with an *error* (from
loading, the graph checks or the links between files) is kept out of the catalogue, and
its findings are kept in, so the app shows a French card for it while everything else
works; warnings are served. Even an unexpected failure in one file (P010) stays that
file's problem. `fingerprint` lets the app reload only when a content file changed.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from proxi.content.course import Course, CourseModule, load_course
from proxi.content.findings import ERROR, Finding, has_errors
from proxi.content.lint import lint_course_links, playability_errors
from proxi.content.places import ROOT, content_dirs
from proxi.content.scenario import Scenario, load_scenario

__all__ = ["ROOT", "Catalogue", "content_dirs", "fingerprint", "load_catalogue"]


@dataclass
class Catalogue:
    course: Course
    scenarios: dict[str, Scenario]
    findings: list[Finding] = field(default_factory=list)

    def errors(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == ERROR]

    def scenario_titles(self) -> dict[str, str]:
        """id -> the title to show; a title two scenarios share gets the id, so a list
        (whose widgets tell options apart by label) never confuses one for the other."""
        count: dict[str, int] = {}
        for scenario in self.scenarios.values():
            count[scenario.title] = count.get(scenario.title, 0) + 1
        return {
            s.id: s.title if count[s.title] == 1 else f"{s.title} ({s.id})"
            for s in self.scenarios.values()
        }

    def scenarios_of(self, module_id: str) -> list[Scenario]:
        return [s for s in self.scenarios.values() if s.module == module_id]


def load_catalogue() -> Catalogue:
    modules_dir, scenarios_dir = content_dirs()
    course, findings = Course(), []
    if modules_dir.exists():
        course, findings = _guarded(str(modules_dir), lambda: _playable_course(modules_dir))
        course = course or Course()
    scenarios = {}
    for path in sorted(scenarios_dir.glob("*.yaml")) if scenarios_dir.exists() else []:
        scenario, found = _guarded(str(path), functools.partial(_playable_scenario, path, course))
        findings = findings + list(found)
        if scenario is not None:
            scenarios[scenario.id] = scenario
    return Catalogue(course, scenarios, findings)


def _playable_scenario(path: Path, course: Course) -> tuple[Scenario | None, list[Finding]]:
    """The scenario with every finding the linter has on it; None when one is an error."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return load_scenario(path)  # which says why, as P007
    return _verdict(str(path), text, tuple(course.modules))


@functools.lru_cache(maxsize=256)  # a reload after one publication re-checks one file
def _verdict(path: str, text: str, module_ids: tuple[str, ...]) -> tuple:
    scenario, findings = load_scenario(path, text=text)
    if scenario is None:
        return None, findings
    known = Course(modules=cast(dict[str, CourseModule], dict.fromkeys(module_ids)))  # ids only
    findings = findings + playability_errors(scenario, known)
    return (None if has_errors(findings) else scenario), findings


def _playable_course(root) -> tuple[Course, list[Finding]]:
    """The course without the lessons whose links are broken (M202, M203)."""
    course, findings = load_course(root)
    links = lint_course_links(course)
    broken = {finding.path for finding in links if finding.severity == ERROR}
    for module_id, module in course.modules.items():
        kept = tuple(lesson for lesson in module.lessons if lesson.path not in broken)
        course.modules[module_id] = dataclasses.replace(module, lessons=kept)
    return course, findings + links


def _guarded(path: str, load: Callable[[], tuple]) -> tuple:
    """Run one file's loader; an unexpected failure becomes that file's finding (P010)."""
    try:
        return load()
    except Exception as error:  # noqa: BLE001 - one bad file must never take the app down
        message = f"erreur inattendue en lisant ce fichier ({type(error).__name__}) : signalez-la"
        return None, [Finding(path, 1, 1, "P010", message)]


def fingerprint() -> tuple:
    """Names, sizes and modification times of every content file: cheap to compute."""
    modules_dir, scenarios_dir = content_dirs()
    files = [
        *modules_dir.rglob("*.md"),
        *modules_dir.rglob("*.yaml"),
        *scenarios_dir.glob("*.yaml"),
    ]
    return tuple(
        sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files if p.exists())
    )
