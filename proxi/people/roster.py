"""Roster import: people from a CSV file, previewed line by line, written only when confirmed.

    preview = read_roster(db, data)   # parse and check; writes nothing
    preview.lines                     # each with its action (create/update/unchanged) or errors
    apply_roster(db, actor, preview)  # writes the valid lines, in one transaction

The file is what an HR export or a hand-made spreadsheet gives: UTF-8 (with or without a
BOM) or Windows-1252 (French Excel's « CSV séparateur point-virgule »), ';' or ','
separated, with French or English column names in any order. A person is known by their
identifier: importing the same file twice updates, never duplicates.

New accounts get no password: nobody can log in as them until they have opened their own
invitation (proxi.people.invitations) and chosen one. No password is ever shared.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field

from proxi import hierarchy
from proxi.dates import iso
from proxi.people import accounts, audit
from proxi.people.permissions import Actor, require
from proxi.progress.db import Database, inserted_id, write_transaction

FIELDS = ("name", "identifier", "organisation", "site", "job_category", "roles", "email")
REQUIRED_COLUMNS = FIELDS[:-1]
COLUMN_LABELS = {
    "name": "nom",
    "identifier": "identifiant",
    "organisation": "organisation",
    "site": "agence ou secteur",
    "job_category": "catégorie d'emploi",
    "roles": "rôle",
    "email": "courriel",
}
# Normalised header -> field (see _key for the normalisation).
HEADERS = {
    **dict.fromkeys(["nom", "name", "nom affiche", "nom complet", "prenom nom"], "name"),
    **dict.fromkeys(["identifiant", "identifier", "login"], "identifier"),
    **dict.fromkeys(["organisation", "organization", "bailleur", "structure"], "organisation"),
    # Levels of the hierarchy (proxi.hierarchy): several such columns are one path, read
    # from left to right, widest first (« agence » then « secteur »).
    **dict.fromkeys(
        ["site", "agence", "secteur", "residence", "quartier", "agence ou secteur"], "site"
    ),
    **dict.fromkeys(
        ["categorie", "categorie d emploi", "job category", "metier", "emploi", "fonction"],
        "job_category",
    ),
    **dict.fromkeys(["role", "roles", "profil"], "roles"),
    **dict.fromkeys(["email", "e mail", "courriel", "mail", "adresse electronique"], "email"),
}
ROLE_WORDS = {
    **{role: role for role in accounts.ROLES},
    "apprenant": "learner",
    "apprenante": "learner",
    "formateur": "trainer",
    "formatrice": "trainer",
    "manageuse": "manager",
    "responsable": "manager",
    "coordinateur": "coordinator",
    "coordinatrice": "coordinator",
    "coordination": "coordinator",
}
ROLE_SEPARATORS = ("|", "+", "/", ",")


@dataclass
class RosterLine:
    line: int  # in the file, the header being line 1
    values: dict[str, str]
    person: dict = field(default_factory=dict)  # checked fields, ready for the database
    action: str = ""  # create | update | unchanged ("" when in error)
    errors: list[str] = field(default_factory=list)
    person_id: int | None = None


@dataclass
class RosterPreview:
    lines: list[RosterLine]
    file_errors: list[str] = field(default_factory=list)
    text: str = ""  # the file, so that apply_roster checks it again at write time

    def counts(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "unchanged": 0, "error": 0}
        for line in self.lines:
            counts[line.action or "error"] += 1
        return counts

    @property
    def valid(self) -> list[RosterLine]:
        return [line for line in self.lines if not line.errors]


def _key(text: str) -> str:
    """Lower case, no accents, words separated by single spaces."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join("".join(c if c.isalnum() else " " for c in plain).split())


