"""What reports look like when they leave the database: CSV for French Excel, tables and
print sheets for the dashboard, xAPI 1.0.3 statements, and sending them to an LRS.

CSV. French Excel opens a file by double-click correctly only if it is UTF-8 WITH a BOM,
separated by ';', lines ending CRLF. A cell that starts with = + - @ (or a tab or CR) would
run as a formula: it is prefixed with an apostrophe, which Excel shows as plain text.

xAPI. One statement per event, `id` = the event's uuid, so sending twice is harmless: the
LRS keeps the first and answers the second as a duplicate. The actor is an account whose
name is an HMAC of the person id under a key kept in the database (report_settings): stable
across exports, meaningless outside, never the login or the name. Verbs are ADL's; the
Proxi verb travels in a context extension so nothing is lost. No value is ever null.

Tables. The dashboard's tables and print sheets (attestations, feuilles d'émargement) are
shaped here, with French column names, so that the page only draws them.

Sending uses only urllib: POST in batches with HTTP Basic auth and the version header; a
409 (a statement id already stored with other content) counts as already sent, after the
batch was retried one statement at a time so the others still go through.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import json
import os
import secrets
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

import sqlite_utils

from proxi.content.course import CourseModule
from proxi.content.scenario import Scenario
from proxi.dates import french_date
from proxi.documents.attestation import attestation_markdown
from proxi.errors import ProxiError
from proxi.people import accounts
from proxi.progress import reports
from proxi.progress.db import write_transaction

XAPI_VERSION = "1.0.3"
DEFAULT_PUBLIC_URL = "http://localhost:8501"
ADL_VERB = "http://adlnet.gov/expapi/verbs/"
ADL_ACTIVITY = "http://adlnet.gov/expapi/activities/"
# Proxi verb -> (ADL verb, French display).
VERBS = {
    "viewed": ("experienced", "a consulté"),
    "answered": ("answered", "a répondu"),
    "passed": ("passed", "a réussi"),
    "failed": ("failed", "a échoué"),
    "completed": ("completed", "a terminé"),
    "started": ("attempted", "a commencé"),
    "chose": ("responded", "a choisi"),
    "rewound": ("interacted", "est revenu en arrière"),
    "ended": ("completed", "a terminé"),
    "attended": ("attended", "a participé"),
    "voted": ("responded", "a voté"),
}
ACTIVITY_TYPES = {
    "module": "module",
    "lesson": "lesson",
    "quiz": "assessment",
    "block": "interaction",
    "scenario": "simulation",
    "node": "interaction",
    "session": "meeting",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportError(ProxiError):
    """An export could not be completed (the message says what to do)."""


# --- CSV ---------------------------------------------------------------------------------------


def neutralise(value: object) -> str:
    """The cell as text, with formula-starting text made inert for spreadsheets."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else _plain(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _plain(value: object) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")  # French decimal comma
    return str(value)


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with BOM, ';' separated, CRLF: what French Excel expects."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header])
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def matrix_csv(rows: list[reports.MatrixRow], items: list[tuple[str, str, str]]) -> bytes:
    """The dashboard matrix; `items` are (id, title, "module" | "scenario")."""
    header = ["Nom", "Identifiant", "Organisation", "Site", "Catégorie d'emploi", "Actif"]
    for _, title, kind in items:
        header += [f"{title} — statut", f"{title} — date"]
        header.append(f"{title} — score (%)" if kind == "module" else f"{title} — issue")
    header.append("Dernière activité")
    return to_csv(header, (_matrix_line(row, items) for row in rows))


def _matrix_line(row: reports.MatrixRow, items: list[tuple[str, str, str]]) -> list[object]:
    p = row.person
    job = accounts.JOB_CATEGORIES.get(p.job_category, p.job_category)
    line: list[object] = [p.display_name, p.identifier, p.organisation, p.site, job]
    line.append(bool(p.active))
    for item_id, _, kind in items:
        cell = row.cell(item_id)
        line += [reports.STATUSES[cell.status], french_date(cell.date)]
        line.append(cell.score if kind == "module" else reports.OUTCOMES.get(cell.outcome or ""))
    line.append(french_date(row.last_activity))
    return line


