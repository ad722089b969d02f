"""Hostile roster files: odd line ends and encodings, a header alone, identifiers with markup."""

from __future__ import annotations

import pytest

from proxi.people import accounts, roster
from proxi.people.permissions import OPERATOR

pytestmark = pytest.mark.usefixtures("habitat_a")  # the organisation the rosters name

HEADER = "Nom;Identifiant;Organisation;Site;Catégorie d'emploi;Rôle;Courriel"
ANNE = "Anne Durand;anne.durand;Habitat A;Nord;gardien;apprenant;"
BOB = "Bob Martin;bob.martin;Habitat A;Sud;gardien;apprenant;"


@pytest.mark.parametrize(
    "data",
    [
        "\r".join([HEADER, ANNE, BOB, ""]).encode("cp1252"),  # old Mac line ends
        "\r\n".join([HEADER, ANNE, BOB, ""]).encode("utf-16"),  # Excel « Texte Unicode »
        "\r\n".join([HEADER, ANNE, BOB, ""]).encode("utf-16-le"),  # the same without its mark
        "\n".join([HEADER, ANNE, BOB]).encode("utf-8"),
    ],
    ids=["cr-only", "utf-16", "utf-16-sans-bom", "lf"],
)
def test_every_line_end_and_encoding_excel_writes_gives_the_same_people(db, data):
    preview = roster.read_roster(db, data)
    assert roster.error_messages(preview) == []
    assert [(line.line, line.person["identifier"]) for line in preview.lines] == [
        (2, "anne.durand"),
        (3, "bob.martin"),
    ]
    assert preview.lines[1].person["display_name"] == "Bob Martin"
    assert preview.lines[0].values["site"] == "Nord"


def test_a_header_alone_says_there_is_nobody_to_import(db):
    preview = roster.read_roster(db, (HEADER + "\r\n").encode("utf-8"))
    assert roster.error_messages(preview) == [
        "Le fichier ne contient que la ligne d'en-tête : aucune personne à importer."
    ]


@pytest.mark.parametrize(
    "identifier",
    ["<b>x</b>", "anne\x00durand", "anne\tdurand!", "[lien](https://x.fr)", "ø" * 3, "a" * 65],
)
def test_an_identifier_with_markup_or_control_characters_is_refused(db, identifier):
    line = f"Anne Durand;{identifier};Habitat A;Nord;gardien;apprenant;"
    preview = roster.read_roster(db, "\n".join([HEADER, line]).encode("utf-8"))
    [message] = roster.error_messages(preview)
    assert message.startswith("Ligne 2 : Identifiant « ") and "refusé" in message
    assert roster.apply_roster(db, OPERATOR, preview).counts["create"] == 0
    with pytest.raises(accounts.InvalidAccount, match="refusé"):
        accounts.create_person(db, OPERATOR, identifier, "Anne", "motdepasse-assez-long")
    assert accounts.list_people(db) == []


@pytest.mark.parametrize(
    ("typed", "identifier"),
    [
        ("Anne  Durand", "anne-durand"),
        ("ÉLODIE.Noël", "elodie.noel"),
        ("Lætitia Cœur", "laetitia-coeur"),
    ],
)
def test_spaces_capitals_and_accents_are_folded_into_the_identifier(db, typed, identifier):
    line = f"Anne Durand;{typed};Habitat A;Nord;gardien;apprenant;"
    preview = roster.read_roster(db, "\n".join([HEADER, line]).encode("utf-8"))
    assert roster.error_messages(preview) == []
    assert preview.lines[0].person["identifier"] == identifier


def test_a_cell_too_large_for_csv_gives_a_french_message_not_a_crash(db):
    huge = "Anne;" + "x" * 200_000 + ";Habitat A;Nord;gardien;apprenant;"
    preview = roster.read_roster(db, "\n".join([HEADER, huge]).encode("utf-8"))
    [message] = roster.error_messages(preview)
    assert message.startswith("Ligne ") and "fichier CSV illisible" in message
