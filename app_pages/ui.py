"""Widgets and helpers every page shares: content cache, error cards, gauges, blocks.

Everything a person reads here is French. Nothing user-written is ever rendered as HTML:
text goes through `st.markdown`/`st.text`, which escape HTML, and the only `st.html` calls
carry our own constant CSS, and one constant script (`scroll_to_title`) whose only variable
part is a hex digest.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import math
import time
from collections.abc import Callable, Mapping
from datetime import date, datetime

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from proxi import dates
from proxi.content.catalogue import Catalogue, content_dirs, fingerprint, load_catalogue
from proxi.content.course import ChoiceQuestion, Course, Matching, Reflection
from proxi.content.findings import Finding
from proxi.content.markdown import display_text, plain
from proxi.content.scenario import COMPETENCIES, Scenario
from proxi.documents.attestation import Completion, attestations_pdf
from proxi.documents.connections import connections_csv, connections_pdf
from proxi.documents.spreadsheet import attendance_csv, file_name, inert_table
from proxi.errors import ProxiError
from proxi.labels import OUTCOMES, outcome_phrase
from proxi.live.attendance import Sheet
from proxi.live.report import attendance_markdown

OUTCOME_COLOURS = {"favourable": "green", "mitigee": "orange", "defavorable": "red"}
OUTCOME_BADGES = {code: (outcome_phrase(code), OUTCOME_COLOURS[code]) for code in OUTCOMES}

BASE_CSS = """
<style>
/* Big, thumb-friendly buttons for choices on a phone. */
div[data-testid="stButton"] button { min-height: 3rem; text-align: left; }
@media print {
  header, [data-testid="stSidebar"], [data-testid="stToolbar"], .stButton { display: none !important; }
}
</style>
"""


# Streamlit keeps the scroll position across reruns, so « Étape suivante » would open the
# next step mid-page. The script runs in the page (st.html is not iframed) and brings its
# own anchor (placed just above the step's title) to the top of the screen, once per place:
# a rerun on the same step (answering a block) stays where the learner is.
_SCROLL_TO_TITLE = """<span id="proxi-place-%(place)s" style="scroll-margin-top: 4rem"></span>
<script>
(() => {
  const place = "%(place)s";
  if (window.__proxiPlace === place) return;
  window.__proxiPlace = place;
  const go = (tries) => {
    const anchor = document.getElementById("proxi-place-" + place);
    if (anchor) anchor.scrollIntoView({block: "start"});
    else if (tries > 0) requestAnimationFrame(() => go(tries - 1));
  };
  go(30);
})();
</script>"""


def scroll_to_title(place: str) -> None:
    """Open this place (a lesson step, a quiz, a scenario node) at its title, once per place.

    Call it just above the title."""
    digest = hashlib.sha256(place.encode()).hexdigest()[:16]
    st.html(_SCROLL_TO_TITLE % {"place": digest}, unsafe_allow_javascript=True)


@st.cache_resource(show_spinner=False, max_entries=4)
def _load(stamp: str) -> Catalogue:
    """One catalogue per content fingerprint: `stamp` must be hashed (no leading underscore)."""
    return load_catalogue()


FINGERPRINT_EVERY_S = 2.0  # how stale an edited file may be seen, at most
# Content folders -> (when their fingerprint was read, the catalogue of that fingerprint).
# A plain dict, not st.cache_data: catalogue() runs several times in every run of every
# page, and Streamlit's caches hash their arguments and inspect the function's signature
# on each call (a sixth of a phone's poll). Keyed by the folders: another folder (a test's
# fixtures) is read at once, never served the last folder's content.
_seen: dict[tuple[str, ...], tuple[float, Catalogue]] = {}


def _fingerprint() -> str:
    """A digest, short to hash as `_load`'s key."""
    return hashlib.sha256(repr(fingerprint()).encode()).hexdigest()


def content_changed() -> None:
    """A content file was just written (the studio): read the content again on the next call."""
    _seen.clear()


def catalogue() -> Catalogue:
    """The content, parsed once per version; files are stat'ed at most every 2 s."""
    folders = tuple(str(folder) for folder in content_dirs())
    now = time.monotonic()
    seen = _seen.get(folders)
    if seen is None or now - seen[0] >= FINGERPRINT_EVERY_S:
        seen = (now, _load(_fingerprint()))  # the same fingerprint: _load's cached catalogue
        if len(_seen) > 8:  # folders of tests come and go; a server has one
            _seen.clear()
        _seen[folders] = seen
    return seen[1]


