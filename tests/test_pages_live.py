"""A trainer and three participants run a group session through the pages, on ONE database."""

from datetime import date

from pages import click, join, page, texts
from streamlit.testing.v1 import AppTest

from proxi import dates
from proxi.content.catalogue import load_catalogue
from proxi.live import flow as live_flow
from proxi.live import room as live_room
from proxi.live import sessions as live


def test_trainer_and_three_participants_run_a_session(console_world):
    db, trainer, learners = console_world
    coach = page("sessions.py", trainer, db)
    assert not coach.exception
    coach.text_input[0].input("Tensions au quotidien")
    coach.multiselect[1].set_value(["porte"])
    coach.button[0].click()
    coach.run()
    (session,) = live.sessions_for(db, trainer)
    click(coach, "move-open_session")
    code = live.get_session(db, session.id).join_code
    assert f"**{live.display_code(code)}**" in texts(coach)

    phones = [
        page("join.py", learners[0], db),
        page("join.py"),
        page("join.py", query={"code": code}),
    ]
    join(phones[0], code)
    join(phones[1], live.display_code(code).lower(), "Léa Martin")
    join(phones[2], None, "Marc Petit")  # the code came in the link
    for phone in phones:
        assert not phone.exception and "pas encore ouvert" in texts(phone)

    click(coach, "start")
    click(coach, "move-open_vote")
    decision = live.snapshot(db, session.id).decision
    for phone in phones:
        phone.run()
    click(phones[0], f"vote-{decision.id}-1")  # « revenir demain »...
    click(phones[0], f"vote-{decision.id}-0")  # ...no: « l'écouter »
    click(phones[1], f"vote-{decision.id}-0")
    click(phones[2], f"vote-{decision.id}-1")
    # Letters follow the group's shuffled order, the same on every phone and on the projector.
    letter = {index: "AB"[position] for position, index in enumerate(decision.choices)}
    assert f"Votre vote : {letter[0]}." in phones[0].success[0].value
    assert live.snapshot(db, session.id).counts == {0: 2, 1: 1}

    projector = page("projector.py", trainer, db)
    assert not projector.exception
    assert f"**{live.display_code(code)}**" in texts(projector)
    bars = projector.get("progress")  # the live vote bars, in the phones' order
    votes = {0: 2, 1: 1}
    assert [b.proto.text.split(" ")[0] for b in bars] == [
        f"**{letter[index]}.**" for index in decision.choices
    ]
    assert [b.proto.text.rsplit("— ", 1)[1] for b in bars] == [
        f"{votes[index]} vote(s)" for index in decision.choices
    ]

    click(coach, "move-reveal")
    phones[2].run()
    assert "résultat est au tableau" in texts(phones[2])
    assert not any(b.key and b.key.startswith("vote-") for b in phones[2].button)
    click(coach, "move-follow")
    assert live.get_session(db, session.id).state["node"] == "ecoute"

    coach.selectbox(key="rejouer-from").set_value(decision.id)
    click(coach, "rejouer")
    assert live.get_session(db, session.id).state["node"] == "accueil"
    assert "**Décision 1**" in texts(coach)

    coach.checkbox(key="confirm-end").check()
    coach.run()
    click(coach, "end")
    assert live.get_session(db, session.id).status == "ended"
    phones[1].run()
    assert "séance est terminée" in "\n".join(s.value for s in phones[1].success)

    coach.session_state["console-tab"] = "Émargement"  # the trainer opens that tab
    sheet = texts(coach.run())
    for name in ("Claire Formatrice", "Agent 0", "Léa Martin", "Marc Petit"):
        assert name in sheet
    attended = db.execute(
        "SELECT count(*) FROM events WHERE person_id = :person_id AND verb = 'attended'",
        {"person_id": learners[0].id},
    ).fetchone()[0]
    assert attended == 1


def test_a_wrong_code_is_refused_on_the_phone(console_world):
    phone = join(page("join.py"), "ZZZZ-ZZZZ", "Léa")
    assert "aucune séance en cours" in texts(phone)


def test_learners_cannot_open_the_trainer_pages(console_world):
    db, _, learners = console_world
    for name in ("sessions.py", "projector.py"):
        at = page(name, learners[0], db)
        assert "pas accessible avec votre rôle" in texts(at)
        assert not any(b.key == "move-open_session" for b in at.button)


