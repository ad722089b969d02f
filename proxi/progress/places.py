"""Where a learner goes next: the first unfinished lesson and step, or the module's quiz.

Pure functions over a module (content) and the learner's `lesson_progress` rows
(`store.lesson_states`), so « Ouvrir », « Reprendre » and the lesson list agree on one rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from proxi.content.course import CourseModule, Lesson

NOT_STARTED, IN_PROGRESS, DONE = "not_started", "in_progress", "done"


@dataclass(frozen=True)
class Place:
    """A lesson and a step to open, or (lesson_id None) the module's final quiz."""

    lesson_id: str | None
    step: int = 0

    @property
    def is_quiz(self) -> bool:
        return self.lesson_id is None


def lesson_status(lesson: Lesson, states: dict[str, dict]) -> str:
    row = states.get(lesson.id)
    if row is None:
        return NOT_STARTED
    return DONE if row.get("completed_at") else IN_PROGRESS


def step_to_open(lesson: Lesson, states: dict[str, dict]) -> int:
    """A finished lesson reopens at its start (a review); an unfinished one where the
    learner stopped, or at the first step they have not seen once everything after it is."""
    row = states.get(lesson.id)
    count = len(lesson.steps)
    if row is None or row.get("completed_at") or count == 0:
        return 0
    last = min(row.get("last_step") or 0, count - 1)
    unseen = sorted(set(range(count)) - set(row.get("steps_seen") or ()))
    if not unseen or any(step > last for step in unseen):
        return last
    return unseen[0]


def next_place(module: CourseModule, states: dict[str, dict]) -> Place:
    """The first unfinished lesson (at its step), or the quiz once every lesson is done."""
    for lesson in module.lessons:
        if lesson_status(lesson, states) != DONE:
            return Place(lesson.id, step_to_open(lesson, states))
    return Place(None)


def lessons_done(module: CourseModule, states: dict[str, dict]) -> int:
    return sum(lesson_status(lesson, states) == DONE for lesson in module.lessons)
