"""Group sessions: codes, joining, throttling, votes, the trainer's moves, map and records."""

import json
import re
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from proxi.content.scenario import load_scenario
from proxi.documents import spreadsheet
from proxi.errors import IllegalMove, NotAllowed, ProxiError
from proxi.live import attendance
from proxi.live import flow as live_flow
from proxi.live import report as live_report
from proxi.live import room as live_room
from proxi.live import sessions as live
from proxi.people import accounts
from proxi.people.permissions import OPERATOR
from proxi.progress import store
from proxi.progress.db import open_db
from proxi.progress.reports import Viewer

PORTE = Path(__file__).parent / "fixtures" / "scenarios" / "porte.yaml"
ECOUTE, RENVOI = 0, 1  # the two choices at the start node « accueil »


def group_events(db, person_id, verb):
    rows = db.execute(
        "SELECT context, result FROM events WHERE person_id = :person_id AND verb = :verb",
        {"person_id": person_id, "verb": verb},
    ).fetchall()
    return [(json.loads(c), json.loads(r)) for c, r in rows]


# --- Codes and joining -----------------------------------------------------------------


def test_code_is_eight_unambiguous_symbols(room):
    code = room[4]
    assert len(code) == 8 and set(code) <= set(live.CODE_ALPHABET)
    assert not set("01IOL") & set(live.CODE_ALPHABET)


def test_code_typed_with_dash_and_lower_case_is_accepted(room):
    db, _, learners, session_id, code = room
    typed = f" {code[:4].lower()}-{code[4:]} "
    joined = live_room.join(db, typed, person=learners[0], device="a")
    assert joined.session_id == session_id


def test_draft_session_has_no_code_and_cannot_be_played(porte, make_people):
    db = open_db(":memory:")
    _, trainer, _ = make_people(db)
    session = live.create_session(
        db, trainer, "Brouillon", date(2026, 3, 12), "apres-midi", scenario_ids=["porte"]
    )
    assert session.status == "draft" and session.join_code is None
    with pytest.raises(live.LiveError, match="pas encore ouverte"):
        live_flow.start_scenario(db, trainer, session.id, porte)


def test_learner_cannot_create_a_session(make_people):
    db = open_db(":memory:")
    _, _, learners = make_people(db)
    with pytest.raises(NotAllowed):
        live.create_session(
            db, learners[0], "Moi", date(2026, 3, 12), "matin", scenario_ids=["porte"]
        )


def test_person_joining_twice_is_one_participant(room):
    db, _, learners, session_id, code = room
    first = live_room.join(db, code, person=learners[0], device="phone")
    second = live_room.join(db, code, person=learners[0], device="laptop")
    assert first.participant_id == second.participant_id and first.token != second.token
    assert live_room.participant_for(db, first.token).id == first.participant_id
    assert len(live_room.participants(db, session_id)) == 1


def test_guest_needs_a_name(room):
    db, code = room[0], room[4]
    with pytest.raises(live.JoinRefused, match="prénom"):
        live_room.join(db, code, guest_name="   ", device="x")


def test_wrong_code_is_refused_in_french(room):
    with pytest.raises(live.JoinRefused, match="aucune séance en cours"):
        live_room.join(room[0], "ZZZZZZZZ", guest_name="Léa", device="x")


def test_code_expires_when_the_session_ends(room):
    db, trainer, learners, session_id, code = room
    live_flow.end_session(db, trainer, session_id)
    with pytest.raises(live.JoinRefused, match="aucune séance en cours"):
        live_room.join(db, code, person=learners[0], device="x")


def test_repeated_wrong_codes_lock_the_device_even_for_the_right_code(room):
    db, code = room[0], room[4]
    now = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
    for _ in range(live_room.JOIN_LIMITS["device"]):
        with pytest.raises(live.JoinRefused, match="aucune séance"):
            live_room.join(db, "AAAAAAAA", guest_name="Léa", device="tab1", now=now)
    with pytest.raises(live.JoinRefused, match="Trop de codes erronés.*10 minute"):
        live_room.join(db, code, guest_name="Léa", device="tab1", now=now)
    # Another phone in the room is not locked; the same one is free after the window.
    live_room.join(db, code, guest_name="Marc", device="tab2", now=now)
    later = now + live_room.JOIN_WINDOW + timedelta(seconds=1)
    live_room.join(db, code, guest_name="Léa", device="tab1", now=later)


