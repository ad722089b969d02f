"""The story map: a scenario drawn as a Graphviz DOT graph for `st.graphviz_chart`.

Nodes are coloured by kind (start, decision, ending by outcome); edges carry the choice's
text, dashed when the choice has a condition. Nodes no choice leads to and dead ends are
drawn in red. With path analytics, an edge's thickness grows with how often learners took it.
"""

from __future__ import annotations

from proxi.content.scenario import Scenario

FILL = {"favourable": "#c8e6c9", "mitigee": "#ffe0b2", "defavorable": "#ffcdd2"}
START_FILL, DECISION_FILL, PROBLEM = "#bbdefb", "#ffffff", "#c62828"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _short(text: str, width: int = 32) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def to_dot(scenario: Scenario, counts: dict[tuple[str, int], int] | None = None) -> str:
    """DOT source; `counts` maps (node id, choice index) to how often it was chosen."""
    reached = scenario.reachable()
    lines = [
        "digraph scenario {",
        '  graph [rankdir=TB, fontname="DejaVu Sans"];',
        '  node [shape=box, style="rounded,filled", fontname="DejaVu Sans", fontsize=11];',
        '  edge [fontname="DejaVu Sans", fontsize=9];',
    ]
    for node in scenario.nodes.values():
        lines.append(f"  {_quote(node.id)} [{_node_style(scenario, node, reached)}];")
    top = max(counts.values(), default=0) if counts else 0
    for node in scenario.nodes.values():
        for choice in node.choices:
            if choice.goto in scenario.nodes:
                lines.append(
                    f"  {_quote(node.id)} -> {_quote(choice.goto)} [{_edge_style(node.id, choice, counts, top)}];"
                )
    lines.append("}")
    return "\n".join(lines)


def _node_style(scenario: Scenario, node, reached: set[str]) -> str:
    label = node.id if not node.ending else f"{node.id}\\n{_short(node.ending.title, 28)}"
    fill = FILL.get(node.ending.outcome, DECISION_FILL) if node.ending else DECISION_FILL
    fill = START_FILL if node.id == scenario.start else fill
    style = [f'label="{label.replace(chr(34), "")}"', f'fillcolor="{fill}"']
    if node.id not in reached:
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
