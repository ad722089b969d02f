"""Benchmark: one Streamlit process against two, behind nginx, under the same load.

    python -m bench.bench_scale [--learners 100] [--seconds 40] [--processes 1 2]

`python -m proxi serve` (proxi/ops/serve.py) with 1, then 2 processes, on a copy of the
5,000-person / 1,000,000-event database, the same nginx in front of both; N learners log in
through the login form and tap every 1-3 s (more than one process serves), through the
proxy, for S seconds. Prints clicks served per second, p50 / p95 and CPU per click for each,
and the ratio of clicks served. Exit status 1 when a click errors.
The machine is shared: the second process only helps if a second core is free.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bench import bench_load, load, server

THINK_S = (1.0, 3.0)


def measure(db_path: Path, processes: int, learners: list[str], seconds: float) -> dict:
    figures = bench_load.Figures()
    env = server.server_env(db_path)
    with server.served_by_proxy("app.py", env, processes) as group:
        target = load.Proxi(group.url, bench_load.PASSWORD, learners, bench_load.TRAINER)
        tally = asyncio.run(
            bench_load.learners_phase(target, group, len(learners), seconds, THINK_S, figures)
        )
    p50, p95, _ = load.summary(tally.all())
    label = next(k for k in figures.numbers if k.endswith("clics servis par seconde"))
    cpu = next(k for k in figures.numbers if k.endswith("CPU par clic (ms)"))
    return {
        "rate": figures.numbers[label],
        "p50": p50,
        "p95": p95,
        "cpu": figures.numbers[cpu],
        "errors": figures.errors,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bench_scale", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--learners", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--db", type=Path, help="an existing database (default: the generated one)")
    args = parser.parse_args(argv)
    from bench.__main__ import machine

    print(f"Machine : {machine()}", flush=True)
    source = args.db or bench_load.generated(5000, 1_000_000)
    results = {}
    for count in args.processes:
        db_path = bench_load.working_copy(source)
        learners = load.learner_identifiers(db_path, args.learners)
        results[count] = measure(db_path, count, learners, args.seconds)
        print(f"{count} processus : {results[count]}", flush=True)
    think = f"un clic toutes les {THINK_S[0]:.0f} à {THINK_S[1]:.0f} s"
    lines = [
        f"{args.learners} apprenants, {think}, {args.seconds:.0f} s, derrière nginx :",
        "",
        "| Processus | Clics servis par seconde | p50 (ms) | p95 (ms) | CPU par clic (ms) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for count, r in results.items():
        lines.append(
            f"| {count} | {r['rate']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['cpu']:.0f} |"
        )
    first, *others = results
    for count in others:
        ratio = results[count]["rate"] / max(results[first]["rate"], 1e-9)
        lines.append(f"\nClics servis, {count} processus / {first} : {ratio:.2f}×")
    print("\n".join(lines), flush=True)
    errors = [e for r in results.values() for e in r["errors"]]
    for error in errors[:20]:
        print(f"erreur : {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
