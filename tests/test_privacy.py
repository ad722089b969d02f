"""Data protection: the export of one person, and an erasure that leaves nothing behind."""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from builders import count

from proxi.cli import main
from proxi.content.scenario import load_scenario
from proxi.documents import spreadsheet, xapi
from proxi.errors import AuthError
from proxi.live import flow as live_flow
from proxi.live import room as live_room
from proxi.live import sessions as live
from proxi.ops import privacy
from proxi.people import accounts
from proxi.people.permissions import OPERATOR
from proxi.progress import dialect, reports, store
from proxi.progress.db import open_db

PASSWORD = "correct-horse-battery"
SCENARIO = Path(__file__).parent / "fixtures" / "scenarios" / "porte.yaml"
REFLECTION = "Ce matin Zoé Vasseur-Quint a eu peur dans le hall, je l'ai raccompagnée."


@dataclass
class World:
    db: object
    person: accounts.Person  # the one to erase
    colleague: accounts.Person
    trainer: accounts.Person
    coordinator: accounts.Person
    token: str  # the person's web session
    phone: str  # the person's group-session pass


def populate(db) -> World:
    """A learner with every kind of data Proxi keeps, and colleagues beside them."""
    org = accounts.create_organisation(db, OPERATOR, "Logis du Parc", "bailleur")

    def person(identifier, name, roles=("learner",), email=None):
        return accounts.create_person(
            db, OPERATOR, identifier, name, PASSWORD, organisation_id=org.id, site="Les Peupliers",
            job_category="gardien", roles=roles, email=email,
        )  # fmt: skip

    zoe = person("zoe.vasseur", "Zoé Vasseur-Quint", email="zoe.vasseur@logis.example")
    colleague = person("marc.petit", "Marc Petit")
    trainer = person("nadia.formatrice", "Nadia Benali", ("trainer",))
    coordinator = person("claire.coord", "Claire Morel", ("coordinator",))
    for someone in (zoe, colleague):
        _learn(db, someone.id)
    store.record_answer(db, zoe.id, "m1/l1#reflexion", REFLECTION, None, {"module_id": "m1"})
    with pytest.raises(AuthError):
        accounts.authenticate(db, "zoe.vasseur", "pas-le-bon-mot-de-passe")
    token = accounts.redeem_login_ticket(db, accounts.issue_login_ticket(db, zoe.id))
    phone = _group_session(db, trainer, zoe, colleague)
    return World(db, zoe, colleague, trainer, coordinator, token, phone)


def _learn(db, person_id: int) -> None:
    for step in range(2):
        store.record_step(db, person_id, "m1", "l1", step, 2, ["l1"], duration_s=30)
    store.record_answer(db, person_id, "m1/l1#qcm", "B", True, {"module_id": "m1"})
    store.record_quiz(db, person_id, "m1", 40, 100, 70, ["l1"], responses={"q1": 0})
    store.record_quiz(db, person_id, "m1", 90, 100, 70, ["l1"], responses={"q1": 1})
    scenario = load_scenario(SCENARIO)[0]
    from proxi.content import engine

    state = engine.start(scenario)
    store.record_scenario_state(db, person_id, "porte", state, "started")
    for choice in (0, 0, 1):
        node = state["node"]
        state = engine.choose(scenario, state, choice)
        store.record_scenario_state(
            db, person_id, "porte", state, "chose", node_id=node, response=choice
        )
    ending = scenario.nodes[state["node"]].ending
    store.record_scenario_state(
        db, person_id, "porte", state, "ended", node_id=state["node"],
        response=state["node"], outcome=ending.outcome,
    )  # fmt: skip


def _group_session(db, trainer, *learners) -> str:
    scenario = load_scenario(SCENARIO)[0]
    session = live.create_session(
        db, trainer, "Séance du jeudi", date(2026, 3, 5), "matin", scenario_ids=["porte"]
    )
    code = live_flow.open_session(db, trainer, session.id)
    live_flow.start_scenario(db, trainer, session.id, scenario)
    with pytest.raises(live.JoinRefused):  # a mistyped code, as the join page records it
        live_room.join(db, "ZZZZ-ZZZZ", person=learners[0], device=f"person:{learners[0].id}")
    passes = [
        live_room.join(db, code, person=someone, device=f"person:{someone.id}")
        for someone in learners
    ]
    decision = live_flow.open_vote(db, trainer, session.id, scenario)
    for held in passes:
        live.vote(db, held.token, decision.id, 0)
    live_flow.reveal(db, trainer, session.id, scenario)
    live_flow.follow(db, trainer, session.id, scenario)
    return passes[0].token


