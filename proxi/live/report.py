"""What a group session leaves behind, as printable Markdown: map, summary, attendance, roles.

Read-only. The session map is the tree of every decision the group met, keyed by the
path of choices that led there: a « rejouer » adds a second visit to an existing point
and a new branch below it, never replaces the first. The summary lists each path taken to
its end (replayed with the engine, so competencies are the engine's own arithmetic), the
votes at every decision and the trainer's notes. The attendance sheet (feuille
d'émargement, built by `proxi.live.attendance`) is one half-day: the trainer and every
participant the viewer may see, with their arrival time, plus an empty signature column
for the printed copy.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from proxi.content import engine
from proxi.content.markdown import plain
from proxi.content.scenario import CARD_FIELDS, COMPETENCIES, Scenario
from proxi.dates import french_date
from proxi.labels import outcome_phrase, quoted
from proxi.live import room as live_room
from proxi.live import sessions as live
from proxi.live.attendance import Sheet
from proxi.live.sessions import Decision, LiveSession
from proxi.people import accounts
from proxi.progress.db import Database


@dataclass(frozen=True)
class MapRow:
    """One decision in the session map, at its depth in the tree of branches."""

    depth: int
    decision: Decision
    counts: dict[int, int]


# --- Session map -------------------------------------------------------------------------


def session_map(db: Database, session_id: int) -> list[MapRow]:
    """Every decision, depth first: a branch's decisions follow the decision it came from."""
    found = live.decisions(db, session_id)
    points: dict[tuple, list[Decision]] = defaultdict(list)
    for decision in found:
        points[(decision.scenario_id, decision.path)].append(decision)
    children: dict[tuple | None, list[tuple]] = defaultdict(list)
    for scenario_id, path in points:
        parent = (scenario_id, path[:-1]) if path else None
        children[parent if parent in points else None].append((scenario_id, path))
    rows: list[MapRow] = []

    def visit(point: tuple, depth: int) -> None:
        for decision in points[point]:
            rows.append(MapRow(depth, decision, live.tally(db, decision)[0]))
        for child in sorted(children[point], key=lambda key: points[key][0].number):
            visit(child, depth + 1)

    for root in sorted(children[None], key=lambda key: points[key][0].number):
        visit(root, 0)
    return rows


def map_markdown(rows: list[MapRow], scenarios: dict[str, Scenario]) -> str:
    """The map as nested Markdown lists, one per scenario."""
    lines: list[str] = []
    current = None
    for row in rows:
        scenario = scenarios.get(row.decision.scenario_id)
        if scenario is None:
            continue
        if scenario.id != current:
            lines += ["", f"**{scenario.title}**", ""]
            current = scenario.id
        lines.append("  " * row.depth + "- " + _decision_line(row, scenario))
    return "\n".join(lines).strip() or "Aucune décision pour l'instant."


def _decision_line(row: MapRow, scenario: Scenario) -> str:
    decision = row.decision
    offered = live.options(scenario, decision.node_id, decision.choices)
    votes = " · ".join(f"{o.letter} : {row.counts.get(o.index, 0)}" for o in offered)
    line = f"**Décision {decision.number}** — {scene_label(scenario, decision.node_id)} — {votes}"
    if decision.chosen is not None:
        letter = next(o.letter for o in offered if o.index == decision.chosen)
        line += f" → suivi : **{letter}**"
        target = scenario.nodes[scenario.nodes[decision.node_id].choices[decision.chosen].goto]
        if target.ending:
            line += f" → fin « {target.ending.title} » ({outcome_phrase(target.ending.outcome)})"
    elif decision.status == "closed":
        line += " (laissée pour rejouer)"
    else:
        line += " (vote en cours)"
    return line


