"""The final quiz of a module: all questions, a score, the pass mark, what to review."""

from __future__ import annotations

import streamlit as st

from proxi.content.course import CourseModule


def show_quiz(module: CourseModule, progress) -> None:
    st.subheader("Quiz final")
    st.caption(
        f"{len(module.quiz)} questions. Il faut {module.pass_mark} % de bonnes réponses pour réussir."
    )
    best_score = st.empty()  # filled at the end: it must include the attempt just made
    attempt = st.session_state.setdefault(f"quiz-attempt-{module.id}", 0)
    with st.form(f"quiz-{module.id}-{attempt}"):
        picks = [
            _question(module, index, question, attempt)
            for index, question in enumerate(module.quiz)
        ]
        submitted = st.form_submit_button("Valider le quiz", type="primary")
    if submitted:
        if any(pick is None for pick in picks):
            st.warning("Répondez à toutes les questions avant de valider.")
            _show_best(best_score, module, progress)
            return
        right = [question.is_right(pick) for question, pick in zip(module.quiz, picks, strict=True)]
        score = round(100 * sum(right) / len(right))
        progress.record_quiz(module, score, [sorted(p) for p in picks], f"{module.id}-{attempt}")
        st.session_state[f"quiz-result-{module.id}"] = (score, right)
    _show_best(best_score, module, progress)
    result = st.session_state.get(f"quiz-result-{module.id}")
    if result:
        _result(module, *result)


def _show_best(slot, module: CourseModule, progress) -> None:
    best = progress.quiz_best(module)
    if best is not None:
        slot.info(f"Votre meilleur score : {best} %.")


def _question(module: CourseModule, index: int, question, attempt: int) -> set[int] | None:
    st.markdown(f"**{index + 1}. {question.question}**")
    labels = [option.text for option in question.options]
    key = f"quiz-{module.id}-{attempt}-{index}"
    if question.multiple:
        st.caption("Plusieurs réponses possibles.")
        picked = {i for i, label in enumerate(labels) if st.checkbox(label, key=f"{key}-{i}")}
        return picked
    choice = st.radio(
        f"Question {index + 1}", labels, index=None, key=key, label_visibility="collapsed"
    )
    return {labels.index(choice)} if choice is not None else None


def _result(module: CourseModule, score: int, right: list[bool]) -> None:
    if score >= module.pass_mark:
        st.success(f"Quiz réussi : {score} % (seuil {module.pass_mark} %).")
    else:
        st.error(
            f"Quiz non réussi : {score} % (seuil {module.pass_mark} %). Revoyez ces points puis réessayez."
        )
    for question, ok in zip(module.quiz, right, strict=True):
        if not ok:
            good = [o for o in question.options if o.correct]
            st.markdown(
                f"✘ **{question.question}** — à revoir : "
                + " ; ".join(f"{o.text} ({o.feedback})" for o in good)
            )
    if st.button("Recommencer le quiz"):
        st.session_state[f"quiz-attempt-{module.id}"] = (
            st.session_state.get(f"quiz-attempt-{module.id}", 0) + 1
        )
        st.session_state.pop(f"quiz-result-{module.id}", None)
        st.rerun()
