"""Course modules: `modules/<order>-<slug>/module.yaml`, numbered lessons and the glossary.

`load_course` reads every module folder and the glossary and returns a `Course` plus the
findings about them. A broken module is left out of the course (with its findings) and
every other module still loads.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from proxi.content.findings import WARNING, Finding, Reporter, check_shape, has_errors, is_type
from proxi.content.markdown import RawBlock, parse_lesson
from proxi.content.yamlsource import MAX_BYTES, Source, control_character, load
from proxi.errors import ContentError

LESSON_FILE = re.compile(r"^\d{2}-[a-z0-9-]+\.md$")


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class ChoiceQuestion:
    """Multiple choice: one answer (`multiple` false) or every correct one."""

    id: str
    question: str
    multiple: bool
    options: tuple[Option, ...]
    kind: str = "qcm"
    review: str = ""  # final quiz: the lesson part to re-read, « 01-lecon#2 » (proxi.content.quiz)

    def correct_indexes(self) -> set[int]:
        return {i for i, option in enumerate(self.options) if option.correct}

    def is_right(self, picked: set[int]) -> bool:
        return set(picked) == self.correct_indexes()


@dataclass(frozen=True)
class Pair:
    situation: str
    answer: str
    feedback: str = ""


@dataclass(frozen=True)
class Matching:
    """« Qui fait quoi » : each situation is matched to one answer."""

    id: str
    question: str
    pairs: tuple[Pair, ...]
    distractors: tuple[str, ...]
    feedback: str
    kind: str = "associer"

    def answers(self) -> list[str]:
        """Every answer to pick from, sorted so the order gives nothing away."""
        return sorted({pair.answer for pair in self.pairs} | set(self.distractors))

    def score(self, picked: dict[int, str]) -> int:
        return sum(picked.get(i) == pair.answer for i, pair in enumerate(self.pairs))


@dataclass(frozen=True)
class Reflection:
    id: str
    question: str
    guidance: str
    kind: str = "reflexion"

    MAX_CHARS: ClassVar[int] = 3000

    def refusal(self, text: str) -> str | None:
        """Why this answer cannot be saved (French), or None: the page keeps the text either
        way, so the learner can shorten it rather than type it again."""
        if not text.strip():
            return "Écrivez quelques mots avant d'enregistrer."
        if len(text.strip()) > self.MAX_CHARS:
            return (
                f"Votre réflexion fait {_thousands(len(text.strip()))} caractères, "
                f"{_thousands(self.MAX_CHARS)} au plus : raccourcissez-la. "
                "Votre texte est gardé ci-dessus."
            )
        return None


def _thousands(number: int) -> str:
    """« 3 000 »: French groups digits with a narrow no-break space."""
    return f"{number:,}".replace(",", "\u202f")


Block = ChoiceQuestion | Matching | Reflection


@dataclass(frozen=True)
class Step:
    title: str
    parts: tuple[str | Block, ...]  # Markdown text and blocks, in reading order

    def blocks(self) -> list[Block]:
        return [part for part in self.parts if not isinstance(part, str)]


@dataclass(frozen=True)
class Lesson:
    id: str  # file stem, e.g. "01-quartiers"
    module_id: str
    title: str
    duration: int
    steps: tuple[Step, ...]
    path: str = ""

    @property
    def ref(self) -> str:
        return f"{self.module_id}/{self.id}"

    def blocks(self) -> list[Block]:
        return [block for step in self.steps for block in step.blocks()]


@dataclass(frozen=True)
class CourseModule:
    id: str  # folder name, e.g. "4-gestion-des-conflits"
    title: str
    order: int
    duration: int
    objectives: tuple[str, ...]
    pass_mark: int
    up_to_date: str
    further_reading: tuple[str, ...]
    quiz: tuple[ChoiceQuestion, ...]
    lessons: tuple[Lesson, ...]
    path: str = ""
    sources: tuple[str, ...] = ()  # the legal texts cited, as in force (proxi.content.sources)
    reveal_after: int = 3  # failed quiz attempts before the answers are shown

    def lesson(self, lesson_id: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)


@dataclass(frozen=True)
class Term:
    id: str
    term: str
    definition: str


@dataclass
class Course:
    modules: dict[str, CourseModule] = field(default_factory=dict)
    glossary: dict[str, Term] = field(default_factory=dict)
    glossary_path: str = ""

    def lesson(self, ref: str) -> Lesson | None:
        module_id, _, lesson_id = ref.partition("/")
        module = self.modules.get(module_id)
        return module.lesson(lesson_id) if module else None


_MODULE_REQUIRED = {
    "title": str,
    "order": int,
    "duration": int,
    "objectives": list,
    "pass_mark": int,
    "quiz": list,
}
_MODULE_OPTIONAL = {
    "up_to_date": str,
    "further_reading": list,
    "sources": list,
    "reveal_after": int,
}
_QUESTION_REQUIRED = {"question": str, "options": list}
_QUESTION_OPTIONAL = {"multiple": bool, "id": str, "review": str}
_OPTION_REQUIRED = {"text": str, "correct": bool}
_OPTION_OPTIONAL = {"feedback": str}


def load_course(root: str | Path) -> tuple[Course, list[Finding]]:
    """Load the glossary and every module folder under `root`."""
    root = Path(root)
    course, findings = Course(), []
    glossary_path = root / "glossaire.yaml"
    if glossary_path.exists():
        course.glossary, found = load_glossary(glossary_path)
        course.glossary_path = str(glossary_path)
        findings += found
    for folder in sorted(path for path in root.iterdir() if path.is_dir()):
        if not (folder / "module.yaml").exists():
            continue
        module, found = load_module(folder)
        findings += found
        if module is not None:
            course.modules[module.id] = module
    course.modules = dict(sorted(course.modules.items(), key=lambda item: item[1].order))
    return course, findings


def _read(path: Path, text: str | None = None, line_offset: int = 0) -> Source:
    """Parse a YAML file or fragment; raises ContentError with the place."""
    try:
        text = path.read_text(encoding="utf-8") if text is None else text
    except (OSError, UnicodeDecodeError) as error:
        raise ContentError(str(path), 1, 1, "P007", f"fichier illisible : {error}") from None
    return load(text, str(path), line_offset)


def load_glossary(path: Path) -> tuple[dict[str, Term], list[Finding]]:
    try:
        source = _read(path)
    except ContentError as error:
        return {}, [Finding.from_error(error)]
    report = Reporter(source)
    if not isinstance(source.data, dict):
        report.add((), "P002", "le glossaire est une liste de termes « id: {term, definition} »")
        return {}, report.findings
    terms = {}
    for term_id, raw in source.data.items():
        if check_shape(report, (term_id,), raw, {"term": str, "definition": str}, {}):
            terms[str(term_id)] = Term(str(term_id), raw["term"], raw["definition"].strip())
    return terms, report.findings


def load_module(folder: Path) -> tuple[CourseModule | None, list[Finding]]:
    path = folder / "module.yaml"
    try:
        source = _read(path)
    except ContentError as error:
        return None, [Finding.from_error(error)]
    report = Reporter(source)
    data = source.data
    if isinstance(data, dict) and isinstance(data.get("up_to_date"), datetime.date):
        data["up_to_date"] = data["up_to_date"].isoformat()  # YAML reads 2026-11-01 as a date
    if not check_shape(report, (), data, _MODULE_REQUIRED, _MODULE_OPTIONAL):
        return None, report.findings
    quiz = tuple(_questions(report, ("quiz",), data["quiz"], f"{folder.name}/quiz"))
    if not quiz:
        report.add(("quiz",), "M207", "le quiz final n'a aucune question")
    if not 0 < data["pass_mark"] <= 100:
        report.add(("pass_mark",), "P002", "le seuil de réussite est un pourcentage de 1 à 100")
    lessons, findings = [], list(report.findings)
    for lesson_path in sorted(folder.glob("*.md")):
        if not LESSON_FILE.match(lesson_path.name):
            findings.append(
                Finding(
                    str(lesson_path),
                    1,
                    1,
                    "M209",
                    "nom de leçon attendu : « 01-titre.md » (deux chiffres, tiret, minuscules)",
                    WARNING,
                )
            )
            continue
        lesson, found = load_lesson(lesson_path, folder.name)
        findings += found
        if lesson is not None:
            lessons.append(lesson)
    module = CourseModule(
        id=folder.name,
        title=data["title"],
        order=data["order"],
        duration=data["duration"],
        objectives=tuple(map(str, data["objectives"])),
        pass_mark=data["pass_mark"],
        up_to_date=str(data.get("up_to_date", "")),
        further_reading=tuple(map(str, data.get("further_reading") or [])),
        quiz=quiz,
        lessons=tuple(lessons),
        path=str(path),
        sources=tuple(map(str, data.get("sources") or [])),
        reveal_after=data.get("reveal_after", 3),
    )
    # Its own reporter: a wrong link to re-read is reported but does not drop the module.
    reviews = Reporter(source)
    reviews.findings.clear()
    _check_reviews(reviews, module, folder)
    return (None if has_errors(report.findings) else module), findings + reviews.findings


def _check_reviews(report: Reporter, module: CourseModule, folder: Path) -> None:
    """Each final-quiz question names a lesson part that exists (shown after a miss)."""
    if module.reveal_after < 1:
        report.add(
            ("reveal_after",), "P002", "« reveal_after » est un nombre de tentatives, 1 ou plus"
        )
    for index, question in enumerate(module.quiz):
        where = ("quiz", index, "review")
        lesson_id, _, step = question.review.partition("#")
        lesson = module.lesson(lesson_id)
        if lesson is None and (folder / f"{lesson_id}.md").exists():
            continue  # the lesson is there but broken: its own findings say why
        if not question.review:
            report.warn(
                ("quiz", index),
                "M216",
                "ajoutez « review: 01-lecon#2 » : la partie à relire en cas d'erreur",
            )
        elif lesson is None or (
            step and not (step.isdigit() and 1 <= int(step) <= len(lesson.steps))
        ):
            report.add(
                where,
                "M215",
                f"partie de leçon inconnue « {question.review} » (forme : 01-lecon#2, étape comptée à partir de 1)",
            )


def _questions(report: Reporter, where: tuple, raw: list, prefix: str):
    for index, item in enumerate(raw):
        question = _choice_question(report, where + (index,), item, f"{prefix}#{index + 1}")
        if question is not None:
            yield question


def _choice_question(
    report: Reporter, where: tuple, raw: Any, block_id: str
) -> ChoiceQuestion | None:
    if not check_shape(report, where, raw, _QUESTION_REQUIRED, _QUESTION_OPTIONAL):
        return None
    options = []
    for index, item in enumerate(raw["options"]):
        if check_shape(
            report, where + ("options", index), item, _OPTION_REQUIRED, _OPTION_OPTIONAL
        ):
            feedback = item.get("feedback", "") if is_type(item.get("feedback"), str) else ""
            if not feedback:
                report.warn(
                    where + ("options", index),
                    "M204",
                    "cette réponse n'a pas de feedback : dites pourquoi elle est juste ou non",
                )
            options.append(Option(item["text"].strip(), item["correct"], feedback.strip()))
    multiple = raw.get("multiple") is True
    correct = sum(option.correct for option in options)
    if correct == 0:
        report.add(where, "M201", "aucune réponse n'est marquée juste (correct: true)")
    elif correct > 1 and not multiple:
        report.add(
            where,
            "M208",
            "plusieurs réponses justes : ajoutez « multiple: true » ou n'en gardez qu'une",
        )
    if len(options) < 2:
        report.add(where + ("options",), "M210", "une question a au moins deux réponses")
    block_id = raw.get("id", block_id) if is_type(raw.get("id"), str) else block_id
    review = raw["review"].strip() if is_type(raw.get("review"), str) else ""
    return ChoiceQuestion(
        block_id, raw["question"].strip(), multiple, tuple(options), review=review
    )


def load_lesson(
    path: Path, module_id: str, text: str | None = None
) -> tuple[Lesson | None, list[Finding]]:
    try:
        text = path.read_text(encoding="utf-8") if text is None else text
    except (OSError, UnicodeDecodeError) as error:
        return None, [Finding(str(path), 1, 1, "P007", f"fichier illisible : {error}")]
    if len(text.encode("utf-8", "replace")) > MAX_BYTES:
        return None, [Finding(str(path), 1, 1, "P006", "fichier trop volumineux (plus de 2 Mo)")]
    if refused := control_character(text, str(path)):  # Markdown would show it as « � »
        return None, [Finding.from_error(refused)]
    raw = parse_lesson(text)
    findings: list[Finding] = []
    try:
        front = _read(path, raw.front_matter, line_offset=1)
    except ContentError as error:
        return None, [Finding.from_error(error)]
    report = Reporter(front)
    if not raw.front_matter:
        front.line_offset = 0
        report.add(
            (),
            "M211",
            "en-tête manquant : commencez par « --- », « title: … », « duration: … », « --- »",
        )
        return None, report.findings
    if not check_shape(report, (), front.data, {"title": str, "duration": int}, {}):
        return None, report.findings
    findings += report.findings
    steps = []
    for number, raw_step in enumerate(raw.steps):
        parts: list[str | Block] = []
        for part in raw_step.parts:
            block = (
                part
                if isinstance(part, str)
                else _block(
                    path, part, f"{module_id}/{path.stem}#{number + 1}.{len(parts) + 1}", findings
                )
            )
            if block is not None:
                parts.append(block)
        steps.append(Step(raw_step.title or front.data["title"], tuple(parts)))
    for fence, line in raw.unknown_fences:
        findings.append(
            Finding(
                str(path), line, 1, "M205", f"bloc inconnu « {fence} » : qcm, associer ou reflexion"
            )
        )
    lesson = Lesson(
        path.stem, module_id, front.data["title"], front.data["duration"], tuple(steps), str(path)
    )
    return (None if has_errors(findings) else lesson), findings


def _block(path: Path, raw: RawBlock, block_id: str, findings: list[Finding]) -> Block | None:
    try:
        source = load(raw.text, str(path), line_offset=raw.line - 1)
    except ContentError as error:
        findings.append(Finding.from_error(error))
        return None
    report = Reporter(source)
    block = _BUILDERS[raw.kind](report, source.data, block_id)
    findings += report.findings
    return block


def _matching(report: Reporter, data: Any, block_id: str) -> Matching | None:
    optional = {"distractors": list, "feedback": str, "id": str}
    if not check_shape(report, (), data, {"question": str, "pairs": list}, optional):
        return None
    pairs = []
    for index, item in enumerate(data["pairs"]):
        if check_shape(
            report, ("pairs", index), item, {"situation": str, "answer": str}, {"feedback": str}
        ):
            pairs.append(
                Pair(
                    item["situation"].strip(),
                    item["answer"].strip(),
                    str(item.get("feedback", "")).strip(),
                )
            )
    if len(pairs) < 2:
        report.add(("pairs",), "M212", "un exercice « associer » a au moins deux situations")
    if not is_type(data.get("feedback"), str) and not all(pair.feedback for pair in pairs):
        report.warn((), "M204", "ajoutez un « feedback » qui explique les bonnes associations")
    distractors = tuple(str(item) for item in data.get("distractors") or [])
    return Matching(
        data.get("id", block_id),
        data["question"].strip(),
        tuple(pairs),
        distractors,
        str(data.get("feedback", "")).strip(),
    )


def _reflection(report: Reporter, data: Any, block_id: str) -> Reflection | None:
    if not check_shape(report, (), data, {"question": str}, {"guidance": str, "id": str}):
        return None
    if not is_type(data.get("guidance"), str):
        report.warn((), "M213", "ajoutez des pistes (« guidance ») montrées après la réponse")
    return Reflection(
        data.get("id", block_id), data["question"].strip(), str(data.get("guidance", "")).strip()
    )


_BUILDERS = {
    "qcm": lambda report, data, block_id: _choice_question(report, (), data, block_id),
    "associer": _matching,
    "reflexion": _reflection,
}
