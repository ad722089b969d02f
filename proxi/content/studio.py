"""The authoring studio's core: check a scenario's text, play-test from any node, publish.

Nothing here records anyone's progress. Publishing writes `scenarios/<id>.yaml` atomically,
only when the text has no error, and keeps the previous version under `scenarios/.versions/`.
Learners and group sessions already playing keep working: the engine replays their saved
history against the new version and says so when it no longer fits.
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from proxi.content import engine
from proxi.content.course import Course, load_course
from proxi.content.findings import Finding, has_errors
from proxi.content.lint import ScenarioReport, lint_scenario
from proxi.content.places import content_dirs
from proxi.content.scenario import Scenario, load_scenario
from proxi.content.yamlsource import MAX_BYTES, load
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


def check_text(text: str) -> tuple[Scenario | None, list[Finding], ScenarioReport | None]:
    """Everything the linter says about a scenario text, as if it were published."""
    path = content_dirs()[1] / f"{scenario_name(text)}.yaml"
    scenario, findings = load_scenario(path, text=text)
    if scenario is None:
        return None, findings, None
    modules_dir = content_dirs()[0]
    course = load_course(modules_dir)[0] if modules_dir.exists() else Course()
    more, report = lint_scenario(scenario, course)
    return scenario, sorted(findings + more, key=lambda f: (f.line, f.col)), report


def playtest_state(scenario: Scenario, node_id: str, values: dict[str, int]) -> engine.State:
    """A play-test state at any node with chosen variable values (not a learner's state)."""
    state = engine.start(scenario)
    unknown = set(values) - set(scenario.variables)
    if node_id not in scenario.nodes or unknown:
        raise ProxiError(f"nœud ou variable inconnus : {node_id}, {sorted(unknown)}")
    state["node"] = node_id
    state["vars"].update(values)
    return state


def publish(text: str) -> Path:
    """Write the scenario into the shipped folder; refuse when the linter finds an error."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise PublishRefused("fichier trop volumineux (plus de 2 Mo)")
    name = scenario_name(text, fallback="")
    if not name:
        raise PublishRefused("l'identifiant (id) doit être en minuscules, chiffres et tirets")
    scenario, findings, _ = check_text(text)
    if scenario is None or has_errors(findings):
        raise PublishRefused("le scénario contient des erreurs : corrigez-les avant de publier")
    folder = content_dirs()[1]
    target = folder / f"{name}.yaml"
    if target.exists():
        versions = folder / ".versions"
        versions.mkdir(exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        (versions / f"{name}-{stamp}.yaml").write_bytes(target.read_bytes())
    _atomic_write(target, text)
    return target


def _atomic_write(target: Path, text: str) -> None:
    """Readers see the old file or the new one, never half of one."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".publication-", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(temporary, target)