@pytest.fixture
def world(db) -> World:
    return populate(db)


def every_value(db) -> list[tuple[str, str, object]]:
    """(table, column, value) for every cell of every table."""
    cells = []
    for table in dialect.table_names(db):
        cursor = db.execute(f'SELECT * FROM "{table}"')
        names = [d[0] for d in cursor.description]
        cells += [(table, n, v) for row in cursor for n, v in zip(names, row, strict=True)]
    return cells


def traces_of(db, person: accounts.Person) -> list[tuple[str, str, object]]:
    """Every cell that names the person (or, for Zoé, quotes her reflection) or points at them."""
    words = [person.display_name, person.identifier, person.email, *person.display_name.split()]
    if person.identifier == "zoe.vasseur":
        words.append(REFLECTION)
    references = set(privacy.person_references(db)) | {("people", "id")}
    return [
        (table, column, value)
        for table, column, value in every_value(db)
        if (isinstance(value, str) and any(w and w.lower() in value.lower() for w in words))
        or ((table, column) in references and value == person.id)
    ]


# --- The schema is covered ---------------------------------------------------------------------


def test_every_table_that_holds_a_person_has_a_policy(db):
    references = privacy.person_references(db)
    assert ("events", "person_id") in references and ("live_sessions", "trainer_id") in references
    assert privacy.unhandled_references(db) == []


def test_a_new_table_holding_a_person_is_caught_and_blocks_the_erasure(world):
    db = world.db
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, person_id INTEGER, text TEXT)")
    db.execute("CREATE TABLE badges (id INTEGER PRIMARY KEY, owner INTEGER REFERENCES people(id))")
    assert privacy.unhandled_references(db) == [("notes", "person_id"), ("badges", "owner")]
    events_before = count(db, "events")
    with pytest.raises(privacy.PrivacyError, match="notes.person_id, badges.owner"):
        privacy.erase_person(db, OPERATOR, world.person.id)
    assert accounts.get_person(db, world.person.id) is not None
    assert count(db, "events") == events_before


# --- Export -------------------------------------------------------------------------------------


def test_export_holds_everything_about_the_person_and_nothing_else(world):
    db, zoe = world.db, world.person
    exported = json.loads(privacy.export_json(db, zoe.id))
    assert exported["person"]["display_name"] == "Zoé Vasseur-Quint"
    assert exported["person"]["email"] == "zoe.vasseur@logis.example"
    assert exported["organisation"]["name"] == "Logis du Parc"
    tables = exported["tables"]
    own_events = db.execute(
        "SELECT COUNT(*) FROM events WHERE person_id = :person_id", {"person_id": zoe.id}
    )
    assert len(tables["events"]) == own_events.fetchone()[0]
    expected = {
        "events", "lesson_progress", "block_answers", "module_progress", "scenario_progress",
        "resume", "time_spent", "web_sessions", "login_tickets", "login_failures",
        "live_participants", "live_votes", "live_join_failures",
    }  # fmt: skip
    assert expected <= set(tables)
    answers = {row["block_id"]: row["response"] for row in tables["block_answers"]}
    assert answers["m1/l1#reflexion"] == REFLECTION
    assert tables["live_votes"][0]["choice"] == 0
    text = json.dumps(exported, ensure_ascii=False)
    assert "Marc Petit" not in text and "marc.petit" not in text
    for secret in ("password_hash", "token_hash", "ticket_hash", "scrypt$"):
        assert secret not in text


def test_export_of_a_trainer_lists_the_sessions_they_ran(world):
    exported = privacy.export_person(world.db, world.trainer.id)
    assert [s["title"] for s in exported["tables"]["live_sessions"]] == ["Séance du jeudi"]


