"""Legal sources: which articles a text cites, and whether the file's `sources:` names them.

Every legal statement in the course carries its source so that a reviewer can re-check it
against the text in force. A module (`module.yaml`) and a scenario each have a `sources:`
list; any article cited in their texts (« art. 222-13 », « articles L441-1 et R441-3 »)
must appear in one entry of that list. The glossary belongs to no module: its articles
must be in some module's list.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from proxi.content.findings import WARNING, Finding, Reporter
from proxi.content.yamlsource import load

_NUMBER = r"(?:[LRDA]\.?\s?)?\d+(?:-\d+)*(?:\s(?:bis|ter|quater)\b)?"
_CITATION = re.compile(
    rf"\b(?:art\.|articles?)\s+({_NUMBER}(?:\s*(?:,|et|ou|/|à)\s*{_NUMBER})*)", re.IGNORECASE
)
_ONE = re.compile(_NUMBER)


def cited_articles(text: str) -> list[tuple[int, str]]:
    """(offset, article) for every article cited in `text`, normalised (« L. 272-4 » -> L272-4)."""
    found = []
    for citation in _CITATION.finditer(text):
        for number in _ONE.finditer(citation.group(1)):
            found.append((citation.start(1) + number.start(), _normalise(number.group())))
    return found


def _normalise(number: str) -> str:
    return re.sub(r"^([LRDA])\.?\s?", r"\1", number.strip()).upper().replace(" BIS", " bis")


def listed_articles(sources: tuple[str, ...] | list[str]) -> set[str]:
    return {article for entry in sources for _, article in cited_articles(entry)}


def strings(value, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """Every string in a YAML value with its path, skipping the `sources` list itself."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if not (path == () and key == "sources"):
                yield from strings(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings(item, path + (index,))


def _missing_message(article: str) -> str:
    return (
        f"l'article {article} est cité mais absent de « sources » : ajoutez le texte "
        "(code ou loi, article, version en vigueur) à la liste"
    )


def check_yaml(report: Reporter, data, sources: tuple[str, ...], code: str) -> None:
    """Warn at each citation in a YAML file whose article is not in `sources`."""
    listed = listed_articles(sources)
    for path, text in strings(data):
        for article in sorted({a for _, a in cited_articles(text)} - listed):
            report.warn(path, code, _missing_message(article))


def check_text(path: str, text: str, sources: tuple[str, ...], code: str) -> list[Finding]:
    """The same check on a Markdown lesson, placed at the line of the citation."""
    listed, findings, seen = listed_articles(sources), [], set()
    for offset, article in cited_articles(text):
        if article not in listed and article not in seen:
            seen.add(article)
            line = text.count("\n", 0, offset) + 1
            findings.append(Finding(path, line, 1, code, _missing_message(article), WARNING))
    return findings


def lint_course_sources(course) -> list[Finding]:
    """Lessons and quiz of each module against its `sources`; the glossary against all."""
    findings: list[Finding] = []
    everything: list[str] = []
    for module in course.modules.values():
        everything += module.sources
        source = load(Path(module.path).read_text(encoding="utf-8"), module.path)
        report = Reporter(source)
        report.findings.clear()  # duplicates were reported by the loader
        check_yaml(report, source.data, module.sources, "M214")
        findings += report.findings
        for lesson in module.lessons:
            text = Path(lesson.path).read_text(encoding="utf-8")
            findings += check_text(lesson.path, text, module.sources, "M214")
    glossary = Path(course.glossary_path) if course.glossary_path else None
    if glossary is not None and glossary.exists() and course.modules:
        source = load(glossary.read_text(encoding="utf-8"), str(glossary))
        report = Reporter(source)
        report.findings.clear()
        check_yaml(report, source.data, tuple(everything), "M214")
        findings += report.findings
    return findings
