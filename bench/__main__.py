"""`python -m bench` (what `make bench` runs): every benchmark, then docs/performance.md.

Runs bench.bench_pages here (server time per interaction, 5,000 people / 1,000,000 events),
then each other benchmark of this folder that exists (bench_votes, bench_reports,
bench_concurrency, bench_check, bench_store_step) as `python -m bench.<name>`, and rewrites the generated part of
docs/performance.md — between its two `bench:` markers — with the table, the others'
outputs, the date and the machine. What is written after the end marker (the analysis) is
kept. Exit status 1 when a target is missed or a benchmark fails.

With --postgres URL (or $PROXI_BENCH_POSTGRES), the benchmarks of the store (pages, votes,
reports, concurrency, store step) run on SQLite and then on a new PostgreSQL database of that
server, and print both side by side (bench/engines.py).
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from bench import bench_pages, engines

REPO_ROOT = Path(__file__).resolve().parent.parent
DOC = REPO_ROOT / "docs" / "performance.md"
OTHERS = {
    "bench_votes": "60 téléphones qui votent en 10 secondes, coût d'un rafraîchissement du projecteur",
    "bench_reports": "requêtes du tableau de bord et de l'analyse des parcours",
    "bench_concurrency": "50 écrivains simultanés sur une même base",
    "bench_check": "proxi check sur le plus gros fichier accepté et sur chaque fichier hostile",
    "bench_store_step": "une étape de leçon enregistrée puis relue",
}
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
OTHER_TIMEOUT_S = 1800


def machine() -> str:
    """CPU model, usable cores, memory, and the versions that matter for these figures."""
    import streamlit

    model = "inconnu"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total_kb = int(meminfo.read_text().split()[1])
        memory = f", {total_kb / 1024 / 1024:.0f} Go de mémoire"
    load = ""
    if hasattr(os, "getloadavg"):  # other work on the machine inflates every figure
        load = f" ; charge moyenne au lancement {os.getloadavg()[0]:.1f}"
    return (
        f"{model}, {cores} cœurs (nproc){memory} ; {platform.system()} {platform.release()} ; "
        f"Python {platform.python_version()}, Streamlit {streamlit.__version__}, "
        f"SQLite {sqlite3.sqlite_version}{load}"
    )


def run_other(name: str) -> tuple[int, str, float]:
    """(exit status, output, seconds) of `python -m bench.<name>`."""
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", f"bench.{name}"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=OTHER_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        return 124, f"(interrompu après {OTHER_TIMEOUT_S} s)", time.perf_counter() - started
    output = done.stdout.strip()
    if done.returncode:
        output += "\n" + "\n".join(done.stderr.strip().splitlines()[-15:])
    return done.returncode, output, time.perf_counter() - started


def generated(measured, facts, others, when: str, host: str, runs: int) -> list[str]:
    lines = [
        START,
        f"_Mesuré le {when}, par `python -m bench` (`make bench`)._",
        "",
        f"**Machine** : {host}.",
        "",
        f"**Base** : `bench/results/{facts['database']}` — {facts['people']} personnes, "
        f"{facts['events']} événements (générée par `python -m proxi demo --people 5000 "
        f"--events 1000000`). Apprenant mesuré : `{facts['learner']}` "
        f"({facts['learner_events']} événements, la médiane).",
        "",
        "### Temps serveur par interaction (AppTest)",
        "",
        f"Médiane de {runs} interactions après une interaction d'échauffement ; « × page vide » "
        "divise par la médiane d'une page Streamlit vide (`import streamlit as st`) mesurée "
        "de la même façon dans la même exécution."
        + (
            " Colonnes PostgreSQL : les mêmes mesures sur une copie vérifiée de la même base "
            "(`migrate --to`) dans un serveur PostgreSQL de la même machine."
            if "PostgreSQL" in measured
            else ""
        ),
        "",
        *bench_pages.table(measured),
    ]
    for name, (status, output, seconds) in others.items():
        verdict = "" if status == 0 else f" — **échec (code {status})**"
        lines += [
            "",
            f"### `python -m bench.{name}` — {OTHERS[name]} ({seconds:.0f} s){verdict}",
            "",
            "```",
            output,
            "```",
        ]
    return [*lines, END]


DEFAULT_NOTES = """
## Lecture

Les objectifs viennent des tickets 3, 6 et 7. Les écarts et leur cause sont analysés
ci-dessous (partie écrite à la main, conservée quand `python -m bench` réécrit le tableau).
"""


def write_doc(block: list[str]) -> None:
    previous = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    notes = previous.split(END, 1)[1] if END in previous else DEFAULT_NOTES
    head = previous.split(START, 1)[0] if START in previous else (
        "# Performances\n\nChiffres produits par `make bench` (`python -m bench`). "
        "Pour les reproduire : `make bench` ; la base de 5 000 personnes et 1 000 000 "
        "d'événements est générée au premier lancement dans `bench/results/` (ignoré par git), "
        "puis réutilisée.\n\n"
    )  # fmt: skip
    DOC.write_text(head + "\n".join(block) + notes, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--only-pages", action="store_true", help="skip the other benchmarks")
    engines.add_option(parser)
    args = parser.parse_args(argv)
    if args.postgres:  # the other benchmarks, run below, read it there
        os.environ[engines.ENV] = args.postgres
    when = datetime.now().astimezone().strftime("%d/%m/%Y à %H:%M (%Z)")
    host = machine()
    print(f"Machine : {host}", flush=True)
    measured, facts = bench_pages.run(args.people, args.events, args.runs, args.postgres)
    print("\n".join(bench_pages.table(measured)), flush=True)
    others = {}
    for name in [] if args.only_pages else OTHERS:
        if (REPO_ROOT / "bench" / f"{name}.py").exists():
            print(f"\n== python -m bench.{name}", flush=True)
            others[name] = run_other(name)
            print(others[name][1], flush=True)
    write_doc(generated(measured, facts, others, when, host, args.runs))
    print(f"\n{DOC.relative_to(REPO_ROOT)} réécrit.")
    failed = bench_pages.missed(measured) or any(status for status, _, _ in others.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