# --- Erasure ------------------------------------------------------------------------------------


def test_after_erasure_nothing_in_any_table_names_or_points_at_the_person(world):
    db, zoe = world.db, world.person
    assert traces_of(db, zoe)  # the check can see them before
    erasure = privacy.erase_person(db, world.coordinator, zoe.id)
    assert traces_of(db, zoe) == []
    keys = [row[0] for row in db.execute("SELECT key FROM live_join_failures")]
    assert not [key for key in keys if key.endswith(f"person:{zoe.id}")]
    assert erasure.summary["events"] > 10 and erasure.summary["people"] == 1
    assert erasure.summary["live_join_failures"] == 1
    assert accounts.person_by_identifier(db, "zoe.vasseur") is None
    assert [p.display_name for p in accounts.list_people(db)] == [
        "Claire Morel", "Marc Petit", "Nadia Benali",
    ]  # fmt: skip


def test_after_erasure_no_report_or_export_shows_the_person(world):
    db, zoe = world.db, world.person
    settings = xapi.xapi_settings(db)
    old_actor = xapi.actor_name(settings, zoe.id)
    privacy.erase_person(db, OPERATOR, zoe.id)
    viewer = reports.Viewer.system()
    rows = reports.matrix(db, viewer)
    assert "Zoé" not in spreadsheet.matrix_csv(rows, []).decode("utf-8-sig", errors="replace")
    assert {row.person.display_name for row in rows} == {"Marc Petit"}
    statements = json.dumps([s for _, s in xapi.statements(db, settings, viewer)])
    assert old_actor not in statements and "Zoé" not in statements
    with pytest.raises(Exception):  # noqa: B017 - refused, whatever the report's own error
        reports.person_report(db, viewer, zoe.id)


def test_erasure_keeps_the_aggregate_statistics(world):
    db = world.db

    def statistics():
        moves = Counter(
            db.execute(
                "SELECT verb, object_type, object_id, node_id, choice_index, play_mode FROM events"
            ).fetchall()
        )
        statuses = Counter(db.execute("SELECT module_id, status FROM module_progress").fetchall())
        votes = Counter(db.execute("SELECT decision_id, choice FROM live_votes").fetchall())
        endings = Counter(db.execute("SELECT best_outcome FROM scenario_progress").fetchall())
        return moves, statuses, votes, endings

    before = statistics()
    privacy.erase_person(db, OPERATOR, world.person.id)
    assert statistics() == before


def test_erasure_leaves_progress_rebuildable_from_the_events(world):
    db = world.db
    privacy.erase_person(db, OPERATOR, world.person.id)
    tables = ("lesson_progress", "block_answers", "module_progress", "scenario_progress")
    before = {t: sorted(map(tuple, db.execute(f"SELECT * FROM {t}").fetchall())) for t in tables}
    store.rebuild_derived(db)
    after = {t: sorted(map(tuple, db.execute(f"SELECT * FROM {t}").fetchall())) for t in tables}
    assert after == before


def test_erased_events_lose_free_text_statement_ids_and_keys(world):
    db, zoe = world.db, world.person
    own = db.execute("SELECT uuid FROM events WHERE person_id = :person_id", {"person_id": zoe.id})
    uuids = {row[0] for row in own}
    privacy.erase_person(db, OPERATOR, zoe.id)
    remaining = {row[0] for row in db.execute("SELECT uuid FROM events")}
    assert uuids.isdisjoint(remaining)
    stand_in = db.execute("SELECT id FROM people WHERE erased_at IS NOT NULL").fetchone()[0]
    answers = db.execute(
        "SELECT block_id, response, correct FROM block_answers WHERE person_id = :person_id",
        {"person_id": stand_in},
    ).fetchall()
    assert sorted(answers) == [("m1/l1#qcm", '"B"', 1), ("m1/l1#reflexion", None, None)]
    keys = db.execute(
        "SELECT COUNT(*) FROM events WHERE person_id = :person_id AND idempotency_key IS NOT NULL",
        {"person_id": stand_in},
    ).fetchone()[0]
    assert keys == 0


