"""Reminders of due dates, by e-mail: before the date, after it, again while late; a weekly
digest for each manager; a reminder sent by hand from the dashboard.

The schedule, for one person and one module with a due date (proxi.progress.due_dates):
  - « avant »: once, in the last REMIND_BEFORE_DAYS days before the date (the date included);
  - « retard-0 »: the day after the date, then « retard-1 », « retard-2 »… every
    REPEAT_EVERY_DAYS days while the module is not finished.
Nobody who finished the module is reminded. Each step is sent at most once (table
`reminders_sent`), so `python -m proxi remind` can run every day from cron, twice by
mistake, or after a missed day: it sends only the step of the day it is run for, never a
pile of old ones. A message that could not leave is not recorded, so the next run retries
it. The digest goes to each manager with an address once per ISO week (the first run of
the week), listing their people who are late or inactive; a week with nothing to say sends
nothing. `today` is a parameter everywhere: tests run a simulated month.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from proxi import hierarchy
from proxi.dates import french_date, iso
from proxi.documents.verification import public_url
from proxi.mail import MailConfig, MailError, send_mail
from proxi.people import audit
from proxi.people.accounts import Person
from proxi.progress import due_dates
from proxi.progress.db import Database, write_transaction
from proxi.progress.due_dates import Due

REMIND_BEFORE_DAYS = 7
REPEAT_EVERY_DAYS = 7
INACTIVE_DAYS = 30
SIGNATURE = "— Proxi, formation des personnels de proximité"


@dataclass(frozen=True)
class Reminder:
    """One message to one person about one module."""

    person_id: int
    name: str
    email: str | None
    due: Due
    step: str  # avant | retard-N | manuel
    title: str  # the module's

    @property
    def subject(self) -> str:
        when = french_date(self.due.due_on)
        if self.step.startswith("retard"):
            return f"Proxi : le module « {self.title} » était à terminer pour le {when}"
        return f"Proxi : le module « {self.title} » est à terminer pour le {when}"

    def body(self, today: date) -> str:
        left = self.due.days_left(today)
        when = french_date(self.due.due_on)
        if left < 0:
            line = f"Le module « {self.title} » était à terminer pour le {when} : il n'est pas encore terminé."
        elif left == 0:
            line = f"Le module « {self.title} » est à terminer aujourd'hui, le {when}."
        else:
            line = f"Le module « {self.title} » est à terminer pour le {when}, dans {left} jour(s)."
        return "\n\n".join(
            [
                f"Bonjour {self.name},",
                line,
                "Vous pouvez reprendre là où vous en étiez : "
                f"{public_url()}/modules?module={self.due.module_id}",
                "Un module est terminé quand toutes ses leçons sont vues et son quiz final "
                "réussi. Si vous pensez l'avoir terminé, parlez-en à votre responsable.",
                SIGNATURE,
            ]
        )


@dataclass
class Sent:
    """What a run did: messages sent, people without an address, messages that failed."""

    sent: list[Reminder] = field(default_factory=list)
    no_address: list[Reminder] = field(default_factory=list)
    failed: list[tuple[Reminder, str]] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)  # the managers' addresses


def step(due: Due, today: date) -> str | None:
    """The reminder this due date calls for today, or None."""
    if due.completed:
        return None
    left = due.days_left(today)
    if 0 <= left <= REMIND_BEFORE_DAYS:
        return "avant"
    if left < 0:
        return f"retard-{(-left - 1) // REPEAT_EVERY_DAYS}"
    return None


def planned(db: Database, today: date, titles: dict[str, str]) -> list[Reminder]:
    """The reminders today's run should send (each step once), active learners only."""
    people = db.execute(
        "SELECT id, display_name, email, organisation_id, site FROM people"
        " WHERE active = 1 AND erased_at IS NULL AND roles LIKE '%learner%' ORDER BY display_name"
    ).fetchall()
    dates = due_dates.all_due_dates(db)
    done = due_dates.completed_modules(db, [row[0] for row in people])
    sent = {
        tuple(row)
        for row in db.execute("SELECT person_id, module_id, due_on, step FROM reminders_sent")
    }
    found = []
    for person_id, name, email, organisation_id, site in people:
        for module_id, held in due_dates.effective(dates, organisation_id, site, person_id).items():
            if module_id not in titles:
                continue  # a module withdrawn from the course: nothing to finish
            due = Due(person_id, module_id, held.due_on, module_id in done.get(person_id, set()))
            now = step(due, today)
            if now and (person_id, module_id, due.due_on, now) not in sent:
                found.append(Reminder(person_id, name, email, due, now, titles[module_id]))
    return found


def send_reminders(db: Database, config: MailConfig, today: date, titles: dict[str, str]) -> Sent:
    """Send today's reminders and, on the week's first run, the managers' digests."""
    result = Sent()
    for reminder in planned(db, today, titles):
        if not reminder.email:
            result.no_address.append(reminder)
            continue
        try:
            send_mail(config, reminder.email, reminder.subject, reminder.body(today))
        except MailError as error:
            result.failed.append((reminder, str(error)))
            continue
        _record(db, reminder, reminder.step)
        result.sent.append(reminder)
    result.digests = send_digests(db, config, today, titles)
    return result


