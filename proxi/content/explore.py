"""Exhaustive exploration of a scenario's playthroughs.

A playthrough's future depends only on (node, variable values, once-only choices used), so
we explore that state graph breadth-first, once per state. From it we derive what the
linter reports: distinct paths, endings reached, competency ranges, states that can never
finish, effects that overflow a variable's range, and where the worst behaviour leads.
The rules of a move (availability, effects and their clamping) are the engine's: this module
only walks them.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field

from proxi.content import engine
from proxi.content.scenario import Choice, Scenario

# Past this many moves the exploration stops and says so (S118): it keeps `proxi check` under
# ~2 s (bench/bench_check.py); the most combinatorial shipped scenario needs 80,000.
MAX_MOVES = 150_000

Key = tuple  # (node_id, values tuple, used frozenset)


@dataclass
class Overflow:
    node_id: str
    choice: Choice
    variable: str
    value: int


@dataclass
class Exploration:
    scenario: Scenario
    start: Key
    edges: dict[Key, list[tuple[Choice, Key]]] = field(default_factory=dict)
    overflows: list[Overflow] = field(default_factory=list)
    complete: bool = True

    def nodes_reached(self) -> set[str]:
        return {key[0] for key in self.edges}

    def is_ending(self, key: Key) -> bool:
        return self.scenario.nodes[key[0]].ending is not None


def explore(scenario: Scenario) -> Exploration:
    names = list(scenario.variables)
    start_key: Key = (
        scenario.start,
        tuple(scenario.variables[n].start for n in names),
        frozenset(),
    )
    result = Exploration(scenario, start_key)
    queue = deque([start_key])
    result.edges[start_key] = []
    moves = 0
    while queue:
        if moves > MAX_MOVES:
            result.complete = False
            break
        key = queue.popleft()
        for choice, target in _moves(scenario, names, key, result):
            moves += 1
            result.edges[key].append((choice, target))
            if target not in result.edges:
                result.edges[target] = []
                queue.append(target)
    return result


def _moves(scenario: Scenario, names: list[str], key: Key, result: Exploration):
    node_id, values_tuple, used = key
    node = scenario.nodes[node_id]
    if node.ending:
        return
    values = dict(zip(names, values_tuple, strict=True))
    for choice in node.choices:
        if not engine.is_available(choice, node_id, values, used):
            continue
        if choice.goto not in scenario.nodes:
            continue
        new_values, overflows = engine.apply_effects(scenario, choice, values)
        for variable, value in overflows:
            result.overflows.append(Overflow(node_id, choice, variable, value))
        new_used = used | {engine.once_mark(node_id, choice)} if choice.once else used
        yield choice, (choice.goto, tuple(new_values[n] for n in names), new_used)


def can_finish(exploration: Exploration) -> set[Key]:
    """States from which some ending is reachable (backwards search from the endings)."""
    parents: dict[Key, list[Key]] = {}
    for key, moves in exploration.edges.items():
        for _, target in moves:
            parents.setdefault(target, []).append(key)
    done = {key for key in exploration.edges if exploration.is_ending(key)}
    queue = deque(done)
    while queue:
        for parent in parents.get(queue.popleft(), ()):
            if parent not in done:
                done.add(parent)
                queue.append(parent)
    return done


def _topological_order(exploration: Exploration) -> list[Key] | None:
    """States with every state after its successors; None when the graph has a cycle."""
    order, state = [], {}
    for root in exploration.edges:
        if root in state:
            continue
        stack = [(root, iter(exploration.edges[root]))]
        state[root] = "open"
        while stack:
            key, moves = stack[-1]
            for _, target in moves:
                if state.get(target) == "open":
                    return None
                if target not in state:
                    state[target] = "open"
                    stack.append((target, iter(exploration.edges[target])))
                    break
            else:
                state[key] = "done"
                order.append(key)
                stack.pop()
    return order


@dataclass
class PathSummary:
    paths: int | None  # None when a playthrough can loop back to an identical state
    paths_by_ending: dict[str, int]
    competency_min: dict[str, int]
    competency_max: dict[str, int]


def summarise(exploration: Exploration) -> PathSummary:
    """Count complete paths and each competency's min/max over them (dynamic programming)."""
    codes = sorted(
        {
            c
            for moves in exploration.edges.values()
            for choice, _ in moves
            for c, _ in choice.competencies
        }
        | set(exploration.scenario.competencies)
    )
    order = _topological_order(exploration)
    if order is None:
        return PathSummary(None, {}, {}, {})
    count: dict[Key, int] = {}
    by_ending: dict[Key, Counter] = {}
    low: dict[Key, dict[str, int]] = {}
    high: dict[Key, dict[str, int]] = {}
    for key in order:  # successors come first
        if exploration.is_ending(key):
            count[key], low[key], high[key] = 1, dict.fromkeys(codes, 0), dict.fromkeys(codes, 0)
            by_ending[key] = Counter({key[0]: 1})
            continue
        finishing = [(c, t) for c, t in exploration.edges[key] if count.get(t)]
        count[key] = sum(count[t] for _, t in finishing)
        by_ending[key] = sum((by_ending[t] for _, t in finishing), Counter())
        if finishing:
            gains = [(dict(c.competencies), t) for c, t in finishing]
            low[key] = {
                code: min(g.get(code, 0) + low[t][code] for g, t in gains) for code in codes
            }
            high[key] = {
                code: max(g.get(code, 0) + high[t][code] for g, t in gains) for code in codes
            }
    start = exploration.start
    return PathSummary(
        count.get(start, 0), dict(by_ending.get(start, {})), low.get(start, {}), high.get(start, {})
    )


def worst_endings(exploration: Exploration) -> set[str]:
    """Endings reached when, at every decision, one takes a choice with the lowest weight."""
    seen, queue, endings = {exploration.start}, deque([exploration.start]), set()
    while queue:
        key = queue.popleft()
        if exploration.is_ending(key):
            endings.add(key[0])
            continue
        moves = exploration.edges[key]
        if not moves:
            continue
        lowest = min(choice.weight for choice, _ in moves)
        for choice, target in moves:
            if choice.weight == lowest and target not in seen:
                seen.add(target)
                queue.append(target)
    return endings
