"""Against the herd effect: counts hidden on the projector until the reveal, and a countdown
after which phones' votes are refused."""

from datetime import datetime, timedelta

import pytest

from proxi.dates import utc
from proxi.live import flow as live_flow
from proxi.live import report as live_report
from proxi.live import sessions as live
from proxi.live.sessions import LiveError, VoteRefused


def test_hidden_counts_show_only_once_revealed(room, porte, join_all):
    db, trainer, learners, session_id, code = room
    live_flow.set_hide_counts(db, trainer, session_id, True)
    decision = live_flow.open_vote(db, trainer, session_id, porte)
    (first, *_) = join_all(db, code, learners)
    live.vote(db, first.token, decision.id, 0)
    snap = live.snapshot(db, session_id)
    assert snap.hide_counts and not snap.counts_shown and snap.total == 1
    live_flow.freeze(db, trainer, session_id)
    assert not live.snapshot(db, session_id).counts_shown
    live_flow.reveal(db, trainer, session_id, porte)
    assert live.snapshot(db, session_id).counts_shown
    live_flow.set_hide_counts(db, trainer, session_id, False)
    assert not live.get_session(db, session_id).hide_counts


def test_a_vote_after_the_countdown_is_refused_and_not_counted(room, porte, join_all):
    db, trainer, learners, session_id, code = room
    decision = live_flow.open_vote(db, trainer, session_id, porte, seconds=30)
    opened = utc()
    assert 29 <= decision.seconds_left(opened) <= 30
    early, late = join_all(db, code, learners[:2])
    live.vote(db, early.token, decision.id, 0, now=opened + timedelta(seconds=29))
    with pytest.raises(VoteRefused, match="Le temps est écoulé"):
        live.vote(db, late.token, decision.id, 1, now=opened + timedelta(seconds=31))
    assert decision.seconds_left(opened + timedelta(seconds=31)) == 0
    assert live.snapshot(db, session_id).counts == {0: 1, 1: 0}


def test_a_vote_at_the_very_end_of_the_countdown_is_refused(room, porte, join_all):
    db, trainer, learners, session_id, code = room
    decision = live_flow.open_vote(db, trainer, session_id, porte, seconds=30)
    (late,) = join_all(db, code, learners[:1])
    with pytest.raises(VoteRefused, match="Le temps est écoulé"):
        live.vote(db, late.token, decision.id, 0, now=datetime.fromisoformat(decision.closes_at))
    assert live.snapshot(db, session_id).total == 0


def test_a_vote_without_countdown_has_none(room, porte):
    db, trainer, _, session_id, _ = room
    assert live_flow.open_vote(db, trainer, session_id, porte).seconds_left() is None


@pytest.mark.parametrize("seconds", [-5, 0, live_flow.MAX_COUNTDOWN + 1])
def test_a_countdown_out_of_bounds_is_refused(room, porte, seconds):
    db, trainer, _, session_id, _ = room
    with pytest.raises(LiveError, match="compte à rebours"):
        live_flow.open_vote(db, trainer, session_id, porte, seconds=seconds)
    assert live.get_session(db, session_id).decision_id is None


@pytest.mark.parametrize("seconds", [1, live_flow.MAX_COUNTDOWN])
def test_a_countdown_at_its_bounds_is_accepted(room, porte, seconds):
    db, trainer, _, session_id, _ = room
    decision = live_flow.open_vote(db, trainer, session_id, porte, seconds=seconds)
    assert 0 <= decision.seconds_left() <= seconds


def test_the_end_screen_summary_names_each_scenario_and_where_it_ended(room, porte, join_all):
    db, trainer, learners, session_id, code = room
    join_all(db, code, learners[:2])
    for choice in (0, 0, 1):  # listen, write the report, conclude: the good ending
        live_flow.open_vote(db, trainer, session_id, porte)
        live_flow.reveal(db, trainer, session_id, porte)
        live_flow.follow(db, trainer, session_id, porte, choice)
    lines = live_report.screen_summary(db, session_id, {"porte": porte})
    assert lines[0] == "**2** participant(s), **3** décision(s) prises ensemble."
    assert lines[1].startswith("**La porte du local vélos** : ")
    assert "(Issue favorable)" in lines[1]
