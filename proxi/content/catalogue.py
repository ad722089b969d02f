"""The catalogue: every course module and scenario the app can offer, loaded together.

A file that fails to load is kept out of the catalogue but its findings are kept in, so
the app can show a French error card for it while everything else works. `fingerprint`
lets the app reload only when a content file changed (an edit or a publication).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from proxi.content.course import Course, load_course
from proxi.content.findings import ERROR, Finding
from proxi.content.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[2]


def content_dirs() -> tuple[Path, Path]:
    """Where modules and scenarios live: $PROXI_MODULES_DIR / $PROXI_SCENARIOS_DIR or the repo's."""
    return (
        Path(os.environ.get("PROXI_MODULES_DIR") or ROOT / "modules"),
        Path(os.environ.get("PROXI_SCENARIOS_DIR") or ROOT / "scenarios"),
    )


@dataclass
class Catalogue:
    course: Course
    scenarios: dict[str, Scenario]
    findings: list[Finding] = field(default_factory=list)

    def errors(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == ERROR]

    def scenarios_of(self, module_id: str) -> list[Scenario]:
        return [s for s in self.scenarios.values() if s.module == module_id]


def load_catalogue() -> Catalogue:
    modules_dir, scenarios_dir = content_dirs()
    course, findings = load_course(modules_dir) if modules_dir.exists() else (Course(), [])
    scenarios = {}
    for path in sorted(scenarios_dir.glob("*.yaml")) if scenarios_dir.exists() else []:
        scenario, found = load_scenario(path)
        findings += found
        if scenario is not None:
            scenarios[scenario.id] = scenario
    return Catalogue(course, scenarios, findings)


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
