"""Roster import: preview with French line errors, nothing written before confirmation,
re-import updates instead of duplicating."""

from __future__ import annotations

import pytest

from proxi.errors import AuthError
from proxi.people import accounts, audit, roster
from proxi.people.permissions import OPERATOR

GOOD_AND_BAD = (
    "\ufeffNom;Identifiant;Organisation;Site;Catégorie d'emploi;Rôle;Courriel\r\n"
    "Anne Durand;Anne.Durand;Habitat A;Nord;Gardien d'immeuble;Apprenant;anne@exemple.fr\r\n"
    "Bob Sans Id;;Habitat A;Nord;gardien;apprenant;\r\n"
    "Carl Roi;carl.roi;Inconnu SA;Nord;plombier;chef;pas-un-courriel\r\n"
    "Anne Bis;anne.durand;Habitat A;Sud;gardien;;\r\n"
    "Denis Ferme;denis.ferme;habitat a;Sud;mediateur;formateur|apprenant;\r\n"
)


pytestmark = pytest.mark.usefixtures("habitat_a")  # the organisation the rosters name


def people(db) -> dict[str, accounts.Person]:
    return {p.identifier: p for p in accounts.list_people(db)}


def test_preview_reports_each_bad_line_in_french_and_writes_nothing(db):
    preview = roster.read_roster(db, GOOD_AND_BAD.encode("utf-8"))
    assert roster.error_messages(preview) == [
        "Ligne 3 : identifiant manquant.",
        "Ligne 4 : organisation inconnue : « Inconnu SA » (créez-la d'abord, ou corrigez).",
        "Ligne 4 : catégorie d'emploi inconnue : « plombier ».",
        "Ligne 4 : rôle inconnu : « chef ».",
        "Ligne 4 : adresse électronique invalide : « pas-un-courriel ».",
        "Ligne 5 : identifiant « anne.durand » déjà présent ligne 2.",
    ]
    assert preview.counts() == {"create": 2, "update": 0, "unchanged": 0, "error": 3}
    assert people(db) == {}


def test_confirming_writes_only_the_good_lines(db):
    done = roster.apply_roster(db, OPERATOR, roster.read_roster(db, GOOD_AND_BAD))
    assert done.counts == {"create": 2, "update": 0, "unchanged": 0}
    found = people(db)
    assert set(found) == {"anne.durand", "denis.ferme"}
    assert found["anne.durand"].job_category == "gardien"
    assert found["anne.durand"].email == "anne@exemple.fr"
    assert found["denis.ferme"].roles == ("trainer", "learner")


def test_reimporting_updates_rather_than_duplicates(db):
    roster.apply_roster(db, OPERATOR, roster.read_roster(db, GOOD_AND_BAD))
    again = roster.read_roster(db, GOOD_AND_BAD)
    assert again.counts()["unchanged"] == 2 and again.counts()["create"] == 0
    moved = GOOD_AND_BAD.replace(
        "Anne Durand;Anne.Durand;Habitat A;Nord", "Anne Durand;anne.durand;Habitat A;Est"
    )
    assert roster.apply_roster(db, OPERATOR, roster.read_roster(db, moved)).counts["update"] == 1
    assert people(db)["anne.durand"].site == "Est"
    assert len(people(db)) == 2


def test_commas_and_windows_1252_from_french_excel_are_read(db):
    text = "nom,identifiant,organisation,site,categorie,role\r\nÉlise Noël,elise,Habitat A,,gardien,\r\n"
    preview = roster.read_roster(db, text.encode("cp1252"))
    assert preview.lines[0].person["display_name"] == "Élise Noël"
    assert preview.lines[0].person["roles"] == ("learner",)  # empty role means learner
    assert preview.counts()["create"] == 1


def test_a_missing_column_is_reported_on_line_one(db):
    preview = roster.read_roster(db, "nom;identifiant;organisation\nA;a;Habitat A\n")
    assert preview.file_errors == [
        "Ligne 1 : colonne(s) manquante(s) : « agence ou secteur », « catégorie d'emploi », « rôle »."
    ]
    assert preview.lines == []


def test_the_file_is_checked_again_at_write_time(db):
    preview = roster.read_roster(db, GOOD_AND_BAD)
    accounts.create_person(db, OPERATOR, "anne.durand", "Autre Anne", "mot-de-passe-solide")
    done = roster.apply_roster(db, OPERATOR, preview)  # created meanwhile: updated, not a duplicate
    assert done.counts["create"] == 1 and done.counts["update"] == 1
    assert people(db)["anne.durand"].display_name == "Anne Durand"
    assert len(people(db)) == 2


def test_new_accounts_have_no_password_until_their_invitation(db):
    done = roster.apply_roster(db, OPERATOR, roster.read_roster(db, GOOD_AND_BAD))
    assert sorted(accounts.get_person(db, i).identifier for i in done.created) == [
        "anne.durand",
        "denis.ferme",
    ]
    hashes = db.execute("SELECT password_hash FROM people").fetchall()
    assert hashes == [(None,), (None,)]
    for guess in ("", "anne.durand", "provisoire-2026"):
        with pytest.raises(AuthError, match="incorrect"):
            accounts.authenticate(db, "anne.durand", guess)
    acts = [e.action for e in audit.entries(db, OPERATOR)]
    assert acts[:3] == ["roster.import", "person.create", "person.create"]


def test_preview_table_lists_every_line_with_its_action(db):
    table = roster.preview_table(roster.read_roster(db, GOOD_AND_BAD))
    assert [line["Action"] for line in table] == [
        "Création",
        "Erreur",
        "Erreur",
        "Erreur",
        "Création",
    ]


AGENCES = (
    "nom;identifiant;organisation;agence;secteur;catégorie d'emploi;rôle\r\n"
    "Anne Durand;anne.durand;Habitat A;Agence Nord;Les Tilleuls;gardien;\r\n"
    "Paul Chef;paul.chef;Habitat A;Agence Nord;;manager-proximite;manager\r\n"
    "Zoé Sud;zoe.sud;Habitat A; agence  sud / ;Les Cèdres;gardien;\r\n"
)


def test_agence_and_secteur_columns_are_one_path_widest_first(db):
    roster.apply_roster(db, OPERATOR, roster.read_roster(db, AGENCES))
    found = people(db)
    assert found["anne.durand"].site == "Agence Nord › Les Tilleuls"
    assert found["paul.chef"].site == "Agence Nord"  # a manager at the agence itself
    assert found["zoe.sud"].site == "agence sud › Les Cèdres"  # spaces and slashes tidied
    again = roster.read_roster(db, AGENCES)
    assert again.counts()["unchanged"] == 3  # the same file again changes nobody
    assert roster.preview_table(again)[0]["Agence ou secteur"] == "Agence Nord › Les Tilleuls"


def test_a_path_too_deep_is_refused_on_its_line(db):
    deep = "/".join(f"Niveau {n}" for n in range(9))
    text = AGENCES.splitlines()[0] + f"\r\nAnne;anne;Habitat A;{deep};;gardien;\r\n"
    preview = roster.read_roster(db, text)
    assert roster.error_messages(preview) == [
        "Ligne 2 : agence ou secteur : 8 niveaux au plus (agence, secteur…), séparés par « / »."
    ]