def table(data, **options) -> None:
    """st.dataframe with every cell inert for spreadsheets (its download button exports them).

    Dates and instants stay values, so that their columns sort; they are shown as everywhere
    else: « 25/11/2026 », « 25/11/2026 14:05 » in Paris time (proxi.dates)."""
    config = {**_date_columns(data), **options.pop("column_config", {})}
    st.dataframe(inert_table(data), column_config=config or None, **options)


def facts(shown: Mapping[str, object]) -> None:
    """Label-value pairs as a list (« Nom : … »), not a two-column table: on a phone a table
    cut the longer values. The values are escaped: what people typed shows as typed."""
    st.markdown("\n".join(f"- **{label}** : {plain(value)}" for label, value in shown.items()))


def _date_columns(data) -> dict:
    if isinstance(data, dict):
        columns = data
    elif isinstance(data, list) and all(isinstance(row, dict) for row in data):
        names = dict.fromkeys(name for row in data for name in row)
        columns = {name: [row.get(name) for row in data] for name in names}
    else:
        return {}
    config = {}
    for name, values in columns.items():
        kinds = {type(value) for value in values if value is not None}
        if kinds == {datetime}:
            config[name] = st.column_config.DatetimeColumn(
                format=dates.MOMENT_PATTERN, timezone=dates.PARIS.key
            )
        elif kinds == {date}:
            config[name] = st.column_config.DateColumn(format=dates.DAY_PATTERN)
    return config


def page_link(page: str, label: str, icon: str | None = None) -> None:
    """st.page_link; nothing when the page file runs on its own, outside the navigation
    (as the role-by-page security test runs every file), where no page can be linked."""
    with contextlib.suppress(StreamlitPageNotFoundError):
        st.page_link(page, label=label, icon=icon)


def multiselect(label: str, options, default=None, where=st, **options_) -> list:
    """st.multiselect in French: its placeholder (« Choose options ») and its « Select all »
    are Streamlit's English unless set."""
    return where.multiselect(
        label, options, default, placeholder="Choisir…", select_all=False, **options_
    )


def form_action(name: str, action: Callable[[], str], emptied: Mapping[str, object]) -> None:
    """A form's submit callback: run `action`, which reads the form's fields by key.

    Success puts each field of `emptied` (key -> what it shows next: "" for a text field,
    the default of a choice) back to that value and keeps `action`'s message; a refusal
    keeps everything that was typed, with the French message. `form_result(name)` shows
    either in the form, next to its button.

    The values are set, never deleted: a deleted key makes Streamlit draw the widget with
    its default, but the browser keeps showing (and sends again) what was typed. A file
    uploader cannot be set: give it a new key instead (see training_parts).
    """
    try:
        message = action()
    except ProxiError as error:
        st.session_state[f"form-result-{name}"] = ("error", str(error))
        return
    for key, value in emptied.items():
        st.session_state[key] = value
    st.session_state[f"form-result-{name}"] = ("success", message)


def form_result(name: str, kinds: tuple[str, ...] = ("error", "success")) -> None:
    """Show (once) what `form_action` kept for the form `name`, if it is one of `kinds`: a
    form that folds away on success shows its refusals inside and its success outside."""
    key = f"form-result-{name}"
    if st.session_state.get(key, ("",))[0] in kinds:
        kind, message = st.session_state.pop(key)
        (st.error if kind == "error" else st.success)(message)


def error_card(finding: Finding) -> None:
    st.error(
        f"**Ce contenu ne peut pas être affiché.**\n\n"
        f"Fichier `{finding.path.split('/')[-2] + '/' + finding.path.split('/')[-1]}`, "
        f"ligne {finding.line}, colonne {finding.col} — code {finding.code} : {finding.message}\n\n"
        "Le reste de Proxi fonctionne. Prévenez la personne qui écrit les contenus.",
        icon="⚠️",
    )


def content_errors(cat: Catalogue, path_part: str = "") -> None:
    """One card per broken file (the first error of each)."""
    shown = set()
    for finding in cat.errors():
        if path_part in finding.path and finding.path not in shown:
            shown.add(finding.path)
            error_card(finding)


