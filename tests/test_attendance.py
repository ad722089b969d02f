"""Attendance that can be signed: one person, one line, one vote (issue 13, item 14)."""

from __future__ import annotations

import pytest

from proxi.live import flow as live_flow
from proxi.live import room as live_room
from proxi.live import sessions as live
from proxi.people import accounts, audit
from proxi.people.permissions import OPERATOR

ECOUTE, RENVOI = 0, 1  # the two choices at the start node « accueil » of porte.yaml


def lines(db, session_id):
    return [p.name for p in live_room.participants(db, session_id)]


def test_a_guest_who_rejoins_reloads_or_opens_a_second_tab_is_one_line_one_vote(room, porte):
    db, trainer, learners, session_id, code = room
    first = live_room.join(db, code, guest_name="Zoé Martin", device="zoe-phone")
    again = live_room.join(db, code, guest_name="  zoe   MARTIN ", device="zoe-phone")
    assert again.participant_id == first.participant_id  # her second tab, accents forgotten
    assert lines(db, session_id) == ["Zoé Martin"]
    decision = live_flow.open_vote(db, trainer, session_id, porte)
    live.vote(db, first.token, decision.id, ECOUTE)
    live.vote(db, again.token, decision.id, RENVOI)  # the second tab's vote replaces the first
    counts, total = live.tally(db, live.get_decision(db, decision.id))
    assert total == 1 and counts.get(RENVOI) == 1 and not counts.get(ECOUTE)


def test_her_name_typed_on_another_phone_is_refused_and_her_line_is_untouched(room, porte):
    """Nobody votes or signs on a colleague's line by typing her name on their own phone."""
    db, trainer, learners, session_id, code = room
    zoe = live_room.join(db, code, guest_name="Zoé Martin", device="zoe-phone")
    decision = live_flow.open_vote(db, trainer, session_id, porte)
    live.vote(db, zoe.token, decision.id, ECOUTE)
    with pytest.raises(live.JoinRefused, match="avec un autre téléphone"):
        live_room.join(db, code, guest_name="zoe martin", device="other-phone")
    assert lines(db, session_id) == ["Zoé Martin"]
    counts, total = live.tally(db, live.get_decision(db, decision.id))
    assert total == 1 and counts.get(ECOUTE) == 1
    namesake = live_room.join(db, code, guest_name="Zoé Martin B.", device="other-phone")
    assert lines(db, session_id) == ["Zoé Martin", "Zoé Martin B."]
    assert namesake.participant_id != zoe.participant_id


def test_a_new_phone_merged_by_the_trainer_finds_the_line_again(room, porte):
    """Her phone changed: she joins under another name, the trainer merges; from then on that
    phone lands on the merged line, and so does the trainer typing her name by hand."""
    db, trainer, learners, session_id, code = room
    old = live_room.join(db, code, guest_name="Zoé Martin", device="zoe-phone")
    new = live_room.join(db, code, guest_name="Zoé M.", device="zoe-new-phone")
    live_room.merge_participants(db, trainer, old.participant_id, new.participant_id, {})
    again = live_room.join(db, code, guest_name="Zoé Martin", device="zoe-phone")
    assert again.participant_id == old.participant_id
    by_hand = live_room.add_participant(db, trainer, session_id, guest_name="Zoé Martin")
    assert by_hand.id == old.participant_id
    assert lines(db, session_id) == ["Zoé Martin"]


def test_the_trainer_merges_two_lines_into_one_keeping_the_first_arrival(room, porte):
    db, trainer, learners, session_id, code = room
    typed = live_room.join(db, code, guest_name="Agent zéro", device="guest")
    logged = live_room.join(db, code, person=learners[0], device="phone")
    first_arrival = live_room.participants(db, session_id)[0].joined_at
    decision = live_flow.open_vote(db, trainer, session_id, porte)
    live.vote(db, typed.token, decision.id, ECOUTE)
    live.vote(db, logged.token, decision.id, ECOUTE)
    live_room.merge_participants(
        db, trainer, logged.participant_id, typed.participant_id, {"porte": porte}
    )
    assert lines(db, session_id) == ["Agent 0"]
    assert live.tally(db, live.get_decision(db, decision.id))[1] == 1
    assert live_room.participant_for(db, typed.token).id == logged.participant_id
    assert live_room.participants(db, session_id)[0].joined_at == first_arrival


def test_two_accounts_cannot_be_merged(room, join_all):
    db, trainer, learners, session_id, code = room
    a, b = join_all(db, code, learners[:2])
    with pytest.raises(live.LiveError, match="deux comptes différents"):
        live_room.merge_participants(db, trainer, a.participant_id, b.participant_id, {})
    assert len(lines(db, session_id)) == 2


def test_the_trainer_removes_a_line_and_its_vote(room, porte, join_all):
    db, trainer, learners, session_id, code = room
    kept, wrong = join_all(db, code, [], guests=["Ana", "Test"])
    decision = live_flow.open_vote(db, trainer, session_id, porte)
    live.vote(db, wrong.token, decision.id, ECOUTE)
    live_room.remove_participant(db, trainer, wrong.participant_id)
    assert lines(db, session_id) == ["Ana"]
    assert live.tally(db, live.get_decision(db, decision.id))[1] == 0
    assert live_room.participant_for(db, wrong.token) is None
    with pytest.raises(live.LiveError, match="n'existe pas"):
        live_room.remove_participant(db, trainer, wrong.participant_id)


def test_an_attachment_can_be_undone_and_is_audited(room, porte):
    db, trainer, learners, session_id, code = room
    guest = live_room.join(db, code, guest_name="agent deux", device="g")
    live_room.match_guest(db, trainer, guest.participant_id, learners[2], {"porte": porte})
    assert lines(db, session_id) == ["Agent 2"]
    live_room.detach_guest(db, trainer, guest.participant_id)
    assert lines(db, session_id) == ["agent deux"]
    assert live_room.participants(db, session_id)[0].is_guest
    with pytest.raises(live.LiveError, match="rien à annuler"):
        live_room.detach_guest(db, trainer, guest.participant_id)
    acts = [e.action for e in audit.entries(db, coordinator(db), actor_id=trainer.id)]
    assert acts[:2] == ["guest.detach", "guest.attach"]


def coordinator(db):
    return accounts.create_person(
        db, OPERATOR, "coord", "Claire Coord", "motdepasse-123", roles=["coordinator"]
    )


def test_only_the_sessions_trainer_edits_the_lines(room, join_all):
    db, trainer, learners, session_id, code = room
    (guest,) = join_all(db, code, [], guests=["Ana"])
    with pytest.raises(live.NotTheTrainer):
        live_room.remove_participant(db, learners[0], guest.participant_id)
    assert lines(db, session_id) == ["Ana"]


def test_managers_are_not_offered_for_an_attachment(room):
    db, trainer, learners, session_id, code = room
    org_id = learners[0].organisation_id
    accounts.create_person(
        db,
        OPERATOR,
        "chef",
        "Chef Agence",
        "motdepasse-123",
        organisation_id=org_id,
        roles=["manager"],
    )
    session = live.get_session(db, session_id)
    names = [p.display_name for p in live_room.match_candidates(db, session)]
    assert "Chef Agence" not in names and "Agent 0" in names
