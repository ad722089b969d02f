"""The relevé de connexions of one person, as CSV for French Excel and as a PDF proof.

One line per period of activity (proxi.progress.connections): module, date, start and end
(Paris time), duration, number of actions; a total per module. The PDF carries the
letterhead and a verification code like every proof; the code names this version of the
record (its last activity), so a later reprint with more activity gets a code of its own.
"""

from __future__ import annotations

from datetime import datetime

from proxi.dates import french_date, paris
from proxi.documents import verification
from proxi.documents.attestation import hours, organisation_logos
from proxi.documents.pdf import Letterhead, ProofPdf
from proxi.documents.spreadsheet import to_csv
from proxi.people import accounts
from proxi.progress.connections import Period, periods, total_minutes
from proxi.progress.db import Database

HEADER = ["Module", "Date", "Début", "Fin", "Durée (min)", "Actions"]


def lines(found: list[Period], titles: dict[str, str]) -> list[list[object]]:
    return [
        [
            titles.get(p.module_id, p.module_id),
            french_date(_local(p.start).date().isoformat()),
            f"{_local(p.start):%H:%M}",
            f"{_local(p.end):%H:%M}",
            p.minutes,
            p.actions,
        ]
        for p in found
    ]


def connections_csv(db: Database, person_id: int, titles: dict[str, str]) -> bytes:
    person = accounts.get_person(db, person_id)
    found = periods(db, person_id, titles)
    name = person.display_name if person else ""
    return to_csv(["Personne", *HEADER], ([name, *line] for line in lines(found, titles)))


def connections_pdf(db: Database, person_id: int, titles: dict[str, str]) -> bytes:
    person = accounts.get_person(db, person_id)
    if person is None:
        raise ValueError(f"no person {person_id}")
    found = periods(db, person_id, titles)
    organisation = next(
        (o.name for o in accounts.list_organisations(db) if o.id == person.organisation_id), ""
    )
    title = f"Relevé de connexions — {person.display_name}"
    pdf = ProofPdf(title)
    pdf.add_page()
    head = Letterhead.of(organisation, organisation_logos(db).get(person.organisation_id))
    pdf.letterhead(head)
    pdf.heading("Relevé de connexions")
    span = f"du {_day(found[0].start)} au {_day(max(p.end for p in found))}" if found else "—"
    pdf.facts(
        [
            ("Personne", person.display_name),
            ("Organisation", organisation or "non renseignée"),
            ("Modalité", "Formation à distance, en autonomie (modules en ligne Proxi)"),
            ("Période", span),
            ("Durée totale d'activité", hours(total_minutes(found))),
        ]
    )
    pdf.paragraph(
        "Chaque ligne est une période d'activité sur un module : de la première à la dernière "
        "action enregistrée, sans interruption de plus de 30 minutes (heure de Paris). Le "
        "temps de lecture avant la première action n'est pas compté.",
        size=9,
    )
    pdf.grid(HEADER, [[str(cell) for cell in line] for line in lines(found, titles)],
             [40, 16, 10, 10, 12, 10])  # fmt: skip
    per_module: dict[str, int] = {}
    for period in found:
        per_module[period.module_id] = per_module.get(period.module_id, 0) + period.minutes
    pdf.bullets([f"{titles.get(m, m)} : {hours(n)}" for m, n in per_module.items()])
    last = max((p.end for p in found), default="aucune")
    code = verification.issue(
        db,
        "connexions",
        person_id,
        f"connexions-{last}",
        "Relevé de connexions",
        {"Période": span, "Durée totale d'activité": hours(total_minutes(found))},
    )
    pdf.verification(code)
    return pdf.to_bytes()


def _local(stamp: str) -> datetime:
    return paris(stamp)


def _day(stamp: str) -> str:
    return f"{_local(stamp):%d/%m/%Y}"
