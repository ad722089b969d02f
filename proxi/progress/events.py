"""Events: their shape, their stored form, and the pure reduction of progress from them.

An event is a dict shaped like an xAPI statement::

    {"uuid", "person_id", "verb", "object_type", "object_id",
     "result": {...}, "context": {...}, "state": {...} | None, "timestamp": ISO 8601 UTC}

`new_event` builds one, `encode_event`/`decode_event` turn it into an `events` row and back.

Theory of operation
-------------------
The derived tables (lesson_progress, block_answers, module_progress, scenario_progress,
resume, time_spent) are a function of the event log. `apply(rows, event)` is that function
for one event: it updates the in-memory rows the event touches and says whether a lesson
or a module has just been completed. It does no I/O. Two drivers call it:

    live     store.py loads the rows one event can touch, applies the event and writes the
             touched rows back, in the same transaction as the event itself;
    rebuild  store.rebuild_derived replays every event, in order, into empty `Rows` and
             writes them all.

Because both run this code on the decoded stored event, a rebuild gives exactly the tables
the live writes gave. Every event carries what its reduction needs (a lesson step carries
the step count and the module's lesson ids; a scenario move carries the engine state), so
no content file is read; the timestamps written are the events', never "now".

Rules
-----
- A lesson is completed when every one of its steps has been seen.
- A module is completed when every lesson it lists is completed and its quiz is passed.
- Completion is sticky: a later change of content never un-completes (attestations stay true).
- The best scenario outcome is the best ending reached: favourable > mitigee > defavorable.
- Scenario moves made in a group session (context mode "group") are not a learner's own play.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from proxi.dates import utc

EVENT_COLUMNS = (
    "uuid",
    "person_id",
    "verb",
    "object_type",
    "object_id",
    "result",
    "context",
    "state",
    "timestamp",
    "idempotency_key",
)
# Table -> primary key columns; the key of a row in `Rows` is the tuple of these values.
TABLES: dict[str, tuple[str, ...]] = {
    "lesson_progress": ("person_id", "module_id", "lesson_id"),
    "block_answers": ("person_id", "block_id"),
    "module_progress": ("person_id", "module_id"),
    "scenario_progress": ("person_id", "scenario_id"),
    "resume": ("person_id",),
    "time_spent": ("person_id", "kind", "subject_id"),
}
JSON_COLUMNS = frozenset({"steps_seen", "lesson_ids", "endings", "state", "response"})
OUTCOME_RANK = {"defavorable": 0, "mitigee": 1, "favourable": 2}
MODULE_STATUSES = ("not_started", "in_progress", "quiz_failed", "completed")
SCENARIO_VERBS = ("started", "chose", "rewound", "ended")


# --- Shape and stored form -----------------------------------------------------------


def new_event(
    person_id: int,
    verb: str,
    object_type: str,
    object_id: str,
    result: dict,
    context: dict,
    now: datetime | None = None,
    state: Mapping[str, Any] | None = None,
) -> dict:
    """A new event; None values are left out of result and context."""
    return {
        "uuid": str(uuid.uuid4()),
        "person_id": person_id,
        "verb": verb,
        "object_type": object_type,
        "object_id": object_id,
        "result": _without_none(result),
        "context": _without_none(context),
        "state": state,
        "timestamp": timestamp(now),
    }


def is_free_text(verb: str, result: Mapping) -> bool:
    """Whether the event's response is the learner's own words: a block answer with no right
    answer (a reflection). Erasure drops it; the xAPI export leaves it out unless asked."""
    return verb == "answered" and result.get("success") is None and "response" in result


def timestamp(now: datetime | None = None) -> str:
    """ISO 8601 in UTC with its offset; naive datetimes are taken as UTC."""
    return utc(now).isoformat(timespec="milliseconds")


def encode_event(event: dict, idempotency_key: str | None = None) -> dict:
    """The `events` row for an event (JSON text columns)."""
    return {
        **event,
        "result": _dumps(event["result"]),
        "context": _dumps(event["context"]),
        "state": None if event["state"] is None else _dumps(event["state"]),
        "idempotency_key": idempotency_key,
    }


def decode_event(row: dict) -> dict:
    """The event of an `events` row."""
    decoded = dict(row)
    for column in ("result", "context", "state"):
        if decoded[column] is not None:
            decoded[column] = json.loads(decoded[column])
    return decoded


def decode_row(row: dict) -> dict:
    """A derived-table row with its JSON columns parsed."""
    return {k: json.loads(v) if k in JSON_COLUMNS and v is not None else v for k, v in row.items()}


def encode_value(column: str, value: Any) -> Any:
    """A derived-table value ready for SQLite."""
    return _dumps(value) if column in JSON_COLUMNS and value is not None else value


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _without_none(values: dict) -> dict:
    return {k: v for k, v in values.items() if v is not None}


# --- Reduction ---------------------------------------------------------------------------


@dataclass
class Rows:
    """Derived rows, per table, by primary key; remembers which ones changed."""

    tables: dict[str, dict[tuple, dict]] = field(
        default_factory=lambda: {name: {} for name in TABLES}
    )
    touched: set[tuple[str, tuple]] = field(default_factory=set)

    def get(self, table: str, key: tuple) -> dict | None:
        return self.tables[table].get(key)

    def put(self, table: str, row: dict) -> None:
        key = tuple(row[column] for column in TABLES[table])
        self.tables[table][key] = row
        self.touched.add((table, key))

    def changed(self) -> dict[str, list[dict]]:
        """The rows changed since creation, by table."""
        out: dict[str, list[dict]] = {name: [] for name in TABLES}
        for table, key in sorted(self.touched, key=repr):
            out[table].append(self.tables[table][key])
        return out


@dataclass(frozen=True)
class Applied:
    """What an event completed, so the writer can append the matching 'completed' event."""

    lesson_completed: bool = False
    module_completed: bool = False


def apply(rows: Rows, event: dict) -> Applied:
    """Update `rows` for one event (decoded: result/context/state are Python values)."""
    handler = _HANDLERS.get((event["object_type"], event["verb"]))
    return handler(rows, event) if handler else Applied()


def _on_step(rows: Rows, event: dict) -> Applied:
    ctx, pid, ts = event["context"], event["person_id"], event["timestamp"]
    key = (pid, ctx["module_id"], ctx["lesson_id"])
    row = rows.get("lesson_progress", key) or {
        **dict(zip(TABLES["lesson_progress"], key, strict=True)),
        "steps_seen": [],
        "started_at": ts,
        "completed_at": None,
    }
    count = ctx["step_count"]
    seen = sorted({*row["steps_seen"], ctx["step"]} & set(range(count)))
    row.update(last_step=ctx["step"], steps_seen=seen, step_count=count, updated_at=ts)
    lesson_done = row["completed_at"] is None and len(seen) >= count
    if lesson_done:
        row["completed_at"] = ts
    rows.put("lesson_progress", row)
    module = _module_row(rows, pid, ctx["module_id"], ctx["lesson_ids"], ts)
    module_done = _refresh_module(rows, module, ts)
    _set_resume(rows, event, kind="lesson", lesson_id=ctx["lesson_id"], step=ctx["step"])
    _add_time(rows, event, "module", ctx["module_id"])
    return Applied(lesson_completed=lesson_done, module_completed=module_done)


def _on_answer(rows: Rows, event: dict) -> Applied:
    ctx, result, pid = event["context"], event["result"], event["person_id"]
    key = (pid, event["object_id"])
    previous = rows.get("block_answers", key)
    rows.put(
        "block_answers",
        {
            "person_id": pid,
            "block_id": event["object_id"],
            "module_id": ctx.get("module_id"),
            "lesson_id": ctx.get("lesson_id"),
            "response": result.get("response"),
            "correct": _as_int(result.get("success")),
            "attempts": (previous["attempts"] if previous else 0) + 1,
            "answered_at": event["timestamp"],
        },
    )
    if ctx.get("module_id"):
        _add_time(rows, event, "module", ctx["module_id"])
    return Applied()


def _on_quiz(rows: Rows, event: dict) -> Applied:
    ctx, result, ts = event["context"], event["result"], event["timestamp"]
    row = _module_row(rows, event["person_id"], ctx["module_id"], ctx.get("lesson_ids"), ts)
    percent = round(100 * result["score"] / result["max"], 1) if result["max"] else 0.0
    row["quiz_attempts"] += 1
    row["quiz_best"] = percent if row["quiz_best"] is None else max(row["quiz_best"], percent)
    if result["success"] and row["quiz_passed_at"] is None:
        row["quiz_passed_at"] = ts
    module_done = _refresh_module(rows, row, ts)
    _add_time(rows, event, "module", ctx["module_id"])
    return Applied(module_completed=module_done)


def _on_scenario(rows: Rows, event: dict) -> Applied:
    if event["context"].get("mode") == "group":
        return Applied()  # a group play belongs to the session, not to one learner's resume
    pid, scenario_id, ts = event["person_id"], event["object_id"], event["timestamp"]
    row = rows.get("scenario_progress", (pid, scenario_id)) or {
        "person_id": pid,
        "scenario_id": scenario_id,
        "plays": 0,
        "endings": [],
        "best_outcome": None,
        "last_ending_at": None,
        "started_at": ts,
    }
    row.update(state=event.get("state"), updated_at=ts)
    if event["verb"] == "started":
        row["plays"] += 1
    if event["verb"] == "ended":
        _record_ending(row, event["result"], ts)
    rows.put("scenario_progress", row)
    _set_resume(rows, event, kind="scenario", scenario_id=scenario_id)
    _add_time(rows, event, "scenario", scenario_id)
    return Applied()


def _record_ending(row: dict, result: dict, ts: str) -> None:
    ending = result.get("response")
    if ending is not None and ending not in row["endings"]:
        row["endings"] = [*row["endings"], ending]
    outcome = result.get("outcome")
    best = row["best_outcome"]
    if outcome in OUTCOME_RANK and (best is None or OUTCOME_RANK[outcome] > OUTCOME_RANK[best]):
        row["best_outcome"] = outcome
    row["last_ending_at"] = ts


def _module_row(rows: Rows, pid: int, module_id: str, lesson_ids: list | None, ts: str) -> dict:
    """The module's row, created on first contact; the latest lesson list wins."""
    row = rows.get("module_progress", (pid, module_id)) or {
        "person_id": pid,
        "module_id": module_id,
        "lesson_ids": [],
        "quiz_best": None,
        "quiz_attempts": 0,
        "quiz_passed_at": None,
        "started_at": ts,
        "completed_at": None,
    }
    if lesson_ids is not None:
        row["lesson_ids"] = list(lesson_ids)
    return row


