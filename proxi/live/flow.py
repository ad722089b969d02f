"""The trainer's moves in a group session: one state machine, stored in SQLite.

Theory of operation
-------------------
A session goes draft -> open -> ended. While it is open the group plays one scenario at a
time; the group's engine state is `live_sessions.state`, a `proxi.content.engine` state like any
other. At a decision node the trainer opens a vote, which creates a decision (one row per
VISIT of a node, numbered 1, 2, 3... in the session); a decision then moves by this table:

    open      --freeze-->   frozen     « arrêt sur image » : discussion, votes paused
    frozen    --resume-->   open
    open      --reveal-->   revealed   tally and feedback shown; votes go to the store
    frozen    --reveal-->   revealed
    revealed  --follow-->   closed     the group takes the majority, or another choice

`rejouer(decision)` puts the group back just before any earlier decision, on the screen or
on a branch left behind: it replays that decision's stored path (what `engine.rewind` does
for the current path) and closes the decision on screen. Past decisions are never changed,
so the session map keeps every branch explored. `end_session` closes whatever is open and
the join code stops working.

Every move checks, inside its write transaction, who acts (the session's trainer or a
coordinator), the session's status and the decision's status. An illegal move raises
`LiveError` or `NotTheTrainer` (French messages naming the state and the move) and changes
nothing.
"""

from __future__ import annotations

import json
from datetime import timedelta

from proxi.content import engine
from proxi.content.scenario import Scenario
from proxi.dates import iso, utc
from proxi.live import sessions as live
from proxi.live.sessions import Decision, LiveError, LiveSession, require_trainer
from proxi.people.accounts import Person
from proxi.progress import store
from proxi.progress.db import Database, inserted_id, write_transaction

TRANSITIONS = {
    ("open", "freeze"): "frozen",
    ("frozen", "resume"): "open",
    ("open", "reveal"): "revealed",
    ("frozen", "reveal"): "revealed",
    ("revealed", "follow"): "closed",
}
MOVE_LABELS = {
    "open_session": "Ouvrir la séance",
    "open_vote": "Ouvrir le vote",
    "freeze": "Arrêt sur image",
    "resume": "Reprendre le vote",
    "reveal": "Dévoiler le résultat",
    "follow": "Suivre la majorité",
}
MAX_COUNTDOWN = 600  # seconds: a vote longer than ten minutes is a discussion
STATUS_LABELS = {
    "open": "ouvert",
    "frozen": "en arrêt sur image",
    "revealed": "déjà dévoilé",
    "closed": "clos",
}


def available_moves(session: LiveSession, decision: Decision | None, scenario: Scenario | None):
    """The moves the trainer can make now, as (move, French label), in screen order."""
    if session.status == "draft":
        return [("open_session", MOVE_LABELS["open_session"])]
    if session.status != "open" or scenario is None or session.state is None:
        return []
    if decision is None:
        playable = engine.available_choices(scenario, session.state)
        return [("open_vote", MOVE_LABELS["open_vote"])] if playable else []
    moves = [move for status, move in TRANSITIONS if status == decision.status]
    return [(move, MOVE_LABELS[move]) for move in moves]


def move(
    db: Database,
    actor: Person,
    session_id: int,
    name: str,
    scenario: Scenario | None = None,
    choice: int | None = None,
    seconds: int | None = None,
) -> None:
    """Run the move `name` (one of MOVE_LABELS) for the page's buttons."""
    if name in ("open_vote", "follow") and scenario is None:
        raise LiveError("Le scénario de ce vote est introuvable.")
    if name == "open_session":
        open_session(db, actor, session_id)
    elif name == "open_vote" and scenario is not None:
        open_vote(db, actor, session_id, scenario, seconds)
    elif name == "follow" and scenario is not None:
        follow(db, actor, session_id, scenario, choice)
    elif name in ("freeze", "resume", "reveal"):
        _step(db, actor, session_id, name, scenario)
    else:
        raise LiveError(f"Action inconnue « {name} ».")


# --- The session -----------------------------------------------------------------------