# --- Tables for the screen (French column names; dates ISO so that they sort) -------------------


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
        table["Date"] = [(cell.date or "")[:10] for cell in cells]
        if dict((i, k) for i, _, k in items).get(item_id) == "module":
            table["Score (%)"] = [cell.score for cell in cells]
        else:
            table["Meilleure issue"] = [reports.OUTCOMES.get(c.outcome or "", "") for c in cells]
    jobs = accounts.JOB_CATEGORIES
    table["Site"] = [p.site for p in people]
    table["Catégorie"] = [jobs.get(p.job_category, p.job_category) for p in people]
    table["Dernière activité"] = [(row.last_activity or "")[:10] for row in rows]
    return table


def path_table(counts: list[reports.PathCount], scenario: Scenario) -> list[dict[str, object]]:
    """One line per choice of each decision, in the scenario's order, solo and group apart;
    the long texts last, so that the counts stay in view on a narrow screen."""
    by_key = {(c.mode, c.node_id, c.choice_index): c.count for c in counts}
    totals = Counter()
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
            line["Choix"] = chr(65 + index)
            for mode, label in (("solo", "En autonomie"), ("group", "En groupe")):
                count, total = by_key.get((mode, node_id, index), 0), totals[(mode, node_id)]
                line[label] = count
                line[f"{label} (%)"] = round(100 * count / total) if total else None
            line["Texte du choix"] = texts.get(index, "(retiré du contenu)")
            table.append(line)
    return table


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def endings_table(
    found: list[tuple[str, str, str, int]], scenarios: dict[str, Scenario]
) -> list[dict[str, object]]:
    """Endings reached, per scenario, solo and group apart."""
    merged: dict[tuple[str, str], dict[str, object]] = {}
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
    rows: list[reports.MatrixRow], dates: list[reports.DueDate], days: int, titles: dict
) -> dict[str, list[dict[str, object]]]:
    """Due dates, people late on them, people inactive for `days` days."""
    return {
        "Échéances": [
            {"Organisation": d.organisation, "Module": titles.get(d.module_id, d.module_id),
             "Échéance": d.due_on}
            for d in dates
        ],
        "En retard": [
            {"Nom": r.person.display_name, "Organisation": r.person.organisation,
             "Module": titles.get(d.module_id, d.module_id), "Échéance": d.due_on,
             "Statut": reports.STATUSES[r.cell(d.module_id).status]}
            for r, d in reports.overdue(rows, dates)
        ],
        f"Sans activité depuis {days} jours": [
            {"Nom": r.person.display_name, "Organisation": r.person.organisation,
             "Dernière activité": (r.last_activity or "jamais")[:10]}
            for r in reports.inactive(rows, days)
        ],
    }  # fmt: skip


def person_tables(report: reports.PersonReport, titles: dict) -> dict[str, list[dict[str, object]]]:
    """A person's page: modules, scenarios, group sessions, timeline."""
    return {
        "Modules": [
            {"Module": titles.get(m, m), "Statut": reports.STATUSES[reports.module_cell(r).status],
             "Leçons": f"{r['lessons_done']} / {r['lessons_total']}", "Meilleur quiz (%)": r["quiz_best"],
             "Terminé le": (r["completed_at"] or "")[:10]}
            for m, r in report.modules.items()
        ],
        "Mises en situation": [
            {"Situation": titles.get(s, s), "Parties": r["plays"],
             "Meilleure issue": reports.OUTCOMES.get(r["best_outcome"] or "", ""),
             "Fins atteintes": len(r["endings"]), "Dernière fois": (r["updated_at"] or "")[:10]}
            for s, r in report.scenarios.items()
        ],
        "Séances de groupe": [
            {"Date": s["day"], "Séance": s["title"], "Lieu": s["place"], "Formateur": s["trainer"]}
            for s in report.sessions
        ],
        "Historique": [
            {"Date": e["timestamp"][:16].replace("T", " "),
             "Action": VERBS.get(e["verb"], ("", e["verb"]))[1],
             "Sur": titles.get(e["object_id"], e["object_id"])}
            for e in report.timeline
        ],
    }  # fmt: skip


MAX_ATTESTATIONS = 200  # per print: more would take the browser minutes to lay out


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
    """Percent of people who completed each module, per organisation (a grouped bar chart)."""
    return [
        {
            "Organisation": line["organisation"],
            "Module": titles.get(line["module_id"], line["module_id"]),
            "% terminé": line["percent"],
        }
        for line in reports.completion_by_organisation(rows, module_ids)
    ]