def markdown(text: str, course: Course | None = None) -> None:
    """Lesson or scene Markdown; glossary words are explained just below the text."""
    shown, terms, lessons = display_text(text)
    st.markdown(shown)
    if course and terms:
        with st.expander("📖 Mots expliqués"):
            for term_id in dict.fromkeys(terms):
                term = course.glossary.get(term_id)
                if term:
                    st.markdown(f"**{term.term}** : {term.definition}")
    for label, ref in lessons:
        lesson = course.lesson(ref) if course else None
        if lesson:
            st.caption(f"Voir aussi : « {lesson.title} » ({label})")


def gauge(label: str, value: int, minimum: int, maximum: int) -> None:
    share = (value - minimum) / max(1, maximum - minimum)
    st.progress(min(1.0, max(0.0, share)), text=f"{label} : {value} / {maximum}")


def scenario_gauges(scenario: Scenario, values: dict[str, int]) -> None:
    for variable in scenario.variables.values():
        if variable.gauge:
            gauge(variable.label, values[variable.name], variable.minimum, variable.maximum)


def competency_chart(competencies: dict[str, int]) -> None:
    rows = [
        {"Compétence": COMPETENCIES.get(code, code), "Points": value}
        for code, value in competencies.items()
    ]
    if rows:
        bars(rows, "Compétence", ["Points"], "Points")


BAR_STEP = 18  # pixels per bar of a group: a line of four modules is 72 px high
VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"  # Altair 6's


def bars(rows: list[dict], label: str, series: list[str], value_title: str) -> None:
    """Horizontal bars: one line per `label` (its text in full on the left), one bar per
    column of `series`, side by side, each with its value at its end; the axis is titled
    `value_title` and reaches past the longest bar, so that no bar or value is cut.
    Drawn with Vega-Lite rather than st.bar_chart, whose axes read « value --
    streamlit-generated » and swap their titles when horizontal. What a screen reader
    says of the chart, its axes, legend and bars is French too: Vega's own descriptions
    are English (« X-axis for a linear scale with values from 0 to 80 »)."""
    values = tuple(tuple(row.get(name, 0) for name in series) for row in rows)
    lines = tuple(row[label] for row in rows)
    spec = _bars_spec(lines, values, label, tuple(series), value_title)
    st.vega_lite_chart(copy.deepcopy(spec), width="stretch")


@functools.lru_cache(maxsize=256)
def _bars_spec(
    lines: tuple, values: tuple, label: str, series: tuple[str, ...], value_title: str
) -> dict:
    """The Vega-Lite spec of `bars`, as a plain dict cached by its data: building it with
    Altair (objects, then a schema validation) cost ~half of a scenario's ending. The same
    spec Altair made and st.altair_chart sent (tests/test_bars.py compares them)."""
    long = [
        {"label": line, "series": name, "value": value}
        for line, row in zip(lines, values, strict=True)
        for name, value in zip(series, row, strict=True)
    ]
    numbers = [item["value"] for item in long]
    low, high = min(0, *numbers), max(0, *numbers)
    room = max(1, round((high - low) * 0.15))  # space for the value written past the bar
    domain = [low - room if low < 0 else 0, high + room]
    x_axis = {"description": f"Axe horizontal : {value_title}", "values": axis_ticks(low, high)}
    encoding: dict = {
        "x": {"axis": x_axis, "field": "value",
              "scale": {"domain": domain}, "title": value_title, "type": "quantitative"},
        "y": {"axis": {"description": f"Axe vertical : {label}", "labelLimit": 0},
              "field": "label", "sort": None, "title": None, "type": "nominal"},
    }  # fmt: skip
    said = 'datum.label + " : " + datum.value'  # each bar, as a screen reader says it
    # Heights by the step of each bar, not a total: with one line and a total height, Vega
    # drew grouped bars one pixel thick (seen on a manager's one-organisation dashboard).
    height: dict = {"step": 28}
    if len(series) > 1:
        legend = {"description": "Légende : " + ", ".join(series), "orient": "top"}
        encoding["color"] = {"field": "series", "legend": legend, "sort": list(series),
                             "title": None, "type": "nominal"}  # fmt: skip
        encoding["yOffset"] = {"field": "series", "sort": list(series), "type": "nominal"}
        said = 'datum.label + ", " + datum.series + " : " + datum.value'
        height = {"step": BAR_STEP, "for": "offset"}
    tooltip = [{"field": "label", "title": label, "type": "nominal"},
               {"field": "value", "title": value_title, "type": "quantitative"}]  # fmt: skip
    text = {"field": "value", "type": "quantitative"}
    described = {
        **encoding,
        "description": {"field": "said", "type": "nominal"},
        "tooltip": tooltip,
    }
    # Keys in Altair's order (encodings sorted): the same JSON text, the same element id.
    bar = {"mark": {"type": "bar"}, "encoding": dict(sorted(described.items())),
           "transform": [{"calculate": said, "as": "said"}]}  # fmt: skip
    return {
        "layer": [
            bar,
            _value_layer("left", 4, ">=", encoding, text),
            _value_layer("right", -4, "<", encoding, text),
        ],  # fmt: skip
        "data": {"values": long},
        "description": f"Graphique en barres : {value_title}, par {label.lower()}",
        "height": height,
        "$schema": VEGA_LITE_SCHEMA,
        "datasets": {},
    }


