"""Managers' reports: every query here is scoped to the people the viewer may see.

Scope, resolved once per viewer by `scope_for` and applied as a SQL condition on the
`people p` alias of EVERY query (no query reads progress without joining people):

    coordinator   everyone
    manager       the people of their own part of their organisation: their node of its
                  hierarchy and every node under it (proxi.hierarchy), all of it if no node
    trainer       the people who took part in a group session they ran
    anybody       themself

Roles add up: a manager who also trains sees both sets. Lists are passed as one parameter
(`proxi.progress.dialect.in_list`), so the SQL text never depends on the data.

The dashboard needs three reads (people, module progress, scenario progress) and derives
the matrix, the headline figures, completion by organisation and the inactive list from
them in memory; path analytics and endings are GROUP BY queries over covering indexes
(m020_reports), never a loop over events.
"""

from __future__ import annotations

import contextlib
import gc
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from proxi import hierarchy, labels
from proxi.dates import utc
from proxi.errors import NotAllowed
from proxi.progress import due_dates, events, store
from proxi.progress.db import Database
from proxi.progress.dialect import in_list, list_value
from proxi.progress.due_dates import DueDate, effective

STATUSES, OUTCOMES = labels.STATUSES, labels.OUTCOMES
DONE = frozenset({"completed", "recognised"})
NO_ORGANISATION = "Sans organisation"  # how lists and charts name an empty organisation
OUT_OF_SCOPE = "Cette personne ne fait pas partie des personnes que vous suivez."


@dataclass(frozen=True)
class Viewer:
    """Who asks: the scope of every report follows from these four fields."""

    person_id: int
    roles: tuple[str, ...]
    organisation_id: int | None = None
    site: str = ""  # their node in the organisation's hierarchy; "" at its head

    @classmethod
    def of(cls, person) -> Viewer:
        return cls(person.id, tuple(person.roles), person.organisation_id, person.site)

    @classmethod
    def system(cls) -> Viewer:
        """The command line, run by whoever administers the server: sees everyone."""
        return cls(0, ("coordinator",))


@dataclass(frozen=True)
class Scope:
    everyone: bool
    organisation_ids: tuple[int, ...] = ()
    person_ids: tuple[int, ...] = ()
    site: str = ""  # within the organisations, only this node and those under it

    def sql(self, db: Database) -> tuple[str, dict[str, object]]:
        """The condition on `people p` and its named parameters, all named `scope_*` so that
        a query may add its own beside them."""
        if self.everyone:
            return "p.erased_at IS NULL", {}
        part_sql, part_params = hierarchy.sql_within("p.site", self.site, "scope_site")
        organisations_sql = in_list(db, "p.organisation_id", "scope_organisation_ids")
        people_sql = in_list(db, "p.id", "scope_person_ids")
        return (
            f"p.erased_at IS NULL AND (({organisations_sql} AND {part_sql}) OR {people_sql})",
            {
                "scope_organisation_ids": list_value(db, self.organisation_ids),
                **part_params,
                "scope_person_ids": list_value(db, self.person_ids),
            },
        )


def scope_for(db: Database, viewer: Viewer) -> Scope:
    """What the viewer may see, from their roles (see the module docstring)."""
    if "coordinator" in viewer.roles:
        return Scope(everyone=True)
    people = {viewer.person_id}
    if "trainer" in viewer.roles:
        people |= trainee_ids(db, viewer.person_id)
    own = viewer.organisation_id
    if "manager" not in viewer.roles or own is None:
        return Scope(False, (), tuple(sorted(people)))
    return Scope(False, (own,), tuple(sorted(people)), viewer.site)


def trainee_ids(db: Database, trainer_id: int) -> set[int]:
    """The people who took part in a group session this trainer ran."""
    rows = db.execute(
        "SELECT DISTINCT lp.person_id FROM live_participants lp"
        " JOIN live_sessions ls ON ls.id = lp.session_id"
        " WHERE ls.trainer_id = :trainer_id AND lp.person_id IS NOT NULL",
        {"trainer_id": trainer_id},
    )
    return {row[0] for row in rows}


