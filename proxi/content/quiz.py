"""The final quiz's rules: how an attempt is marked, the order of the options, what a result
reveals.

`passes` is THE pass rule (the score reaches the pass mark, a percentage of the maximum):
the page shows its verdict (`grade`), the store records it (`store.record_quiz`), the demo
data follows it. No one else compares a score with a pass mark.

Authors tend to put the right answer first, so each attempt shows the options of every
question in its own order (`option_order`, seeded by the attempt). A failed attempt does
not hand out the answers, or the retry would be a free 100 %: it names the questions
missed and the lesson part to re-read (`review`). The answers are shown after a pass, or
once the learner has failed `reveal_after` times (set in `module.yaml`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from proxi.content.course import ChoiceQuestion, CourseModule, Lesson


@dataclass(frozen=True)
class Review:
    """A missed question and where the lesson explains it (lesson None: no link set)."""

    question: ChoiceQuestion
    lesson: Lesson | None
    step: int  # 0-based step of that lesson


@dataclass(frozen=True)
class Graded:
    """One attempt marked: which questions were right, the score, and the verdict."""

    right: list[bool]
    score: int  # percent of the questions right, rounded
    passed: bool


def passes(score: float, max_score: float, pass_mark: float) -> bool:
    """Whether `score` out of `max_score` reaches `pass_mark` percent (no questions: no)."""
    return max_score > 0 and 100 * score / max_score >= pass_mark


def grade(module: CourseModule, picks: list[set[int]]) -> Graded:
    """The attempt `picks` (the options picked, per question) marked against the module."""
    right = [question.is_right(pick) for question, pick in zip(module.quiz, picks, strict=True)]
    score = round(
        100 * sum(right) / len(right)
    )  # a module without questions is never served (M207)
    # The verdict is on the rounded score, the one recorded: screen and record always agree.
    return Graded(right, score, passes(score, 100, module.pass_mark))


def option_order(question: ChoiceQuestion, seed: int) -> list[int]:
    """The authored indexes of the options, in the order this attempt shows them."""
    order = list(range(len(question.options)))
    random.Random(f"{seed}/{question.id}").shuffle(order)  # str seed: stable everywhere
    return order


def reveals_answers(module: CourseModule, passed: bool, failed_attempts: int) -> bool:
    """Whether a result may show the right answers (after a pass, or enough tries)."""
    return passed or failed_attempts >= module.reveal_after


def to_review(module: CourseModule, right: list[bool]) -> list[Review]:
    """The questions missed, each with the lesson part to re-read."""
    return [
        Review(question, *lesson_part(module, question.review))
        for question, ok in zip(module.quiz, right, strict=True)
        if not ok
    ]


def lesson_part(module: CourseModule, review: str) -> tuple[Lesson | None, int]:
    """`01-lecon#2` -> (that lesson, step index 1); unknown or empty -> (None, 0)."""
    lesson_id, _, step = review.partition("#")
    lesson = module.lesson(lesson_id) if lesson_id else None
    if lesson is None:
        return None, 0
    number = int(step) - 1 if step.isdigit() else 0
    return lesson, min(max(number, 0), len(lesson.steps) - 1)