def test_a_network_address_has_a_looser_limit(room):
    db = room[0]
    now = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
    for i in range(live_room.JOIN_LIMITS["network"]):
        with pytest.raises(live.JoinRefused, match="aucune séance"):
            live_room.join(
                db, "AAAAAAAA", guest_name="X", device=f"t{i}", network="10.0.0.7", now=now
            )
    with pytest.raises(live.JoinRefused, match="Trop de codes"):
        live_room.join(db, room[4], guest_name="X", device="fresh", network="10.0.0.7", now=now)


# --- Votes ----------------------------------------------------------------------------


def test_a_changed_vote_replaces_the_previous_one(room, porte, join_all):
    db, trainer, learners, session_id, code = room
    passes = join_all(db, code, learners)
    decision = live_flow.open_vote(db, trainer, session_id, porte)
    live.vote(db, passes[0].token, decision.id, RENVOI)
    live.vote(db, passes[0].token, decision.id, ECOUTE)
    live.vote(db, passes[1].token, decision.id, ECOUTE)
    snap = live.snapshot(db, session_id)
    assert snap.counts == {ECOUTE: 2, RENVOI: 0} and snap.phone_votes == 2
    assert live.my_vote(db, passes[0].participant_id, decision.id) == ECOUTE
    assert snap.participants == 3


def test_vote_while_frozen_is_refused_then_accepted_after_resume(room, porte, join_all):
    db, trainer, learners, session_id, code = room
    token = join_all(db, code, learners[:1])[0].token
    decision = live_flow.open_vote(db, trainer, session_id, porte)
    live_flow.freeze(db, trainer, session_id)
    with pytest.raises(live.VoteRefused, match="Arrêt sur image"):
        live.vote(db, token, decision.id, ECOUTE)
    live_flow.resume(db, trainer, session_id)
    live.vote(db, token, decision.id, ECOUTE)


def test_vote_on_a_revealed_or_closed_decision_is_refused_in_french(room, porte, join_all):
    db, trainer, learners, session_id, code = room
    token = join_all(db, code, learners[:1])[0].token
    decision = live_flow.open_vote(db, trainer, session_id, porte)
    live.vote(db, token, decision.id, ECOUTE)
    live_flow.reveal(db, trainer, session_id, porte)
    with pytest.raises(live.VoteRefused, match="résultat a été dévoilé"):
        live.vote(db, token, decision.id, RENVOI)
    live_flow.follow(db, trainer, session_id, porte)
    with pytest.raises(live.VoteRefused, match="vote est clos"):
        live.vote(db, token, decision.id, RENVOI)
    assert live.my_vote(db, live_room.participant_for(db, token).id, decision.id) == ECOUTE


def test_vote_needs_a_pass_and_an_offered_choice(room, porte, join_all):
    db, trainer, learners, session_id, code = room
    token = join_all(db, code, learners[:1])[0].token
    decision = live_flow.open_vote(db, trainer, session_id, porte)
    with pytest.raises(live.VoteRefused, match="rejoignez-la"):
        live.vote(db, "forged-token", decision.id, ECOUTE)
    with pytest.raises(live.VoteRefused, match="pas proposé"):
        live.vote(db, token, decision.id, 7)


def test_a_pass_votes_only_in_its_own_session(room, porte, join_all):
    db, trainer, learners, session_id, code = room
    token = join_all(db, code, learners[:1])[0].token
    other = live.create_session(
        db, trainer, "Autre groupe", date(2026, 3, 12), "apres-midi", scenario_ids=["porte"]
    )
    live_flow.open_session(db, trainer, other.id)
    live_flow.start_scenario(db, trainer, other.id, porte)
    elsewhere = live_flow.open_vote(db, trainer, other.id, porte)
    with pytest.raises(live.VoteRefused, match="n'existe pas dans votre séance"):
        live.vote(db, token, elsewhere.id, ECOUTE)
    assert live.snapshot(db, other.id).total == 0


