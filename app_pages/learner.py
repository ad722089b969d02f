"""The learner's progress as the pages see it: a facade over the progress store for one person.

Reads come once per run (and again after a write, so the screen shows the action just made);
writes carry the time since the tab's previous interaction and the idempotency keys that
make a double click count once.
"""

from __future__ import annotations

import time

import streamlit as st

from app_pages.connection import db
from app_pages.identity import per_run, require
from proxi.people.accounts import Person
from proxi.progress import places, store


class LearnerProgress:
    """The page-side face of the progress store for one learner."""

    def __init__(self, person: Person) -> None:
        self.person = person
        self._overview: store.LearnerOverview | None = None  # read on first use
        self._states: dict[str, dict] = {}  # module_id -> lesson_progress rows, this run

    @property
    def overview(self) -> store.LearnerOverview:
        """Modules, scenarios, resume point: four queries, made only when a screen reads
        them (a lesson's step or a scenario's choice mostly does not), once per run."""
        if self._overview is None:
            self._overview = store.learner_overview(db(), self.person.id)
        return self._overview

    def _refresh(self, module_id: str | None = None) -> None:
        """Read again after a write, so the screen shows the state the action just made."""
        self._overview = None
        self._states.pop(module_id, None)

    def _elapsed(self) -> float:
        """Seconds since this tab's previous interaction (the store caps it)."""
        now = time.monotonic()
        previous = st.session_state.get("_last_interaction", now)
        st.session_state["_last_interaction"] = now
        return now - previous

    # Reading ----------------------------------------------------------------------------
    def last_module(self) -> str | None:
        resume = self.overview.resume
        return resume.module_id if resume and resume.kind == "lesson" else None

    def last_scenario(self) -> str | None:
        resume = self.overview.resume
        return resume.scenario_id if resume and resume.kind == "scenario" else None

    def lesson_states(self, module) -> dict[str, dict]:
        """lesson_id -> progress row for this module (one query per run, again after a write)."""
        if module.id not in self._states:
            self._states[module.id] = store.lesson_states(db(), self.person.id, module.id)
        return self._states[module.id]

    def lesson_step(self, module, lesson) -> int:
        return places.step_to_open(lesson, self.lesson_states(module))

    def lesson_status(self, module, lesson) -> str:
        return places.lesson_status(lesson, self.lesson_states(module))

    def lessons_done(self, module) -> int:
        """How many of the module's lessons were seen to the end."""
        return places.lessons_done(module, self.lesson_states(module))

    def next_place(self, module) -> places.Place:
        return places.next_place(module, self.lesson_states(module))

    def module_status(self, module) -> str:
        if self._overview is None:  # one row, not the whole overview (a step's check)
            row = store.module_row(db(), self.person.id, module.id) or {}
        else:
            row = self.overview.module(module.id)
        return row.get("status") or "not_started"

    def quiz_attempts(self, module) -> int:
        return self.overview.module(module.id).get("quiz_attempts") or 0

    def quiz_best(self, module) -> int | None:
        best = self.overview.module(module.id).get("quiz_best")
        return None if best is None else round(best)

    def saved_state(self, scenario) -> dict | None:
        return store.saved_scenario_state(db(), self.person.id, scenario.id)

    # Writing ----------------------------------------------------------------------------
    def record_step(self, module, lesson, step: int) -> None:
        key = f"{lesson.ref}#{step}"
        if st.session_state.get("_last_step") == key:
            return  # a rerun of the same screen is not a new view
        st.session_state["_last_step"] = key
        lesson_ids = [item.id for item in module.lessons]
        store.record_step(
            db(),
            self.person.id,
            module.id,
            lesson.id,
            step,
            len(lesson.steps),
            lesson_ids,
            duration_s=self._elapsed(),
        )
        self._refresh(module.id)

    def record_answer(self, block, response, correct) -> None:
        module_id, _, rest = block.id.partition("/")
        context = {"module_id": module_id, "lesson_id": rest.partition("#")[0]}
        key = f"answer-{block.id}-{st.session_state.get('_answer_nonce', 0)}-{response}"
        store.record_answer(
            db(),
            self.person.id,
            block.id,
            response,
            None if block.kind == "reflexion" else correct,
            context,
            key,
            duration_s=self._elapsed(),
        )

    def record_quiz(self, module, score: int, responses, attempt_key: str) -> None:
        lesson_ids = [item.id for item in module.lessons]
        store.record_quiz(
            db(),
            self.person.id,
            module.id,
            score,
            100,
            module.pass_mark,
            lesson_ids,
            responses=responses,
            duration_s=self._elapsed(),
            idempotency_key=f"quiz-{self.person.id}-{attempt_key}-{st.session_state.get('_tab', '')}",
        )
        self._refresh(module.id)

    def record_scenario(
        self,
        scenario,
        state: dict,
        verb: str,
        node=None,
        choice=None,
        decision=None,
        made_from=None,
    ) -> None:
        """Record a move; with `made_from`, a move from an out-of-date screen raises StaleMove."""
        from proxi.content import engine

        common = {"duration_s": self._elapsed(), "made_from": made_from}
        if verb == "chose":
            store.record_scenario_state(
                db(),
                self.person.id,
                scenario.id,
                state,
                "chose",
                node_id=node,
                response=choice,
                **common,
            )
            if engine.is_over(scenario, state):
                store.record_ending(db(), self.person.id, scenario, state)
        elif verb == "rewound":
            store.record_scenario_state(
                db(), self.person.id, scenario.id, state, "rewound", response=decision, **common
            )
        else:
            store.record_scenario_state(
                db(), self.person.id, scenario.id, state, "started", **common
            )


def learner_progress() -> LearnerProgress:
    """One per run: a page and the step fragment it draws read the same progress."""
    return per_run("learner-progress", lambda: LearnerProgress(require()))