def _where(db: Database, viewer: Viewer, include_inactive: bool) -> tuple[str, dict[str, object]]:
    """Scope, learners only, and (unless asked) active accounts only."""
    scope_sql, params = scope_for(db, viewer).sql(db)
    sql = f"{scope_sql} AND (',' || p.roles || ',') LIKE '%,learner,%'"
    return (sql if include_inactive else sql + " AND p.active = 1"), params


# --- People and the matrix -----------------------------------------------------------------


class PersonRow(NamedTuple):
    """A learner as the reports show them (a tuple: built by the thousand)."""

    id: int
    display_name: str
    identifier: str
    organisation_id: int | None
    organisation: str
    site: str
    job_category: str
    active: int  # 1 active, 0 deactivated (as SQLite gives it)

    @property
    def label(self) -> str:
        """« Name (organisation) », to tell two people of the same name apart in a list."""
        return f"{self.display_name} ({self.organisation or NO_ORGANISATION})"


class Cell(NamedTuple):
    """One person's state on one module or scenario (a tuple: there are tens of thousands)."""

    status: str
    date: str | None = None  # ISO, of the latest meaningful step
    score: float | None = None  # best quiz score, percent (modules)
    outcome: str | None = None  # best ending reached (scenarios)

    @property
    def done(self) -> bool:
        """Finished: in Proxi, or by a training done elsewhere that stands for the module."""
        return self.status in DONE


NOT_STARTED = Cell("not_started")
_new = tuple.__new__


class MatrixRow:
    """A person and their cells; a plain slotted class, built thousands of times per run."""

    __slots__ = ("person", "cells", "last_activity")

    def __init__(self, person: PersonRow) -> None:
        self.person = person
        self.cells: dict[str, Cell] = {}
        self.last_activity: str | None = None

    def cell(self, item_id: str) -> Cell:
        return self.cells.get(item_id, NOT_STARTED)


_PEOPLE_SQL = (
    "SELECT p.id, p.display_name, p.identifier, p.organisation_id, COALESCE(o.name, ''),"
    " p.site, p.job_category, p.active = 1 FROM people p"
    " LEFT JOIN organisations o ON o.id = p.organisation_id WHERE {where}"
)


def people(db: Database, viewer: Viewer, include_inactive: bool = False) -> list[PersonRow]:
    """The learners the viewer may see, by name."""
    where, params = _where(db, viewer, include_inactive)
    sql = _PEOPLE_SQL.format(where=where) + " ORDER BY p.display_name, p.id"
    # tuple.__new__ skips NamedTuple's Python-level constructor: thousands of rows per run.
    return [_new(PersonRow, row) for row in db.execute(sql, params)]


# Both progress tables as cells (status, date, score, outcome) plus updated_at, read from
# their covering indexes; the scope is applied once to people, not once per progress row.
# Then the modules a training done elsewhere stands for, unless finished in Proxi: last, so
# « Suivi ailleurs » replaces a module only started here. It is not activity ('').
_CELLS_SQL = """
SELECT person_id, module_id,
       CASE WHEN status = 'in_progress' AND quiz_passed_at IS NOT NULL THEN 'passed'
            ELSE status END,
       COALESCE(completed_at, quiz_passed_at, updated_at), quiz_best, NULL, updated_at
  FROM module_progress WHERE person_id IN (SELECT p.id FROM people p WHERE {where})
UNION ALL
SELECT person_id, scenario_id,
       CASE WHEN best_outcome IS NULL THEN 'in_progress'
            WHEN best_outcome = 'favourable' THEN 'passed' ELSE 'completed' END,
       COALESCE(last_ending_at, updated_at), NULL, best_outcome, updated_at
  FROM scenario_progress WHERE person_id IN (SELECT p.id FROM people p WHERE {where})
UNION ALL
SELECT e.person_id, e.module_id, 'recognised', MAX(e.ended_on), NULL, NULL, ''
  FROM external_trainings e
 WHERE e.module_id IS NOT NULL AND e.person_id IN (SELECT p.id FROM people p WHERE {where})
   AND NOT EXISTS (SELECT 1 FROM module_progress m WHERE m.person_id = e.person_id
                   AND m.module_id = e.module_id AND m.status = 'completed')
 GROUP BY e.person_id, e.module_id
"""