def attestations_markdown(
    rows: list[reports.MatrixRow], module: CourseModule, progress: dict[int, dict]
) -> list[tuple[int, str]]:
    """(person id, attestation) for the people in `rows` who completed the module."""
    done = reports.completed_modules(rows, module.id)[:MAX_ATTESTATIONS]
    return [
        (person.id, attestation_markdown(person, person.organisation, module, progress[person.id]))
        for person, _ in done
        if person.id in progress
    ]


def person_attestations(
    report: reports.PersonReport, modules: dict[str, CourseModule]
) -> list[tuple[str, str]]:
    """(module title, attestation) for every module the person completed."""
    return [
        (modules[m].title, attestation_markdown(report.person, report.person.organisation,
                                                modules[m], row))
        for m, row in report.modules.items()
        if row["completed_at"] and m in modules
    ]  # fmt: skip


def attendance_sheet(session: dict, present: list[dict]) -> tuple[str, list[dict[str, str]]]:
    """The « feuille d'émargement »: a heading and one line per participant to sign."""
    heading = (
        f"### Feuille d'émargement\n\n**{session['title']}** — {french_date(session['day'])} "
        f"({session['half_day']}), {session['place'] or 'lieu non précisé'} — "
        f"formateur : {session['trainer']}"
    )
    lines = [
        {"Nom": a["name"], "Organisation": a["organisation"], "Signature": ""} for a in present
    ]
    return heading, lines


# --- xAPI statements -----------------------------------------------------------------------------


@dataclass(frozen=True)
class XapiSettings:
    home_page: str  # the IRL of the Proxi instance: accounts and activity ids live under it
    actor_key: bytes  # HMAC key for opaque actor names
    titles: dict[str, str]  # object id -> French title, when the content knows it


