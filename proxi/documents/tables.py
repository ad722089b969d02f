"""The dashboard's tables and print sheets, shaped with French column names so that the page
only draws them (dates stay date values in tables, so that they sort; `app_pages/ui.table`
shows them in the one French format).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from proxi.content.course import CourseModule
from proxi.content.scenario import Scenario, choice_letter
from proxi.dates import day
from proxi.documents.attestation import MAX_PER_FILE, Completion, completion
from proxi.documents.history import history
from proxi.people import accounts
from proxi.progress import reports
from proxi.progress.due_dates import DueDate


def catalogue_items(catalogue) -> list[tuple[str, str, str]]:
    """(id, title, kind) of every module then every scenario, in catalogue order."""
    modules = [(m.id, m.title, "module") for m in catalogue.course.modules.values()]
    return modules + [(s.id, s.title, "scenario") for s in catalogue.scenarios.values()]


def catalogue_titles(catalogue) -> dict[str, str]:
    return {item_id: title for item_id, title, _ in catalogue_items(catalogue)}


# Lines of the matrix on screen at once. All 5,000 people of a coordinator in one dataframe
# were 2 MB to send on every first visit; the whole table is the CSV download.
PAGE_SIZE = 50


def matrix_pages(count: int, size: int = PAGE_SIZE) -> dict[int, str]:
    """The first line of each page of the matrix -> its label, « 51 à 100 sur 5 016 »."""
    total = _thousands(count)
    return {
        start: f"{_thousands(start + 1)} à {_thousands(min(start + size, count))} sur {total}"
        for start in range(0, count, size)
    }


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", "\u202f")  # French: a narrow space between thousands


def matrix_table(
    rows: list[reports.MatrixRow], items: list[tuple[str, str, str]], item_id: str | None = None
) -> dict[str, list]:
    """The matrix as the dashboard shows it, by column (what a dataframe is built from
    fastest): a status per item (short titles), or one item in detail. Who and the statuses
    come first, so they stay in view on a narrow screen."""
    label, people = reports.STATUSES, [row.person for row in rows]
    table: dict[str, list] = {
        "Nom": [p.display_name for p in people],
        "Organisation": [p.organisation for p in people],
    }
    if item_id is None:
        gets = [row.cells.get for row in rows]
        for i, title, _ in items:
            table[_short(title, 30)] = [label[get(i, reports.NOT_STARTED).status] for get in gets]
    else:
        cells = [row.cell(item_id) for row in rows]
        table["Statut"] = [label[cell.status] for cell in cells]
        table["Date"] = [day(cell.date) for cell in cells]
        if dict((i, k) for i, _, k in items).get(item_id) == "module":
            table["Score (%)"] = [cell.score for cell in cells]
        else:
            table["Meilleure issue"] = [reports.OUTCOMES.get(c.outcome or "", "") for c in cells]
    jobs = accounts.JOB_CATEGORIES
    table["Agence ou secteur"] = [p.site for p in people]
    table["Catégorie"] = [jobs.get(p.job_category, p.job_category) for p in people]
    table["Dernière activité"] = [day(row.last_activity) for row in rows]
    return table


def path_table(counts: list[reports.PathCount], scenario: Scenario) -> list[dict[str, object]]:
    """One line per choice of each decision, in the scenario's order, solo and group apart.
    The choice is named by its letter and its text, beside the decision: what was chosen
    is read before the counts, not far to the right of them."""
    by_key = {(c.mode, c.node_id, c.choice_index): c.count for c in counts}
    totals: Counter[tuple[str, str]] = Counter()
    for c in counts:
        totals[(c.mode, c.node_id)] += c.count
    node_ids = [n for n in scenario.nodes if scenario.nodes[n].choices]
    node_ids += sorted({c.node_id for c in counts} - set(node_ids))  # since removed
    table = []
    for node_id in node_ids:
        node = scenario.nodes.get(node_id)
        texts = {ch.index: ch.text for ch in node.choices} if node else {}
        for index in sorted({*texts, *(c.choice_index for c in counts if c.node_id == node_id)}):
            line: dict[str, object] = {
                "Décision": _short(node.prompt or node_id if node else node_id)
            }
            text = texts.get(index, "(retiré du contenu)")
            line["Choix"] = f"{choice_letter(index)} — {text}"  # the letter: its place
            for mode, label in (("solo", "En autonomie"), ("group", "En groupe")):
                count, total = by_key.get((mode, node_id, index), 0), totals[(mode, node_id)]
                line[label] = count
                line[f"{label} (%)"] = round(100 * count / total) if total else None
            table.append(line)
    return table


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def endings_table(
    found: list[tuple[str, str, str, int]], scenarios: dict[str, Scenario]
) -> list[dict[str, object]]:
    """Endings reached, per scenario, solo and group apart."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for scenario_id, mode, node_id, count in found:
        scenario = scenarios.get(scenario_id)
        node = scenario.nodes.get(node_id) if scenario else None
        ending = node.ending if node else None
        line = merged.setdefault(
            (scenario_id, node_id),
            {
                "Mise en situation": scenario.title if scenario else scenario_id,
                "Fin": ending.title if ending else node_id,
                "Issue": reports.OUTCOMES.get(ending.outcome, "") if ending else "",
                "En autonomie": 0,
                "En groupe": 0,
            },
        )
        line["En groupe" if mode == "group" else "En autonomie"] += count
    return list(merged.values())


