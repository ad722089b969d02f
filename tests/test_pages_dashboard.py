"""The dashboard and people pages through AppTest: scope holds on every tab and URL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_reports import two_landlords

from proxi.people import accounts
from proxi.people.permissions import OPERATOR
from proxi.progress import due_dates, reports
from proxi.progress.db import open_db

APP = str(Path(__file__).resolve().parent.parent / "app.py")
DASHBOARD = "app_pages/dashboard.py"
TABS = ["Vue d'ensemble", "Relances", "Parcours", "Fiche individuelle", "Impressions"]
LANDLORD_A = ("Alice Abri", "Arthur Ache")
LANDLORD_B = ("Bruno Bel", "Berthe Bô")


@pytest.fixture
def world(tmp_path, monkeypatch):
    path = tmp_path / "progress.db"
    monkeypatch.setenv("PROXI_DB", str(path))
    db = open_db(path)
    ids = two_landlords(db)
    yield db, ids
    db.close()


def open_page(world, who: str, page: str = DASHBOARD, **query) -> AppTest:
    db, ids = world
    at = AppTest.from_file(APP, default_timeout=30)
    ticket = accounts.issue_login_ticket(db, ids[who])
    at.session_state["session_token"] = accounts.redeem_login_ticket(db, ticket)
    at.query_params.update(query)
    at.run()
    at.switch_page(page)
    return at.run()


def show_tab(at: AppTest, tab: str) -> AppTest:
    at.session_state["dashboard-tab"] = tab
    return at.run()


def page_text(at: AppTest) -> str:
    """Everything a person could read on the page, as one string."""
    parts = [
        e.value for kind in ("markdown", "caption", "title", "subheader") for e in at.get(kind)
    ]
    parts += [df.value.to_string() for df in at.dataframe]
    parts += [table.value.to_string() for table in at.table]
    parts += [str(option) for box in at.selectbox for option in box.options]
    parts += [str(e.value) for e in at.error]
    return "\n".join(str(part) for part in parts)


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_manager_of_a_never_sees_landlord_b_on_any_tab(world):
    at = open_page(world, "manager_a")
    for tab in TABS:
        text = page_text(show_tab(at, tab))
        assert_clean(at)
        assert not any(name in text for name in LANDLORD_B), tab
        if tab == "Vue d'ensemble":
            assert all(name in text for name in LANDLORD_A)


def test_coordinator_sees_both_landlords(world):
    at = open_page(world, "coord")
    assert_clean(at)
    text = page_text(at)
    assert all(name in text for name in LANDLORD_A + LANDLORD_B)
    assert [m.value for m in at.metric][:2] == ["4", "3"]  # Berthe has not started


def test_a_crafted_person_url_shows_nothing_outside_the_scope(world):
    _, ids = world
    at = open_page(world, "manager_a", personne=str(ids["bruno"]))
    text = page_text(show_tab(at, "Fiche individuelle"))
    assert reports.OUT_OF_SCOPE in [e.value for e in at.error]
    assert "Bruno" not in text


def test_person_page_shows_a_visible_person(world):
    _, ids = world
    at = open_page(world, "manager_b", personne=str(ids["bruno"]))
    text = page_text(show_tab(at, "Fiche individuelle"))
    assert_clean(at)
    assert "Bruno Bel" in text and "Conflits" in text  # the group session attended


def test_a_learner_is_not_offered_the_dashboard(world):
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page(world, "alice")


def run_page_alone(world, who: str, page: str) -> AppTest:
    """The page script run directly, bypassing the navigation: its own check must hold."""
    db, ids = world
    at = AppTest.from_file(str(Path(APP).parent / page), default_timeout=30)
    ticket = accounts.issue_login_ticket(db, ids[who])
    at.session_state["session_token"] = accounts.redeem_login_ticket(db, ticket)
    return at.run()


def test_the_dashboard_itself_refuses_a_learner(world):
    at = run_page_alone(world, "alice", DASHBOARD)
    assert [e.value for e in at.error] == ["Cette page n'est pas accessible avec votre rôle."]
    assert not any(name in page_text(at) for name in LANDLORD_B + ("Arthur Ache",))


MODULE_1 = "Aspects institutionnels de la politique de la ville et sociologie des quartiers"


def test_a_manager_sets_due_dates_for_their_own_organisation_only(world):
    db, ids = world
    at = show_tab(open_page(world, "manager_a"), "Relances")
    assert at.selectbox(key="due-org").options == ["Habitat A"]
    at.date_input(key="due-on").set_value(date(2026, 1, 15))
    next(b for b in at.button if b.label == "Enregistrer l'échéance").click().run()
    assert_clean(at)
    assert [s.value for s in at.success] == [
        f"Échéance enregistrée : « {MODULE_1} » pour Habitat A, "
        "à terminer au plus tard le 15/01/2026."
    ]
    viewer = reports.Viewer.of(accounts.get_person(db, ids["manager_a"]))
    assert [(d.target, d.due_on) for d in due_dates.visible(db, viewer)] == [
        ("Habitat A", "2026-01-15")
    ]
    due = next(d for d in at.dataframe if "Échéance" in d.value.columns).value
    assert list(due["Échéance"]) == [date(2026, 1, 15)]  # a date: the column sorts
    next(b for b in at.button if b.label == "Enregistrer l'échéance").click().run()
    assert [s.value for s in at.success] == [f"Échéance retirée : « {MODULE_1} » pour Habitat A."]
    assert reports.due_dates(db, viewer) == []


def create_zoe(at: AppTest) -> None:
    """Fill and send the « Créer » form of the people page for Zoé Neuve."""
    form = {box.label: box for box in at.text_input}
    form["Nom affiché"].input("Zoé Neuve")
    form["Identifiant de connexion"].input("zoe.neuve")
    form["Mot de passe initial"].input("mot-de-passe-solide")
    next(b for b in at.button if b.label == "Créer la personne").click().run()
    assert_clean(at)


def test_people_page_is_refused_to_learners_and_trainers(world):
    for who in ("alice", "trainer"):
        at = run_page_alone(world, who, "app_pages/people.py")
        assert [e.value for e in at.error] == ["Cette page n'est pas accessible avec votre rôle."]
        assert not at.text_input


def test_a_manager_manages_only_their_own_organisation(world):
    db, ids = world
    at = open_page(world, "manager_a", page="app_pages/people.py")
    assert_clean(at)
    assert [t.label for t in at.tabs] == ["Créer", "Comptes"]  # no import, no organisations
    assert at.selectbox(key="np-org").options == ["Habitat A"]
    assert "Coordinateur" not in at.multiselect(key="np-roles").options
    accounts_offered = at.selectbox(key="account").options
    assert any("Alice Abri" in option for option in accounts_offered)
    assert not any(name in str(accounts_offered) for name in LANDLORD_B + ("Claire Coord",))
    create_zoe(at)
    created = accounts.person_by_identifier(db, "zoe.neuve")
    assert created.organisation_id == ids["org_a"]


def test_coordinator_creates_a_person(world):
    db, _ = world
    at = open_page(world, "coord", page="app_pages/people.py")
    assert_clean(at)
    create_zoe(at)
    assert accounts.person_by_identifier(db, "zoe.neuve").display_name == "Zoé Neuve"


ROSTER = (
    "nom;identifiant;organisation;site;catégorie d'emploi;rôle;courriel\r\n"
    "Anne Durand;anne.durand;Habitat A;Nord;gardien;apprenant;\r\n"
    "Carl Roi;carl.roi;Inconnu SA;Nord;plombier;apprenant;\r\n"
).encode("utf-8-sig")


def test_roster_import_previews_then_writes_only_on_confirmation(world):
    db, _ = world
    at = open_page(world, "coord", page="app_pages/people.py")
    at.get("file_uploader")[0].upload("liste.csv", ROSTER, "text/csv")
    at.run()
    assert_clean(at)
    errors = [e.value for e in at.error]
    assert (
        "Ligne 3 : organisation inconnue : « Inconnu SA » (créez-la d'abord, ou corrigez)."
        in errors
    )
    assert accounts.person_by_identifier(db, "anne.durand") is None  # a preview writes nothing
    next(b for b in at.button if b.label == "Confirmer l'import").click().run()
    assert_clean(at)
    assert "1 création(s)" in at.success[0].value
    assert accounts.person_by_identifier(db, "anne.durand").site == "Nord"
    assert accounts.person_by_identifier(db, "carl.roi") is None


def test_coordinator_resets_a_password_and_deactivates_an_account(world):
    db, ids = world
    at = open_page(world, "coord", page="app_pages/people.py")
    at.selectbox(key="account").set_value(ids["bruno"]).run()
    at.text_input(key="new-password").input("nouveau-mot-de-passe")
    next(b for b in at.button if b.label == "Réinitialiser le mot de passe").click().run()
    assert_clean(at)
    assert accounts.authenticate(db, "bruno", "nouveau-mot-de-passe").id == ids["bruno"]
    next(b for b in at.button if b.label == "Désactiver le compte").click().run()
    assert_clean(at)
    assert accounts.get_person(db, ids["bruno"]).active is False


def test_every_table_shown_holds_inert_text_for_its_own_csv_download(world):
    db, ids = world
    formula = '=HYPERLINK("https://exemple.invalid","Cliquez")'
    accounts.update_person(db, OPERATOR, ids["alice"], display_name=formula)
    at = open_page(world, "coord")
    cells = [str(v) for frame in at.dataframe for v in frame.value.to_numpy().ravel()]
    assert "'" + formula in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


def test_a_manager_prints_the_attendance_sheet_of_their_own_people(world):
    _, ids = world
    at = show_tab(open_page(world, "manager_b"), "Impressions")
    box = next(b for b in at.selectbox if b.label == "Feuille d'émargement")
    box.set_value(ids["session"]).run()  # the one session Bruno attended
    assert_clean(at)
    sheet = "\n".join(m.value for m in at.markdown)
    assert "# Feuille d'émargement — Conflits" in sheet
    assert "| Bruno Bel |" in sheet and "Invité" not in sheet  # a guest is the trainer's
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Télécharger (CSV)" in labels


def test_the_journal_shows_each_admin_act_of_the_people_page(world):
    db, ids = world
    at = open_page(world, "manager_a", page="app_pages/people.py")
    at.selectbox(key="account").set_value(ids["alice"]).run()
    next(b for b in at.button if b.label == "Désactiver le compte").click().run()
    assert_clean(at)
    journal = open_page(world, "coord", page="app_pages/audit.py")
    assert_clean(journal)
    rows = journal.dataframe[0].value
    first = rows.iloc[0]
    assert (first["Auteur"], first["Action"], first["Personne concernée"]) == (
        "Julien Chef",
        "Compte désactivé",
        "Alice Abri",
    )
    journal.multiselect[0].set_value(["person.create"]).run()
    shown = set(journal.dataframe[0].value["Action"])
    assert shown == {"Compte créé"}  # the set-up's accounts, by the command line
    assert set(journal.dataframe[0].value["Auteur"]) == {"Exploitation (ligne de commande)"}


def test_the_journal_is_the_coordinations_only(world):
    for who in ("manager_a", "trainer", "alice"):
        at = run_page_alone(world, who, "app_pages/audit.py")
        assert [e.value for e in at.error] == ["Cette page n'est pas accessible avec votre rôle."]
        assert not at.dataframe


def test_the_matrix_shows_fifty_people_a_page_and_every_page_is_reachable(world, monkeypatch):
    db, ids = world
    monkeypatch.setattr(accounts.passwords, "hash_password", lambda password: "non-utilisable")
    for number in range(120):
        accounts.create_person(db, OPERATOR, f"agent.{number:03d}", f"Agent {number:03d}", "x" * 12,
                               organisation_id=ids["org_a"], site="Nord")  # fmt: skip
    at = open_page(world, "coord")
    assert_clean(at)
    first = at.dataframe[0].value
    pages = at.selectbox(key="matrix-page")
    labels = list(pages.options)
    assert len(first) == 50 and len(labels) == 3
    total = labels[0].rsplit(" ", 1)[1]  # the coordinator sees more than the 120 added
    assert labels == ["1 à 50 sur " + total, "51 à 100 sur " + total, f"101 à {total} sur {total}"]
    at.session_state["matrix-page"] = 100  # the third page starts at line 101
    at.run()
    last = at.dataframe[0].value
    assert len(last) == int(total) - 100
    assert not set(last["Nom"]) & set(first["Nom"])
    assert "Télécharger pour Excel (CSV)" in [b.label for b in at.get("download_button")]
