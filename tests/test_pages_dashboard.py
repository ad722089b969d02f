"""The dashboard and people pages through AppTest: scope holds on every tab and URL."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import pytest
from pages import chart_specs, create_zoe, no_exception, open_as, show_tab
from streamlit.testing.v1 import AppTest

from app_pages import ui
from proxi.content.markdown import MD
from proxi.people import accounts
from proxi.people.permissions import OPERATOR
from proxi.progress import due_dates, reports

APP = str(Path(__file__).resolve().parent.parent / "app.py")
DASHBOARD = "app_pages/dashboard.py"
TABS = ["Vue d'ensemble", "Relances", "Parcours", "Fiche individuelle", "Impressions"]
LANDLORD_A = ("Alice Abri", "Arthur Ache")
LANDLORD_B = ("Bruno Bel", "Berthe Bô")


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


def test_manager_of_a_never_sees_landlord_b_on_any_tab(landlords):
    at = open_as(landlords, "manager_a", DASHBOARD)
    for tab in TABS:
        text = page_text(show_tab(at, tab))
        no_exception(at)
        assert not any(name in text for name in LANDLORD_B), tab
        if tab == "Vue d'ensemble":
            assert all(name in text for name in LANDLORD_A)


def test_coordinator_sees_both_landlords(landlords):
    at = open_as(landlords, "coord", DASHBOARD)
    no_exception(at)
    text = page_text(at)
    assert all(name in text for name in LANDLORD_A + LANDLORD_B)
    assert [m.value for m in at.metric][:2] == ["4", "3"]  # Berthe has not started


def test_someone_just_created_or_erased_shows_at_once_though_the_matrix_is_kept(landlords):
    from proxi.ops import privacy

    db, ids = landlords
    at = open_as(landlords, "coord", DASHBOARD)
    assert "Zoé Nouvelle" not in page_text(at)
    zoe = accounts.create_person(db, OPERATOR, "zoe.nouvelle", "Zoé Nouvelle", "x" * 12,
                                 organisation_id=ids["org_a"])  # fmt: skip
    at.run()  # within the 30 s the matrix is kept
    no_exception(at)
    assert "Zoé Nouvelle" in page_text(at)
    privacy.erase_person(db, OPERATOR, zoe.id)
    at.run()
    assert "Zoé Nouvelle" not in page_text(at)


def test_a_crafted_person_url_shows_nothing_outside_the_scope(landlords):
    _, ids = landlords
    at = open_as(landlords, "manager_a", DASHBOARD, personne=str(ids["bruno"]))
    text = page_text(show_tab(at, "Fiche individuelle"))
    assert reports.OUT_OF_SCOPE in [e.value for e in at.error]
    assert "Bruno" not in text


def test_person_page_shows_a_visible_person(landlords):
    _, ids = landlords
    at = open_as(landlords, "manager_b", DASHBOARD, personne=str(ids["bruno"]))
    text = page_text(show_tab(at, "Fiche individuelle"))
    no_exception(at)
    assert "Bruno Bel" in text and "Conflits" in text  # the group session attended


def test_a_learner_is_not_offered_the_dashboard(landlords):
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_as(landlords, "alice", DASHBOARD)


def run_page_alone(landlords, who: str, page: str) -> AppTest:
    """The page script run directly, bypassing the navigation: its own check must hold."""
    db, ids = landlords
    at = AppTest.from_file(str(Path(APP).parent / page), default_timeout=30)
    ticket = accounts.issue_login_ticket(db, ids[who])
    at.session_state["session_token"] = accounts.redeem_login_ticket(db, ticket)
    return at.run()


def test_the_dashboard_itself_refuses_a_learner(landlords):
    at = run_page_alone(landlords, "alice", DASHBOARD)
    assert [e.value for e in at.error] == ["Cette page n'est pas accessible avec votre rôle."]
    assert not any(name in page_text(at) for name in LANDLORD_B + ("Arthur Ache",))


MODULE_1 = "Aspects institutionnels de la politique de la ville et sociologie des quartiers"


def test_a_manager_sets_due_dates_for_their_own_organisation_only(landlords):
    db, ids = landlords
    at = show_tab(open_as(landlords, "manager_a", DASHBOARD), "Relances")
    assert at.selectbox(key="due-org").options == ["Habitat A"]
    at.text_input(key="due-on").input("31/02/2026")
    next(b for b in at.button if b.label == "Enregistrer l'échéance").click().run()
    assert [e.value for e in at.error] == ["« 31/02/2026 » n'existe pas dans le calendrier."]
    assert at.text_input(key="due-on").value == "31/02/2026"  # kept, to correct
    at.text_input(key="due-on").input("15/01/2026")
    next(b for b in at.button if b.label == "Enregistrer l'échéance").click().run()
    no_exception(at)
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
    assert due_dates.visible(db, viewer) == []


def test_people_page_is_refused_to_learners_and_trainers(landlords):
    for who in ("alice", "trainer"):
        at = run_page_alone(landlords, who, "app_pages/people.py")
        assert [e.value for e in at.error] == ["Cette page n'est pas accessible avec votre rôle."]
        assert not at.text_input


def test_a_manager_manages_only_their_own_organisation(landlords):
    db, ids = landlords
    at = open_as(landlords, "manager_a", page="app_pages/people.py")
    no_exception(at)
    assert [t.label for t in at.tabs] == ["Créer", "Comptes"]  # no import, no organisations
    assert at.selectbox(key="np-org").options == ["Habitat A"]
    assert "Coordinateur" not in at.multiselect(key="np-roles").options
    accounts_offered = at.selectbox(key="account").options
    assert any("Alice Abri" in option for option in accounts_offered)
    assert not any(name in str(accounts_offered) for name in LANDLORD_B + ("Claire Coord",))
    create_zoe(at)
    created = accounts.person_by_identifier(db, "zoe.neuve")
    assert created.organisation_id == ids["org_a"]


def test_coordinator_creates_a_person(landlords):
    db, _ = landlords
    at = open_as(landlords, "coord", page="app_pages/people.py")
    no_exception(at)
    create_zoe(at)
    assert accounts.person_by_identifier(db, "zoe.neuve").display_name == "Zoé Neuve"


ROSTER = (
    "nom;identifiant;organisation;site;catégorie d'emploi;rôle;courriel\r\n"
    "Anne Durand;anne.durand;Habitat A;Nord;gardien;apprenant;\r\n"
    "Carl Roi;carl.roi;Inconnu SA;Nord;plombier;apprenant;\r\n"
).encode("utf-8-sig")


def test_roster_import_previews_then_writes_only_on_confirmation(landlords):
    db, _ = landlords
    at = open_as(landlords, "coord", page="app_pages/people.py")
    at.get("file_uploader")[0].upload("liste.csv", ROSTER, "text/csv")
    at.run()
    no_exception(at)
    errors = [shown(e.value) for e in at.error]
    assert (
        "Ligne 3 : organisation inconnue : « Inconnu SA » (créez-la d'abord, ou corrigez)."
        in errors
    )
    assert accounts.person_by_identifier(db, "anne.durand") is None  # a preview writes nothing
    next(b for b in at.button if b.label == "Confirmer l'import").click().run()
    no_exception(at)
    assert "1 création(s)" in at.success[0].value
    assert accounts.person_by_identifier(db, "anne.durand").site == "Nord"
    assert accounts.person_by_identifier(db, "carl.roi") is None


def shown(markdown: str) -> str:
    """The text a person reads where Streamlit renders this Markdown (tags dropped)."""
    return html.unescape(re.sub(r"<[^>]+>", "", MD.render(markdown))).strip()


def test_roster_errors_show_the_files_cells_as_typed_never_as_markup(landlords):
    link, emphasis = "[Signez ici](https://exemple.invalid/piege)", "**chef** :red[urgent]"
    crafted = (
        "nom;identifiant;organisation;site;catégorie d'emploi;rôle;courriel\r\n"
        f"Anne Durand;anne.durand;{link};Nord;{emphasis};apprenant;\r\n"
    ).encode("utf-8-sig")
    at = open_as(landlords, "coord", page="app_pages/people.py")
    at.get("file_uploader")[0].upload("liste.csv", crafted, "text/csv")
    at.run()
    no_exception(at)
    rendered = "".join(MD.render(e.value) for e in at.error)
    assert "<a " not in rendered and "<strong>" not in rendered and ":red[" in rendered
    errors = [shown(e.value) for e in at.error]
    assert (
        f"Ligne 2 : organisation inconnue : « {link} » (créez-la d'abord, ou corrigez)." in errors
    )
    assert f"Ligne 2 : catégorie d'emploi inconnue : « {emphasis} »." in errors


def test_coordinator_resets_a_password_and_deactivates_an_account(landlords):
    db, ids = landlords
    at = open_as(landlords, "coord", page="app_pages/people.py")
    at.selectbox(key="account").set_value(ids["bruno"]).run()
    at.text_input(key="new-password").input("nouveau-mot-de-passe")
    next(b for b in at.button if b.label == "Réinitialiser le mot de passe").click().run()
    no_exception(at)
    assert accounts.authenticate(db, "bruno", "nouveau-mot-de-passe").id == ids["bruno"]
    next(b for b in at.button if b.label == "Désactiver le compte").click().run()
    no_exception(at)
    assert accounts.get_person(db, ids["bruno"]).active is False


def test_every_table_shown_holds_inert_text_for_its_own_csv_download(landlords):
    db, ids = landlords
    formula = '=HYPERLINK("https://exemple.invalid","Cliquez")'
    accounts.update_person(db, OPERATOR, ids["alice"], display_name=formula)
    at = open_as(landlords, "coord", DASHBOARD)
    cells = [str(v) for frame in at.dataframe for v in frame.value.to_numpy().ravel()]
    assert "'" + formula in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


def test_a_manager_prints_the_attendance_sheet_of_their_own_people(landlords):
    _, ids = landlords
    at = show_tab(open_as(landlords, "manager_b", DASHBOARD), "Impressions")
    box = next(b for b in at.selectbox if b.label == "Feuille d'émargement")
    box.set_value(ids["session"]).run()  # the one session Bruno attended
    no_exception(at)
    sheet = "\n".join(m.value for m in at.markdown)
    assert "# Feuille d'émargement — Conflits" in sheet
    assert "| Bruno Bel |" in sheet and "Invité" not in sheet  # a guest is the trainer's
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Télécharger (CSV)" in labels


def test_the_journal_shows_each_admin_act_of_the_people_page(landlords):
    db, ids = landlords
    at = open_as(landlords, "manager_a", page="app_pages/people.py")
    at.selectbox(key="account").set_value(ids["alice"]).run()
    next(b for b in at.button if b.label == "Désactiver le compte").click().run()
    no_exception(at)
    journal = open_as(landlords, "coord", page="app_pages/audit.py")
    no_exception(journal)
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


def test_the_journal_is_the_coordinations_only(landlords):
    for who in ("manager_a", "trainer", "alice"):
        at = run_page_alone(landlords, who, "app_pages/audit.py")
        assert [e.value for e in at.error] == ["Cette page n'est pas accessible avec votre rôle."]
        assert not at.dataframe


def test_the_matrix_shows_fifty_people_a_page_and_every_page_is_reachable(landlords, monkeypatch):
    db, ids = landlords
    monkeypatch.setattr(accounts.passwords, "hash_password", lambda password: "non-utilisable")
    for number in range(120):
        accounts.create_person(db, OPERATOR, f"agent.{number:03d}", f"Agent {number:03d}", "x" * 12,
                               organisation_id=ids["org_a"], site="Nord")  # fmt: skip
    at = open_as(landlords, "coord", DASHBOARD)
    no_exception(at)
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


def test_the_parcours_chart_names_its_axis_in_french_and_shows_ending_names_in_full(landlords):
    from proxi.content.catalogue import load_catalogue
    from proxi.progress import store

    db, ids = landlords
    scenario = next(iter(load_catalogue().scenarios.values()))
    ending = next(n for n in scenario.nodes.values() if n.ending)
    state = {"node": ending.id}
    store.record_scenario_state(
        db, ids["alice"], scenario.id, state, "ended", node_id=ending.id, outcome="favourable"
    )
    at = show_tab(open_as(landlords, "coord", DASHBOARD), "Parcours")
    next(s for s in at.selectbox if s.label == "Mise en situation").set_value(scenario.id).run()
    no_exception(at)
    (spec,) = [s for s in chart_specs(at) if "layer" in s]
    bars = spec["layer"][0]["encoding"]
    assert bars["x"]["title"] == "Nombre de fins atteintes" and bars["y"]["title"] is None
    assert bars["y"]["axis"]["labelLimit"] == 0  # ending names in full
    assert bars["x"]["scale"]["domain"][1] > 1  # room past the longest bar for its value
    assert "streamlit-generated" not in str(spec)


def test_the_parcours_table_names_each_choice_beside_its_decision():
    from proxi.content.catalogue import load_catalogue
    from proxi.documents import tables

    scenario = next(iter(load_catalogue().scenarios.values()))
    node = next(n for n in scenario.nodes.values() if n.choices)
    first = tables.path_table([], scenario)[0]
    assert list(first)[:2] == ["Décision", "Choix"]
    assert first["Choix"] == f"A — {node.choices[0].text}"


@pytest.fixture
def agence_manager(landlords):
    """Habitat A's manager of its « Nord » (Alice's), who does not follow « Sud » (Arthur's)."""
    db, ids = landlords
    ids["manager_nord"] = accounts.create_person(
        db, OPERATOR, "chef.nord", "Chef Nord", None, organisation_id=ids["org_a"],
        site="Nord", roles=("manager",),
    ).id  # fmt: skip
    return landlords


def test_an_agence_manager_follows_their_agence_only_on_every_page(agence_manager):
    db, ids = agence_manager
    at = open_as(agence_manager, "manager_nord", DASHBOARD)
    text = page_text(at)
    assert "Alice Abri" in text and "Arthur Ache" not in text
    at = show_tab(at, "Relances")
    no_exception(at)
    scopes = at.radio(key="due-scope").options
    assert "Toute l'organisation" not in scopes  # the landlord is their head's to set
    at.radio(key="due-scope").set_value("site").run()
    assert at.selectbox(key="due-team").options == ["Habitat A — Nord"]
    people = open_as(agence_manager, "manager_nord", "app_pages/people.py")
    assert people.text_input(key="np-site").value == "Nord"  # new people start in their agence
    offered = str(people.selectbox(key="account").options)
    assert "Alice Abri" in offered and "Arthur Ache" not in offered


def test_the_filter_offers_each_level_and_a_level_keeps_everyone_under_it(landlords):
    db, ids = landlords
    accounts.update_person(db, OPERATOR, ids["alice"], site="Nord / Tilleuls")
    at = open_as(landlords, "coord", DASHBOARD)
    box = next(b for b in at.selectbox if b.label == "Agence ou secteur")
    assert box.options == ["Tous", "Est", "Nord", "Nord › Tilleuls", "Sud"]
    box.select("Nord").run()
    no_exception(at)
    text = page_text(at)
    assert "Alice Abri" in text and "Bruno Bel" in text  # Alice under Nord, Bruno at it
    assert "Arthur Ache" not in text and "Berthe Bô" not in text


def test_grouped_bars_keep_their_thickness_with_one_organisation(landlords):
    """A total height made Vega draw a lone organisation's bars one pixel thick: each bar
    has its own step instead."""
    at = open_as(landlords, "manager_a", DASHBOARD)  # one organisation: one line of bars
    (spec,) = [s for s in chart_specs(at) if "layer" in s]
    assert spec["height"] == {"step": ui.BAR_STEP, "for": "offset"}
    assert ui.BAR_STEP >= 12