def axis_ticks(low: float, high: float) -> list[int]:
    """Round ticks from `low` to `high`, at most eleven. The axis runs past the longest bar
    to leave room for its value, but a tick out there read as a figure: « 115 » on an axis
    of percentages."""
    span = max(high - low, 1)
    magnitude = 10 ** max(0, math.floor(math.log10(span)) - 1)
    step = next(m * magnitude for m in (1, 2, 5, 10, 20, 50) if span / (m * magnitude) <= 10)
    return list(range(math.ceil(low / step) * step, math.floor(high) + 1, step))


def _value_layer(align: str, dx: int, sign: str, encoding: dict, text: dict) -> dict:
    """The values written at the end of the bars: past them, on the side they grow to."""
    return {
        "mark": {"type": "text", "align": align, "aria": False, "dx": dx},
        "encoding": dict(sorted({**encoding, "text": text}.items())),
        "transform": [{"filter": f"datum.value {sign} 0"}],
    }


def outcome_badge(outcome: str) -> None:
    label, color = OUTCOME_BADGES.get(outcome, (outcome, "gray"))
    st.badge(label, color=color)


def choice_question(block: ChoiceQuestion, key: str, on_answer=None) -> bool | None:
    """A multiple-choice block with feedback on every option; returns success once answered."""
    with st.form(key=f"form-{key}"):
        st.markdown(f"**{block.question}**")
        labels = [option.text for option in block.options]
        if block.multiple:
            st.caption("Plusieurs réponses possibles.")
            picked = {i for i, label in enumerate(labels) if st.checkbox(label, key=f"{key}-{i}")}
        else:
            choice = st.radio(
                "Votre réponse",
                labels,
                index=None,
                key=f"{key}-radio",
                label_visibility="collapsed",
            )
            picked = {labels.index(choice)} if choice is not None else set()
        submitted = st.form_submit_button("Valider ma réponse", type="primary")
    if submitted and not picked:
        st.warning("Choisissez au moins une réponse avant de valider.")
        return None
    if submitted and on_answer:
        on_answer(block, sorted(picked), block.is_right(picked))
    if submitted:
        st.session_state[f"answered-{key}"] = sorted(picked)
    answered = st.session_state.get(f"answered-{key}")
    if answered is None:
        return None
    right = block.is_right(set(answered))
    (st.success if right else st.error)(
        "Bonne réponse !" if right else "Ce n'est pas la bonne réponse."
    )
    for index, option in enumerate(block.options):
        mark = "✔ Juste :" if option.correct else "✘ Faux :"
        chosen = " (votre choix)" if index in answered else ""
        st.markdown(f"{mark} **{option.text}**{chosen} — {option.feedback}")
    return right