def _refresh_module(rows: Rows, row: dict, ts: str) -> bool:
    """Recount lessons, settle completion and status; True when the module just completed."""
    pid, module_id = row["person_id"], row["module_id"]
    done = sum(
        1
        for lesson_id in row["lesson_ids"]
        if (rows.get("lesson_progress", (pid, module_id, lesson_id)) or {}).get("completed_at")
    )
    row.update(lessons_done=done, lessons_total=len(row["lesson_ids"]), updated_at=ts)
    just_completed = (
        row["completed_at"] is None and done == row["lessons_total"] and row["quiz_passed_at"]
    )
    if just_completed:
        row["completed_at"] = ts
    row["status"] = module_status(row)
    rows.put("module_progress", row)
    return bool(just_completed)


def module_status(row: dict | None) -> str:
    """not_started | in_progress | quiz_failed | completed, for a module_progress row."""
    if row is None:
        return "not_started"
    if row["completed_at"]:
        return "completed"
    if row["quiz_attempts"] and not row["quiz_passed_at"]:
        return "quiz_failed"
    return "in_progress"


def _set_resume(rows: Rows, event: dict, *, kind: str, **place) -> None:
    ctx = event["context"]
    rows.put(
        "resume",
        {
            "person_id": event["person_id"],
            "kind": kind,
            "module_id": ctx.get("module_id"),
            "lesson_id": place.get("lesson_id"),
            "step": place.get("step"),
            "scenario_id": place.get("scenario_id"),
            "updated_at": event["timestamp"],
        },
    )


def _add_time(rows: Rows, event: dict, kind: str, subject_id: str) -> None:
    seconds = event["result"].get("duration_s")
    if not seconds:
        return
    key = (event["person_id"], kind, subject_id)
    row = rows.get("time_spent", key) or dict(zip(TABLES["time_spent"], key, strict=True))
    row["seconds"] = row.get("seconds", 0.0) + float(seconds)
    row["updated_at"] = event["timestamp"]
    rows.put("time_spent", row)


def _as_int(value: object) -> int | None:
    return None if value is None else int(bool(value))


_HANDLERS: dict[tuple[str, str], Callable[[Rows, dict], Applied]] = {
    ("lesson", "viewed"): _on_step,
    ("block", "answered"): _on_answer,
    ("quiz", "passed"): _on_quiz,
    ("quiz", "failed"): _on_quiz,
    **{("scenario", verb): _on_scenario for verb in SCENARIO_VERBS},
}