def send_now(
    db: Database, config: MailConfig, actor: Person, reminder: Reminder, today: date
) -> None:
    """A manager's reminder sent by hand (audited); the automatic schedule is unchanged."""
    if not reminder.email:
        raise MailError(f"{reminder.name} n'a pas d'adresse électronique : prévenez-la autrement.")
    send_mail(config, reminder.email, reminder.subject, reminder.body(today))
    with write_transaction(db):
        audit.record(
            db, actor, "reminder.send", reminder.person_id, {"module_id": reminder.due.module_id}
        )


def by_hand(
    db: Database, person_id: int, module_id: str, titles: dict[str, str]
) -> Reminder | None:
    """The reminder a manager may preview and send for this person's due module."""
    row = db.execute(
        "SELECT display_name, email FROM people WHERE id = :person_id", {"person_id": person_id}
    ).fetchone()
    due = next((d for d in due_dates.for_person(db, person_id) if d.module_id == module_id), None)
    if row is None or due is None or due.completed:
        return None
    return Reminder(person_id, row[0], row[1], due, "manuel", titles.get(module_id, module_id))


def _record(db: Database, reminder: Reminder, step_name: str) -> None:
    with write_transaction(db):
        db.execute(
            "INSERT INTO reminders_sent (person_id, module_id, due_on, step, sent_at)"
            " VALUES (:person_id, :module_id, :due_on, :step, :sent_at) ON CONFLICT DO NOTHING",
            {
                "person_id": reminder.person_id,
                "module_id": reminder.due.module_id,
                "due_on": reminder.due.due_on,
                "step": step_name,
                "sent_at": iso(),
            },
        )


# --- The managers' weekly digest ----------------------------------------------------------------


def digest(db: Database, manager_id: int, today: date, titles: dict[str, str]) -> str | None:
    """The digest text for one manager: their people late on a module or inactive; None
    when there is no one to name."""
    organisation = db.execute(
        "SELECT organisation_id, display_name, site FROM people WHERE id = :manager_id",
        {"manager_id": manager_id},
    ).fetchone()
    if organisation is None or organisation[0] is None:
        return None
    # Their part of the organisation: their node of the hierarchy and every node under it.
    part_sql, part_params = hierarchy.sql_within("site", organisation[2])
    people = db.execute(
        "SELECT id, display_name, site FROM people"
        " WHERE organisation_id = :organisation_id AND active = 1"
        f" AND erased_at IS NULL AND roles LIKE '%learner%' AND {part_sql} ORDER BY display_name",
        {**part_params, "organisation_id": organisation[0]},
    ).fetchall()
    dates = due_dates.all_due_dates(db, [organisation[0]])
    done = due_dates.completed_modules(db, [row[0] for row in people])
    late = [
        f"- {name} : « {titles[module_id]} », échéance du {french_date(held.due_on)}"
        for person_id, name, site in people
        for module_id, held in due_dates.effective(dates, organisation[0], site, person_id).items()
        if module_id in titles
        and module_id not in done.get(person_id, set())
        and held.due_on < today.isoformat()
    ]
    idle = _inactive(db, [row[0] for row in people], today)
    idle_lines = [f"- {name}" for person_id, name, _ in people if person_id in idle]
    if not late and not idle_lines:
        return None
    parts = [
        f"Bonjour {organisation[1]},",
        "Voici le point de la semaine sur les personnes que vous suivez.",
    ]
    if late:
        parts.append("En retard sur une échéance :\n" + "\n".join(late))
    if idle_lines:
        parts.append(
            f"Sans activité depuis {INACTIVE_DAYS} jours ou plus :\n" + "\n".join(idle_lines)
        )
    parts += [f"Le détail est sur le tableau de bord : {public_url()}/tableau-de-bord", SIGNATURE]
    return "\n\n".join(parts)


def send_digests(
    db: Database, config: MailConfig, today: date, titles: dict[str, str]
) -> list[str]:
    """Each manager's digest, once per ISO week; returns the addresses it went to."""
    year, week, _ = today.isocalendar()
    stamp = f"{year}-W{week:02d}"
    managers = db.execute(
        "SELECT id, email FROM people WHERE active = 1 AND erased_at IS NULL"
        " AND roles LIKE '%manager%' AND email IS NOT NULL AND id NOT IN"
        " (SELECT manager_id FROM digests_sent WHERE week = :week) ORDER BY id",
        {"week": stamp},
    ).fetchall()
    sent = []
    for manager_id, email in managers:
        text = digest(db, manager_id, today, titles)
        if text is None:
            continue
        try:
            send_mail(
                config,
                email,
                f"Proxi : le point de la semaine ({french_date(today.isoformat())})",
                text,
            )
        except MailError:
            continue  # retried by the next run of the week
        with write_transaction(db):
            db.execute(
                "INSERT INTO digests_sent (manager_id, week, sent_at)"
                " VALUES (:manager_id, :week, :sent_at) ON CONFLICT DO NOTHING",
                {"manager_id": manager_id, "week": stamp, "sent_at": iso()},
            )
        sent.append(email)
    return sent


def _inactive(db: Database, person_ids: list[int], today: date) -> set[int]:
    """People with no learning event in the last INACTIVE_DAYS days (or none ever)."""
    cutoff = (today - timedelta(days=INACTIVE_DAYS)).isoformat()
    active = {
        row[0]
        for row in db.execute(
            "SELECT DISTINCT person_id FROM events WHERE timestamp >= :cutoff", {"cutoff": cutoff}
        )
    }
    return {person_id for person_id in person_ids if person_id not in active}
