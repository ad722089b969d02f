"""The final quiz of a module: options in a new order each attempt, a score, what to re-read.

The rules (the mark and the verdict, the order, when the answers are shown) are in
`proxi.content.quiz`: this page asks, it never compares a score with the pass mark.
"""

from __future__ import annotations

import secrets

import streamlit as st

from app_pages.lesson import go_to_step
from proxi.content import quiz
from proxi.content.course import CourseModule


def show_quiz(module: CourseModule, progress) -> None:
    st.subheader("Quiz final")
    st.caption(
        f"{len(module.quiz)} questions. Il faut {module.pass_mark} % de bonnes réponses pour réussir."
    )
    best_score = st.empty()  # filled at the end: it must include the attempt just made
    attempt = st.session_state.setdefault(f"quiz-attempt-{module.id}", 0)
    seed = st.session_state.setdefault(f"quiz-seed-{module.id}", secrets.randbelow(2**31))
    with st.form(f"quiz-{module.id}-{attempt}"):
        picks = [
            _question(module, index, question, attempt, seed)
            for index, question in enumerate(module.quiz)
        ]
        submitted = st.form_submit_button("Valider le quiz", type="primary")
    if submitted:
        if any(pick is None for pick in picks):
            st.warning("Répondez à toutes les questions avant de valider.")
            _show_best(best_score, module, progress)
            return
        graded = quiz.grade(module, picks)
        progress.record_quiz(
            module, graded.score, [sorted(p) for p in picks], f"{module.id}-{attempt}"
        )
        st.session_state[f"quiz-result-{module.id}"] = graded
    _show_best(best_score, module, progress)
    graded = st.session_state.get(f"quiz-result-{module.id}")
    if graded:
        _result(module, graded, failed_attempts=progress.quiz_attempts(module))


def _show_best(slot, module: CourseModule, progress) -> None:
    best = progress.quiz_best(module)
    if best is not None:
        slot.info(f"Votre meilleur score : {best} %.")


def _question(module: CourseModule, index: int, question, attempt: int, seed: int):
    """The picked options, as authored indexes (None while unanswered)."""
    st.markdown(f"**{index + 1}. {question.question}**")
    order = quiz.option_order(question, seed + attempt)
    key = f"quiz-{module.id}-{attempt}-{index}"
    if question.multiple:
        st.caption("Plusieurs réponses possibles.")
        return {i for i in order if st.checkbox(question.options[i].text, key=f"{key}-{i}")}
    choice = st.radio(
        f"Question {index + 1}",
        order,
        format_func=lambda i: question.options[i].text,
        index=None,
        key=key,
        label_visibility="collapsed",
    )
    return None if choice is None else {choice}


def _result(module: CourseModule, graded: quiz.Graded, failed_attempts: int) -> None:
    score = graded.score
    if graded.passed:
        st.success(f"Quiz réussi : {score} % (seuil {module.pass_mark} %).")
    else:
        st.error(
            f"Quiz non réussi : {score} % (seuil {module.pass_mark} %). Relisez ces passages puis réessayez."
        )
    reveal = quiz.reveals_answers(module, graded.passed, failed_attempts)
    for number, review in enumerate(quiz.to_review(module, graded.right)):
        st.markdown(f"✘ **{review.question.question}**")
        if reveal:
            good = [o for o in review.question.options if o.correct]
            st.markdown("Bonne réponse : " + " ; ".join(f"{o.text} ({o.feedback})" for o in good))
        if review.lesson is not None:
            step = review.lesson.steps[review.step]
            st.button(
                f"Relire : {review.lesson.title} — {step.title}",
                key=f"review-{module.id}-{number}",
                on_click=go_to_step,
                args=(review.lesson, review.step),
            )
    if not graded.passed and not reveal:
        left = module.reveal_after - failed_attempts
        st.info(
            "Les bonnes réponses ne sont pas affichées tout de suite, pour que le prochain essai "
            f"compte. Elles s'afficheront si vous réussissez, ou dans {left} essai(s)."
        )
    if st.button("Recommencer le quiz"):
        st.session_state[f"quiz-attempt-{module.id}"] = (
            st.session_state.get(f"quiz-attempt-{module.id}", 0) + 1
        )
        st.session_state.pop(f"quiz-result-{module.id}", None)
        st.rerun()
