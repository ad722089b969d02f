"""The « attestation de fin de formation » for one person and one completed module."""

from __future__ import annotations

from proxi.content.course import CourseModule
from proxi.dates import french_date


def attestation_markdown(person, organisation: str, module: CourseModule, row: dict) -> str:
    """Markdown for screen and print; every field comes from the database or the content."""
    started = french_date(row.get("started_at"))
    completed = french_date(row.get("completed_at"))
    best = row.get("quiz_best")
    objectives = "\n".join(f"- {objective}" for objective in module.objectives)
    return (
        f"### Attestation de fin de formation\n\n"
        f"**{_escape(person.display_name)}** ({_escape(organisation) or 'organisation non renseignée'}) "
        f"a suivi le module **« {module.title} »** de la formation Proxi.\n\n"
        f"- Période : du {started or '—'} au {completed or '—'}\n"
        f"- Durée estimée du module : {module.duration} minutes\n"
        f"- Résultat : quiz final réussi avec {round(best) if best is not None else '—'} % "
        f"(seuil : {module.pass_mark} %)\n\n"
        f"**Objectifs du module :**\n\n{objectives}\n"
    )


def _escape(text: str) -> str:
    """Names are user input: keep Markdown from interpreting them."""
    return "".join(f"\\{char}" if char in "\\`*_{}[]()#+-.!<>|~" else char for char in text or "")
