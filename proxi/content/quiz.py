"""The final quiz's fairness rules: the order of the options, and what a result reveals.

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