def test_the_trainer_merges_a_second_phone_line_and_undoes_an_attachment(console_world):
    db, trainer, learners = console_world
    session = live.create_session(
        db,
        trainer,
        "Séance",
        date(2026, 3, 12),
        "matin",
        "",
        [learners[0].organisation_id],
        ["porte"],
    )
    code = live_flow.open_session(db, trainer, session.id)
    live_room.join(db, code, guest_name="Léa Martin", device="a")
    live_room.join(db, code, guest_name="Léa M.", device="b")  # her second phone
    coach = page("sessions.py", trainer, db)
    coach.session_state["console-tab"] = "Participants et rôles"  # the trainer opens that tab
    coach.run()
    names = coach.selectbox(key="line").options
    assert names == ["Léa Martin (sans compte)", "Léa M. (sans compte)"]
    click(coach, "merge")
    assert not coach.exception
    assert [p.name for p in live_room.participants(db, session.id)] == ["Léa M."]
    (line,) = live_room.participants(db, session.id)
    live_room.match_guest(db, trainer, line.id, learners[1], {})
    coach.run()
    coach.selectbox(key="line").set_value(line.id).run()
    click(coach, "detach")
    assert [p.name for p in live_room.participants(db, session.id)] == ["Léa M."]
    assert coach.selectbox(key="line").options == ["Léa M. (sans compte)"]


def running_console(console_world, votes: list[int]):
    """The trainer's console on an open session, « porte » on screen, a vote with `votes`."""
    db, trainer, learners = console_world
    porte = load_catalogue().scenarios["porte"]
    session = live.create_session(db, trainer, "Séance", dates.today(), "matin", "", (), ["porte"])
    code = live_flow.open_session(db, trainer, session.id)
    live_flow.start_scenario(db, trainer, session.id, porte)
    decision = live_flow.open_vote(db, trainer, session.id, porte)
    for n, choice in enumerate(votes):
        joined = live_room.join(db, code, guest_name=f"Invité {n}", device=f"tab:{n}")
        live.vote(db, joined.token, decision.id, choice)
    return page("sessions.py", trainer, db), session, porte


def elements(at: AppTest) -> list:
    """Every element of the main area, in the order a person reads them."""
    found, stack = [], [at.main]
    while stack:
        node = stack.pop(0)
        children = list(getattr(node, "children", {}).values())
        if children:
            stack[:0] = children
        else:
            found.append(node)
    return found


def position(at: AppTest, kind: str, test) -> int:
    return next(i for i, e in enumerate(elements(at)) if e.type == kind and test(e))


def test_the_console_puts_the_moves_first_and_names_the_options(console_world):
    coach, session, _ = running_console(console_world, [0, 0, 1])
    order = live.snapshot(
        console_world[0], session.id
    ).decision.choices  # the group's shuffled order
    letter = {index: "AB"[position] for position, index in enumerate(order)}
    tally = next(m.value for m in coach.markdown if "vote(s)" in m.value)
    assert f"**{letter[0]}.** Vous l'écoutez. — **2** vote(s)" in tally
    assert f"**{letter[1]}.** Vous lui dites de revenir demain. — **1** vote(s)" in tally
    reveal = position(coach, "button", lambda e: e.key == "move-reveal")
    assert reveal < position(coach, "markdown", lambda e: "vote(s)" in e.value)
    assert reveal < position(coach, "button", lambda e: e.key == "start")


def test_a_tie_offers_the_tied_options_instead_of_an_error(console_world):
    coach, session, _ = running_console(console_world, [0, 1])
    click(coach, "move-reveal")
    assert not any(b.key == "move-follow" for b in coach.button)
    assert "Égalité : choisissez l'option à suivre." in [w.value for w in coach.warning]
    assert [b.label for b in coach.button if b.key.startswith("follow-tied-")] == [
        "Suivre A",
        "Suivre B",
    ]
    click(coach, "follow-tied-1")
    assert live.get_session(console_world[0], session.id).state["node"] == "colere"


