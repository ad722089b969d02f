"""The core package never imports streamlit: it must run and be tested without it."""

import ast
from pathlib import Path

CORE = Path(__file__).parent.parent / "proxi"


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_no_core_file_imports_streamlit():
    offenders = [p.name for p in CORE.glob("*.py") if "streamlit" in imported_modules(p)]
    assert offenders == []


def test_the_check_is_able_to_see_an_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import streamlit as st\nfrom streamlit.testing import v1\n")
    assert "streamlit" in imported_modules(sample)
