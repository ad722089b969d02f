"""The core package never imports streamlit: it must run and be tested without it."""

import ast
import subprocess
import sys
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
    offenders = [p.name for p in CORE.rglob("*.py") if "streamlit" in imported_modules(p)]
    assert offenders == []


def test_the_check_is_able_to_see_an_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import streamlit as st\nfrom streamlit.testing import v1\n")
    assert "streamlit" in imported_modules(sample)


# Imports flow one way. A module may import its own sub-package and any layer below it.
LAYERS = [
    "errors",
    "dates",
    "mail",
    "labels",
    "hierarchy",
    "content",
    "progress",
    "people",
    "live",
    "web",
    "documents",
    "ops",
]
TOP = {"__init__", "__main__", "cli"}  # the package itself and the command line sit above all


def layer_of(dotted: str) -> str:
    return dotted.split(".")[1]


def proxi_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("proxi."):
            names.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.module == "proxi":
            names |= {f"proxi.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            names |= {a.name for a in node.names if a.name.startswith("proxi.")}
    return names


def upward_imports(core: Path) -> list[str]:
    found = []
    for path in core.rglob("*.py"):
        own = path.relative_to(core).parts[0].removesuffix(".py")
        if own in TOP:
            continue
        for name in proxi_imports(path):
            if LAYERS.index(layer_of(name)) > LAYERS.index(own):
                found.append(f"{path.relative_to(core)} imports {name}")
    return sorted(found)


def test_imports_flow_one_way():
    assert upward_imports(CORE) == []


def test_the_layer_check_sees_an_upward_import(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "engine.py").write_text("from proxi.live import sessions\n")
    assert upward_imports(tmp_path) == ["content/engine.py imports proxi.live"]


def test_proxi_check_runs_without_the_database_and_export_stack(tmp_path):
    """`python -m proxi check` (every edit, CI) must not load sqlite_utils (and with it pandas
    and numpy) nor the PDF and LRS code: they doubled its CPU and memory (bench/bench_check.py)."""
    probe = (
        "import sys\n"
        "from proxi.cli import main\n"
        "code = main(['check', sys.argv[1]])\n"
        "heavy = {'sqlite_utils', 'pandas', 'numpy', 'fpdf', 'proxi.progress.db', 'proxi.documents.lrs'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    scenario = Path(__file__).parent / "fixtures" / "scenarios" / "porte.yaml"
    done = subprocess.run(
        [sys.executable, "-c", probe, str(scenario)], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"
