"""Where a learner goes next in a module (proxi/progress/places.py)."""

from proxi.content.course import CourseModule, Lesson
from proxi.progress import places

STEPS = ("a", "b", "c", "d")


def module(*step_counts: int) -> CourseModule:
    lessons = tuple(
        Lesson(f"0{i + 1}-l", "m", f"L{i + 1}", 5, STEPS[:count])
        for i, count in enumerate(step_counts)
    )
    return CourseModule("m", "M", 1, 10, (), 70, "2026-01-01", (), (), lessons)


def row(last: int, seen: list[int], done: bool = False) -> dict:
    return {"last_step": last, "steps_seen": seen, "completed_at": "x" if done else None}


def test_a_fresh_learner_starts_at_the_first_step_of_the_first_lesson():
    assert places.next_place(module(3, 2), {}) == places.Place("01-l", 0)


def test_finished_lessons_are_skipped_and_an_unfinished_one_reopens_where_it_was_left():
    states = {"01-l": row(2, [0, 1, 2], done=True), "02-l": row(1, [0, 1])}
    assert places.next_place(module(3, 4), states) == places.Place("02-l", 1)


def test_a_learner_who_went_back_resumes_at_the_first_step_never_seen():
    states = {"01-l": row(3, [0, 2, 3])}  # jumped ahead, step 1 never seen
    assert places.step_to_open(module(4).lessons[0], states) == 1


def test_every_lesson_done_means_the_quiz_and_a_finished_lesson_reopens_at_its_start():
    states = {"01-l": row(2, [0, 1, 2], done=True)}
    assert places.next_place(module(3), states).is_quiz
    assert places.step_to_open(module(3).lessons[0], states) == 0
    assert places.lesson_status(module(3).lessons[0], states) == places.DONE
    assert places.lesson_status(module(3, 1).lessons[1], states) == places.NOT_STARTED
