"""Managers' reports: scope in every query, statuses, due dates, path analytics."""

from __future__ import annotations

from datetime import date

import pytest

from proxi import dates
from proxi.errors import NotAllowed
from proxi.live import attendance
from proxi.live import sessions as live
from proxi.people import accounts, follow_up
from proxi.people.permissions import OPERATOR
from proxi.progress import dialect, due_dates, reports
from proxi.progress.reports import Filters, Viewer

PASSWORD = "mot-de-passe-solide"


@pytest.fixture
def ids(db, two_landlords) -> dict[str, int]:
    return two_landlords(db)


def viewer(db, person_id: int) -> Viewer:
    return Viewer.of(accounts.get_person(db, person_id))


def names(rows) -> set[str]:
    return {row.person.display_name for row in rows}


def test_manager_sees_only_their_organisation(db, ids):
    rows = reports.matrix(db, viewer(db, ids["manager_a"]))
    assert names(rows) == {"Alice Abri", "Arthur Ache"}


def test_coordinator_sees_every_organisation(db, ids):
    rows = reports.matrix(db, viewer(db, ids["coord"]))
    assert names(rows) == {"Alice Abri", "Arthur Ache", "Bruno Bel", "Berthe Bô"}


def test_trainer_sees_the_people_of_their_sessions_only(db, ids):
    assert names(reports.matrix(db, viewer(db, ids["trainer"]))) == {"Bruno Bel"}


def test_trainer_without_sessions_sees_nobody(db, ids):
    other = accounts.create_person(
        db, OPERATOR, "autre.formateur", "Paul Forme", PASSWORD, roles=["trainer"]
    )
    assert reports.matrix(db, Viewer.of(other)) == []


def test_learner_sees_only_themself(db, ids):
    assert names(reports.matrix(db, viewer(db, ids["alice"]))) == {"Alice Abri"}


def test_deactivated_people_are_shown_only_on_request(db, ids):
    accounts.set_active(db, OPERATOR, ids["berthe"], False)
    coordinator = viewer(db, ids["coord"])
    assert "Berthe Bô" not in names(reports.matrix(db, coordinator))
    assert "Berthe Bô" in names(reports.matrix(db, coordinator, include_inactive=True))


def test_scope_sql_carries_no_data_in_its_text(db):
    sql, params = reports.Scope(False, (7,), (12, 13)).sql(db)
    assert "7" not in sql and "12" not in sql
    assert params == {
        "scope_organisation_ids": dialect.list_value(db, [7]),
        "scope_person_ids": dialect.list_value(db, [12, 13]),
    }


def test_statuses_dates_and_scores(db, ids):
    rows = {r.person.display_name: r for r in reports.matrix(db, viewer(db, ids["coord"]))}
    assert rows["Alice Abri"].cell("m1").status == "completed"
    assert rows["Alice Abri"].cell("m1").score == 90.0
    assert rows["Arthur Ache"].cell("m1").status == "quiz_failed"
    assert rows["Bruno Bel"].cell("s1") == reports.Cell(
        "passed", rows["Bruno Bel"].cell("s1").date, outcome="favourable"
    )
    assert rows["Alice Abri"].cell("s1").status == "in_progress"
    assert rows["Berthe Bô"].cell("m1").status == "not_started"


def test_filters_by_site_category_status_and_accent_free_search(db, ids):
    rows = reports.matrix(db, viewer(db, ids["coord"]))
    assert names(reports.filtered(rows, Filters(site="Nord"))) == {"Alice Abri", "Bruno Bel"}
    assert names(reports.filtered(rows, Filters(job_category="mediateur"))) == {"Arthur Ache"}
    failed = Filters(status="quiz_failed", item_id="m1")
    assert names(reports.filtered(rows, failed)) == {"Arthur Ache"}
    assert names(reports.filtered(rows, Filters(search="berthe bo"))) == {"Berthe Bô"}
    assert names(reports.filtered(rows, Filters(organisation_id=ids["org_b"]))) == {
        "Bruno Bel",
        "Berthe Bô",
    }


def test_headline_figures_follow_the_scope(db, ids):
    rows = reports.matrix(db, viewer(db, ids["manager_a"]))
    head = reports.headline(db, viewer(db, ids["manager_a"]), rows, ["m1"])
    assert (head.people, head.started, head.quizzes_passed) == (2, 2, 1)
    assert head.completed == {"m1": 1}
    assert head.group_sessions == 0  # nobody of landlord A was in the session
    assert reports.sessions_held(db, viewer(db, ids["manager_b"])) == 1


def test_completion_by_organisation(db, ids):
    rows = reports.matrix(db, viewer(db, ids["coord"]))
    chart = reports.completion_by_organisation(rows, ["m1"])
    by_org = {line["organisation"]: line["percent"] for line in chart}
    assert by_org == {"Habitat A": 50.0, "Logis B": 0.0}


