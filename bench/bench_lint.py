"""Benchmark: how long the linter takes on a generated 2,000-node scenario.

    python -m bench.bench_lint

`proxi check` loads the YAML keeping positions, runs the graph checks and explores every
path exhaustively (memoised on node and variable values); this prices all of it on a
scenario far bigger than any trainer writes. `python -m bench` reports it in its table.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def big_scenario_yaml(
    nodes: int = 2000, narration: str = "", scenario_id: str = "banc-2000"
) -> str:
    """A valid scenario of `nodes` nodes: a chain of decisions where each choice goes one or
    two nodes ahead (so paths multiply), a gauge kept in bounds by conditions, three endings.
    `narration` is added to every scene (to reach a given file size)."""
    lines = [
        f"id: {scenario_id}",
        "title: Banc d'essai du linter",
        "summary: Un scénario généré de 2000 nœuds.",
        "module: 4-gestion-des-conflits",
        "duration: 60",
        "competencies: [ecoute, apaisement]",
        "player: gardien",
        "characters:",
        "  gardien:",
        "    name: Vous",
        "    card: {who: Gardien, wants: Le calme, knows: Le quartier, feels: Fatigué}",
        "variables:",
        "  tension: {label: Tension, min: 0, max: 6, start: 3, gauge: true}",
        "start: n0",
        "nodes:",
    ]
    decisions = nodes - 3
    outcomes = ("favourable", "mitigee", "defavorable")
    for number in range(decisions):
        near, far = number + 1, min(number + 2, decisions)
        near_id = f"n{near}" if near < decisions else "fin_favourable"
        far_id = f"n{far}" if far < decisions else "fin_defavorable"
        lines += [
            f"  n{number}:",
            f"    narration: Scène {number}.{narration}",
            "    trainer_notes: Observer.",
            "    prompt: Que faire ?",
            "    choices:",
            "      - text: Écouter.",
            f"        goto: {near_id}",
            '        if: "tension > 0"',
            '        effects: ["tension -= 1"]',
            "        competencies: {ecoute: 1}",
            "        feedback: Écouter apaise.",
            "      - text: Couper court.",
            f"        goto: {far_id if number % 50 else 'fin_mitigee'}",
            '        if: "tension < 6"',
            '        effects: ["tension += 1"]',
            "        competencies: {apaisement: -1}",
            "        feedback: Cela fait monter la tension.",
        ]
    for outcome in outcomes:
        lines += [
            f"  fin_{outcome}:",
            f"    narration: Fin {outcome}.",
            "    ending:",
            f"      outcome: {outcome}",
            f"      title: Fin {outcome}",
            "      debrief: Un débriefing.",
            "      professional: Ce qu'un professionnel ferait.",
            "      references: [Procédure de signalement du bailleur]",
        ]
    return "\n".join(lines) + "\n"


def lint_big_scenario(results: Path, runs: int) -> tuple[list[float], str]:
    """Seconds to lint a 2,000-node scenario (load, graph checks, exhaustive exploration)."""
    from proxi.content import lint
    from proxi.content.findings import has_errors

    folder = results / "lint-2000" / "scenarios"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "banc-2000.yaml"
    path.write_text(big_scenario_yaml(), encoding="utf-8")
    findings, summaries = lint.check([path])
    if has_errors(findings):
        errors = [f for f in findings if f.severity != "avertissement"]
        raise RuntimeError(f"the generated scenario does not lint clean: {errors[:3]}")
    spans = []
    for _ in range(runs):
        start = time.perf_counter()
        lint.check([path])
        spans.append(1000 * (time.perf_counter() - start))
    summary = summaries[0]
    paths = f"~10^{len(str(summary.paths)) - 1}" if summary.paths else "?"
    note = f"{summary.nodes} nœuds, {paths} chemins explorés, 0 erreur"
    return spans, note


def main() -> int:
    spans, note = lint_big_scenario(RESULTS, 3)
    print(f"linter, 2 000 nœuds : médiane {sorted(spans)[1]:.0f} ms ({note})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