def test_a_refusal_shows_beside_its_button_and_restarting_over_a_vote_needs_a_confirmation(
    console_world,
):
    db = console_world[0]
    coach, session, _ = running_console(console_world, [0])
    click(coach, "start")
    assert live.get_session(db, session.id).decision_id is not None  # the vote is kept
    (error,) = coach.error
    assert "Un vote est en cours" in error.value
    start = position(coach, "button", lambda e: e.key == "start")
    assert position(coach, "error", lambda e: True) == start + 1
    coach.checkbox(key="confirm-restart").check()
    click(coach.run(), "start")
    assert live.get_session(db, session.id).decision_id is None
    assert not coach.error


def test_a_refused_new_session_keeps_what_was_typed(console_world):
    db, trainer, _ = console_world
    coach = page("sessions.py", trainer, db)
    coach.text_input(key="new-title").input("Tensions au quotidien")
    coach.text_input(key="new-place").input("Salle des fêtes")
    coach.button[0].click()  # no scenario chosen: refused
    coach.run()
    assert "Choisissez au moins une mise en situation" in texts(coach)
    assert coach.text_input(key="new-title").value == "Tensions au quotidien"
    assert coach.text_input(key="new-place").value == "Salle des fêtes"
    coach.multiselect(key="new-scenarios").set_value(["porte"])
    coach.button[0].click()
    coach.run()
    assert [s.title for s in live.sessions_for(db, trainer)] == ["Tensions au quotidien"]
    assert coach.text_input(key="new-title").value == ""  # a success empties the form


def test_a_refused_sign_in_keeps_the_name_on_the_participants_tab(console_world):
    coach, _, _ = running_console(console_world, [])
    coach.session_state["console-tab"] = "Participants et rôles"
    coach.run()
    coach.text_input(key="add-name").input("   ")
    coach.button(key=next(b.key for b in coach.button if b.label == "Inscrire")).click()
    coach.run()
    assert "Choisissez une personne ou saisissez un nom." in texts(coach)
    assert coach.text_input(key="add-name").value == "   "
    assert coach.session_state["console-tab"] == "Participants et rôles"


def test_the_phone_shows_the_question_and_its_session(console_world):
    db, trainer, learners = console_world
    coach, session, _ = running_console(console_world, [])
    code = live.get_session(db, session.id).join_code
    phone = join(page("join.py"), code, "Léa Martin")
    assert phone.title[0].value == "Séance"  # the session's title, not « Rejoindre »
    assert "Léa Martin" in phone.caption[0].value
    assert [h.value for h in phone.subheader] == ["Que ressent M. Roche ?"]


def test_hidden_counts_and_a_countdown_set_from_the_console(console_world):
    db, trainer, _ = console_world
    coach, session, porte = running_console(console_world, [0, 0, 1])
    click(coach, "move-reveal")
    click(coach, "move-follow")  # on to « ecoute »: a new vote can open
    coach.toggle(key="hide-counts").set_value(True).run()
    assert live.get_session(db, session.id).hide_counts
    coach.number_input(key="countdown").set_value(45).run()
    click(coach, "move-open_vote")
    decision = live.snapshot(db, session.id).decision
    assert 40 <= decision.seconds_left() <= 45
    projector = page("projector.py", trainer, db, {"seance": str(session.id)})
    assert not projector.get("progress")  # no bar, no count per option before the reveal
    assert any(m.value.startswith("**0:4") for m in projector.markdown)
    click(coach, "move-reveal")
    assert len(projector.run().get("progress")) == 2


def test_with_two_open_sessions_the_projector_asks_which_and_shows_the_one_tapped(
    console_world,
):
    """Item 18: two rooms at once; the projector never picks one by itself."""
    db, trainer, learners = console_world
    opened = {}
    for title in ("Groupe du matin", "Groupe du soir"):
        created = live.create_session(
            db, trainer, title, date(2026, 3, 12), "matin", "", [], ["porte"]
        )
        opened[title] = (created.id, live_flow.open_session(db, trainer, created.id))
    projector = page("projector.py", trainer, db)
    assert not projector.exception
    assert "Quelle séance projeter ?" in texts(projector)
    evening_id, evening_code = opened["Groupe du soir"]
    assert {b.key for b in projector.button} == {f"project-{i}" for i, _ in opened.values()}
    click(projector, f"project-{evening_id}")
    assert projector.query_params["seance"] == str(evening_id)
    shown = texts(projector)
    assert live.display_code(evening_code) in shown
    assert live.display_code(opened["Groupe du matin"][1]) not in shown