def scene_label(scenario: Scenario, node_id: str, width: int = 60) -> str:
    """A few words that name a scene for people (the node id is for authors)."""
    node = scenario.nodes[node_id]
    text = " ".join((node.narration or (node.lines[0].text if node.lines else node_id)).split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


# --- Summary --------------------------------------------------------------------------


def paths_taken(decisions: list[Decision], scenario: Scenario) -> list[engine.State]:
    """Each distinct path the group followed to its furthest point, replayed by the engine."""
    followed = [d.path + (d.chosen,) for d in decisions if d.chosen is not None]
    followed += [d.path for d in decisions if d.chosen is None and d.status != "closed"]
    leaves = [
        p for p in dict.fromkeys(followed) if not any(q[: len(p)] == p != q for q in followed)
    ]
    return [engine.replay(scenario, list(path)) for path in leaves]


def summary_markdown(db: Database, session: LiveSession, scenarios: dict[str, Scenario]) -> str:
    """The printable session summary: header, then per scenario paths, votes, map; notes."""
    everyone = live_room.participants(db, session.id)
    guests = sum(1 for p in everyone if p.is_guest)
    lines = [
        f"# Bilan de séance — {plain(session.title)}",
        "",
        _header(db, session),
        "",
        f"**Participants** : {len(everyone)} (dont {guests} sans compte)",
    ]
    decisions = live.decisions(db, session.id)
    rows = session_map(db, session.id)
    for scenario_id in session.scenario_ids:
        scenario = scenarios.get(scenario_id)
        mine = [d for d in decisions if d.scenario_id == scenario_id]
        if scenario is None or not mine:
            continue
        lines += ["", f"## {scenario.title}", "", "### Parcours suivis", ""]
        lines += [
            _path_line(n, state, scenario) for n, state in enumerate(paths_taken(mine, scenario), 1)
        ]
        lines += ["", "### Votes à chaque décision", "", _votes_table(rows, scenario)]
    lines += ["", "## Notes du formateur", "", session.notes or "_Aucune note._"]
    return "\n".join(lines)


def screen_summary(db: Database, session_id: int, scenarios: dict[str, Scenario]) -> list[str]:
    """The session summary for the projector's end screen: a few lines, large."""
    session = live.get_session(db, session_id)
    decisions = live.decisions(db, session_id)
    people = len(live_room.participants(db, session_id))
    lines = [f"**{people}** participant(s), **{len(decisions)}** décision(s) prises ensemble."]
    for scenario_id in session.scenario_ids:
        scenario = scenarios.get(scenario_id)
        mine = [d for d in decisions if d.scenario_id == scenario_id]
        if scenario is None or not mine:
            continue
        ends = []
        for state in paths_taken(mine, scenario):
            ending = scenario.nodes[state["node"]].ending
            ends.append(
                f"{ending.title} ({outcome_phrase(ending.outcome)})" if ending else "en cours"
            )
        ended = " ; ".join(ends) or "arrêtée avant le premier choix"
        lines.append(f"**{scenario.title}** : {ended}")
    return lines


def _header(db, session: LiveSession) -> str:
    trainer = accounts.get_person(db, session.trainer_id)
    names = {o.id: o.name for o in accounts.list_organisations(db)}
    orgs = ", ".join(names.get(i, "?") for i in session.organisation_ids) or "—"
    return (
        f"**Date** : {french_date(session.day)}, {session.span_label}  \n"
        f"**Lieu** : {plain(session.place) or '—'}  \n"
        f"**Formateur** : {plain(trainer.display_name) if trainer else '—'}  \n"
        f"**Organisations présentes** : {plain(orgs)}"
    )


def _path_line(number: int, state: engine.State, scenario: Scenario) -> str:
    steps = []
    for step in state["history"]:
        choice = scenario.nodes[step["node"]].choices[step["choice"]]
        steps.append(f"{scene_label(scenario, step['node'], 40)} → {quoted(choice.text)}")
    ending = scenario.nodes[state["node"]].ending
    if ending:
        end = f"**Fin : {ending.title}** ({outcome_phrase(ending.outcome)})"
    else:
        end = f"{scene_label(scenario, state['node'], 40)} _(en cours)_"
    points = ", ".join(
        f"{COMPETENCIES.get(code, code)} {value:+d}"
        for code, value in state["competencies"].items()
    )
    return f"{number}. " + " ; ".join([*steps, end]) + f"  \n   Compétences : {points or '—'}"


def _votes_table(rows: list[MapRow], scenario: Scenario) -> str:
    table = ["| N° | Scène | Votes | Choix suivi |", "|---|---|---|---|"]
    for row in rows:
        if row.decision.scenario_id != scenario.id:
            continue
        offered = live.options(scenario, row.decision.node_id, row.decision.choices)
        votes = " · ".join(
            f"{o.letter} {quoted(plain(o.text))} : {row.counts.get(o.index, 0)}" for o in offered
        )
        chosen = next((o.letter for o in offered if o.index == row.decision.chosen), "—")
        label = plain(scene_label(scenario, row.decision.node_id, 40))
        table.append(f"| {row.decision.number} | {label} | {votes} | {chosen} |")
    return "\n".join(table)


# --- Attendance -----------------------------------------------------------------------


def attendance_markdown(db: Database, sheet: Sheet) -> str:
    """The sheet to read on screen or print: the session's header, then one line to sign
    per person."""
    lines = [
        f"# Feuille d'émargement — {plain(sheet.session.title)}",
        "",
        _header(db, sheet.session),
        "",
        "| Nom | Organisation | Qualité | Arrivée | Signature |",
        "|---|---|---|---|---|",
    ]
    for row in sheet.lines:
        lines.append(
            f"| {plain(row.name)} | {plain(row.organisation)} | {row.status} | {row.arrived_at} | |"
        )
    return "\n".join(lines)


def role_cards_markdown(scenario: Scenario, players: dict[str, list[str]]) -> str:
    """One card per character, with who plays it (`players`: character key -> names)."""
    cards = []
    for character in scenario.characters.values():
        names = ", ".join(players.get(character.key, [])) or "personne pour l'instant"
        lines = [f"### {character.name}", f"_Joué par : {plain(names)}_", ""]
        lines += [f"- **{label}** : {character.card[key]}" for key, label in CARD_FIELDS.items()]
        cards.append("\n".join(lines))
    return "\n\n".join(cards)
