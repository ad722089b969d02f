"""The story map: a scenario drawn as a Graphviz DOT graph for `st.graphviz_chart`.

Nodes are coloured by kind (start, decision, ending by outcome); edges carry the choice's
text, dashed when the choice has a condition. Nodes no choice leads to and dead ends are
drawn in red. With path analytics, an edge's thickness grows with how often learners took it.
On a text with errors (the studio's sketch), broken nodes are filled red with the line to
fix, and a choice leading to a node that does not exist points at a red « ? ».
"""

from __future__ import annotations

from proxi.content.scenario import Scenario

FILL = {"favourable": "#c8e6c9", "mitigee": "#ffe0b2", "defavorable": "#ffcdd2"}
START_FILL, DECISION_FILL, PROBLEM, BROKEN_FILL = "#bbdefb", "#ffffff", "#c62828", "#ef9a9a"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _short(text: str, width: int = 32) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def to_dot(
    scenario: Scenario,
    counts: dict[tuple[str, int], int] | None = None,
    broken: dict[str, int] | None = None,
) -> str:
    """DOT source; `counts` maps (node id, choice index) to how often it was chosen, `broken`
    a node id to the first line to fix in it."""
    reached = scenario.reachable()
    lines = [
        "digraph scenario {",
        '  graph [rankdir=TB, fontname="DejaVu Sans"];',
        '  node [shape=box, style="rounded,filled", fontname="DejaVu Sans", fontsize=11];',
        '  edge [fontname="DejaVu Sans", fontsize=9];',
    ]
    for node in scenario.nodes.values():
        lines.append(f"  {_quote(node.id)} [{_node_style(scenario, node, reached, broken or {})}];")
    top = max(counts.values(), default=0) if counts else 0
    missing = set()
    for node in scenario.nodes.values():
        for choice in node.choices:
            target = choice.goto if choice.goto in scenario.nodes else f"?{choice.goto}"
            missing |= {target} - set(scenario.nodes)
            lines.append(
                f"  {_quote(node.id)} -> {_quote(target)} [{_edge_style(node.id, choice, counts, top)}];"
            )
    for target in sorted(missing):
        label = f"? {_short(target[1:], 28)}\\nnœud inconnu".replace(chr(34), "")
        lines.append(
            f'  {_quote(target)} [label="{label}", fillcolor="{BROKEN_FILL}", color="{PROBLEM}", style="rounded,filled,dashed"];'
        )
    lines.append("}")
    return "\n".join(lines)


def _node_style(scenario: Scenario, node, reached: set[str], broken: dict[str, int]) -> str:
    label = node.id if not node.ending else f"{node.id}\\n{_short(node.ending.title, 28)}"
    fill = FILL.get(node.ending.outcome, DECISION_FILL) if node.ending else DECISION_FILL
    fill = START_FILL if node.id == scenario.start else fill
    style = [f'label="{label.replace(chr(34), "")}"', f'fillcolor="{fill}"']
    if node.id in broken:
        style = [style[0], f'fillcolor="{BROKEN_FILL}"', f'color="{PROBLEM}"', "penwidth=3"]
        style.append(f'xlabel="erreur ligne {broken[node.id]}"')
    elif node.id not in reached:
        style += [f'color="{PROBLEM}"', 'style="rounded,filled,dashed"', 'xlabel="jamais atteint"']
    elif not node.ending and not node.choices:
        style += [f'color="{PROBLEM}"', "penwidth=3", 'xlabel="impasse"']
    return ", ".join(style)


def _edge_style(node_id: str, choice, counts, top: int) -> str:
    label = _short(choice.text)
    style = [f"label={_quote(label)}"]
    if choice.condition is not None:
        style.append("style=dashed")
    if counts is not None:
        taken = counts.get((node_id, choice.index), 0)
        style.append(f"penwidth={1 + 7 * taken / top:.1f}" if top else "penwidth=1")
        style[0] = f"label={_quote(f'{label} ({taken})')}"
    return ", ".join(style)
