"""Who may do what, on whom: the one place that says it.

    may(actor, act, target)      True or False
    require(actor, act, target)  None, or NotAllowed with the French refusal of that act
    may_open(person, page)       the navigation and every page ask this

A coordinator may do everything, everywhere. A manager acts on their own part of their
organisation: the node of its hierarchy they sit at and everything under it
(proxi.hierarchy; a manager with no node heads the whole organisation). There they manage
the accounts (never a coordinator's, and never give the coordinator role), set due dates
for people, teams and the part itself, and record the training people followed
elsewhere. A trainer drives
their own group sessions and writes scenarios (the coordination publishes them). A learner
administers nothing. OPERATOR, the person at the server's command line (`python -m proxi …`,
the demo data, tests' set-up), may do everything: they hold the database file anyway.

Every core function that writes something administrative takes the acting person and calls
`require` before it changes anything; the pages only hide what would be refused. `PAGES` says
which act opens which page: app_pages/shell.py builds the navigation from it and
tests/test_security.py builds its role × page matrix from it.

A target is what the act is done on: a person (anything with `organisation_id`, `site` and
`roles`; `Subject` describes a person about to be created or changed, or a team) or a group session (with
`trainer_id`). No target asks whether the actor may do the act on someone at all (what a
page offers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from proxi import hierarchy
from proxi.errors import NotAllowed

ACTS = {
    "person.manage": (
        "Vous ne pouvez gérer que les comptes des personnes de votre organisation "
        "(de votre agence ou secteur, si vous en avez un)."
    ),
    "organisation.manage": "Seule la coordination crée des organisations et change leur logo.",
    "roster.import": "Seule la coordination peut importer une liste de personnes.",
    "person.erase": "Seule la coordination peut exporter ou effacer les données d'une personne.",
    "audit.read": "Le journal des actions est réservé à la coordination.",
    "session.run": "Seul le formateur de cette séance peut la piloter.",
    "scenario.write": "L'atelier d'écriture est réservé aux formateurs et à la coordination.",
    "scenario.propose": "Seuls les formateurs et la coordination proposent une version.",
    "scenario.publish": "Seule la coordination publie des mises en situation dans la bibliothèque.",
    "dashboard.view": "Le tableau de bord est réservé aux formateurs, managers et coordinateurs.",
    "due_date.set": (
        "Vous ne pouvez fixer d'échéance que pour votre organisation "
        "(votre agence ou secteur, si vous en avez un)."
    ),
    "training.record": (
        "Vous ne pouvez enregistrer une formation suivie ailleurs que pour les personnes "
        "de votre organisation (de votre agence ou secteur, si vous en avez un)."
    ),
}
ROLE_ACTS: dict[str, frozenset[str]] = {
    "learner": frozenset(),
    "trainer": frozenset({"session.run", "scenario.write", "scenario.propose", "dashboard.view"}),
    "manager": frozenset({"person.manage", "dashboard.view", "due_date.set", "training.record"}),
    "coordinator": frozenset(ACTS),
    "operator": frozenset(ACTS),
}
EVERYWHERE = frozenset({"coordinator", "operator"})  # roles that no target restricts
# Acts a manager does on what belongs to their own part of the organisation: one of its
# people, or a Subject naming a node in it (a due date for it or one of its teams).
OWN_ORGANISATION = frozenset({"due_date.set", "training.record"})

# Which act opens each page that not every logged-in person sees.
PAGES = {
    "sessions.py": "session.run",
    "projector.py": "session.run",
    "studio.py": "scenario.write",
    "dashboard.py": "dashboard.view",
    "people.py": "person.manage",
    "privacy_admin.py": "person.erase",
    "audit.py": "audit.read",
}


class Actor(Protocol):
    """Whoever acts: a logged-in accounts.Person, or OPERATOR."""

    @property
    def id(self) -> int | None: ...

    @property
    def organisation_id(self) -> int | None: ...

    @property
    def site(self) -> str: ...

    @property
    def roles(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Operator:
    """The person at the server's command line: no account, so no id (the audit log writes
    « Exploitation (ligne de commande) »)."""

    id: None = None
    organisation_id: None = None
    site: str = ""
    roles: tuple[str, ...] = ("operator",)


OPERATOR = Operator()


@dataclass(frozen=True)
class Subject:
    """A person about to be created or changed (where they belong, what they will be), or a
    team of an organisation (its node, `site`) that a due date is set for."""

    organisation_id: int | None
    roles: tuple[str, ...] = ("learner",)
    site: str = ""


def may(actor: Actor | None, act: str, target: Any = None) -> bool:
    """True when `actor` may do `act` on `target` (None: on someone, somewhere)."""
    if act not in ACTS:
        raise ValueError(f"unknown act {act!r}: add it to permissions.ACTS")
    if actor is None:
        return False
    roles = set(actor.roles)
    if not any(act in ROLE_ACTS.get(role, ()) for role in roles):
        return False
    if roles & EVERYWHERE or target is None:
        return True
    if act == "person.manage":
        return _manages(actor, target)
    if act == "session.run":
        return getattr(target, "trainer_id", None) == actor.id
    if act in OWN_ORGANISATION:
        return _in_their_part(actor, target)
    return True


def require(actor: Actor | None, act: str, target: Any = None) -> None:
    """Refuse with the act's French message unless `may(actor, act, target)`."""
    if not may(actor, act, target):
        raise NotAllowed(ACTS[act])


def everywhere(actor: Actor | None) -> bool:
    """Whether no organisation or session limits what `actor` may do (the coordination)."""
    return actor is not None and bool(set(actor.roles) & EVERYWHERE)


def roles_for(act: str) -> tuple[str, ...]:
    """The account roles that may do `act` on someone (what a page for it is open to)."""
    return tuple(role for role, acts in ROLE_ACTS.items() if act in acts and role != "operator")


def may_open(person: Actor, page: str) -> bool:
    """Whether the navigation offers `page` (a file of app_pages/) to this logged-in person."""
    act = PAGES.get(page)
    return act is None or may(person, act)


def _manages(manager: Actor, target: Any) -> bool:
    """A manager: people of their own part of the organisation who are not, and do not
    become, coordinators."""
    return _in_their_part(manager, target) and "coordinator" not in target.roles


def _in_their_part(manager: Actor, target: Any) -> bool:
    """The target is in the manager's organisation, at or under the manager's node."""
    own = manager.organisation_id
    return (
        own is not None
        and target.organisation_id == own
        and hierarchy.within(target.site, manager.site)
    )