def test_vote_after_the_end_is_refused(room, porte, join_all):
    db, trainer, learners, session_id, code = room
    token = join_all(db, code, learners[:1])[0].token
    decision = live_flow.open_vote(db, trainer, session_id, porte)
    live_flow.end_session(db, trainer, session_id)
    with pytest.raises(live.VoteRefused, match="séance est terminée"):
        live.vote(db, token, decision.id, ECOUTE)
    assert live.get_decision(db, decision.id).status == "closed"


def test_sixty_phones_voting_at_once_count_exactly_once(tmp_path, porte, make_people):
    path = tmp_path / "live.db"
    db = open_db(path)
    _, trainer, _ = make_people(db)
    session = live.create_session(
        db, trainer, "Grand groupe", date(2026, 3, 12), "matin", scenario_ids=["porte"]
    )
    code = live_flow.open_session(db, trainer, session.id)
    live_flow.start_scenario(db, trainer, session.id, porte)
    passes = [live_room.join(db, code, guest_name=f"Invité {i}", device=f"d{i}") for i in range(60)]
    decision = live_flow.open_vote(db, trainer, session.id, porte)
    errors, barrier = [], threading.Barrier(60)

    def phone(i: int) -> None:
        conn = open_db(path)  # one connection per thread, as in the app
        try:
            barrier.wait()
            live.vote(conn, passes[i].token, decision.id, RENVOI)  # a first tap...
            live.vote(conn, passes[i].token, decision.id, i % 2)  # ...then a change of mind
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            conn.close()

    threads = [threading.Thread(target=phone, args=(i,)) for i in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = db.execute(
        "SELECT count(*) FROM live_votes WHERE decision_id = :decision_id",
        {"decision_id": decision.id},
    )
    assert rows.fetchone()[0] == 60
    assert live.snapshot(db, session.id).counts == {ECOUTE: 30, RENVOI: 30}


# --- The trainer's moves ------------------------------------------------------------------


def test_participants_and_other_trainers_cannot_drive_the_session(room, porte):
    db, trainer, learners, session_id, _ = room
    other = accounts.create_person(
        db, OPERATOR, "autre", "Autre formateur", "motdepasse-123", roles=["trainer"]
    )
    for intruder in (learners[0], other, None):
        with pytest.raises(live.NotTheTrainer, match="Seul le formateur"):
            live_flow.open_vote(db, intruder, session_id, porte)
    coordinator = accounts.create_person(
        db, OPERATOR, "coord", "Coordination", "motdepasse-123", roles=["coordinator"]
    )
    live_flow.open_vote(db, coordinator, session_id, porte)


def test_an_illegal_move_names_the_state_and_changes_nothing(room, porte):
    db, trainer, _, session_id, _ = room
    with pytest.raises(live.LiveError, match="ouvrez d'abord le vote"):
        live_flow.reveal(db, trainer, session_id, porte)
    live_flow.open_vote(db, trainer, session_id, porte)
    live_flow.reveal(db, trainer, session_id, porte)
    before = live.snapshot(db, session_id)
    with pytest.raises(live.LiveError, match="le vote est déjà dévoilé"):
        live_flow.freeze(db, trainer, session_id)
    assert live.snapshot(db, session_id) == before
    assert isinstance(live.LiveError("x"), ProxiError)


def test_available_moves_follow_the_transition_table(room, porte):
    db, trainer, _, session_id, _ = room

    def moves():
        snap = live.snapshot(db, session_id)
        return [
            m
            for m, _ in live_flow.available_moves(
                live.get_session(db, session_id), snap.decision, porte
            )
        ]

    assert moves() == ["open_vote"]
    live_flow.open_vote(db, trainer, session_id, porte)
    assert moves() == ["freeze", "reveal"]
    live_flow.freeze(db, trainer, session_id)
    assert moves() == ["resume", "reveal"]
    live_flow.reveal(db, trainer, session_id, porte)
    assert moves() == ["follow"]
    session = live.get_session(db, session_id)
    assert live_flow.available_moves(session, None, None) == []  # no scenario on screen
    live_flow.end_session(db, trainer, session_id)
    assert moves() == []  # an ended session offers nothing, whatever its last vote


def test_show_of_hands_adds_to_the_phones(room, porte, join_all):
    db, trainer, learners, session_id, code = room
    token = join_all(db, code, learners[:1])[0].token
    decision = live_flow.open_vote(db, trainer, session_id, porte)
    live.vote(db, token, decision.id, ECOUTE)
    live_flow.set_hands(db, trainer, session_id, {ECOUTE: 4, RENVOI: 6})
    snap = live.snapshot(db, session_id)
    assert snap.counts == {ECOUTE: 5, RENVOI: 6} and snap.majority == RENVOI
    with pytest.raises(live.LiveError, match="mains levées"):
        live_flow.set_hands(db, trainer, session_id, {9: 1})
    with pytest.raises(live.LiveError, match="nombres positifs"):
        live_flow.set_hands(db, trainer, session_id, {ECOUTE: -1})
    live_flow.set_hands(db, trainer, session_id, {ECOUTE: 0, RENVOI: 2})  # nobody raised a hand
    assert live.snapshot(db, session_id).counts == {ECOUTE: 1, RENVOI: 2}


def test_follow_the_majority_moves_the_group(room, porte, join_all):
    db, trainer, learners, session_id, code = room
    passes = join_all(db, code, learners)
    decision = live_flow.open_vote(db, trainer, session_id, porte)
    for p, choice in zip(passes, (RENVOI, RENVOI, ECOUTE), strict=True):
        live.vote(db, p.token, decision.id, choice)
    live_flow.reveal(db, trainer, session_id, porte)
    live_flow.follow(db, trainer, session_id, porte)
    session = live.get_session(db, session_id)
    assert session.state["node"] == "colere" and session.decision_id is None
    assert live.get_decision(db, decision.id).chosen == RENVOI


def test_a_tie_asks_the_trainer_to_choose(room, porte, join_all):
    db, trainer, learners, session_id, code = room
    passes = join_all(db, code, learners[:2])
    decision = live_flow.open_vote(db, trainer, session_id, porte)
    live.vote(db, passes[0].token, decision.id, ECOUTE)
    live.vote(db, passes[1].token, decision.id, RENVOI)
    live_flow.reveal(db, trainer, session_id, porte)
    with pytest.raises(live.LiveError, match="Pas de majorité"):
        live_flow.follow(db, trainer, session_id, porte)
    live_flow.follow(db, trainer, session_id, porte, choice=ECOUTE)  # « choisir une autre option »
    assert live.get_session(db, session_id).state["node"] == "ecoute"


def play(db, trainer, session_id, porte, choice, voters=()):
    """One decision: open, everyone votes `choice`, reveal, follow it."""
    decision = live_flow.open_vote(db, trainer, session_id, porte)
    for p in voters:
        live.vote(db, p.token, decision.id, choice)
    live_flow.reveal(db, trainer, session_id, porte)
    live_flow.follow(db, trainer, session_id, porte, choice=choice)
    return decision


def test_rejouer_goes_back_and_the_map_keeps_both_branches(room, porte, join_all):
    db, trainer, learners, session_id, code = room
    passes = join_all(db, code, learners)
    first = play(db, trainer, session_id, porte, RENVOI, passes)  # accueil -> colere
    play(db, trainer, session_id, porte, 1, passes)  # colere -> mauvaise_fin (an ending)
    live_flow.rejouer(db, trainer, session_id, porte, first.id)
    state = live.get_session(db, session_id).state
    assert state["node"] == "accueil" and state["history"] == []
    play(db, trainer, session_id, porte, ECOUTE, passes[:2])  # the other branch
    live_flow.open_vote(db, trainer, session_id, porte)  # decision 4, at « ecoute »
    rows = live_report.session_map(db, session_id)
    assert [(r.depth, r.decision.number, r.decision.node_id) for r in rows] == [
        (0, 1, "accueil"),
        (0, 3, "accueil"),
        (1, 2, "colere"),
        (1, 4, "ecoute"),
    ]
    assert rows[0].counts == {ECOUTE: 0, RENVOI: 3} and rows[1].counts == {ECOUTE: 2, RENVOI: 0}
    text = live_report.map_markdown(rows, {"porte": porte})
    assert "fin « Rupture » (Issue défavorable)" in text and "**Décision 4**" in text


def test_rejouer_closes_an_open_vote(room, porte):
    db, trainer, _, session_id, _ = room
    first = play(db, trainer, session_id, porte, ECOUTE)
    pending = live_flow.open_vote(db, trainer, session_id, porte)
    live_flow.rejouer(db, trainer, session_id, porte, first.id)
    assert live.get_decision(db, pending.id).status == "closed"
    assert live.get_session(db, session_id).state["node"] == "accueil"


# --- What is recorded ---------------------------------------------------------------------


def test_each_person_attends_once_and_votes_are_group_events(room, porte, join_all):
    db, trainer, learners, session_id, code = room
    passes = join_all(db, code, learners)
    live_room.join(db, code, person=learners[0], device="again")
    decision = play(db, trainer, session_id, porte, ECOUTE, passes)
    attended = group_events(db, learners[0].id, "attended")
    assert len(attended) == 1 and attended[0][0]["session_id"] == f"live-{session_id}"
    chose = group_events(db, learners[0].id, "chose")
    assert chose == [
        (
            {
                "scenario_id": "porte",
                "node_id": "accueil",
                "session_id": f"live-{session_id}",
                "mode": "group",
            },
            {"response": ECOUTE},
        )
    ]
    # Group play is kept apart from the learner's own play: no solo progress row.
    assert store.learner_overview(db, learners[0].id).scenarios == {}
    assert decision.number == 1


def test_reaching_an_ending_records_it_for_every_known_participant(room, porte, join_all):
    db, trainer, learners, session_id, code = room
    passes = join_all(db, code, learners, guests=["Invitée"])
    play(db, trainer, session_id, porte, RENVOI, passes)
    play(db, trainer, session_id, porte, 1, passes)  # « Vous fermez la loge. » -> mauvaise_fin
    for learner in learners:
        ((context, result),) = group_events(db, learner.id, "ended")
        assert context["mode"] == "group" and result["outcome"] == "defavorable"


def test_a_guest_matched_to_a_person_gets_attendance_and_votes(room, porte):
    db, trainer, learners, session_id, code = room
    guest = live_room.join(db, code, guest_name="agent zéro", device="g")
    play(db, trainer, session_id, porte, ECOUTE, [guest])
    live_room.match_guest(db, trainer, guest.participant_id, learners[2], {"porte": porte})
    assert len(group_events(db, learners[2].id, "attended")) == 1
    assert [r["response"] for _, r in group_events(db, learners[2].id, "chose")] == [ECOUTE]
    assert live_room.participant_for(db, guest.token).name == "Agent 2"
    with pytest.raises(live.LiveError, match="pas un invité"):
        live_room.match_guest(db, trainer, guest.participant_id, learners[1], {"porte": porte})


def test_roles_are_assigned_and_printed_on_the_cards(room, porte, join_all):
    db, trainer, learners, session_id, code = room
    joined = join_all(db, code, learners[:1])[0]
    live_room.assign_role(db, trainer, joined.participant_id, "m_roche")
    with pytest.raises(NotAllowed):
        live_room.assign_role(db, learners[0], joined.participant_id, "gardien")
    players = live_room.players(db, session_id)
    assert players == {"m_roche": ["Agent 0"]}
    cards = live_report.role_cards_markdown(porte, players)
    assert (
        "### M. Roche" in cards and "Joué par : Agent 0" in cards and "**Qui** : Locataire" in cards
    )


def test_attendance_sheet_lists_trainer_and_participants_with_arrival(room, join_all):
    db, trainer, learners, session_id, code = room
    join_all(db, code, learners[:2], guests=["Léa | Martin"])
    live_room.add_participant(db, trainer, session_id, guest_name="Sans téléphone")
    session = live.get_session(db, session_id)
    sheet = attendance.sheet(db, session, Viewer.of(trainer))
    rows = sheet.lines
    assert [r.status for r in rows] == [
        "Formateur·rice",
        "Participant·e",
        "Participant·e",
        "Invité·e",
        "Invité·e",
    ]
    assert rows[1].organisation == "Habitat 93" and len(rows[1].arrived_at) == 5
    printed = live_report.attendance_markdown(db, sheet)
    assert "| Nom | Organisation | Qualité | Arrivée | Signature |" in printed
    assert "Léa \\| Martin" in printed and "12/03/2026, matin" in printed


def test_attendance_csv_has_one_line_per_person_and_no_live_formula(room, join_all):
    db, trainer, learners, session_id, code = room
    join_all(db, code, learners[:1], guests=["=HYPERLINK(1)"])
    sheet = attendance.sheet(db, live.get_session(db, session_id), Viewer.of(trainer))
    lines = spreadsheet.attendance_csv(sheet).decode("utf-8-sig").splitlines()
    assert lines[0] == "Séance;Date;Demi-journée;Nom;Organisation;Qualité;Arrivée"
    assert [line.split(";")[3] for line in lines[1:]] == [
        trainer.display_name,
        learners[0].display_name,
        "'=HYPERLINK(1)",
    ]
    assert lines[2].startswith("Tensions au quotidien;12/03/2026;Matin;")


def test_summary_has_paths_votes_competencies_and_notes(room, porte, join_all):
    db, trainer, learners, session_id, code = room
    passes = join_all(db, code, learners)
    play(db, trainer, session_id, porte, RENVOI, passes)
    play(db, trainer, session_id, porte, 1, passes)
    live_flow.set_notes(db, trainer, session_id, "Groupe très participatif.")
    text = live_report.summary_markdown(db, live.get_session(db, session_id), {"porte": porte})
    assert "# Bilan de séance — Tensions au quotidien" in text
    assert "**Fin : Rupture** (Issue défavorable)" in text and "Écoute -5" in text
    assert "| 1 | M. Roche arrive à la loge. |" in text and "Groupe très participatif." in text


def test_a_restart_mid_session_loses_nothing(tmp_path, porte, make_people):
    path = tmp_path / "restart.db"
    db = open_db(path)
    _, trainer, learners = make_people(db)
    session = live.create_session(
        db, trainer, "Reprise", date(2026, 3, 12), "matin", scenario_ids=["porte"]
    )
    code = live_flow.open_session(db, trainer, session.id)
    live_flow.start_scenario(db, trainer, session.id, porte)
    token = live_room.join(db, code, person=learners[0], device="p").token
    decision = live_flow.open_vote(db, trainer, session.id, porte)
    live.vote(db, token, decision.id, RENVOI)
    for _ in range(live_room.JOIN_LIMITS["device"]):
        with pytest.raises(live.JoinRefused):
            live_room.join(db, "AAAAAAAA", guest_name="X", device="bad")
    db.close()  # the server stops...

    db = open_db(path)  # ...and starts again
    assert live.snapshot(db, session.id).counts == {ECOUTE: 0, RENVOI: 1}
    live.vote(db, token, decision.id, ECOUTE)  # the phone's pass still works
    live_flow.reveal(db, trainer, session.id, porte)
    live_flow.follow(db, trainer, session.id, porte)
    assert live.get_session(db, session.id).state["node"] == "ecoute"
    with pytest.raises(live.JoinRefused, match="Trop de codes"):
        live_room.join(db, code, guest_name="X", device="bad")


def test_a_changed_scenario_file_is_reported_not_crashed(room, porte):
    db, trainer, _, session_id, _ = room
    play(db, trainer, session_id, porte, RENVOI)
    edited_nodes = {k: v for k, v in porte.nodes.items() if k != "colere"}
    edited = type(porte)(**{**porte.__dict__, "nodes": edited_nodes})
    with pytest.raises(IllegalMove):
        live_flow.open_vote(db, trainer, session_id, edited)


def test_options_are_lettered_in_the_order_offered(porte):
    offered = live.options(porte, "ecoute", [0, 2])
    assert [(o.letter, o.index) for o in offered] == [("A", 0), ("B", 2)]
    assert offered[1].text == "Vous concluez sans rien écrire."


def test_guests_are_matched_among_the_organisations_present(room, join_all):
    db, trainer, learners, session_id, code = room
    join_all(db, code, learners[:1])
    session = live.get_session(db, session_id)
    candidates = [p.display_name for p in live_room.match_candidates(db, session)]
    assert candidates == ["Agent 1", "Agent 2"]  # not the trainer (no organisation), not Agent 0


def test_a_second_vote_cannot_open_while_one_is_open(room, porte):
    db, trainer, _, session_id, _ = room
    first = live_flow.open_vote(db, trainer, session_id, porte)
    with pytest.raises(live.LiveError, match="déjà en cours"):
        live_flow.open_vote(db, trainer, session_id, porte)
    assert [d.id for d in live.decisions(db, session_id)] == [first.id]
    assert live.get_session(db, session_id).decision_id == first.id


def test_hands_cannot_change_once_the_vote_is_closed(room, porte):
    db, trainer, _, session_id, _ = room
    decision = live_flow.open_vote(db, trainer, session_id, porte)
    live_flow.set_hands(db, trainer, session_id, {ECOUTE: 2})
    # A closed decision still on screen (the moment between closing it and moving on).
    db.execute(
        "UPDATE live_decisions SET status = 'closed' WHERE id = :decision_id",
        {"decision_id": decision.id},
    )
    with pytest.raises(live.LiveError, match="vote est clos"):
        live_flow.set_hands(db, trainer, session_id, {ECOUTE: 9})
    assert live.get_decision(db, decision.id).hands == {ECOUTE: 2}


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({}, None),
        ({ECOUTE: 0}, None),
        ({ECOUTE: 2, RENVOI: 2}, None),
        ({ECOUTE: 1, RENVOI: 2}, RENVOI),
    ],
)
def test_majority_needs_votes_and_a_single_leader(counts, expected):
    assert live.majority(counts) == expected


