"""The hierarchy of an organisation (proxi.hierarchy): paths typed any way are one node, a
manager at a node sees and acts on that node and every node under it, nothing beside it."""

from __future__ import annotations

from datetime import date

import pytest

from proxi import hierarchy
from proxi.errors import NotAllowed
from proxi.ops import reminders
from proxi.people import accounts, follow_up, permissions
from proxi.people.permissions import OPERATOR, Subject
from proxi.progress import due_dates, reports
from proxi.progress.db import open_db


def test_typed_paths_are_stored_one_way():
    assert hierarchy.normalise(" Agence  Nord/Tilleuls ") == "Agence Nord › Tilleuls"
    assert hierarchy.normalise("Agence Nord > Tilleuls") == "Agence Nord › Tilleuls"
    assert hierarchy.normalise("Agence Nord › Tilleuls //") == "Agence Nord › Tilleuls"
    assert hierarchy.normalise(None) == "" == hierarchy.normalise(" / ")
    assert hierarchy.join(["Agence Nord", "", " Tilleuls "]) == "Agence Nord › Tilleuls"


def test_within_is_the_node_and_below_never_a_neighbour_with_the_same_start():
    assert hierarchy.within("Agence Nord › Tilleuls", "Agence Nord")
    assert hierarchy.within("Agence Nord", "Agence Nord")
    assert hierarchy.within("Agence Nord", "")  # the head of the organisation
    assert not hierarchy.within("Agence Nord-Est", "Agence Nord")
    assert not hierarchy.within("Agence Nord", "Agence Nord › Tilleuls")  # above is not within


def test_nodes_list_every_level_as_an_organisation_chart():
    paths = ["b › y", "A › x", "", "b", "A"]
    assert hierarchy.nodes(paths) == ["A", "A › x", "b", "b › y"]


def test_problems_are_french_and_bounded():
    assert hierarchy.problem("a › b") is None
    assert "8 niveaux au plus" in hierarchy.problem(" › ".join("x" * 9))
    assert "80 caractères au plus" in hierarchy.problem("x" * 81)


@pytest.mark.parametrize("node", ["", "Agence Nord", "Agence Nord › Tilleuls", "100% _bâti"])
def test_the_sql_condition_agrees_with_within(node):
    sites = ["", "Agence Nord", "Agence Nord › Tilleuls", "Agence Nord-Est", "agence nord",
             "100% _bâti", "100% _bâti › a", "100X _bâti"]  # fmt: skip
    db = open_db(":memory:")
    db.execute("CREATE TABLE t (site TEXT)")
    db.conn.executemany("INSERT INTO t (site) VALUES (:site)", [{"site": s} for s in sites])
    condition, params = hierarchy.sql_within("site", node)
    found = {row[0] for row in db.execute(f"SELECT site FROM t WHERE {condition}", params)}
    assert found == {s for s in sites if hierarchy.within(s, node)}


@pytest.fixture
def agences():
    """Habitat A: a head manager, a manager of Agence Nord, learners in Nord's two secteurs
    and in Agence Sud."""
    db = open_db(":memory:")
    a = accounts.create_organisation(db, OPERATOR, "Habitat A", "bailleur").id
    people = {
        "head": ("", ("manager",)),
        "nord": ("Agence Nord", ("manager",)),
        "tilleuls": ("Agence Nord / Tilleuls", ("learner",)),
        "cedres": ("Agence Nord / Cèdres", ("learner",)),
        "sud": ("Agence Sud / Marronniers", ("learner",)),
    }
    found = {"org": a}
    for key, (site, roles) in people.items():
        found[key] = accounts.create_person(
            db, OPERATOR, key, key.title(), None, organisation_id=a, site=site, roles=roles
        )
    yield db, found
    db.close()


def seen_by(db, manager) -> set[str]:
    return {row.person.identifier for row in reports.matrix(db, reports.Viewer.of(manager))}


def test_a_manager_sees_their_agence_and_below_the_head_sees_everyone(agences):
    db, p = agences
    assert seen_by(db, p["nord"]) == {"tilleuls", "cedres"}  # the learners of the matrix
    assert seen_by(db, p["head"]) == {"tilleuls", "cedres", "sud"}
    with pytest.raises(NotAllowed, match="ne fait pas partie des personnes que vous suivez"):
        reports.visible_person(db, reports.Viewer.of(p["nord"]), p["sud"].id)


def test_a_manager_acts_only_in_their_part(agences):
    db, p = agences
    nord = p["nord"]
    assert permissions.may(nord, "person.manage", p["tilleuls"])
    assert not permissions.may(nord, "person.manage", p["sud"])
    with pytest.raises(NotAllowed, match="de votre agence ou secteur"):
        accounts.update_person(db, nord, p["sud"].id, display_name="Pris")
    with pytest.raises(NotAllowed):  # nor moves one of theirs out of it
        accounts.update_person(db, nord, p["tilleuls"].id, site="Agence Sud")
    with pytest.raises(NotAllowed):
        accounts.create_person(db, nord, "x", "X", None, organisation_id=p["org"], site="Sud")
    made = accounts.create_person(
        db, nord, "y", "Y", None, organisation_id=p["org"], site="Agence Nord/Neuf"
    )
    assert made.site == "Agence Nord › Neuf"
    assert not permissions.may(nord, "due_date.set", Subject(p["org"], site="Agence Sud"))
    assert not permissions.may(nord, "due_date.set", Subject(p["org"]))  # the whole landlord
    assert permissions.may(p["head"], "due_date.set", Subject(p["org"]))


def test_the_deepest_due_date_holds_and_a_manager_sees_only_theirs(agences):
    db, p = agences
    head, nord, org = p["head"], p["nord"], p["org"]
    follow_up.set_due_date(db, head, "m1", date(2030, 6, 30), organisation_id=org)
    follow_up.set_due_date(
        db, nord, "m1", date(2030, 5, 31), organisation_id=org, site="Agence Nord"
    )
    follow_up.set_due_date(
        db, head, "m1", date(2030, 4, 30), organisation_id=org, site="Agence Nord/Tilleuls"
    )
    dates = due_dates.all_due_dates(db, [org])

    def holds(person) -> str:
        return due_dates.effective(dates, org, person.site, person.id)["m1"].due_on

    assert holds(p["tilleuls"]) == "2030-04-30"  # its secteur's, the deepest
    assert holds(p["cedres"]) == "2030-05-31"  # the agence's
    assert holds(p["sud"]) == "2030-06-30"  # the organisation's
    with pytest.raises(NotAllowed):
        follow_up.set_due_date(db, nord, "m1", date(2030, 1, 31), organisation_id=org, site="Sud")
    shown = {d.site for d in due_dates.visible(db, reports.Viewer.of(nord))}
    assert shown == {"Agence Nord", "Agence Nord › Tilleuls"}


def test_the_weekly_digest_of_an_agence_manager_names_only_their_agence(agences):
    db, p = agences  # nobody has been active: everyone is named as inactive
    text = reminders.digest(db, p["nord"].id, date(2030, 1, 6), {"m1": "Module 1"})
    assert "Tilleuls" in text and "Cedres" in text
    assert "Sud" not in text
    assert "Sud" in reminders.digest(db, p["head"].id, date(2030, 1, 6), {"m1": "Module 1"})