def test_stand_in_keeps_only_the_organisation_and_can_never_log_in(world):
    db = world.db
    privacy.erase_person(db, OPERATOR, world.person.id)
    stand_in = dict(
        zip(
            ("identifier", "display_name", "organisation_id", "site", "email", "hash", "active"),
            db.execute(
                "SELECT identifier, display_name, organisation_id, site, email, password_hash,"
                " active FROM people WHERE erased_at IS NOT NULL"
            ).fetchone(),
            strict=True,
        )
    )
    assert stand_in["identifier"].startswith("anonyme-")
    assert stand_in["display_name"] == "Personne effacée"
    assert stand_in["organisation_id"] == world.person.organisation_id
    assert (stand_in["site"], stand_in["email"], stand_in["hash"], stand_in["active"]) == (
        "", None, None, 0,
    )  # fmt: skip
    with pytest.raises(AuthError):
        accounts.authenticate(db, stand_in["identifier"], "")


def test_erasure_ends_every_session_and_phone_pass_at_once(world):
    db = world.db
    assert accounts.person_for_session(db, world.token) is not None
    assert live_room.participant_for(db, world.phone) is not None
    privacy.erase_person(db, OPERATOR, world.person.id)
    assert accounts.person_for_session(db, world.token) is None
    assert live_room.participant_for(db, world.phone) is None
    with pytest.raises(AuthError, match="Identifiant ou mot de passe incorrect"):
        accounts.authenticate(db, "zoe.vasseur", PASSWORD)


def test_erasing_a_trainer_keeps_their_sessions_for_the_others(world):
    db = world.db
    privacy.erase_person(db, OPERATOR, world.trainer.id)
    assert traces_of(db, world.trainer) == []
    session = db.execute("SELECT title, trainer_id FROM live_sessions").fetchone()
    assert session[0] == "Séance du jeudi"
    participants = db.execute("SELECT COUNT(*) FROM live_participants").fetchone()[0]
    assert participants == 2


def test_attestations_are_not_kept_unless_configured(world, monkeypatch):
    monkeypatch.delenv("PROXI_KEEP_ATTESTATIONS", raising=False)
    erasure = privacy.erase_person(world.db, OPERATOR, world.person.id)
    assert erasure.attestations_kept == 0
    assert privacy.kept_attestations(world.db) == []


def test_attestations_are_kept_when_configured_and_nothing_else(world, monkeypatch):
    db, zoe = world.db, world.person
    monkeypatch.setenv("PROXI_KEEP_ATTESTATIONS", "oui")
    erasure = privacy.erase_person(db, OPERATOR, zoe.id)
    kept = privacy.kept_attestations(db, "Vasseur")
    assert erasure.attestations_kept == len(kept) == 2
    assert privacy.kept_attestations(db, "vasseur") == kept  # an operator types it any case
    module, session = sorted(kept, key=lambda row: row["kind"])
    assert (module["kind"], module["subject_id"], module["organisation"]) == (
        "module", "m1", "Logis du Parc",
    )  # fmt: skip
    assert module["detail"]["quiz_best"] == 90 and module["detail"]["completed_at"]
    assert (session["kind"], session["title"]) == ("session", "Séance du jeudi")
    assert session["detail"]["day"] == "2026-03-05"
    assert {table for table, _, _ in traces_of(db, zoe)} == {"kept_attestations"}


def test_the_register_records_who_erased_and_forgets_them_in_turn(world):
    db = world.db
    privacy.erase_person(db, world.coordinator, world.person.id)
    row = db.execute("SELECT erased_by, summary, attestations_kept FROM privacy_erasures")
    erased_by, summary, _ = row.fetchone()
    assert erased_by == world.coordinator.id and json.loads(summary)["people"] == 1
    other = accounts.create_person(
        db, OPERATOR, "autre.coord", "Autre Coord", PASSWORD, roles=("coordinator",)
    )
    privacy.erase_person(db, other, world.coordinator.id)
    assert db.execute("SELECT erased_by FROM privacy_erasures ORDER BY id").fetchall() == [
        (None,), (other.id,),
    ]  # fmt: skip