def matrix(db: Database, viewer: Viewer, include_inactive: bool = False) -> list[MatrixRow]:
    """One row per visible learner, with a cell per module and scenario touched."""
    with _gc_paused():
        return _matrix(db, viewer, include_inactive)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    # Tens of thousands of new objects trigger the cyclic collector again and again, and in
    # the app's large heap each pass costs tens of milliseconds: measured, building the
    # matrix took 80-150 ms with the collector paused and 100-750 ms without.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _matrix(db: Database, viewer: Viewer, include_inactive: bool) -> list[MatrixRow]:
    where, params = _where(db, viewer, include_inactive)
    rows = {person.id: MatrixRow(person) for person in people(db, viewer, include_inactive)}
    cells = {pid: row.cells for pid, row in rows.items()}
    last: dict[int, str] = {}
    # The hot loop of the dashboard (tens of thousands of rows): kept to the bare minimum.
    for pid, item, status, date_, score, outcome, updated in db.execute(
        _CELLS_SQL.format(where=where), params
    ):
        cells[pid][item] = _new(Cell, (status, date_, score, outcome))
        if updated > last.get(pid, ""):
            last[pid] = updated
    for pid, updated in last.items():
        rows[pid].last_activity = updated
    return list(rows.values())


def people_version(db: Database) -> tuple:
    """What changes when someone is created, imported, deactivated, reactivated or erased:
    a key for a matrix kept a few seconds, so that it never shows people as they were
    before such a change (one aggregate over the people table, ~1 ms for 5,000)."""
    sql = "SELECT count(*), max(id), COALESCE(SUM(active), 0), count(erased_at) FROM people"
    return tuple(db.execute(sql).fetchone())


def module_cell(row: dict) -> Cell:
    """The cell of one module_progress row, by the same rule as _CELLS_SQL."""
    status = row["status"]
    if status == "in_progress" and row["quiz_passed_at"]:
        status = "passed"  # quiz passed, lessons still to finish
    date_ = row["completed_at"] or row["quiz_passed_at"] or row["updated_at"]
    return Cell(status, date_, row["quiz_best"])