def decode(data: bytes | str) -> str:
    """The file's text with "\n" line ends, whatever the encoding and the line ends."""
    return _decode(data).replace("\r\n", "\n").replace("\r", "\n")  # old Mac Excel: CR


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # « Texte Unicode » from Excel
        return data.decode("utf-16", errors="replace").removeprefix("\ufeff")
    if len(data) > 1 and data[1:2] == b"\x00":  # UTF-16 without its mark
        return data.decode("utf-16-le", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # French Excel's default


def read_roster(db: Database, data: bytes | str) -> RosterPreview:
    """Parse and check the file against the database; nothing is written."""
    text = decode(data)
    if not text.strip():
        return RosterPreview([], ["Le fichier est vide."])
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        return _read_lines(db, reader, text)
    except csv.Error:  # a cell over csv's size limit, a stray quote at the end...
        message = "fichier CSV illisible (une cellule trop longue ou un guillemet mal fermé)"
        return RosterPreview([], [f"Ligne {reader.line_num} : {message}."], text)


def _read_lines(db: Database, reader, text: str) -> RosterPreview:
    header = next(reader)
    columns = {i: HEADERS.get(_key(name)) for i, name in enumerate(header)}
    missing = [f for f in REQUIRED_COLUMNS if f not in columns.values()]
    if missing:
        names = ", ".join(f"« {COLUMN_LABELS[f]} »" for f in missing)
        return RosterPreview([], [f"Ligne 1 : colonne(s) manquante(s) : {names}."], text)
    lines = []
    for cells in reader:
        if any(cell.strip() for cell in cells):
            lines.append(RosterLine(reader.line_num, _values(cells, columns)))
    if not lines:
        return RosterPreview(
            [],
            ["Le fichier ne contient que la ligne d'en-tête : aucune personne à importer."],
            text,
        )
    _check_lines(db, lines)
    return RosterPreview(lines, [], text)


def _values(cells: list[str], columns: dict[int, str | None]) -> dict[str, str]:
    """A line's cells by field; the hierarchy's columns joined into one path."""
    values = {f: "" for f in FIELDS}
    levels = []
    for i, cell in enumerate(cells):
        name = columns.get(i)
        if name == "site":
            levels.append(cell)
        elif name:
            values[name] = cell.strip()
    values["site"] = hierarchy.join(levels)
    return values


def _check_lines(db: Database, lines: list[RosterLine]) -> None:
    organisations = {_key(o.name): o.id for o in accounts.list_organisations(db)}
    categories = {_key(slug): slug for slug in accounts.JOB_CATEGORIES}
    categories |= {_key(label): slug for slug, label in accounts.JOB_CATEGORIES.items()}
    seen: dict[str, int] = {}
    for line in lines:
        _check_line(line, organisations, categories)
        identifier = line.person.get("identifier")
        if identifier in seen:
            line.errors.append(
                f"identifiant « {identifier} » déjà présent ligne {seen[identifier]}."
            )
        elif identifier:
            seen[identifier] = line.line
        if not line.errors:
            _compare_with_database(db, line)


def _check_line(line: RosterLine, organisations: dict, categories: dict) -> None:
    v, errors = line.values, line.errors
    for name in ("name", "identifier", "organisation", "job_category"):
        if not v[name]:
            errors.append(f"{COLUMN_LABELS[name]} manquant.")
    organisation_id = organisations.get(_key(v["organisation"]))
    if v["organisation"] and organisation_id is None:
        errors.append(
            f"organisation inconnue : « {v['organisation']} » (créez-la d'abord, ou corrigez)."
        )
    category = categories.get(_key(v["job_category"]))
    if v["job_category"] and category is None:
        errors.append(f"catégorie d'emploi inconnue : « {v['job_category']} ».")
    roles, unknown = _roles(v["roles"])
    if unknown:
        errors.append(f"rôle inconnu : « {', '.join(unknown)} ».")
    identifier = accounts.normalise_identifier(v["identifier"])
    if identifier and (problem := accounts.identifier_problem(identifier)):
        errors.append(problem)
    if problem := hierarchy.problem(v["site"]):
        errors.append(f"agence ou secteur : {problem}")
    if v["email"] and "@" not in v["email"]:
        errors.append(f"adresse électronique invalide : « {v['email']} ».")
    line.person = {
        "identifier": identifier,
        "display_name": " ".join(v["name"].split()),
        "organisation_id": organisation_id,
        "site": v["site"],
        "job_category": category,
        "roles": roles,
        "email": v["email"] or None,
    }


def _roles(text: str) -> tuple[tuple[str, ...], list[str]]:
    """(roles, unknown words); an empty cell means learner."""
    for separator in ROLE_SEPARATORS[1:]:
        text = text.replace(separator, ROLE_SEPARATORS[0])
    words = [word.strip() for word in text.split(ROLE_SEPARATORS[0]) if word.strip()]
    known = [ROLE_WORDS.get(_key(word)) for word in words]
    unknown = [word for word, role in zip(words, known, strict=True) if role is None]
    roles = tuple(dict.fromkeys(role for role in known if role)) or ("learner",)
    return roles, unknown


def _compare_with_database(db: Database, line: RosterLine) -> None:
    row = db.execute(
        "SELECT id, erased_at FROM people WHERE identifier = :identifier",
        {"identifier": line.person["identifier"]},
    ).fetchone()
    if row is None:
        line.action = "create"
        return
    if row[1] is not None:
        line.errors.append(
            "cet identifiant appartenait à un compte effacé : choisissez-en un autre."
        )
        return
    current = accounts.get_person(db, row[0])
    line.person_id = row[0]
    same = all(getattr(current, key) == value for key, value in line.person.items())
    line.action = "unchanged" if same else "update"


@dataclass(frozen=True)
class ImportDone:
    """What an import wrote: the count per action, and the new people (to invite)."""

    counts: dict[str, int]
    created: list[int]


def apply_roster(db: Database, actor: Actor, preview: RosterPreview) -> ImportDone:
    """Write the valid lines (all or nothing). New accounts have no password: each person
    chooses theirs through their invitation (proxi.people.invitations). The import, and each
    account it creates or changes, is in the audit log.

    The file is checked again under the write lock: someone may have created one of these
    identifiers since the preview.
    """
    require(actor, "roster.import")
    counts, created = {"create": 0, "update": 0, "unchanged": 0}, []
    with write_transaction(db):
        for line in read_roster(db, preview.text).valid:
            if line.action == "create":
                created.append(_insert(db, line.person))
                roles = ",".join(line.person["roles"])
                audit.record(db, actor, "person.create", created[-1], {"roles": roles})
            elif line.action == "update" and line.person_id is not None:
                changes = {k: v for k, v in line.person.items() if k != "identifier"}
                accounts.update_person(db, actor, line.person_id, **changes)
            counts[line.action] += 1
        audit.record(db, actor, "roster.import", "", dict(counts))
    return ImportDone(counts, created)


def _insert(db: Database, person: dict) -> int:
    # The checks were made by read_roster, without hashing anything: hundreds of lines.
    cursor = db.execute(
        "INSERT INTO people (identifier, display_name, organisation_id, site, job_category,"
        " roles, email, created_at) VALUES (:identifier, :display_name, :organisation_id,"
        " :site, :job_category, :roles, :email, :created_at) RETURNING id",
        {
            "identifier": person["identifier"],
            "display_name": person["display_name"],
            "organisation_id": person["organisation_id"],
            "site": person["site"],
            "job_category": person["job_category"],
            "roles": ",".join(person["roles"]),
            "email": person["email"],
            "created_at": iso(),
        },
    )
    return inserted_id(cursor)


ACTIONS = {"create": "Création", "update": "Mise à jour", "unchanged": "Inchangé"}


def preview_table(preview: RosterPreview) -> list[dict[str, object]]:
    """The preview as the page shows it: one line per line of the file, errors in French."""
    return [
        {
            "Ligne": line.line,
            "Nom": line.values["name"],
            "Identifiant": line.values["identifier"],
            "Organisation": line.values["organisation"],
            "Agence ou secteur": line.values["site"],
            "Action": ACTIONS.get(line.action, "Erreur"),
            "Erreurs": " ; ".join(line.errors),
        }
        for line in preview.lines
    ]


def error_messages(preview: RosterPreview) -> list[str]:
    """« Ligne N : ... » for every problem, file-level ones first."""
    lines = [f"Ligne {line.line} : {error}" for line in preview.lines for error in line.errors]
    return [*preview.file_errors, *lines]


TEMPLATE = (
    "nom;identifiant;organisation;agence;secteur;catégorie d'emploi;rôle;courriel\r\n"
    "Karim Haddad;karim.haddad;Habitat Val de Seine;Agence Nord;Quartier des Tilleuls;gardien;"
    "apprenant;\r\n"
)