def test_refusals_are_in_french_and_change_nothing(world):
    db = world.db
    with pytest.raises(privacy.PrivacyError, match="propre compte"):
        privacy.erase_person(db, world.coordinator, world.coordinator.id)
    privacy.erase_person(db, OPERATOR, world.person.id)
    with pytest.raises(privacy.PrivacyError, match="déjà été effacée"):
        privacy.erase_person(db, OPERATOR, world.person.id)
    with pytest.raises(privacy.PrivacyError, match="déjà été effacée"):
        privacy.export_person(db, world.person.id)


def test_erased_bytes_do_not_linger_in_the_database_file(tmp_path):
    path = tmp_path / "progress.db"
    db = open_db(path)
    world = populate(db)
    privacy.erase_person(db, OPERATOR, world.person.id)
    db.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("progress"))
    for word in ("Vasseur", "zoe.vasseur", "raccompagn"):
        assert word.encode() not in raw


def test_appending_to_events_stays_the_only_write_besides_erasure(world):
    db = world.db
    with pytest.raises(db.engine.integrity_error, match="append-only"):
        db.execute(
            "UPDATE events SET result = '{}' WHERE person_id = :person_id",
            {"person_id": world.person.id},
        )
    with pytest.raises(db.engine.integrity_error, match="append-only"):  # to a live person
        db.execute("UPDATE events SET person_id = :person_id", {"person_id": world.colleague.id})


# --- Command line --------------------------------------------------------------------------------


def test_command_exports_to_a_private_file_then_erases_with_confirmation(tmp_path, capsys):
    path = tmp_path / "progress.db"
    with open_db(path) as db:
        populate(db)
    target = tmp_path / "zoe.json"
    assert main(["privacy", "export", "Zoe.Vasseur", "--db", str(path), "--to", str(target)]) == 0
    assert json.loads(target.read_text("utf-8"))["person"]["identifier"] == "zoe.vasseur"
    assert os.stat(target).st_mode & 0o077 == 0
    refused = ["privacy", "erase", "zoe.vasseur", "--confirm", "marc.petit", "--db", str(path)]
    assert main(refused) == 1
    assert "rien n'a été effacé" in capsys.readouterr().err
    erase = ["privacy", "erase", "zoe.vasseur", "--confirm", "zoe.vasseur", "--db", str(path)]
    assert main([*erase, "--keep-attestations"]) == 0
    assert "2 attestation(s) conservée(s)" in capsys.readouterr().out
    assert main(erase) == 1
    assert "Aucune personne" in capsys.readouterr().err


# --- The coordinator's page ---------------------------------------------------------------------


def test_coordinator_page_exports_then_erases_after_typed_confirmation(
    tmp_path, monkeypatch, app_database
):
    from pages import make_person, session_token, use_temporary_world
    from streamlit.testing.v1 import AppTest

    db_path = use_temporary_world(tmp_path, monkeypatch, database=app_database)
    coordinator = make_person(db_path, "claire.coord", roles=("coordinator",))
    learner = make_person(db_path, "zoe.vasseur")
    page = Path(__file__).parent.parent / "app_pages" / "privacy_admin.py"
    at = AppTest.from_file(str(page), default_timeout=30)
    at.session_state["session_token"] = session_token(db_path, coordinator)
    at.run()
    at.selectbox[0].set_value(learner.id).run()
    download = at.get("download_button")[0]
    assert download.proto.label == "Télécharger l'export (JSON)"
    erase = next(b for b in at.button if b.label == "Effacer définitivement")
    assert erase.disabled
    at.text_input[0].input("zoe").run()
    assert next(b for b in at.button if b.label == "Effacer définitivement").disabled
    at.text_input[0].input("Zoe.Vasseur").run()
    next(b for b in at.button if b.label == "Effacer définitivement").click().run()
    assert [e.value for e in at.exception] == []
    assert at.success[0].value.startswith("zoe.vasseur a été effacé")
    with open_db(db_path) as db:
        assert accounts.person_by_identifier(db, "zoe.vasseur") is None
    at.selectbox[0].set_value(coordinator.id).run()
    assert "propre compte" in at.info[0].value
