"""The one catalogue of French labels for the core's codes: outcomes, statuses, verbs.

Pages, exports and printed sheets all read their wording here, so that a learner, a manager
and a spreadsheet never name the same thing two ways. Codes are the keys stored in the
database (`best_outcome`, module `status`, event `verb`); a code without a label is shown as
it is rather than hidden.
"""

from __future__ import annotations

# A scenario ending's outcome (content/scenario.py validates against these keys).
OUTCOMES = {"favourable": "Favorable", "mitigee": "Mitigée", "defavorable": "Défavorable"}

# Where someone is in a module (or any item of the dashboard matrix).
STATUSES = {
    "not_started": "Pas commencé",
    "in_progress": "En cours",
    "quiz_failed": "Quiz à repasser",
    "passed": "Réussi",
    "completed": "Terminé",
    "recognised": "Suivi ailleurs",  # a training done elsewhere stands for the module
}

# What an event says someone did, followed by what they did it on (« a répondu à … »).
VERBS = {
    "viewed": "a consulté",
    "answered": "a répondu à",
    "passed": "a réussi",
    "failed": "n'a pas réussi",
    "completed": "a terminé",
    "started": "a commencé",
    "chose": "a fait un choix dans",
    "rewound": "est revenu en arrière dans",
    "ended": "a terminé",
    "attended": "a participé à",
    "voted": "a voté dans",
}


def outcome(code: str | None) -> str:
    """« Favorable »; empty when there is no outcome yet."""
    return OUTCOMES.get(code, code) if code else ""


def outcome_phrase(code: str) -> str:
    """« Issue favorable »: the outcome named on its own, as an ending's badge says it."""
    return f"Issue {outcome(code).lower()}"


def status(code: str) -> str:
    return STATUSES.get(code, code)


def verb(code: str) -> str:
    return VERBS.get(code, code)


def quoted(text: str) -> str:
    """« text » between guillemets, unless the text already is one quotation (a choice that
    is a line of dialogue), which would read « « … » »."""
    text = text.strip()
    if text.startswith("«") and text.endswith("»"):
        return text
    return f"« {text} »"