def open_session(db: Database, actor: Person, session_id: int) -> str:
    """Open a draft session; returns its join code (the trainer's arrival is now)."""
    with write_transaction(db):
        session = require_trainer(db, actor, session_id)
        if session.status != "draft":
            raise LiveError("Cette séance a déjà été ouverte.")
        code = live.new_code()
        taken = "SELECT 1 FROM live_sessions WHERE join_code = :join_code"
        while db.execute(taken, {"join_code": code}).fetchone():
            code = live.new_code()
        db.execute(
            "UPDATE live_sessions SET status = 'open', join_code = :join_code,"
            " opened_at = :opened_at WHERE id = :session_id",
            {"join_code": code, "opened_at": iso(), "session_id": session_id},
        )
    return code


def end_session(db: Database, actor: Person, session_id: int) -> None:
    """End the session: the open decision closes and the join code stops working."""
    with write_transaction(db):
        session = _open(db, actor, session_id)
        _close_current(db, session)
        db.execute(
            "UPDATE live_sessions SET status = 'ended', ended_at = :ended_at, decision_id = NULL"
            " WHERE id = :session_id",
            {"ended_at": iso(), "session_id": session_id},
        )


def set_hide_counts(db: Database, actor: Person, session_id: int, hide: bool) -> None:
    """Hide the projector's counts until each reveal (against the herd effect), or not."""
    with write_transaction(db):
        require_trainer(db, actor, session_id)
        db.execute(
            "UPDATE live_sessions SET hide_counts = :hide_counts WHERE id = :session_id",
            {"hide_counts": int(hide), "session_id": session_id},
        )


def set_notes(db: Database, actor: Person, session_id: int, notes: str) -> None:
    """The trainer's notes, printed in the session summary."""
    with write_transaction(db):
        require_trainer(db, actor, session_id)
        db.execute(
            "UPDATE live_sessions SET notes = :notes WHERE id = :session_id",
            {"notes": notes.strip(), "session_id": session_id},
        )


def start_scenario(
    db: Database,
    actor: Person,
    session_id: int,
    scenario: Scenario,
    abandon_vote: bool = False,
) -> None:
    """Put a scenario of the session on screen, from its start.

    A vote in progress would be thrown away: that needs `abandon_vote`, the trainer's
    explicit confirmation."""
    with write_transaction(db):
        session = _open(db, actor, session_id)
        if scenario.id not in session.scenario_ids:
            raise LiveError(f"« {scenario.title} » ne fait pas partie de cette séance.")
        if session.decision_id is not None and not abandon_vote:
            raise LiveError(
                "Un vote est en cours : relancer l'abandonne. Cochez « Abandonner le vote"
                " en cours pour relancer », puis relancez."
            )
        _close_current(db, session)
        _save_state(db, session_id, scenario.id, engine.start(scenario))


# --- Decisions ------------------------------------------------------------------------


def open_vote(
    db: Database,
    actor: Person,
    session_id: int,
    scenario: Scenario,
    seconds: int | None = None,
) -> Decision:
    """Open a vote on the node on screen: a new decision, numbered after the last one.

    With `seconds`, a countdown: phones' votes are refused once it is over."""
    if seconds is not None and not 0 < seconds <= MAX_COUNTDOWN:
        raise LiveError(f"Le compte à rebours dure de 1 à {MAX_COUNTDOWN} secondes.")
    with write_transaction(db):
        session = _open(db, actor, session_id)
        state = _group_state(session, scenario)
        if session.decision_id is not None:
            raise LiveError("Un vote est déjà en cours sur cette scène.")
        offered = [choice.index for choice in engine.available_choices(scenario, state)]
        if not offered:
            raise LiveError("Cette scène est une fin : il n'y a rien à voter.")
        number = db.execute(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM live_decisions WHERE session_id = :session_id",
            {"session_id": session_id},
        ).fetchone()[0]
        path = [step["choice"] for step in state["history"]]
        now = utc()
        closes = iso(now + timedelta(seconds=seconds)) if seconds else None
        cursor = db.execute(
            "INSERT INTO live_decisions (session_id, number, scenario_id, node_id, path,"
            " choices, status, opened_at, closes_at) VALUES (:session_id, :number, :scenario_id,"
            " :node_id, :path, :choices, 'open', :opened_at, :closes_at) RETURNING id",
            {
                "session_id": session_id,
                "number": number,
                "scenario_id": scenario.id,
                "node_id": state["node"],
                "path": json.dumps(path),
                "choices": json.dumps(offered),
                "opened_at": iso(now),
                "closes_at": closes,
            },
        )
        decision_id = inserted_id(cursor)  # once: it reads the returned row
        db.execute(
            "UPDATE live_sessions SET decision_id = :decision_id WHERE id = :session_id",
            {"decision_id": decision_id, "session_id": session_id},
        )
    return live.get_decision(db, decision_id)