def xapi_settings(db: sqlite_utils.Database, titles: dict[str, str] | None = None) -> XapiSettings:
    home = (os.environ.get("PROXI_PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/")
    return XapiSettings(home, actor_key(db), dict(titles or {}))


def actor_key(db: sqlite_utils.Database) -> bytes:
    """The database's pseudonymisation key, created on first use and never changed."""
    with write_transaction(db):
        db.execute(
            "INSERT OR IGNORE INTO report_settings (key, value) VALUES ('xapi_actor_key', ?)",
            [secrets.token_hex(32)],
        )
        row = db.execute("SELECT value FROM report_settings WHERE key = 'xapi_actor_key'")
        return bytes.fromhex(row.fetchone()[0])


def actor_name(settings: XapiSettings, person_id: int) -> str:
    return hmac.new(settings.actor_key, str(person_id).encode(), hashlib.sha256).hexdigest()[:32]


def activity_id(settings: XapiSettings, kind: str, object_id: str) -> str:
    return f"{settings.home_page}/xapi/activities/{kind}/{quote(object_id, safe='/')}"


def extension(settings: XapiSettings, name: str) -> str:
    return f"{settings.home_page}/xapi/extensions/{name}"


def statement(event: dict, settings: XapiSettings) -> dict:
    """The xAPI 1.0.3 statement of a decoded event (see the module docstring)."""
    adl_verb, french = VERBS.get(event["verb"], ("interacted", event["verb"]))
    return _without_empty(
        {
            "id": event["uuid"],
            "actor": {
                "objectType": "Agent",
                "account": {
                    "homePage": settings.home_page,
                    "name": actor_name(settings, event["person_id"]),
                },
            },
            "verb": {"id": ADL_VERB + adl_verb, "display": {"en-US": adl_verb, "fr-FR": french}},
            "object": _object(event, settings),
            "result": _result(event, settings),
            "context": _context(event, settings),
            "timestamp": event["timestamp"],
        }
    )


def _object(event: dict, settings: XapiSettings) -> dict:
    kind, object_id, ctx = event["object_type"], event["object_id"], event["context"]
    if event["verb"] == "chose" and ctx.get("node_id"):
        kind, object_id = "node", f"{object_id}/{ctx['node_id']}"
    definition = {"type": ADL_ACTIVITY + ACTIVITY_TYPES.get(kind, "interaction")}
    title = settings.titles.get(object_id)
    if title:
        definition["name"] = {"fr-FR": title}
    return {
        "objectType": "Activity",
        "id": activity_id(settings, kind, object_id),
        "definition": definition,
    }


def _result(event: dict, settings: XapiSettings) -> dict:
    source, result = event["result"], {}
    if isinstance(source.get("max"), int | float) and source["max"] > 0:
        raw = min(max(float(source.get("score", 0)), 0.0), float(source["max"]))
        result["score"] = {"raw": raw, "min": 0, "max": source["max"]}
        result["score"]["scaled"] = round(raw / source["max"], 4)
    for key in ("success", "completion"):
        if isinstance(source.get(key), bool):
            result[key] = source[key]
    if source.get("response") is not None:
        response = source["response"]
        result["response"] = response if isinstance(response, str) else json.dumps(response)
    if source.get("duration_s"):
        result["duration"] = f"PT{float(source['duration_s']):g}S"
    if source.get("outcome"):
        result["extensions"] = {extension(settings, "outcome"): source["outcome"]}
    return result


def _context(event: dict, settings: XapiSettings) -> dict:
    ctx = event["context"]
    parents = []
    if ctx.get("module_id") and event["object_type"] != "module":
        parents.append(activity_id(settings, "module", ctx["module_id"]))
    if event["verb"] == "chose" and ctx.get("scenario_id"):
        parents.append(activity_id(settings, "scenario", ctx["scenario_id"]))
    extensions = {extension(settings, "verb"): event["verb"]}
    for key in ("mode", "session_id", "lesson_id", "step"):
        if ctx.get(key) is not None:
            extensions[extension(settings, key.replace("_", "-"))] = ctx[key]
    return {
        "platform": "Proxi",
        "language": "fr-FR",
        "contextActivities": {"parent": [{"objectType": "Activity", "id": i} for i in parents]},
        "extensions": extensions,
    }


def _without_empty(value):
    """Drop None, empty dicts and empty lists, recursively: xAPI has no use for nulls."""
    if isinstance(value, dict):
        cleaned = {k: _without_empty(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v is not None and v != {} and v != []}
    if isinstance(value, list):
        return [_without_empty(v) for v in value if v is not None]
    return value


def statements(
    db: sqlite_utils.Database,
    settings: XapiSettings,
    viewer: reports.Viewer,
    after_id: int = 0,
    chunk: int = 1000,
) -> Iterator[tuple[int, dict]]:
    """(event id, statement) for every event the viewer may see, oldest first, in chunks."""
    scope_sql, params = reports.scope_for(db, viewer).sql()
    sql = (
        "SELECT e.id, e.uuid, e.person_id, e.verb, e.object_type, e.object_id, e.result,"
        f" e.context, e.timestamp FROM events e JOIN people p ON p.id = e.person_id"
        f" WHERE e.id > ? AND {scope_sql} ORDER BY e.id LIMIT ?"
    )
    keys = ("id", "uuid", "person_id", "verb", "object_type", "object_id", "result", "context")
    while True:
        rows = db.execute(sql, [after_id, *params, chunk]).fetchall()
        for row in rows:
            event = dict(zip((*keys, "timestamp"), row, strict=True))
            event["result"], event["context"] = json.loads(row[6]), json.loads(row[7])
            yield row[0], statement(event, settings)
        if len(rows) < chunk:
            return
        after_id = rows[-1][0]


# --- Sending to an LRS ---------------------------------------------------------------------------


@dataclass
class SendReport:
    sent: int = 0
    duplicates: int = 0
    batches: int = 0
    last_event_id: int = 0


Opener = Callable[..., object]


def statements_url(endpoint: str) -> str:
    """The statements resource of an LRS endpoint (given with or without it)."""
    base = endpoint.rstrip("/")
    return base if base.endswith("/statements") else base + "/statements"


def send(
    pairs: Iterable[tuple[int, dict]],
    endpoint: str,
    *,
    user: str | None = None,
    password: str | None = None,
    batch: int = 200,
    opener: Opener = urllib.request.urlopen,
    on_batch: Callable[[int], None] | None = None,
) -> SendReport:
    """POST the statements in batches; `on_batch(last event id)` after each accepted one."""
    url, report = statements_url(endpoint), SendReport()
    headers = {"Content-Type": "application/json", "X-Experience-API-Version": XAPI_VERSION}
    if user:
        token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    pending: list[tuple[int, dict]] = []
    for pair in [*pairs, None]:
        if pair is not None:
            pending.append(pair)
        if pending and (pair is None or len(pending) >= batch):
            _send_batch(url, headers, [s for _, s in pending], opener, report)
            report.batches, report.last_event_id = report.batches + 1, pending[-1][0]
            if on_batch:
                on_batch(report.last_event_id)
            pending = []
    return report


def _send_batch(url, headers, batch: list[dict], opener: Opener, report: SendReport) -> None:
    status, body = _post(url, headers, batch, opener)
    if status == 409 and len(batch) > 1:
        for one in batch:  # find the conflicting statement, let the others through
            _send_batch(url, headers, [one], opener, report)
        return
    if status == 409:
        report.duplicates += 1
        return
    accepted = len(json.loads(body)) if status == 200 and body.strip() else 0
    report.sent += accepted
    report.duplicates += len(batch) - accepted


def _post(url: str, headers: dict, batch: list[dict], opener: Opener) -> tuple[int, bytes]:
    data = json.dumps(batch, ensure_ascii=False).encode()
    for attempt in range(3):
        request = urllib.request.Request(url, data=data, headers=headers, method="POST")
        try:
            with opener(request, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            if error.code == 409:
                return 409, error.read()
            if error.code < 500 or attempt == 2:
                raise ExportError(_http_message(error.code, error.read())) from error
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            if attempt == 2:
                raise ExportError(
                    f"L'entrepôt LRS ne répond pas ({url}) : {error}. Relancez l'export "
                    "plus tard : les déclarations déjà envoyées ne seront pas dupliquées."
                ) from error
        time.sleep(0.5 * 2**attempt)
    raise AssertionError("unreachable")


def _http_message(code: int, body: bytes) -> str:
    if code in (401, 403):
        return f"L'entrepôt LRS refuse l'accès (HTTP {code}) : vérifiez --user et --password."
    detail = body.decode("utf-8", "replace")[:300]
    return (
        f"L'entrepôt LRS a refusé un lot (HTTP {code}) : {detail}. Relancez l'export après "
        "correction : les déclarations déjà envoyées ne seront pas dupliquées."
    )


def export_mark(db: sqlite_utils.Database, endpoint: str) -> int:
    row = db.execute(
        "SELECT last_event_id FROM xapi_exports WHERE endpoint = ?", [statements_url(endpoint)]
    ).fetchone()
    return row[0] if row else 0


def save_mark(db: sqlite_utils.Database, endpoint: str, last_event_id: int) -> None:
    with write_transaction(db):
        db.execute(
            "INSERT INTO xapi_exports (endpoint, last_event_id, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (endpoint) DO UPDATE SET last_event_id = excluded.last_event_id,"
            " updated_at = excluded.updated_at",
            [statements_url(endpoint), last_event_id, datetime.now(UTC).isoformat()],
        )


def send_all(
    db: sqlite_utils.Database,
    endpoint: str,
    titles: dict[str, str],
    *,
    user: str | None = None,
    password: str | None = None,
    batch: int = 200,
    from_start: bool = False,
) -> SendReport:
    """Send every event after the endpoint's mark (all of them `from_start`), moving the mark."""
    after = 0 if from_start else export_mark(db, endpoint)
    settings = xapi_settings(db, titles)
    pairs = statements(db, settings, reports.Viewer.system(), after_id=after)
    return send(
        pairs,
        endpoint,
        user=user,
        password=password,
        batch=batch,
        on_batch=lambda last: save_mark(db, endpoint, max(last, export_mark(db, endpoint))),
    )


def catalogue_items(catalogue) -> list[tuple[str, str, str]]:
    """(id, title, kind) of every module then every scenario, in catalogue order."""
    modules = [(m.id, m.title, "module") for m in catalogue.course.modules.values()]
    return modules + [(s.id, s.title, "scenario") for s in catalogue.scenarios.values()]


def catalogue_titles(catalogue) -> dict[str, str]:
    return {item_id: title for item_id, title, _ in catalogue_items(catalogue)}
