"""Spreadsheets for French Excel: the CSV of the dashboard matrix and of attendance sheets.

French Excel opens a file by double-click correctly only if it is UTF-8 WITH a BOM,
separated by ';', lines ending CRLF. A cell that starts with = + - @ (or a tab or CR) would
run as a formula: it is prefixed with an apostrophe, which Excel shows as plain text.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date

from proxi.dates import french_date
from proxi.live.attendance import Sheet
from proxi.live.sessions import SPANS
from proxi.people import accounts
from proxi.progress import reports

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """The cell as text, with formula-starting text made inert for spreadsheets."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else _plain(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def inert(value: object) -> object:
    """A value for a table on screen: text that a spreadsheet would run gets the apostrophe,
    numbers and the rest stay as they are (so that columns still sort)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def inert_table(data):
    """Every cell of a table (columns as a dict of lists, or rows as dicts) made inert:
    the table's own « Télécharger en CSV » button must not export a live formula."""
    if isinstance(data, dict):
        return {column: [inert(value) for value in values] for column, values in data.items()}
    if isinstance(data, list):
        return [
            {k: inert(v) for k, v in row.items()} if isinstance(row, dict) else row for row in data
        ]
    return data


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
    header = [
        "Nom",
        "Identifiant",
        "Organisation",
        "Agence ou secteur",
        "Catégorie d'emploi",
        "Actif",
    ]
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


def attendance_csv(sheet: Sheet) -> bytes:
    """The feuille d'émargement as a record: one line per person, with the session's date."""
    session = sheet.session
    header = ["Séance", "Date", "Demi-journée", "Nom", "Organisation", "Qualité", "Arrivée"]
    when = [session.title, french_date(session.day), SPANS[session.half_day]]
    return to_csv(
        header,
        (
            [*when, line.name, line.organisation, line.status, line.arrived_at]
            for line in sheet.lines
        ),
    )


def file_name(what: str, scope: str, on: date, extension: str = "csv") -> str:
    """« proxi-suivi-habitat-val-de-seine-2026-12-02.csv »: what, for whom, on which day
    (ISO, so that a folder of exports sorts by date), in letters any system accepts."""
    return f"proxi-{_slug(what)}-{_slug(scope)}-{on.isoformat()}.{extension}"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-") or "sans-nom"