def freeze(db: Database, actor: Person, session_id: int) -> None:
    """« Arrêt sur image » : votes pause while the room discusses the node's prompt."""
    _step(db, actor, session_id, "freeze")


def resume(db: Database, actor: Person, session_id: int) -> None:
    _step(db, actor, session_id, "resume")


def reveal(db: Database, actor: Person, session_id: int, scenario: Scenario) -> None:
    """Show the tally and the feedback; the votes of known people go to the learning store."""
    _step(db, actor, session_id, "reveal", scenario)


def _step(db, actor: Person, session_id: int, name: str, scenario: Scenario | None = None) -> None:
    with write_transaction(db):
        session = _open(db, actor, session_id)
        decision = _current(db, session, name)
        stamp = ", revealed_at = :revealed_at" if name == "reveal" else ""
        params = {"status": TRANSITIONS[(decision.status, name)], "decision_id": decision.id}
        if stamp:
            params["revealed_at"] = iso()
        db.execute(
            f"UPDATE live_decisions SET status = :status{stamp} WHERE id = :decision_id", params
        )
        if name == "reveal":
            if scenario is None or scenario.id != decision.scenario_id:
                raise LiveError("Le scénario de ce vote est introuvable.")
            record_votes(db, session, decision, scenario)


def set_hands(db: Database, actor: Person, session_id: int, counts: dict[int, int]) -> None:
    """Show-of-hands counts typed by the trainer, added to the phones' votes."""
    with write_transaction(db):
        session = _open(db, actor, session_id)
        decision = _current(db, session, "hands")
        if any(index not in decision.choices or n < 0 for index, n in counts.items()):
            raise LiveError("Les mains levées se comptent par choix proposé, en nombres positifs.")
        hands = {str(index): int(n) for index, n in counts.items() if n}
        db.execute(
            "UPDATE live_decisions SET hands = :hands WHERE id = :decision_id",
            {"hands": json.dumps(hands), "decision_id": decision.id},
        )


def follow(
    db: Database,
    actor: Person,
    session_id: int,
    scenario: Scenario,
    choice: int | None = None,
) -> None:
    """The group takes `choice` (None: the majority) after the reveal."""
    with write_transaction(db):
        session = _open(db, actor, session_id)
        decision = _current(db, session, "follow")
        state = _group_state(session, scenario)
        if choice is None:
            counts, _ = live.tally(db, decision)
            choice = live.majority(counts)
            if choice is None:
                raise LiveError(
                    "Pas de majorité (égalité ou aucun vote) : choisissez l'option à suivre."
                )
        if choice not in decision.choices:
            raise LiveError("Ce choix n'était pas proposé à ce vote.")
        new_state = engine.choose(scenario, state, choice)
        db.execute(
            "UPDATE live_decisions SET status = 'closed', chosen = :chosen, closed_at = :closed_at"
            " WHERE id = :decision_id",
            {"chosen": choice, "closed_at": iso(), "decision_id": decision.id},
        )
        _save_state(db, session_id, scenario.id, new_state)
        if engine.is_over(scenario, new_state):
            _record_ending(db, session, scenario, new_state, decision)