def test_due_dates_give_overdue_people_of_the_organisation(db, ids, landlords_now):
    manager = viewer(db, ids["manager_a"])
    follow_up.set_due_date(
        db, accounts.get_person(db, ids["manager_a"]), "m1", date(2026, 3, 1),
        organisation_id=ids["org_a"],
    )  # fmt: skip
    late = reports.overdue(
        reports.matrix(db, manager), due_dates.visible(db, manager), landlords_now.date()
    )
    assert [(row.person.display_name, due.module_id) for row, due in late] == [
        ("Arthur Ache", "m1")
    ]
    assert due_dates.visible(db, viewer(db, ids["manager_b"])) == []


def test_a_manager_cannot_set_another_organisations_due_date(db, ids):
    with pytest.raises(NotAllowed):
        follow_up.set_due_date(
            db, accounts.get_person(db, ids["manager_a"]), "m1", dates.today(),
            organisation_id=ids["org_b"],
        )  # fmt: skip


def test_inactive_lists_people_idle_for_n_days_and_never_active(db, ids, landlords_now):
    rows = reports.matrix(db, viewer(db, ids["coord"]))
    assert names(reports.inactive(rows, 30, landlords_now)) == {"Berthe Bô"}
    assert names(reports.inactive(rows, 7, landlords_now)) == set(names(rows))


def test_path_analytics_counts_solo_and_group_apart(db, ids):
    counts = reports.path_analytics(db, viewer(db, ids["coord"]), "s1")
    found = {(c.mode, c.node_id, c.choice_index): c.count for c in counts}
    assert found == {
        ("solo", "n1", 0): 1,
        ("solo", "n1", 1): 1,
        ("solo", "n2", 1): 1,
        ("group", "n1", 2): 1,
    }


def test_path_analytics_is_scoped_and_filterable_by_organisation(db, ids):
    mine = reports.path_analytics(db, viewer(db, ids["manager_a"]), "s1")
    assert {(c.mode, c.node_id, c.choice_index) for c in mine} == {("solo", "n1", 1)}
    coordinator = viewer(db, ids["coord"])
    only_b = reports.path_analytics(db, coordinator, "s1", ids["org_b"])
    assert {(c.mode, c.choice_index) for c in only_b if c.node_id == "n1"} == {
        ("solo", 0),
        ("group", 2),
    }


@pytest.mark.sqlite_only("reads SQLite's query plan")
def test_path_analytics_reads_the_covering_index_not_the_events(db, ids):
    executed: list[str] = []
    db.conn.set_trace_callback(executed.append)
    reports.path_analytics(db, viewer(db, ids["manager_a"]), "s1")
    db.conn.set_trace_callback(None)
    solo = next(sql for sql in executed if "FROM events e" in sql)
    plan = " ".join(str(row) for row in db.execute("EXPLAIN QUERY PLAN " + solo))
    assert "events_by_path_mode" in plan


def test_endings_reached_per_scenario(db, ids):
    assert reports.endings(db, viewer(db, ids["coord"]), ["s1"]) == [("s1", "solo", "fin", 1)]
    assert reports.endings(db, viewer(db, ids["manager_a"]), ["s1"]) == []


def test_person_report_outside_the_scope_is_refused(db, ids):
    with pytest.raises(NotAllowed):
        reports.person_report(db, viewer(db, ids["manager_a"]), ids["bruno"])


def test_person_report_has_timeline_scores_and_sessions(db, ids):
    report = reports.person_report(db, viewer(db, ids["manager_b"]), ids["bruno"])
    assert report.scenarios["s1"]["best_outcome"] == "favourable"
    assert [s["title"] for s in report.sessions] == ["Conflits"]
    assert {event["verb"] for event in report.timeline} >= {"started", "chose", "ended"}


def test_attendance_sheet_shows_only_visible_participants(db, ids):
    session = live.get_session(db, ids["session"])

    def names(who: str) -> list[str]:
        lines = attendance.sheet(db, session, viewer(db, ids[who])).lines
        return [line.name for line in lines if line.status != attendance.TRAINER]

    assert names("trainer") == ["Bruno Bel", "Invité"]
    assert names("coord") == ["Bruno Bel", "Invité"]
    assert names("manager_b") == ["Bruno Bel"]
    assert names("manager_a") == []
    assert reports.visible_sessions(db, viewer(db, ids["manager_a"])) == []


def test_completed_modules_and_their_rows_for_bulk_attestations(db, ids):
    manager = viewer(db, ids["manager_a"])
    done = reports.completed_modules(reports.matrix(db, manager), "m1")
    assert [(person.display_name, module) for person, module in done] == [("Alice Abri", "m1")]
    assert set(reports.module_rows(db, manager, "m1")) == {ids["alice"], ids["arthur"]}
    assert set(reports.module_rows(db, viewer(db, ids["manager_b"]), "m1")) == set()
