"""The progress store: the only writer of learning events, and the reader of progress.

Every learning act is appended to `events`, shaped like an xAPI statement (actor, verb,
object, result, context, timestamp), and in the SAME transaction the derived tables are
brought up to date by `proxi.progress.events` — so completion is instant, and a crash can never
leave an event without its progress or progress without its event. Events are never
updated; `rebuild_derived` recomputes every derived table from them alone.

Vocabulary (object_type verb: result / context; `state` is a column of its own):

    lesson   viewed     {duration_s} / {module_id, lesson_id, step, step_count, lesson_ids}
    lesson   completed  {completion} / {module_id, lesson_id}    appended by the store
    block    answered   {response, success, duration_s} / {module_id, lesson_id, ...}
    quiz     passed|failed  {score, max, success, pass_mark, response, duration_s}
                        / {module_id, lesson_ids}
    module   completed  {completion} / {module_id}               appended by the store
    scenario started|chose|rewound|ended  {response, outcome, duration_s}
                        / {scenario_id, node_id, session_id, mode}, state = engine state after
    anything else (attended...) through `record_event`: stored, no derived progress.

Each writer takes an optional `idempotency_key`: a second event with the same key for the
same person is not recorded (a double-click or a resubmitted form counts once), and the
call returns `Recorded(duplicate=True)`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from proxi.content import quiz
from proxi.content.engine import State
from proxi.content.scenario import Scenario
from proxi.errors import StaleMove
from proxi.progress import events
from proxi.progress.db import Database, inserted_id, write_transaction

# A tab left open over lunch is not training time: one interaction counts at most this.
MAX_DURATION_S = 300.0


@dataclass(frozen=True)
class Recorded:
    """The event just written (or found, when `duplicate`) and what it completed."""

    event_id: int
    uuid: str
    duplicate: bool = False
    lesson_completed: bool = False
    module_completed: bool = False


@dataclass(frozen=True)
class ResumePoint:
    """Where a learner stopped: a lesson step or a scenario."""

    kind: str  # "lesson" | "scenario"
    module_id: str | None
    lesson_id: str | None
    step: int | None
    scenario_id: str | None
    updated_at: str


@dataclass(frozen=True)
class LearnerOverview:
    """Everything the learner's home needs, from the derived tables only."""

    modules: dict[str, dict]  # module_id -> module_progress row
    scenarios: dict[str, dict]  # scenario_id -> scenario_progress row
    resume: ResumePoint | None
    time_spent: dict[tuple[str, str], float]  # (kind, subject_id) -> seconds

    def module(self, module_id: str) -> dict:
        """The module's progress row, or a not-started one."""
        return self.modules.get(module_id) or {
            "module_id": module_id,
            "status": "not_started",
            "lessons_done": 0,
            "lessons_total": 0,
            "quiz_best": None,
            "quiz_attempts": 0,
            "completed_at": None,
        }


# --- Writers ---------------------------------------------------------------------------


