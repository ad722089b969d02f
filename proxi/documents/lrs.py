"""Sending xAPI statements to a learning record store (LRS), and remembering how far we got.

Only urllib: POST in batches with HTTP Basic auth and the version header. A statement the
LRS already holds unchanged counts as already sent; a 409 (its id already stored with other
content) is a conflict, counted apart and reported, after the batch was retried one
statement at a time so the others still go through. After each accepted batch the
endpoint's mark (the last event id sent) moves, so an interrupted export resumes.

Erasure. When a person is erased, `queue_voids` (called inside the erasure's transaction)
keeps, per endpoint, the ids of their statements that endpoint already accepted (every
event up to its mark); the next export to that endpoint sends a voiding statement for each
before anything new, and forgets each line once accepted.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from proxi.dates import iso
from proxi.documents.xapi import XAPI_VERSION, statements, voiding_statement, xapi_settings
from proxi.errors import ProxiError
from proxi.progress import reports
from proxi.progress.db import Database, write_transaction


class ExportError(ProxiError):
    """An export could not be completed (the message says what to do)."""


@dataclass
class SendReport:
    sent: int = 0
    duplicates: int = 0
    conflicts: int = 0  # ids the LRS holds with other content: the export did not fully go
    batches: int = 0
    last_event_id: int = 0
    voided: int = 0  # voiding statements accepted (or already there) for erased people


Opener = Callable[..., Any]


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
    opener: Opener | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> SendReport:
    """POST the statements in batches; `on_batch(last event id)` after each accepted one."""
    url, report = statements_url(endpoint), SendReport()
    opener = opener or urllib.request.urlopen  # looked up now, so that tests can stand in
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
        report.conflicts += 1
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


def export_mark(db: Database, endpoint: str) -> int:
    row = db.execute(
        "SELECT last_event_id FROM xapi_exports WHERE endpoint = :endpoint",
        {"endpoint": statements_url(endpoint)},
    ).fetchone()
    return row[0] if row else 0


def save_mark(db: Database, endpoint: str, last_event_id: int) -> None:
    with write_transaction(db):
        db.execute(
            "INSERT INTO xapi_exports (endpoint, last_event_id, updated_at)"
            " VALUES (:endpoint, :last_event_id, :updated_at)"
            " ON CONFLICT (endpoint) DO UPDATE SET last_event_id = excluded.last_event_id,"
            " updated_at = excluded.updated_at",
            {
                "endpoint": statements_url(endpoint),
                "last_event_id": last_event_id,
                "updated_at": iso(),
            },
        )


def send_all(
    db: Database,
    endpoint: str,
    titles: dict[str, str],
    *,
    user: str | None = None,
    password: str | None = None,
    batch: int = 200,
    from_start: bool = False,
    free_text: bool = False,
) -> SendReport:
    """Void what erased people left at this endpoint, then send every event after its mark
    (all of them `from_start`), moving the mark. Reflections' text only with `free_text`."""
    settings = xapi_settings(db, titles, free_text)
    voided = _send_voids(db, endpoint, settings, user=user, password=password, batch=batch)
    after = 0 if from_start else export_mark(db, endpoint)
    pairs = statements(db, settings, reports.Viewer.system(), after_id=after)
    report = send(
        pairs,
        endpoint,
        user=user,
        password=password,
        batch=batch,
        on_batch=lambda last: save_mark(db, endpoint, max(last, export_mark(db, endpoint))),
    )
    report.voided = voided
    return report


def queue_voids(db: Database, person_id: int) -> int:
    """Queue a voiding statement for each of the person's statements an endpoint holds.

    No transaction of its own: the erasure calls it in its own, before the events change.
    """
    # The SELECT keeps its WHERE: without one, SQLite would read ON CONFLICT as the join's ON.
    cursor = db.execute(
        "INSERT INTO xapi_voids (endpoint, statement_id, queued_at)"
        " SELECT x.endpoint, e.uuid, :queued_at FROM xapi_exports x"
        " JOIN events e ON e.id <= x.last_event_id WHERE e.person_id = :person_id"
        " ON CONFLICT DO NOTHING",
        {"queued_at": iso(None), "person_id": person_id},
    )
    return cursor.rowcount


def pending_voids(db: Database, endpoint: str) -> list[str]:
    rows = db.execute(
        "SELECT statement_id FROM xapi_voids WHERE endpoint = :endpoint"
        " ORDER BY queued_at, statement_id",
        {"endpoint": statements_url(endpoint)},
    )
    return [row[0] for row in rows]


def _send_voids(db, endpoint: str, settings, *, user, password, batch: int) -> int:
    voided = pending_voids(db, endpoint)

    def forget(last: int) -> None:
        with write_transaction(db):
            db.executemany(
                "DELETE FROM xapi_voids WHERE endpoint = :endpoint AND statement_id = :statement_id",
                [
                    {"endpoint": statements_url(endpoint), "statement_id": i}
                    for i in voided[: last + 1]
                ],
            )

    pairs = [(n, voiding_statement(settings, i)) for n, i in enumerate(voided)]
    report = send(pairs, endpoint, user=user, password=password, batch=batch, on_batch=forget)
    if report.conflicts:
        raise ExportError(
            f"{report.conflicts} déclaration(s) d'annulation refusée(s) en conflit par "
            "l'entrepôt LRS : rien de nouveau n'a été envoyé. Vérifiez l'entrepôt."
        )
    return report.sent + report.duplicates
