"""Due dates through the pages: a manager sets one for a team or a person; the learner sees
it on the home and in « Ma progression », late first; a reminder is previewed and sent by
hand to a real SMTP server."""

from __future__ import annotations

from datetime import timedelta

from pages import open_as, show_tab

from proxi import dates
from proxi.content.catalogue import load_catalogue
from proxi.people import accounts, audit, follow_up
from proxi.people.permissions import OPERATOR
from proxi.progress import due_dates
from proxi.progress.reports import Viewer

DASHBOARD = "app_pages/dashboard.py"

MODULES = list(load_catalogue().course.modules.values())
FIRST, SECOND = MODULES[0], MODULES[1]


def submit(at, label: str):
    next(b for b in at.button if b.label == label).click()
    return at.run()


def test_a_manager_sets_a_date_for_a_team_and_the_learner_sees_it_late_first(landlords):
    db, ids = landlords
    at = show_tab(open_as(landlords, "manager_a", DASHBOARD), "Relances")
    at.radio(key="due-scope").set_value("site").run()
    assert at.selectbox(key="due-team").options == ["Habitat A — Nord", "Habitat A — Sud"]
    at.selectbox(key="due-team").set_value((ids["org_a"], "Nord")).run()
    at.selectbox(key="due-module").set_value(FIRST.id)
    at.text_input(key="due-on").input(f"{dates.today() + timedelta(days=5):%d/%m/%Y}")
    submit(at, "Enregistrer l'échéance")
    assert [s.value for s in at.success][0].startswith(
        f"Échéance enregistrée : « {FIRST.title} » pour Habitat A — Nord, à terminer au plus tard le "
    )
    assert [(d.target, d.module_id) for d in due_dates.visible(db, Viewer.of(person(db, ids, "manager_a")))] == [
        ("Habitat A — Nord", FIRST.id)
    ]  # fmt: skip
    manager = person(db, ids, "manager_a")
    follow_up.set_due_date(
        db, manager, SECOND.id, dates.today() - timedelta(days=2), person_id=ids["alice"]
    )
    for page in ("app_pages/home.py", "app_pages/my_progress.py"):
        home = open_as(landlords, "alice", page)
        assert not home.exception
        assert "Mes échéances" in [h.value for h in home.subheader]
        shown = [w.value for w in home.warning] + [i.value for i in home.info]
        assert shown[0].startswith(f"**{SECOND.title}** — En retard")  # late first
        assert shown[1].startswith(f"**{FIRST.title}** — À terminer pour le")
        assert "(dans 5 jours)" in shown[1]
    arthur = open_as(landlords, "arthur", "app_pages/home.py")  # team Sud: no date
    assert "Mes échéances" not in [h.value for h in arthur.subheader]


def test_a_manager_previews_and_sends_a_reminder_by_hand(landlords, smtp_server, monkeypatch):
    db, ids = landlords
    for key, value in smtp_server.environ().items():
        monkeypatch.setenv(key, value)
    accounts.update_person(db, OPERATOR, ids["arthur"], email="arthur@exemple.fr")
    manager = person(db, ids, "manager_a")
    follow_up.set_due_date(
        db, manager, FIRST.id, dates.today() - timedelta(days=1), person_id=ids["arthur"]
    )
    at = show_tab(open_as(landlords, "manager_a", DASHBOARD), "Relances")
    assert at.selectbox(key="remind-who").value == (ids["arthur"], FIRST.id)
    preview = at.text_area[0].value
    assert preview.startswith("Bonjour Arthur Ache,") and "était à terminer" in preview
    at.button(key="remind-send").click().run()
    assert [s.value for s in at.success] == ["Rappel envoyé à arthur@exemple.fr."]
    (message,) = smtp_server.messages
    assert message["To"] == "arthur@exemple.fr"
    assert message.get_content().replace("\r\n", "\n").strip() == preview.strip()
    coordinator = person(db, ids, "coord")
    assert len(audit.entries(db, coordinator, actions=("reminder.send",))) == 1


def test_without_smtp_the_manager_reads_the_message_and_is_told(landlords, monkeypatch):
    db, ids = landlords
    monkeypatch.delenv("PROXI_SMTP_HOST", raising=False)
    manager = person(db, ids, "manager_a")
    follow_up.set_due_date(db, manager, FIRST.id, dates.today(), person_id=ids["arthur"])
    at = show_tab(open_as(landlords, "manager_a", DASHBOARD), "Relances")
    assert "À terminer aujourd'hui" not in at.text_area[0].value  # the mail's own wording
    assert "est à terminer aujourd'hui" in at.text_area[0].value
    assert any("pas configuré (PROXI_SMTP_HOST)" in i.value for i in at.info)
    assert not any(b.key == "remind-send" for b in at.button)


def person(db, ids, key):
    return accounts.get_person(db, ids[key])


def test_someone_outside_any_organisation_with_a_team_leaves_the_tab_working(landlords):
    """The coordination follows people of no organisation too (a partner's agent, say):
    one of them with a team name once crashed « Relances » (None sorted against an id)."""
    db, ids = landlords
    accounts.create_person(
        db, OPERATOR, "ines.partenaire", "Inès Partenaire", "mot-de-passe-long-2026",
        organisation_id=None, site="Médiation", job_category="mediateur", roles=("learner",),
    )  # fmt: skip
    at = show_tab(open_as(landlords, "coord", DASHBOARD), "Relances")
    assert [e.value for e in at.exception] == []
    organisations = next(s for s in at.selectbox if s.label == "Organisation")  # the filter
    assert organisations.options == ["Toutes", "Habitat A", "Logis B"]  # no blank line
    at.radio(key="due-scope").set_value("site").run()
    assert at.selectbox(key="due-team").options == [
        "Habitat A — Nord", "Habitat A — Sud", "Logis B — Est", "Logis B — Nord",
    ]  # fmt: skip
    at.radio(key="due-scope").set_value("person").run()
    assert "Inès Partenaire (Sans organisation)" in at.selectbox(key="due-person").options