def module_rows(db: Database, viewer: Viewer, module_id: str) -> dict[int, dict]:
    """person id -> module_progress row, for the visible people who started this module."""
    scope_sql, params = scope_for(db, viewer).sql(db)
    cursor = db.execute(
        "SELECT mp.person_id, mp.started_at, mp.completed_at, mp.quiz_best FROM module_progress mp"
        f" JOIN people p ON p.id = mp.person_id WHERE mp.module_id = :module_id AND {scope_sql}",
        {**params, "module_id": module_id},
    )
    keys = ("started_at", "completed_at", "quiz_best")
    return {row[0]: dict(zip(keys, row[1:], strict=True)) for row in cursor}


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters, applied to matrix rows already scoped by SQL."""

    organisation_id: int | None = None
    site: str | None = None
    job_category: str | None = None
    search: str = ""  # part of the name or identifier, accents and case ignored
    status: str | None = None
    item_id: str | None = None  # the item `status` applies to; None: any item

    def keep(self, row: MatrixRow) -> bool:
        p = row.person
        for wanted, value in (
            (self.organisation_id, p.organisation_id),
            (self.job_category, p.job_category),
        ):
            if wanted is not None and wanted != value:
                return False
        if self.site is not None and not hierarchy.within(p.site, self.site):
            return False
        if self.search.strip() and _fold(self.search) not in _fold(
            p.display_name + " " + p.identifier
        ):
            return False
        return self.status is None or self._status_matches(row)

    def _status_matches(self, row: MatrixRow) -> bool:
        if self.item_id is not None:
            return row.cell(self.item_id).status == self.status
        return any(cell.status == self.status for cell in row.cells.values())


def filtered(rows: list[MatrixRow], filters: Filters) -> list[MatrixRow]:
    return [row for row in rows if filters.keep(row)]


def filter_choices(rows: list[MatrixRow]) -> dict[str, list]:
    """The organisations (id, name), sites (every node of the hierarchy the rows pass
    through, each followed by those under it) and job categories present in the rows.

    People of no organisation are no choice of their own: « Toutes » includes them."""
    orgs = {(r.person.organisation_id, r.person.organisation) for r in rows}
    return {
        "organisations": sorted((o for o in orgs if o[0] is not None), key=lambda o: o[1]),
        "sites": hierarchy.nodes({r.person.site for r in rows}),
        "job_categories": sorted({r.person.job_category for r in rows}),
    }


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return plain.casefold()


# --- Figures derived from the matrix ---------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    people: int
    started: int
    completed: dict[str, int]  # module_id -> people who completed it
    quizzes_passed: int
    group_sessions: int


def headline(
    db: Database, viewer: Viewer, rows: list[MatrixRow], module_ids: list[str]
) -> Headline:
    """The figures at the top of the dashboard; one pass over the cells."""
    modules = set(module_ids)
    statuses = Counter(
        (item, cell.status) for row in rows for item, cell in row.cells.items() if item in modules
    )
    completed = {m: statuses[(m, "completed")] + statuses[(m, "recognised")] for m in module_ids}
    # Quizzes passed and people started count what was done in Proxi only.
    passed = sum(statuses[(m, s)] for m in module_ids for s in ("completed", "passed"))
    started = sum(1 for row in rows if any(c.status != "recognised" for c in row.cells.values()))
    return Headline(len(rows), started, completed, passed, sessions_held(db, viewer))


def completion_by_organisation(
    rows: list[MatrixRow], module_ids: list[str]
) -> list[dict[str, object]]:
    """organisation, module_id, completed, people, percent — for a grouped bar chart."""
    people_by_org = Counter(row.person.organisation for row in rows)
    modules = set(module_ids)
    done = Counter(
        (row.person.organisation, item)
        for row in rows
        for item, cell in row.cells.items()
        if cell.done and item in modules
    )
    return [
        {
            "organisation": org or NO_ORGANISATION,
            "module_id": item,
            "completed": done[(org, item)],
            "people": count,
            "percent": round(100 * done[(org, item)] / count, 1),
        }
        for org, count in sorted(people_by_org.items())
        for item in module_ids
    ]


def inactive(rows: list[MatrixRow], days: int, now: datetime | None = None) -> list[MatrixRow]:
    """Rows with no activity for `days` days (never-active people included), oldest first."""
    cutoff = events.timestamp(utc(now) - timedelta(days=days))  # as activity is stamped
    stale = [row for row in rows if row.last_activity is None or row.last_activity < cutoff]
    return sorted(stale, key=lambda row: row.last_activity or "")


def sessions_held(db: Database, viewer: Viewer) -> int:
    """Group sessions opened so far that the viewer ran or that one of their people attended."""
    scope_sql, params = scope_for(db, viewer).sql(db)
    return db.execute(
        "SELECT COUNT(*) FROM live_sessions ls WHERE ls.opened_at IS NOT NULL AND"
        " (ls.trainer_id = :trainer_id OR EXISTS (SELECT 1 FROM live_participants lp"
        f" JOIN people p ON p.id = lp.person_id WHERE lp.session_id = ls.id AND {scope_sql}))",
        {**params, "trainer_id": viewer.person_id},
    ).fetchone()[0]


# --- Due dates and overdue -------------------------------------------------------------------


def overdue(
    rows: list[MatrixRow], dates: list[DueDate], today: date | None = None
) -> list[tuple[MatrixRow, DueDate]]:
    """(person, the date that holds for them) for every module past it and not completed."""
    today_iso = (today or datetime.now(UTC).date()).isoformat()
    return [
        (row, due)
        for row in rows
        for module_id, due in effective(
            dates, row.person.organisation_id, row.person.site, row.person.id
        ).items()
        if due.due_on < today_iso and not row.cell(module_id).done
    ]


# --- Scenario analytics ----------------------------------------------------------------------


@dataclass(frozen=True)
class PathCount:
    """How often a choice was taken at a decision node, solo or in group sessions."""

    mode: str  # solo | group
    node_id: str
    choice_index: int
    count: int


def path_analytics(
    db: Database,
    viewer: Viewer,
    scenario_id: str,
    organisation_id: int | None = None,
) -> list[PathCount]:
    """Choice counts per decision node; group votes are the « chose » events that
    proxi.live.flow records per known participant, with mode "group"."""
    where, params = _analytics_where(db, viewer, organisation_id)
    rows = db.execute(
        "SELECT CASE e.play_mode WHEN 'group' THEN 'group' ELSE 'solo' END, e.node_id,"
        " e.choice_index, COUNT(*) FROM events e JOIN people p ON p.id = e.person_id"
        f" WHERE e.scenario_id = :scenario_id AND e.verb = 'chose' AND {where} GROUP BY 1, 2, 3",
        {**params, "scenario_id": scenario_id},
    )
    return [PathCount(*row) for row in rows]


def endings(
    db: Database,
    viewer: Viewer,
    scenario_ids: list[str],
    organisation_id: int | None = None,
) -> list[tuple[str, str, str, int]]:
    """(scenario_id, mode, ending node id, plays) for the endings reached."""
    where, params = _analytics_where(db, viewer, organisation_id)
    scenarios_sql = in_list(db, "e.scenario_id", "scenario_ids")
    rows = db.execute(
        "SELECT e.scenario_id, CASE e.play_mode WHEN 'group' THEN 'group' ELSE 'solo' END,"
        " e.node_id, COUNT(*) FROM events e"
        " JOIN people p ON p.id = e.person_id"
        f" WHERE {scenarios_sql} AND e.verb = 'ended'"
        f" AND {where} GROUP BY 1, 2, 3 ORDER BY 1, 2, 4 DESC",
        {**params, "scenario_ids": list_value(db, scenario_ids)},
    )
    return [tuple(row) for row in rows]


def _analytics_where(
    db: Database, viewer: Viewer, organisation_id: int | None
) -> tuple[str, dict[str, object]]:
    scope_sql, params = scope_for(db, viewer).sql(db)
    if organisation_id is None:
        return scope_sql, params
    return (
        f"{scope_sql} AND p.organisation_id = :organisation_id",
        {**params, "organisation_id": organisation_id},
    )


# --- One person --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonReport:
    person: PersonRow
    modules: dict[str, dict]
    scenarios: dict[str, dict]
    timeline: list[dict]  # events, newest first
    sessions: list[dict]  # group sessions attended: title, day, half_day, place, trainer
    finished: frozenset[str] = frozenset()  # modules finished, here or by a training elsewhere

    def module_status(self, module_id: str) -> str:
        """As the matrix says it: a module finished only elsewhere is « Suivi ailleurs »."""
        row = self.modules.get(module_id)
        status = module_cell(row).status if row else "not_started"
        return "recognised" if module_id in self.finished and status != "completed" else status


def person_report(db: Database, viewer: Viewer, person_id: int) -> PersonReport:
    """Everything the person page shows; NotAllowed outside the viewer's scope."""
    person = visible_person(db, viewer, person_id)
    overview = store.learner_overview(db, person_id)
    sessions = db.execute(
        "SELECT ls.id, ls.title, ls.day, ls.half_day, ls.place, t.display_name"
        " FROM live_participants lp JOIN live_sessions ls ON ls.id = lp.session_id"
        " JOIN people t ON t.id = ls.trainer_id WHERE lp.person_id = :person_id"
        " ORDER BY ls.day DESC",
        {"person_id": person_id},
    )
    keys = ("id", "title", "day", "half_day", "place", "trainer")
    return PersonReport(
        person,
        overview.modules,
        overview.scenarios,
        store.history(db, person_id, limit=300),
        [dict(zip(keys, row, strict=True)) for row in sessions],
        frozenset(due_dates.completed_modules(db, [person_id]).get(person_id, ())),
    )


