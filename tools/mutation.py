"""Mutation testing of the core's decision code: `make mutation` (`python -m tools.mutation`).

Why our own and not mutmut or cosmic-ray: both mutate every line of a package and run the
whole suite per mutant, hours on this project; what matters here is a few dozen decision
functions (the expression language, the engine, the progress store's rules, the group
session's votes), each guarded by one test file that runs in seconds.

How it works: for every function listed in TARGETS, each mutation site in its body (a
comparison flipped, `and`/`or` swapped, a `not` dropped, a guard's `raise` removed, a copy
or a clamp removed, an integer shifted by one) gives one mutant. The tracked files are
copied once to a scratch folder; for each mutant the target file there is rewritten and
the target's tests run against that copy. A mutant is killed when a test fails (or runs past
the time limit: a mutation that loops forever is caught too). The run fails below
THRESHOLD percent killed. `--list` prints the mutants without running anything.
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
THRESHOLD = 90.0
TIMEOUT_S = 300

# file -> (top-level functions or assignments to mutate, the tests that guard them)
TARGETS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "proxi/content/expr.py": (("_BINARY", "evaluate"), ("tests/test_expr.py",)),
    "proxi/content/engine.py": (
        ("available_choices", "is_available", "choose", "apply_effects", "rewind", "restore"),
        ("tests/test_engine.py",),
    ),
    "proxi/content/quiz.py": (("passes", "grade"), ("tests/test_quiz.py",)),
    "proxi/progress/store.py": (
        ("record_step", "record_quiz", "_duration"),
        ("tests/test_store.py",),
    ),
    "proxi/live/sessions.py": (
        ("majority", "_check_vote"),
        ("tests/test_live.py", "tests/test_live_vote_display.py"),
    ),
    "proxi/live/flow.py": (
        ("available_moves", "open_vote", "set_hands", "follow", "_current"),
        ("tests/test_live.py", "tests/test_live_vote_display.py"),
    ),
}

FLIPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
SYMBOLS: dict[type[ast.cmpop], str] = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
}
REMOVABLE_CALLS = {"deepcopy", "max", "min"}  # replaced by their last argument (copy, clamp)


@dataclass(frozen=True)
class Mutant:
    path: str
    line: int
    description: str
    site: int  # index of the site in the file's walk order


def sites(tree: ast.Module, names: tuple[str, ...]) -> Iterator[tuple[ast.AST, str]]:
    """(node, what the mutation does) for every mutation site inside the named definitions."""
    for top in tree.body:
        if _name_of(top) not in names:
            continue
        for node in ast.walk(top):
            yield from _node_sites(node)


def _name_of(node: ast.stmt) -> str | None:
    if isinstance(node, ast.FunctionDef | ast.ClassDef):
        return node.name
    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    return None


def _node_sites(node: ast.AST) -> Iterator[tuple[ast.AST, str]]:
    if isinstance(node, ast.Compare):
        for op in node.ops:
            if type(op) in FLIPS:
                yield node, f"{SYMBOLS[type(op)]} -> {SYMBOLS[FLIPS[type(op)]]}"
    elif isinstance(node, ast.BoolOp):
        yield node, "and -> or" if isinstance(node.op, ast.And) else "or -> and"
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield node, "not removed"
    elif isinstance(node, ast.If) and any(isinstance(s, ast.Raise) for s in node.body):
        yield node, "guard removed (its raise never happens)"
    elif isinstance(node, ast.Call) and _call_name(node) in REMOVABLE_CALLS and node.args:
        yield node, f"{_call_name(node)}(...) removed"
    elif isinstance(node, ast.Constant) and type(node.value) is int:
        yield node, f"{node.value} -> {node.value + 1}"


def _call_name(node: ast.Call) -> str | None:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


class _Apply(ast.NodeTransformer):
    """Rewrite the one node at `target` (the same walk order as `sites`)."""

    def __init__(self, target: ast.AST, description: str) -> None:
        self.target, self.description = target, description

    def visit(self, node: ast.AST) -> ast.AST:
        if node is not self.target:
            return self.generic_visit(node)
        if isinstance(node, ast.Compare):
            old = self.description.split(" -> ")[0]
            node.ops = [
                FLIPS[type(op)]() if SYMBOLS.get(type(op)) == old else op for op in node.ops
            ]
        elif isinstance(node, ast.BoolOp):
            node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        elif isinstance(node, ast.UnaryOp):
            return node.operand
        elif isinstance(node, ast.If):
            node.test = ast.Constant(False)
        elif isinstance(node, ast.Call):
            return node.args[-1]
        elif isinstance(node, ast.Constant) and isinstance(node.value, int):
            return ast.Constant(node.value + 1)
        return node


def mutants(path: str, names: tuple[str, ...]) -> list[Mutant]:
    tree = ast.parse((REPO / path).read_text(encoding="utf-8"))
    return [
        Mutant(path, getattr(node, "lineno", 0), description, index)
        for index, (node, description) in enumerate(sites(tree, names))
    ]


def mutated_source(source: str, names: tuple[str, ...], site: int) -> str:
    tree = ast.parse(source)
    node, description = list(sites(tree, names))[site]
    return ast.unparse(ast.fix_missing_locations(_Apply(node, description).visit(tree)))


def killed(scratch: Path, mutant: Mutant, tests: tuple[str, ...]) -> bool:
    target = scratch / mutant.path
    original = target.read_text(encoding="utf-8")
    names = TARGETS[mutant.path][0]
    target.write_text(mutated_source(original, names, mutant.site), encoding="utf-8")
    try:
        return _tests_fail(scratch, tests)
    finally:
        target.write_text(original, encoding="utf-8")


def _tests_fail(scratch: Path, tests: tuple[str, ...]) -> bool:
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    env = {**os.environ, "PYTHONPATH": str(scratch), "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        done = subprocess.run(command, cwd=scratch, env=env, capture_output=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return True
    return done.returncode != 0


def copy_tracked(into: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        if (REPO / name).is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, into / name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.mutation", description=__doc__)
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--only", help="mutate only this file (a key of TARGETS)")
    args = parser.parse_args(argv)
    chosen = {p: t for p, t in TARGETS.items() if args.only in (None, p)}
    every = [m for path, (names, _) in chosen.items() for m in mutants(path, names)]
    if args.list:
        for m in every:
            print(f"{m.path}:{m.line}: {m.description}")
        print(f"{len(every)} mutants")
        return 0
    with tempfile.TemporaryDirectory(prefix="proxi-mutation-") as folder:
        scratch = Path(folder)
        copy_tracked(scratch)
        if any(_tests_fail(scratch, tests) for _, tests in chosen.values()):
            print("The unmutated code fails its tests: fix them first.")
            return 2
        survivors = []
        for m in every:
            if not killed(scratch, m, chosen[m.path][1]):
                survivors.append(m)
                print(f"SURVIVED {m.path}:{m.line}: {m.description}", flush=True)
    score = 100 * (len(every) - len(survivors)) / max(1, len(every))
    print(f"{len(every) - len(survivors)} of {len(every)} mutants killed: {score:.1f} %")
    return 0 if score >= THRESHOLD else 1


if __name__ == "__main__":
    sys.exit(main())
