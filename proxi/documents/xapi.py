"""xAPI 1.0.3 statements from events.

One statement per event, `id` = the event's uuid, so sending twice is harmless: the LRS
keeps the first and answers the second as a duplicate. The actor is an account whose name
is an HMAC of the person id under a key kept in the database (report_settings): stable
across exports, meaningless outside, never the login or the name. Verbs are ADL's; the
Proxi verb travels in a context extension so nothing is lost. No value is ever null.

What a learner wrote in their own words (a reflection: `events.is_free_text`) stays in
Proxi: its statement says that the learner answered, without the text, unless the export
was asked for it (`free_text`, the CLI's --free-text). An erased person's statements
already sent are withdrawn by voiding statements (`voiding_statement`, sent by lrs.py).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from proxi import labels
from proxi.progress import events, reports
from proxi.progress.db import Database, write_transaction

XAPI_VERSION = "1.0.3"
DEFAULT_PUBLIC_URL = "http://localhost:8501"
ADL_VERB = "http://adlnet.gov/expapi/verbs/"
ADL_ACTIVITY = "http://adlnet.gov/expapi/activities/"
VOIDED = ADL_VERB + "voided"
# Voiding statement ids derive from the voided id: sending one twice is a duplicate.
VOIDING_NAMESPACE = uuid.UUID("6f3c1a52-4d0e-4c41-9a63-2a9b1e7d5c10")
# Proxi verb -> ADL verb (the French display is proxi.labels.VERBS).
VERBS = {
    "viewed": "experienced",
    "answered": "answered",
    "passed": "passed",
    "failed": "failed",
    "completed": "completed",
    "started": "attempted",
    "chose": "responded",
    "rewound": "interacted",
    "ended": "completed",
    "attended": "attended",
    "voted": "responded",
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


@dataclass(frozen=True)
class XapiSettings:
    home_page: str  # the IRL of the Proxi instance: accounts and activity ids live under it
    actor_key: bytes  # HMAC key for opaque actor names
    titles: dict[str, str]  # object id -> French title, when the content knows it
    free_text: bool = False  # send reflections' text too (an explicit opt-in)


def xapi_settings(
    db: Database, titles: dict[str, str] | None = None, free_text: bool = False
) -> XapiSettings:
    home = (os.environ.get("PROXI_PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/")
    return XapiSettings(home, actor_key(db), dict(titles or {}), free_text)


def actor_key(db: Database) -> bytes:
    """The database's pseudonymisation key, created on first use and never changed."""
    with write_transaction(db):
        db.execute(
            "INSERT INTO report_settings (key, value) VALUES ('xapi_actor_key', :value)"
            " ON CONFLICT DO NOTHING",
            {"value": secrets.token_hex(32)},
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
    adl_verb, french = VERBS.get(event["verb"], "interacted"), labels.verb(event["verb"])
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


def voiding_statement(settings: XapiSettings, voided_id: str) -> dict:
    """The statement that withdraws `voided_id` (xAPI 1.0.3, 2.3.2), sent by Proxi itself."""
    return {
        "id": str(uuid.uuid5(VOIDING_NAMESPACE, voided_id)),
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": settings.home_page, "name": "proxi"},
        },
        "verb": {"id": VOIDED, "display": {"en-US": "voided", "fr-FR": "a annulé"}},
        "object": {"objectType": "StatementRef", "id": voided_id},
    }


def _object(event: dict, settings: XapiSettings) -> dict:
    kind, object_id, ctx = event["object_type"], event["object_id"], event["context"]
    if event["verb"] == "chose" and ctx.get("node_id"):
        kind, object_id = "node", f"{object_id}/{ctx['node_id']}"
    definition: dict[str, Any] = {"type": ADL_ACTIVITY + ACTIVITY_TYPES.get(kind, "interaction")}
    title = settings.titles.get(object_id)
    if title:
        definition["name"] = {"fr-FR": title}
    return {
        "objectType": "Activity",
        "id": activity_id(settings, kind, object_id),
        "definition": definition,
    }


def _result(event: dict, settings: XapiSettings) -> dict:
    source, result = event["result"], dict[str, Any]()
    if isinstance(source.get("max"), int | float) and source["max"] > 0:
        raw = min(max(float(source.get("score", 0)), 0.0), float(source["max"]))
        result["score"] = {"raw": raw, "min": 0, "max": source["max"]}
        result["score"]["scaled"] = round(raw / source["max"], 4)
    for key in ("success", "completion"):
        if isinstance(source.get(key), bool):
            result[key] = source[key]
    withheld = events.is_free_text(event["verb"], source) and not settings.free_text
    if source.get("response") is not None and not withheld:
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
    db: Database,
    settings: XapiSettings,
    viewer: reports.Viewer,
    after_id: int = 0,
    chunk: int = 1000,
) -> Iterator[tuple[int, dict]]:
    """(event id, statement) for every event the viewer may see, oldest first, in chunks."""
    scope_sql, params = reports.scope_for(db, viewer).sql(db)
    sql = (
        "SELECT e.id, e.uuid, e.person_id, e.verb, e.object_type, e.object_id, e.result,"
        f" e.context, e.timestamp FROM events e JOIN people p ON p.id = e.person_id"
        f" WHERE e.id > :after_id AND {scope_sql} ORDER BY e.id LIMIT :chunk"
    )
    keys = ("id", "uuid", "person_id", "verb", "object_type", "object_id", "result", "context")
    while True:
        rows = db.execute(sql, {**params, "after_id": after_id, "chunk": chunk}).fetchall()
        for row in rows:
            event = dict(zip((*keys, "timestamp"), row, strict=True))
            event["result"], event["context"] = json.loads(row[6]), json.loads(row[7])
            yield row[0], statement(event, settings)
        if len(rows) < chunk:
            return
        after_id = rows[-1][0]