def visible_person(db: Database, viewer: Viewer, person_id: int) -> PersonRow:
    """The person, if the viewer may see them (learner or not); otherwise NotAllowed."""
    scope_sql, params = scope_for(db, viewer).sql(db)
    row = db.execute(
        _PEOPLE_SQL.format(where=f"{scope_sql} AND p.id = :person_id"),
        {**params, "person_id": person_id},
    ).fetchone()
    if row is None:
        raise NotAllowed(OUT_OF_SCOPE)
    return PersonRow(*row)


def completed_modules(
    rows: list[MatrixRow], module_id: str | None = None
) -> list[tuple[PersonRow, str]]:
    """(person, module_id) for every completed module: the attestations to print."""
    return [
        (row.person, item)
        for row in rows
        for item, cell in row.cells.items()
        if cell.status == "completed" and module_id in (None, item)
    ]


# --- Attendance (feuilles d'émargement) -------------------------------------------------------


def visible_sessions(db: Database, viewer: Viewer) -> list[dict]:
    """Sessions opened that the viewer ran or that one of their people attended, latest first."""
    scope_sql, params = scope_for(db, viewer).sql(db)
    rows = db.execute(
        "SELECT ls.id, ls.title, ls.day, ls.half_day, ls.place, t.display_name FROM live_sessions ls"
        " JOIN people t ON t.id = ls.trainer_id WHERE ls.opened_at IS NOT NULL AND"
        " (ls.trainer_id = :trainer_id OR EXISTS (SELECT 1 FROM live_participants lp"
        f" JOIN people p ON p.id = lp.person_id WHERE lp.session_id = ls.id AND {scope_sql}))"
        " ORDER BY ls.day DESC, ls.id DESC",
        {**params, "trainer_id": viewer.person_id},
    )
    keys = ("id", "title", "day", "half_day", "place", "trainer")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def visible_participants(db: Database, viewer: Viewer, session_id: int) -> set[int]:
    """The session's participant lines the viewer may see: people in their scope, and guests
    only for the session's trainer or a viewer who sees everyone."""
    scope = scope_for(db, viewer)
    scope_sql, params = scope.sql(db)
    runs = db.execute(
        "SELECT 1 FROM live_sessions WHERE id = :session_id AND trainer_id = :trainer_id",
        {"session_id": session_id, "trainer_id": viewer.person_id},
    ).fetchone()
    # TRUE / FALSE, not 1 / 0: PostgreSQL's AND takes a boolean only.
    guests = "TRUE" if scope.everyone or runs else "FALSE"
    rows = db.execute(
        "SELECT lp.id FROM live_participants lp LEFT JOIN people p ON p.id = lp.person_id"
        f" WHERE lp.session_id = :session_id AND ((lp.person_id IS NULL AND {guests}) OR"
        f" (lp.person_id IS NOT NULL AND {scope_sql}))",
        {**params, "session_id": session_id},
    )
    return {row[0] for row in rows}