def matching(block: Matching, key: str, on_answer=None) -> bool | None:
    """« Qui fait quoi » : one select per situation, then the right answers."""
    placeholder = "— Choisir —"
    with st.form(key=f"form-{key}"):
        st.markdown(f"**{block.question}**")
        answers = block.answers()
        picks = {
            i: st.selectbox(pair.situation, [placeholder, *answers], key=f"{key}-{i}")
            for i, pair in enumerate(block.pairs)
        }
        submitted = st.form_submit_button("Vérifier", type="primary")
    if submitted:
        chosen = {i: value for i, value in picks.items() if value != placeholder}
        st.session_state[f"answered-{key}"] = chosen
        if on_answer:
            on_answer(block, chosen, block.score(chosen) == len(block.pairs))
    chosen = st.session_state.get(f"answered-{key}")
    if chosen is None:
        return None
    score = block.score(chosen)
    st.info(f"{score} bonne(s) association(s) sur {len(block.pairs)}.")
    for i, pair in enumerate(block.pairs):
        ok = chosen.get(i) == pair.answer
        st.markdown(f"{'✔' if ok else '✘'} {pair.situation} → **{pair.answer}** {pair.feedback}")
    if block.feedback:
        st.markdown(block.feedback)
    return score == len(block.pairs)


def reflection(block: Reflection, key: str, on_answer=None) -> bool | None:
    with st.form(key=f"form-{key}"):
        # No max_chars: the browser would silently refuse a longer paste; say so instead.
        text = st.text_area(block.question, key=f"{key}-text")
        submitted = st.form_submit_button("Enregistrer ma réflexion")
    refusal = block.refusal(text) if submitted else None
    if refusal:
        st.warning(refusal)
        return None
    if submitted:
        st.session_state[f"answered-{key}"] = text.strip()
        if on_answer:
            on_answer(block, text.strip(), True)
    if st.session_state.get(f"answered-{key}") is None:
        return None
    st.success("Réflexion enregistrée. Quelques pistes :")
    st.markdown(block.guidance or "Parlez-en avec votre responsable ou en séance de groupe.")
    return True


BLOCK_WIDGETS = {"qcm": choice_question, "associer": matching, "reflexion": reflection}


def pdf_buttons(db, selection: list[Completion], key: str, plural: bool = True) -> None:
    """Attestation and certificat de réalisation downloads, one page per completion, each
    built only when clicked; named for what, whom and the day (« proxi-attestation-karim-
    haddad-gestion-des-conflits-2026-12-02.pdf », « proxi-attestations-<module>-... »)."""
    s = "s" if plural else ""
    first = selection[0]  # never empty: the pages offer these only for some completion
    whom = first.module.title if plural else f"{first.person_name} {first.module.title}"
    left, right = st.columns(2)
    for where, kind, label in (
        (left, "attestation", f"Attestation{s} de fin de formation (PDF)"),
        (right, "certificat", f"Certificat{s} de réalisation (PDF)"),
    ):
        where.download_button(
            label,
            lambda kind=kind: attestations_pdf(db, selection, kind),
            file_name(f"{kind}{s}", whom, dates.today(), "pdf"),
            "application/pdf",
            key=f"{kind}-{key}",
            on_click="ignore",
        )


def attendance_sheet(db, sheet: Sheet) -> None:
    """The feuille d'émargement as the trainer's console and the dashboard both show it:
    the printable sheet, then its downloads."""
    text = attendance_markdown(db, sheet)
    st.markdown(text)
    name = f"emargement-{sheet.session.day}-{sheet.session.id}"
    left, right = st.columns(2)
    left.download_button(
        "Télécharger (CSV)", attendance_csv(sheet), f"{name}.csv", "text/csv", key="dl-emargement"
    )
    right.download_button(
        "Télécharger (Markdown)", text, f"{name}.md", "text/markdown", key="dl-emargement-md"
    )


def connection_buttons(db, person_id: int, name: str, titles: dict[str, str], key: str) -> None:
    """The relevé de connexions (dates, times and durations of activity per module), for
    French Excel and as a PDF proof; each built only when clicked, named for the person
    and the day."""
    left, right = st.columns(2)
    left.download_button(
        "Relevé de connexions (CSV pour Excel)",
        lambda: connections_csv(db, person_id, titles),
        file_name("connexions", name, dates.today(), "csv"),
        "text/csv",
        key=f"connexions-csv-{key}",
        on_click="ignore",
    )
    right.download_button(
        "Relevé de connexions (PDF)",
        lambda: connections_pdf(db, person_id, titles),
        file_name("connexions", name, dates.today(), "pdf"),
        "application/pdf",
        key=f"connexions-pdf-{key}",
        on_click="ignore",
    )