def followup_tables(
    rows: list[reports.MatrixRow], dates: list[DueDate], days: int, titles: dict
) -> dict[str, list[dict[str, object]]]:
    """Due dates, people late on them, people inactive for `days` days."""
    return {
        "Échéances": [
            {"Pour": d.target, "Module": titles.get(d.module_id, d.module_id),
             "Échéance": day(d.due_on)}
            for d in dates
        ],
        "En retard": [
            {"Nom": r.person.display_name, "Organisation": r.person.organisation,
             "Module": titles.get(d.module_id, d.module_id), "Échéance": day(d.due_on),
             "Statut": reports.STATUSES[r.cell(d.module_id).status]}
            for r, d in reports.overdue(rows, dates)
        ],
        f"Sans activité depuis {days} jours": [
            {"Nom": r.person.display_name, "Organisation": r.person.organisation,
             "Dernière activité": day(r.last_activity)}
            for r in reports.inactive(rows, days)
        ],
    }  # fmt: skip


def person_tables(report: reports.PersonReport, catalogue) -> dict[str, list[dict[str, object]]]:
    """A person's page: modules, scenarios, group sessions, timeline."""
    titles = catalogue_titles(catalogue)
    return {
        "Modules": [
            {"Module": titles.get(m, m), "Statut": reports.STATUSES[report.module_status(m)],
             "Leçons": f"{r['lessons_done']} / {r['lessons_total']}" if r else None,
             "Meilleur quiz (%)": r.get("quiz_best"), "Terminé le": day(r.get("completed_at"))}
            for m, r in _modules_of(report)
        ],
        "Mises en situation": [
            {"Situation": titles.get(s, s), "Parties": r["plays"],
             "Meilleure issue": reports.OUTCOMES.get(r["best_outcome"] or "", ""),
             "Fins atteintes": len(r["endings"]), "Dernière fois": day(r["updated_at"])}
            for s, r in report.scenarios.items()
        ],
        "Séances de groupe": [
            {"Date": day(s["day"]), "Séance": s["title"], "Lieu": s["place"], "Formateur": s["trainer"]}
            for s in report.sessions
        ],
        "Historique": [
            {"Date": line.moment, "Action": line.action}
            for line in history(report.timeline, catalogue)
        ],
    }  # fmt: skip


def _modules_of(report: reports.PersonReport) -> list[tuple[str, dict]]:
    """Each module started here or finished elsewhere, with its progress row ({}: none)."""
    started = list(report.modules)
    ids = started + sorted(set(report.finished) - set(started))
    return [(m, report.modules.get(m, {})) for m in ids]


def headline_figures(head: reports.Headline) -> list[tuple[str, int]]:
    return [
        ("Personnes", head.people),
        ("Ont commencé", head.started),
        ("Quiz réussis", head.quizzes_passed),
        ("Séances de groupe", head.group_sessions),
    ]


def completion_chart(
    rows: list[reports.MatrixRow], module_ids: list[str], titles: dict
) -> list[dict[str, object]]:
    """Percent of people who completed each module, one line per organisation and one
    column per module title (grouped bars: `ui.bars(chart, "Organisation", modules...)`)."""
    lines: dict[object, dict[str, object]] = {}
    for line in reports.completion_by_organisation(rows, module_ids):
        row = lines.setdefault(line["organisation"], {"Organisation": line["organisation"]})
        row[titles.get(line["module_id"], line["module_id"])] = line["percent"]
    return list(lines.values())


def completions(
    rows: list[reports.MatrixRow], module: CourseModule, progress: dict[int, dict]
) -> list[Completion]:
    """The completions of the module by the people in `rows` (one PDF page each)."""
    return [
        completion(person, person.organisation, module, progress[person.id])
        for person, _ in reports.completed_modules(rows, module.id)[:MAX_PER_FILE]
        if person.id in progress
    ]


def person_completions(
    report: reports.PersonReport, modules: dict[str, CourseModule]
) -> list[Completion]:
    """Every module the person completed."""
    return [
        completion(report.person, report.person.organisation, modules[m], row)
        for m, row in report.modules.items()
        if row["completed_at"] and m in modules
    ]