def test_a_choice_that_is_a_quotation_is_quoted_once_in_the_summary(room, tmp_path, join_all):
    db, trainer, learners, session_id, code = room
    quoting = tmp_path / "porte.yaml"
    text = PORTE.read_text(encoding="utf-8")
    quoting.write_text(text.replace("Vous lui dites", '"« Revenez demain. »" #'), encoding="utf-8")
    scenario, findings = load_scenario(quoting)
    assert scenario is not None, findings
    play(db, trainer, session_id, scenario, RENVOI, join_all(db, code, learners))
    text = live_report.summary_markdown(db, live.get_session(db, session_id), {"porte": scenario})
    assert "→ « Revenez demain. »" in text
    assert re.search(r"[AB] « Revenez demain\. » : 3", text)
    assert "« «" not in text and "» »" not in text


def test_follow_refuses_a_choice_the_vote_did_not_offer(room, porte):
    db, trainer, _, session_id, _ = room
    live_flow.open_vote(db, trainer, session_id, porte)
    live_flow.reveal(db, trainer, session_id, porte)
    with pytest.raises(live.LiveError, match="pas proposé à ce vote"):
        live_flow.follow(db, trainer, session_id, porte, 9)
    assert live.get_session(db, session_id).state["node"] == "accueil"


def test_an_ending_on_screen_has_nothing_to_vote(room, porte):
    db, trainer, _, session_id, _ = room
    for choice in (0, 0, 1):  # listen, write the report, conclude: an ending
        live_flow.open_vote(db, trainer, session_id, porte)
        live_flow.reveal(db, trainer, session_id, porte)
        live_flow.follow(db, trainer, session_id, porte, choice)
    with pytest.raises(live.LiveError, match="rien à voter"):
        live_flow.open_vote(db, trainer, session_id, porte)
    assert live.get_session(db, session_id).decision_id is None