def record_step(
    db: Database,
    person_id: int,
    module_id: str,
    lesson_id: str,
    step: int,
    step_count: int,
    lesson_ids_in_module: Sequence[str],
    *,
    duration_s: float | None = None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> Recorded:
    """A learner sees step `step` (0-based) of a lesson of `step_count` steps."""
    if not 0 <= step < step_count:
        raise ValueError(f"step {step} outside 0..{step_count - 1}")
    context = {
        "module_id": module_id,
        "lesson_id": lesson_id,
        "step": step,
        "step_count": step_count,
        "lesson_ids": list(lesson_ids_in_module),
    }
    result = {"duration_s": _duration(duration_s)}
    event = events.new_event(
        person_id, "viewed", "lesson", f"{module_id}/{lesson_id}", result, context, now
    )
    return _record(db, event, idempotency_key)


def record_answer(
    db: Database,
    person_id: int,
    block_id: str,
    response: Any,
    correct: bool | None,
    context: dict,
    idempotency_key: str | None = None,
    *,
    duration_s: float | None = None,
    now: datetime | None = None,
) -> Recorded:
    """An answer to an interactive block (`correct` None for a free-text reflection)."""
    result = {"response": response, "success": correct, "duration_s": _duration(duration_s)}
    event = events.new_event(person_id, "answered", "block", block_id, result, dict(context), now)
    return _record(db, event, idempotency_key)


def record_quiz(
    db: Database,
    person_id: int,
    module_id: str,
    score: float,
    max_score: float,
    pass_mark: float,
    lesson_ids_in_module: Sequence[str],
    *,
    responses: Any = None,
    duration_s: float | None = None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> Recorded:
    """A final-quiz attempt, passed or failed by the one rule (`proxi.content.quiz.passes`)."""
    passed = quiz.passes(score, max_score, pass_mark)
    result = {
        "score": score,
        "max": max_score,
        "success": passed,
        "pass_mark": pass_mark,
        "response": responses,
        "duration_s": _duration(duration_s),
    }
    context = {"module_id": module_id, "lesson_ids": list(lesson_ids_in_module)}
    verb = "passed" if passed else "failed"
    return _record(
        db,
        events.new_event(person_id, verb, "quiz", module_id, result, context, now),
        idempotency_key,
    )


def record_scenario_state(
    db: Database,
    person_id: int,
    scenario_id: str,
    state: State,
    verb: str,
    *,
    node_id: str | None = None,
    response: int | str | None = None,
    outcome: str | None = None,
    session_id: str | None = None,
    mode: str = "solo",
    duration_s: float | None = None,
    idempotency_key: str | None = None,
    made_from: dict | None = None,
    now: datetime | None = None,
) -> Recorded:
    """A scenario move and the engine state after it, saved for resume.

    verb: "started" (a new playthrough), "chose" (response = choice index, node_id = the
    decision node), "rewound" (response = decision index gone back to), "ended"
    (response = ending node id, outcome = favourable | mitigee | defavorable).

    `made_from` is the state the move was made from. When it is given, the move counts only
    if that state is still the saved one (same decisions): a second tap on the same screen,
    or a move in a tab left behind, raises StaleMove with the saved state, and nothing is
    recorded. So every learner move is idempotent by the state it was made from.
    """
    if verb not in events.SCENARIO_VERBS:
        raise ValueError(f"unknown scenario verb {verb!r}")
    if verb == "chose" and (node_id is None or response is None):
        raise ValueError("a choice needs node_id and response (the choice index)")
    result = {"response": response, "outcome": outcome, "duration_s": _duration(duration_s)}
    context = {"scenario_id": scenario_id, "node_id": node_id, "session_id": session_id}
    context["mode"] = mode
    event = events.new_event(person_id, verb, "scenario", scenario_id, result, context, now, state)
    guard = None if made_from is None else _still_saved(person_id, scenario_id, made_from)
    return _record(db, event, idempotency_key, guard)


def _still_saved(person_id: int, scenario_id: str, made_from: dict):
    """A check run inside the write transaction: is `made_from` still the saved state?"""

    def check(db: Database) -> None:
        saved = saved_scenario_state(db, person_id, scenario_id)
        if (saved or {}).get("history", []) != made_from.get("history", []):
            raise StaleMove(saved)

    return check


def record_ending(
    db: Database, person_id: int, scenario: Scenario, state: State, **options
) -> Recorded:
    """The playthrough in `state` reached an ending: record « ended » with its outcome."""
    ending = scenario.nodes[state["node"]].ending
    if ending is None:
        raise ValueError(f"node {state['node']!r} is not an ending")
    node_id = state["node"]
    return record_scenario_state(
        db,
        person_id,
        scenario.id,
        state,
        "ended",
        node_id=node_id,
        response=node_id,
        outcome=ending.outcome,
        **options,
    )


def record_event(
    db: Database,
    person_id: int,
    verb: str,
    object_type: str,
    object_id: str,
    *,
    result: dict | None = None,
    context: dict | None = None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> Recorded:
    """Any other learning act (e.g. "attended" a group session), recorded as is."""
    event = events.new_event(
        person_id, verb, object_type, object_id, result or {}, context or {}, now
    )
    return _record(db, event, idempotency_key)


def _record(db: Database, event: dict, idempotency_key: str | None, guard=None) -> Recorded:
    """Append the event and update the derived tables, all in one transaction.

    `guard(db)`, when given, runs first inside the transaction and may refuse by raising.
    """
    with write_transaction(db):
        duplicate = _find_duplicate(db, event["person_id"], idempotency_key)
        if duplicate:
            return duplicate
        if guard is not None:
            guard(db)
        row = events.encode_event(event, idempotency_key)
        event_id = _insert_event(db, row)
        # Reduce the event exactly as the rebuild will see it: decoded from its stored form.
        rows = _load_rows(db, event)
        applied = events.apply(rows, events.decode_event({**row, "id": event_id}))
        _write_rows(db, rows.changed())
        _append_completions(db, event, applied)
    return Recorded(
        event_id, event["uuid"], False, applied.lesson_completed, applied.module_completed
    )


def _find_duplicate(db: Database, person_id: int, key: str | None):
    if key is None:
        return None
    found = db.execute(
        "SELECT id, uuid FROM events"
        " WHERE person_id = :person_id AND idempotency_key = :idempotency_key",
        {"person_id": person_id, "idempotency_key": key},
    ).fetchone()
    return Recorded(found[0], found[1], duplicate=True) if found else None


def _insert_event(db: Database, row: dict) -> int:
    placeholders = ", ".join(f":{column}" for column in events.EVENT_COLUMNS)
    cursor = db.execute(
        f"INSERT INTO events ({', '.join(events.EVENT_COLUMNS)}) VALUES ({placeholders})"
        " RETURNING id",
        {column: row[column] for column in events.EVENT_COLUMNS},
    )
    return inserted_id(cursor)


def _append_completions(db: Database, event: dict, applied: events.Applied) -> None:
    """The xAPI 'completed' statements; the reducer ignores them, so rebuild stays identical."""
    ctx, pid = event["context"], event["person_id"]
    done = []
    if applied.lesson_completed:
        lesson = {"module_id": ctx["module_id"], "lesson_id": ctx["lesson_id"]}
        done.append(("lesson", f"{ctx['module_id']}/{ctx['lesson_id']}", lesson))
    if applied.module_completed:
        done.append(("module", ctx["module_id"], {"module_id": ctx["module_id"]}))
    for object_type, object_id, context in done:
        completed = events.new_event(
            pid, "completed", object_type, object_id, {"completion": True}, context
        )
        completed["timestamp"] = event["timestamp"]
        _insert_event(db, events.encode_event(completed))


# --- Derived rows: load, write, rebuild ----------------------------------------------------


def _load_rows(db: Database, event: dict) -> events.Rows:
    """The derived rows this event can touch (all of them, so the reducer sees the truth)."""
    pid, ctx, kind = event["person_id"], event["context"], event["object_type"]
    person = {"person_id": pid}
    wanted: list[tuple[str, str, dict]] = [("resume", "person_id = :person_id", person)]
    if ctx.get("module_id"):
        by_module = "person_id = :person_id AND module_id = :module_id"
        module = {**person, "module_id": ctx["module_id"]}
        wanted += [
            ("lesson_progress", by_module, module),
            ("module_progress", by_module, module),
            ("time_spent", "person_id = :person_id AND kind = 'module'", person),
        ]
    if kind == "block":
        block = {**person, "block_id": event["object_id"]}
        wanted.append(("block_answers", "person_id = :person_id AND block_id = :block_id", block))
    if kind == "scenario":
        scenario = {**person, "scenario_id": event["object_id"]}
        by_scenario = "person_id = :person_id AND scenario_id = :scenario_id"
        wanted += [
            ("scenario_progress", by_scenario, scenario),
            ("time_spent", "person_id = :person_id AND kind = 'scenario'", person),
        ]
    rows = events.Rows()
    with db.pipelined():  # one round trip for every table on PostgreSQL
        answers = [(table, _query(db, table, where, params)) for table, where, params in wanted]
    for table, cursor in answers:
        for row in _as_dicts(cursor):
            decoded = events.decode_row(row)
            rows.tables[table][tuple(decoded[c] for c in events.TABLES[table])] = decoded
    return rows


def _write_rows(db: Database, by_table: dict[str, list[dict]]) -> None:
    with db.pipelined():  # every table's rows in one round trip on PostgreSQL
        for table, rows in by_table.items():
            _upsert(db, table, rows)


def _upsert(db: Database, table: str, rows: list[dict]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    # The row replaces the one with its primary key: every other column takes the new
    # value (the reducer's rows carry every column, so nothing keeps a stale one).
    key = events.TABLES[table]
    assignments = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) "
        f"VALUES ({', '.join(f':{c}' for c in columns)}) "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {assignments}"
    )
    db.executemany(sql, [{c: events.encode_value(c, row[c]) for c in columns} for row in rows])


def rebuild_derived(db: Database) -> int:
    """Recompute every derived table from the events alone; returns the events replayed."""
    rows, count = events.Rows(), 0
    with write_transaction(db):
        for event in _select_events(db, "ORDER BY id"):
            events.apply(rows, event)
            count += 1
        for table in events.TABLES:
            db.execute(f"DELETE FROM {table}")
        # Fixed column order per table: rows built by different handlers share it.
        _write_rows(db, {table: list(rows.tables[table].values()) for table in events.TABLES})
    return count


# --- Readers ---------------------------------------------------------------------------


def learner_overview(db: Database, person_id: int) -> LearnerOverview:
    """Modules, scenarios, resume point and time spent for one learner."""
    modules = {r["module_id"]: r for r in _rows(db, "module_progress", person_id)}
    scenarios = {r["scenario_id"]: r for r in _rows(db, "scenario_progress", person_id)}
    time_spent = {
        (r["kind"], r["subject_id"]): r["seconds"] for r in _rows(db, "time_spent", person_id)
    }
    return LearnerOverview(modules, scenarios, resume_point(db, person_id), time_spent)


def resume_point(db: Database, person_id: int) -> ResumePoint | None:
    """Where the learner last was, or None before any activity."""
    rows = _rows(db, "resume", person_id)
    return ResumePoint(**{k: v for k, v in rows[0].items() if k != "person_id"}) if rows else None


def saved_scenario_state(db: Database, person_id: int, scenario_id: str) -> dict | None:
    """The engine state saved after the learner's last move in this scenario."""
    rows = _rows(
        db,
        "scenario_progress",
        person_id,
        "scenario_id = :scenario_id",
        {"scenario_id": scenario_id},
    )
    return rows[0]["state"] if rows else None


def module_row(db: Database, person_id: int, module_id: str) -> dict | None:
    """The learner's module_progress row for one module (None before any activity)."""
    rows = _rows(
        db, "module_progress", person_id, "module_id = :module_id", {"module_id": module_id}
    )
    return rows[0] if rows else None


def lesson_states(db: Database, person_id: int, module_id: str) -> dict[str, dict]:
    """lesson_id -> lesson_progress row, for the lessons of a module the learner opened."""
    rows = _rows(
        db, "lesson_progress", person_id, "module_id = :module_id", {"module_id": module_id}
    )
    return {row["lesson_id"]: row for row in rows}


def lesson_position(db: Database, person_id: int, module_id: str, lesson_id: str) -> int | None:
    """The step the learner last saw in this lesson, or None if never opened."""
    return (lesson_states(db, person_id, module_id).get(lesson_id) or {}).get("last_step")


def last_answer(db: Database, person_id: int, block_id: str) -> dict | None:
    """The learner's latest answer to a block (response, correct, attempts), if any."""
    rows = _rows(db, "block_answers", person_id, "block_id = :block_id", {"block_id": block_id})
    return rows[0] if rows else None


def history(db: Database, person_id: int, limit: int = 200) -> list[dict]:
    """The learner's events, newest first, decoded."""
    return list(
        _select_events(
            db,
            "WHERE person_id = :person_id ORDER BY id DESC LIMIT :limit",
            {"person_id": person_id, "limit": limit},
        )
    )


def _select_events(
    db: Database, tail: str, params: Mapping[str, Any] | None = None
) -> Iterator[dict]:
    names = ("id", *events.EVENT_COLUMNS)
    cursor = db.execute(f"SELECT {', '.join(names)} FROM events {tail}", params or {})
    return (events.decode_event(dict(zip(names, values, strict=True))) for values in cursor)


def _rows(
    db: Database,
    table: str,
    person_id: int,
    where: str = "TRUE",
    params: Mapping[str, Any] | None = None,
) -> list[dict]:
    """`where` reads its values from `params` by name; `:person_id` is taken."""
    found = _select(
        db, table, f"person_id = :person_id AND {where}", {**(params or {}), "person_id": person_id}
    )
    return [events.decode_row(row) for row in found]


def _select(db: Database, table: str, where: str, params: Mapping[str, Any]) -> Iterator[dict]:
    """The rows of one of our own tables (events.TABLES), as dicts."""
    return _as_dicts(_query(db, table, where, params))


def _query(db: Database, table: str, where: str, params: Mapping[str, Any]) -> Any:
    return db.execute(f'SELECT * FROM "{table}" WHERE {where}', params)


def _as_dicts(cursor: Any) -> Iterator[dict]:
    names = [column[0] for column in cursor.description]
    return (dict(zip(names, values, strict=True)) for values in cursor)


def _duration(seconds: float | None) -> float | None:
    return None if seconds is None else round(min(max(float(seconds), 0.0), MAX_DURATION_S), 1)
