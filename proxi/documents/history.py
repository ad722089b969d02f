"""A person's history of learning acts, in French: when (Paris time), what, on what.

The learner's « Ma progression › Historique » and the manager's « Fiche individuelle » read
these same lines, so an act is named one way: the verb from `proxi.labels`, then what it was
done on by its title (« a terminé la leçon « Qui pilote ? » »), never a raw id. Content
removed since is named by its id, with « (retiré) ».
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from proxi import labels
from proxi.content.catalogue import Catalogue
from proxi.dates import french_date, paris
from proxi.labels import quoted


@dataclass(frozen=True)
class HistoryLine:
    moment: datetime  # on the Paris clock
    action: str


def history(events: Iterable[dict], catalogue: Catalogue) -> list[HistoryLine]:
    """One line per event, in the order given (the store gives the newest first)."""
    return [HistoryLine(paris(e["timestamp"]), describe(e, catalogue)) for e in events]


def describe(event: dict, catalogue: Catalogue) -> str:
    """« a réussi le quiz final du module « Les acteurs » (80 %) »."""
    return f"{labels.verb(event['verb'])} {_object(event, catalogue)}{_result(event)}"


def _object(event: dict, catalogue: Catalogue) -> str:
    kind, object_id = event["object_type"], event["object_id"]
    context = event.get("context") or {}
    course = catalogue.course
    if kind in ("lesson", "block"):
        lesson = course.lesson(object_id.partition("#")[0])
        title = quoted(lesson.title) if lesson else _removed(object_id.partition("#")[0])
        return f"la leçon {title}" if kind == "lesson" else f"une question de la leçon {title}"
    if kind in ("module", "quiz"):
        module = course.modules.get(object_id)
        title = quoted(module.title) if module else _removed(object_id)
        return f"le module {title}" if kind == "module" else f"le quiz final du module {title}"
    if kind == "scenario":
        scenario = catalogue.scenarios.get(object_id)
        title = quoted(scenario.title) if scenario else _removed(object_id)
        return f"la mise en situation {title}"
    if kind == "session":
        day = french_date(context.get("day"))
        return f"la séance de groupe du {day}" if day else "une séance de groupe"
    return _removed(object_id)


def _result(event: dict) -> str:
    result, context = event.get("result") or {}, event.get("context") or {}
    if event["verb"] == "viewed" and context.get("step_count"):
        return f" (étape {context.get('step', 0) + 1} sur {context['step_count']})"
    if event["object_type"] == "quiz" and result.get("max"):
        return f" ({round(100 * result['score'] / result['max'])} %)"
    if event["verb"] == "ended" and result.get("outcome") in labels.OUTCOMES:
        return f" ({labels.outcome_phrase(result['outcome']).lower()})"
    return ""


def _removed(object_id: str) -> str:
    return f"« {object_id} » (retiré)"
