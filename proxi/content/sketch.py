"""What reads of a scenario text with errors, so that one error hides neither the story map
nor the play-test in the studio.

`sketch(text, path, findings)` builds the Scenario of the parts that read
(`scenario.build_what_reads`) and says which nodes are broken, with the first line to fix
in each. A YAML syntax error stops PyYAML at its line: that line is set aside (blanked) and
the rest read again, a few times at most, so a typo in one node leaves the others on the
map. Nothing here is ever served to learners.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from proxi.content.findings import ERROR, Finding
from proxi.content.scenario import Scenario, build_what_reads
from proxi.content.yamlsource import Source, load
from proxi.errors import ContentError

MAX_SET_ASIDE = 12  # lines blanked to read past syntax errors; more means a broken file


@dataclass(frozen=True)
class Sketch:
    scenario: Scenario | None  # None: nothing reads (not YAML, or no node at all)
    broken: dict[str, int] = field(default_factory=dict)  # node id -> first line to fix
    set_aside: tuple[int, ...] = ()  # lines left out because YAML could not read them


def sketch(text: str, path: str, findings: list[Finding]) -> Sketch:
    source, set_aside = readable(text, path)
    scenario = build_what_reads(source) if source is not None else None
    if source is None or scenario is None:
        return Sketch(None, {}, tuple(set_aside))
    broken: dict[str, int] = {}
    lines = sorted({f.line for f in findings if f.severity == ERROR} | set(set_aside))
    for line in lines:
        node_id = node_at(source, line)
        if node_id is not None:
            broken.setdefault(node_id, line)
    for node in scenario.nodes.values():  # a node that does not read at all has no finding line
        raw = source.data["nodes"].get(node.id)
        if not isinstance(raw, dict):
            broken.setdefault(node.id, source.where(("nodes", node.id))[0])
    return Sketch(scenario, broken, tuple(set_aside))


def readable(text: str, path: str) -> tuple[Source | None, list[int]]:
    """The text's YAML, with the lines PyYAML stops at blanked; None if that does not help."""
    lines = text.split("\n")
    set_aside: list[int] = []
    while len(set_aside) <= MAX_SET_ASIDE:
        try:
            return load("\n".join(lines), path), set_aside
        except ContentError as error:
            line = error.line
            if line in set_aside:  # PyYAML points just past the culprit: try the line above
                line = max((n for n in range(1, line) if n not in set_aside), default=0)
            if error.code == "P006" or not 1 <= line <= len(lines):
                return None, set_aside
            lines[line - 1] = ""
            set_aside.append(line)
    return None, set_aside


def node_at(source: Source, line: int) -> str | None:
    """The node whose part of the file holds `line`, if any."""
    starts = sorted(
        (where[0], str(path[1]))
        for path, where in source.positions.items()
        if len(path) == 2 and path[0] == "nodes"
    )
    tops = [where[0] for path, where in source.positions.items() if len(path) == 1]
    owner = None
    for start, node_id in starts:
        if start <= line:
            owner = (start, node_id)
    if owner is None or any(owner[0] < top <= line for top in tops):
        return None
    return owner[1]