def rejouer(
    db: Database, actor: Person, session_id: int, scenario: Scenario, decision_id: int
) -> None:
    """« Rejouer à partir d'ici » : back to just before an earlier decision, any branch."""
    with write_transaction(db):
        session = _open(db, actor, session_id)
        target = live.get_decision(db, decision_id)
        if target.session_id != session_id or target.scenario_id != scenario.id:
            raise LiveError("Cette décision n'appartient pas au scénario en cours.")
        # The group keeps its choice order: the same screens, the same letters as before.
        seed = session.state.get("seed") if session.state else None
        state = engine.replay(scenario, list(target.path), seed)  # IllegalMove if the file changed
        _close_current(db, session)
        _save_state(db, session_id, scenario.id, state)


# --- Recording -------------------------------------------------------------------------


def record_votes(
    db: Database, session: LiveSession, decision: Decision, scenario: Scenario
) -> None:
    """Each known person's vote as a group « chose » event (once: keyed by decision)."""
    seed = session.state.get("seed") if session.state else None
    state = engine.replay(scenario, list(decision.path), seed)
    voters = db.execute(
        "SELECT p.person_id, v.choice FROM live_votes v"
        " JOIN live_participants p ON p.id = v.participant_id"
        " WHERE v.decision_id = :decision_id AND p.person_id IS NOT NULL",
        {"decision_id": decision.id},
    ).fetchall()
    for person_id, choice in voters:
        store.record_scenario_state(
            db,
            person_id,
            scenario.id,
            state,
            "chose",
            node_id=decision.node_id,
            response=choice,
            session_id=live.event_session_id(session.id),
            mode="group",
            idempotency_key=f"{live.event_session_id(session.id)}-vote-{decision.id}",
        )


def _record_ending(
    db, session: LiveSession, scenario: Scenario, state: engine.State, decision
) -> None:
    """Every known participant « ended » the scenario with the group (mode group)."""
    people = db.execute(
        "SELECT person_id FROM live_participants WHERE session_id = :session_id"
        " AND person_id IS NOT NULL",
        {"session_id": session.id},
    ).fetchall()
    for (person_id,) in people:
        store.record_ending(
            db,
            person_id,
            scenario,
            state,
            session_id=live.event_session_id(session.id),
            mode="group",
            idempotency_key=f"{live.event_session_id(session.id)}-ended-{decision.id}",
        )


# --- Helpers ---------------------------------------------------------------------------


def _open(db, actor: Person, session_id: int) -> LiveSession:
    session = require_trainer(db, actor, session_id)
    if session.status != "open":
        state = "n'est pas encore ouverte" if session.status == "draft" else "est terminée"
        raise LiveError(f"Impossible : la séance {state}.")
    return session


def _current(db, session: LiveSession, name: str) -> Decision:
    if session.decision_id is None:
        raise LiveError("Aucun vote n'est en cours : ouvrez d'abord le vote.")
    decision = live.get_decision(db, session.decision_id)
    if name != "hands" and (decision.status, name) not in TRANSITIONS:
        label = MOVE_LABELS.get(name, name).lower()
        raise LiveError(
            f"Impossible de faire « {label} » : le vote est {STATUS_LABELS[decision.status]}."
        )
    if name == "hands" and decision.status == "closed":
        raise LiveError("Ce vote est clos : les mains levées ne peuvent plus changer.")
    return decision


def _group_state(session: LiveSession, scenario: Scenario) -> engine.State:
    if session.scenario_id != scenario.id or session.state is None:
        raise LiveError(f"La séance ne joue pas « {scenario.title} » en ce moment.")
    return engine.restore(scenario, session.state)  # IllegalMove if the file changed


def _close_current(db, session: LiveSession) -> None:
    """Close the decision on screen, if any (a vote left behind by rejouer or the end)."""
    if session.decision_id is not None:
        db.execute(
            "UPDATE live_decisions SET status = 'closed', closed_at = :closed_at"
            " WHERE id = :decision_id AND status != 'closed'",
            {"closed_at": iso(), "decision_id": session.decision_id},
        )


def _save_state(db, session_id: int, scenario_id: str, state: engine.State) -> None:
    db.execute(
        "UPDATE live_sessions SET scenario_id = :scenario_id, state = :state, decision_id = NULL"
        " WHERE id = :session_id",
        {
            "scenario_id": scenario_id,
            "state": json.dumps(state, ensure_ascii=False),
            "session_id": session_id,
        },
    )
