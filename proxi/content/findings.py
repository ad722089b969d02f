"""Findings: what the linter and the loaders say about a content file.

Every problem has a stable code (listed in docs/codes-erreurs.md), a severity and a French
message, and is printed as `path:line:col: CODE message`. `Shape` checks the structure of a
YAML mapping (types, required and unknown keys) and reports into a list of findings.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from proxi.content.yamlsource import Source
from proxi.errors import ContentError

ERROR, WARNING = "erreur", "avertissement"


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    col: int
    code: str
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.code} {self.severity} : {self.message}"

    @classmethod
    def from_error(cls, error: ContentError) -> Finding:
        return cls(error.path, error.line, error.col, error.code, error.message)


def has_errors(findings: list[Finding]) -> bool:
    return any(finding.severity == ERROR for finding in findings)


TYPE_NAMES = {
    str: "un texte",
    int: "un nombre entier",
    bool: "vrai ou faux (true/false)",
    list: "une liste",
    dict: "un ensemble de champs (clé: valeur)",
}


class Reporter:
    """Collects findings for one source file, placing them with the source's positions."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.findings: list[Finding] = []
        for key_path, line, col in source.duplicates:
            self.findings.append(
                Finding(source.path, line, col, "P005", f"« {key_path[-1]} » est défini deux fois")
            )

    def add(self, where: tuple, code: str, message: str, severity: str = ERROR) -> None:
        line, col = self.source.where(where)
        self.findings.append(Finding(self.source.path, line, col, code, message, severity))

    def warn(self, where: tuple, code: str, message: str) -> None:
        self.add(where, code, message, WARNING)


def is_type(value: Any, expected: type) -> bool:
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if expected is str:
        return isinstance(value, str) and value.strip() != ""
    return isinstance(value, expected)


def check_shape(report: Reporter, where: tuple, value: Any, required: dict, optional: dict) -> bool:
    """Check a mapping's keys and value types; True when it is usable."""
    if not isinstance(value, dict):
        report.add(where, "P002", f"doit être {TYPE_NAMES[dict]}")
        return False
    usable = True
    for key in required:
        if key not in value:
            report.add(where, "P004", f"le champ obligatoire « {key} » manque")
            usable = False
    for key, item in value.items():
        expected = required.get(key) or optional.get(key)
        if expected is None:
            report.add(
                where + (key,),
                "P003",
                f"champ inconnu « {key} »{_did_you_mean(key, required, optional)}",
            )
        elif not is_type(item, expected):
            report.add(where + (key,), "P002", f"« {key} » doit être {TYPE_NAMES[expected]}")
            usable = usable and key not in required
    return usable


def _did_you_mean(key: Any, *known: dict) -> str:
    names = [name for group in known for name in group]
    close = difflib.get_close_matches(str(key), names, n=1, cutoff=0.6)
    return f" : vouliez-vous dire « {close[0]} » ?" if close else ""
