"""The authoring studio's core on files: check a text, play-test from any node, the template
of a new scenario, publish, and the versions kept.

Nothing here records anyone's progress. Publishing writes `scenarios/<id>.yaml` atomically,
only when the text has no error, and keeps the previous version under
`scenarios/.versions/<id>-<UTC stamp>.yaml`. Learners and group sessions already playing keep
working: the engine replays their saved history against the new version and says so when it
no longer fits. Who may publish, drafts and proposals: `proxi.people.authoring`.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from proxi.content import engine
from proxi.content.course import Course, load_course
from proxi.content.findings import ERROR, Finding, has_errors
from proxi.content.lint import ScenarioReport, check_loaded
from proxi.content.places import content_dirs
from proxi.content.scenario import Scenario, load_scenario
from proxi.content.sketch import Sketch, sketch
from proxi.content.yamlsource import MAX_BYTES, load
from proxi.dates import iso
from proxi.errors import ProxiError


class PublishRefused(ProxiError):
    """The scenario still has errors, or its identifier is not a safe file name."""


def scenario_name(text: str, fallback: str = "brouillon") -> str:
    """The file name a text would be published under: its `id` when it is a safe slug."""
    try:
        data = load(text, "brouillon.yaml").data
    except ProxiError:
        return fallback
    candidate = data.get("id") if isinstance(data, dict) else None
    safe = (
        isinstance(candidate, str) and candidate.replace("-", "").isalnum() and candidate.islower()
    )
    return candidate if safe and isinstance(candidate, str) else fallback


@dataclass(frozen=True)
class Check:
    """What the studio shows about a text: the findings, and what can be drawn and played."""

    findings: list[Finding]
    scenario: Scenario | None  # the whole scenario, only when its structure has no error
    report: ScenarioReport | None  # the paths explored, only then too
    sketch: Sketch  # what reads, errors or not: the map and the play-test

    @property
    def errors(self) -> int:
        return sum(finding.severity == ERROR for finding in self.findings)


def check_text(text: str) -> Check:
    """Everything the linter says about a scenario text, as if it were published."""
    path = content_dirs()[1] / f"{scenario_name(text)}.yaml"
    partial, found = load_scenario(path, text=text, partial=True)
    modules_dir = content_dirs()[0]
    course = load_course(modules_dir)[0] if modules_dir.exists() else Course()
    findings, report = check_loaded(partial, found, course)
    findings = sorted(findings, key=lambda f: (f.line, f.col))
    whole = partial if partial is not None and not has_errors(found) else None
    return Check(findings, whole, report, sketch(text, str(path), findings))


def excerpt(text: str, line: int, col: int = 1, around: int = 1) -> str:
    """The lines around `line`, numbered as in the file, the line itself marked, a caret
    under the column: what a finding points at, for an editor without line numbers."""
    lines = text.split("\n")
    first, last = max(1, line - around), min(len(lines), line + around)
    width = len(str(last))
    shown = []
    for number in range(first, last + 1):
        mark = "→" if number == line else " "
        shown.append(f"{mark} {number:>{width}} │ {lines[number - 1]}".rstrip())
        if number == line and col > 1:
            shown.append(f"  {'':>{width}} │ {' ' * (col - 1)}^")
    return "\n".join(shown)


TEMPLATE = Path(__file__).parent / "templates" / "nouvelle-situation.yaml"


def template_text() -> str:
    """« Nouvelle mise en situation » starts from this text: it passes `proxi check`."""
    return TEMPLATE.read_text(encoding="utf-8")


def publishable_name(text: str, opened: str | None) -> str:
    """The file name `text` would be published under, or PublishRefused saying why not."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise PublishRefused("fichier trop volumineux (plus de 2 Mo)")
    name = scenario_name(text, fallback="")
    if not name:
        raise PublishRefused("l'identifiant (id) doit être en minuscules, chiffres et tirets")
    if name != opened and (content_dirs()[1] / f"{name}.yaml").exists():
        raise PublishRefused(
            f"l'identifiant « {name} » est déjà celui d'une autre mise en situation : choisissez-en un autre"
        )
    return name


def playtest_state(scenario: Scenario, node_id: str, values: dict[str, int]) -> engine.State:
    """A play-test state at any node with chosen variable values (not a learner's state)."""
    state = engine.start(scenario)
    unknown = set(values) - set(scenario.variables)
    if node_id not in scenario.nodes or unknown:
        raise ProxiError(f"nœud ou variable inconnus : {node_id}, {sorted(unknown)}")
    state["node"] = node_id
    state["vars"].update(values)
    return state


def publish(text: str, opened: str | None = None) -> Path:
    """Write the scenario into the shipped folder; refuse when the linter finds an error.

    A text replaces only the scenario it was opened from (`opened`, None for a new one):
    an `id` changed to another scenario's would overwrite that one.
    """
    name = publishable_name(text, opened)
    checked = check_text(text)
    if checked.scenario is None or checked.errors:
        raise PublishRefused("le scénario contient des erreurs : corrigez-les avant de publier")
    target = content_dirs()[1] / f"{name}.yaml"
    if target.exists():
        versions_dir().mkdir(exist_ok=True)
        stamp = datetime.now(UTC).strftime(STAMP)
        (versions_dir() / f"{name}-{stamp}.yaml").write_bytes(target.read_bytes())
    _atomic_write(target, text)
    return target


STAMP = "%Y%m%dT%H%M%S%f"


def versions_dir() -> Path:
    return content_dirs()[1] / ".versions"


@dataclass(frozen=True)
class Version:
    """A scenario's text as it was before a publication replaced it."""

    name: str  # the file's name in .versions/, what `version_text` takes
    scenario_id: str
    replaced_at: str  # when the next publication replaced it (stored form, proxi.dates.iso)


def versions(scenario_id: str) -> list[Version]:
    """The kept versions of one scenario, newest first."""
    found = []
    for path in versions_dir().glob(f"{scenario_id}-*.yaml") if versions_dir().is_dir() else ():
        stem, _, stamp = path.stem.rpartition("-")
        try:
            moment = datetime.strptime(stamp, STAMP).replace(tzinfo=UTC)
        except ValueError:
            continue  # not one of ours (another scenario whose id continues with a dash)
        if stem == scenario_id:
            found.append(Version(path.name, scenario_id, iso(moment)))
    return sorted(found, key=lambda version: version.replaced_at, reverse=True)


def version_text(name: str) -> str:
    """The text of a kept version, by the name `versions` gave."""
    path = versions_dir() / name
    if Path(name).name != name or path.suffix != ".yaml" or not path.is_file():
        raise ProxiError(f"version introuvable : {name}")
    return path.read_text(encoding="utf-8")


def _atomic_write(target: Path, text: str) -> None:
    """Readers see the old file or the new one, never half of one."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".publication-", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(temporary, target)
