"""Lint a content text as the linter reads a file (a test helper, no tests here)."""

from __future__ import annotations

from pathlib import Path

from proxi.content import lint

PORTE = (Path(__file__).parent / "fixtures" / "scenarios" / "porte.yaml").read_text(
    encoding="utf-8"
)


def findings_for(tmp_path, text, name="porte.yaml"):
    """(code, line) of every finding in `text`, written to `tmp_path / name` and linted."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    findings, _ = lint.check([path])
    return [(f.code, f.line) for f in findings]


def line_of(text, fragment):
    """The 1-based number of the first line of `text` that holds `fragment`."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)
