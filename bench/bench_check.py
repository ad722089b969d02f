"""Benchmark: what `python -m proxi check FILE` costs, start-up included, on the largest and
the most hostile files it accepts.

    python -m bench.bench_check

Each file is checked by the real command in a fresh process, as an author or CI runs it;
its CPU time (user + system) and peak memory come from the kernel (`os.wait4`). Files: a
valid 3,300-node scenario of just under 2 MB (the size limit, yamlsource.MAX_BYTES), and each
defect of tests/fixtures/hostile/scenarios (alias bomb, 5,000 parentheses, huge integers...).
The target, from issue 20: under 2 s of CPU and 200 MB for any file of at most 2 MB. Exit
status 1 when a file misses it. `python -m bench` reports it in its table.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.bench_lint import big_scenario_yaml

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
HOSTILE = REPO / "tests" / "fixtures" / "hostile" / "scenarios"
MAX_CPU_S, MAX_RSS_MB = 2.0, 200.0
SCENE = (
    " Le locataire du troisième étage descend, inquiet, car la porte du hall ne ferme plus "
    "depuis hier soir et des inconnus sont entrés."
)


def largest_scenario(folder: Path) -> Path:
    """A valid scenario of 3,300 nodes, padded to just under the 2 MB limit."""
    path = folder / "banc-check.yaml"
    text = big_scenario_yaml(3300, SCENE, "banc-check")
    assert len(text.encode()) <= 2_000_000, "the generated file must stay under the limit"
    path.write_text(text, encoding="utf-8")
    return path


def check_cost(path: Path) -> tuple[float, float, int]:
    """(CPU seconds, peak RSS in MB, exit status) of `python -m proxi check PATH`."""
    process = subprocess.Popen(
        [sys.executable, "-m", "proxi", "check", str(path)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, process.returncode


def main() -> int:
    folder = RESULTS / "check" / "scenarios"
    folder.mkdir(parents=True, exist_ok=True)
    # (file, the exit status it must give: 0 for the valid one, 1 for a defect found)
    files = [(largest_scenario(folder), 0), *((p, 1) for p in sorted(HOSTILE.glob("*.yaml")))]
    missed = 0
    print(f"proxi check, démarrage compris (objectif < {MAX_CPU_S:g} s CPU et < {MAX_RSS_MB:g} Mo)")
    for path, expected in files:
        runs = [check_cost(path) for _ in range(3 if expected == 0 else 1)]
        cpu, rss, status = sorted(runs)[len(runs) // 2]  # the median run by CPU
        over = cpu >= MAX_CPU_S or rss >= MAX_RSS_MB or status != expected
        missed += over
        size = path.stat().st_size / 1e6
        verdict = "  **au-dessus de l'objectif**" if cpu >= MAX_CPU_S or rss >= MAX_RSS_MB else ""
        verdict += f"  **code {status}, attendu {expected}**" if status != expected else ""
        print(f"  {path.name:<32} {size:5.2f} Mo  {cpu:4.2f} s CPU  {rss:4.0f} Mo{verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
