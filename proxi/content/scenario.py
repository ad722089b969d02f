"""Scenarios: the forum-theatre role-plays authored in `scenarios/*.yaml`.

`load_scenario` turns a file into an immutable `Scenario` plus the findings about its
structure (types, unknown keys, references between nodes, expressions). Graph checks and
path exploration live in `proxi.content.lint`; playing lives in `proxi.content.engine`.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from proxi.content import expr
from proxi.content.findings import Finding, Reporter, check_shape, has_errors, is_type
from proxi.content.yamlsource import Source, load
from proxi.errors import ContentError, ExpressionError
from proxi.labels import OUTCOMES

COMPETENCIES = {
    "ecoute": "Écoute",
    "apaisement": "Apaisement",
    "cadre": "Rappel du cadre",
    "securite": "Sécurité",
    "partenariat": "Partenariat",
    "tracabilite": "Traçabilité",
}
CARD_FIELDS = {
    "who": "Qui",
    "wants": "Ce qu'il ou elle veut",
    "knows": "Ce qu'il ou elle sait",
    "feels": "Ce qu'il ou elle ressent",
}


@dataclass(frozen=True)
class Character:
    key: str
    name: str
    card: dict[str, str]


@dataclass(frozen=True)
class Variable:
    name: str
    label: str
    minimum: int
    maximum: int
    start: int
    gauge: bool = False


@dataclass(frozen=True)
class Line:
    speaker: str
    text: str


@dataclass(frozen=True)
class Choice:
    index: int
    text: str
    goto: str
    feedback: str
    condition: expr.Tree | None = None
    condition_text: str = ""
    once: bool = False
    effects: tuple[expr.Effect, ...] = ()
    competencies: tuple[tuple[str, int], ...] = ()

    @property
    def weight(self) -> int:
        """Sum of competency effects: how good a professional move this is."""
        return sum(amount for _, amount in self.competencies)


@dataclass(frozen=True)
class Ending:
    outcome: str
    title: str
    debrief: str
    professional: str
    references: tuple[str, ...]


@dataclass(frozen=True)
class Node:
    id: str
    narration: str
    lines: tuple[Line, ...]
    choices: tuple[Choice, ...]
    trainer_notes: str = ""
    prompt: str = ""
    ending: Ending | None = None


def choice_letter(position: int) -> str:
    """How a choice is lettered where it is shown: A, B, C... by position, then numbers."""
    return chr(ord("A") + position) if position < 26 else str(position + 1)


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    summary: str
    module: str
    duration: int
    competencies: tuple[str, ...]
    player: str
    characters: dict[str, Character]
    variables: dict[str, Variable]
    start: str
    nodes: dict[str, Node]
    path: str = ""
    sources: tuple[str, ...] = ()  # the legal texts cited, as in force (proxi.content.sources)
    source: Source | None = field(default=None, compare=False, repr=False)  # for positions
    digest: str = field(default="", compare=False)  # of the file's text: which version this is

    def reachable(self) -> set[str]:
        """Node ids some sequence of choices leads to from the start (conditions ignored)."""
        seen, stack = set(), [self.start]
        while stack:
            node_id = stack.pop()
            if node_id in seen or node_id not in self.nodes:
                continue
            seen.add(node_id)
            stack.extend(choice.goto for choice in self.nodes[node_id].choices)
        return seen

    def speaker_name(self, key: str) -> str:
        character = self.characters.get(key)
        return character.name if character else key


_TOP_REQUIRED = {
    "id": str,
    "title": str,
    "summary": str,
    "module": str,
    "duration": int,
    "competencies": list,
    "characters": dict,
    "variables": dict,
    "start": str,
    "nodes": dict,
}
_TOP_OPTIONAL = {"player": str, "sources": list}
_NODE_OPTIONAL = {
    "narration": str,
    "lines": list,
    "trainer_notes": str,
    "prompt": str,
    "choices": list,
    "ending": dict,
}
_CHOICE_REQUIRED = {"text": str, "goto": str}
_CHOICE_OPTIONAL = {"feedback": str, "if": str, "once": bool, "effects": list, "competencies": dict}
_ENDING_REQUIRED = {"outcome": str, "title": str}
_ENDING_OPTIONAL = {"debrief": str, "professional": str, "references": list}
_VARIABLE_REQUIRED = {"min": int, "max": int, "start": int}
_VARIABLE_OPTIONAL = {"label": str, "gauge": bool}


def load_scenario(
    path: str | Path, text: str | None = None, partial: bool = False
) -> tuple[Scenario | None, list[Finding]]:
    """Read and check a scenario file; the Scenario is None when it has structural errors.

    With `partial`, a file with errors still gives the Scenario built from its usable parts
    (for the linter's static checks), or None when even that cannot be built.
    """
    path = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8") if text is None else text
        source = load(text, path)
    except ContentError as error:
        return None, [Finding.from_error(error)]
    except (OSError, UnicodeDecodeError) as error:
        return None, [Finding(path, 1, 1, "P007", f"fichier illisible : {error}")]
    report = Reporter(source)
    scenario = _build(source, report)
    if has_errors(report.findings) and not partial:
        return None, report.findings
    if scenario is not None:
        digest = hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:16]
        scenario = dataclasses.replace(scenario, digest=digest)
    return scenario, report.findings


def _build(source: Source, report: Reporter) -> Scenario | None:
    data = source.data
    if not check_shape(report, (), data, _TOP_REQUIRED, _TOP_OPTIONAL):
        return None
    stem = Path(source.path).stem
    if data["id"] != stem:
        report.add(
            ("id",),
            "S117",
            f"l'identifiant « {data['id']} » doit être le nom du fichier « {stem} »",
        )
    variables = _variables(data["variables"], report)
    characters = _characters(data["characters"], report)
    parsed = {key: _node(key, value, report, variables) for key, value in data["nodes"].items()}
    nodes = {key: node for key, node in parsed.items() if node is not None}
    for code in data["competencies"]:
        _check_competency(code, ("competencies",), report)
    player = data.get("player", "") if is_type(data.get("player"), str) else ""
    if player and player not in characters:
        report.add(("player",), "S113", f"personnage inconnu « {player} »")
    scenario = Scenario(
        id=data["id"],
        title=data["title"],
        summary=data["summary"],
        module=data["module"],
        duration=data["duration"],
        competencies=tuple(map(str, data["competencies"])),
        player=player,
        characters=characters,
        variables=variables,
        start=data["start"],
        nodes=nodes,
        path=source.path,
        sources=tuple(map(str, data.get("sources") or [])),
        source=source,
    )
    _check_references(scenario, data, report)
    return scenario


def _variables(raw: dict, report: Reporter) -> dict[str, Variable]:
    variables = {}
    for name, spec in raw.items():
        where = ("variables", name)
        if not str(name).isidentifier() or not check_shape(
            report, where, spec, _VARIABLE_REQUIRED, _VARIABLE_OPTIONAL
        ):
            if not str(name).isidentifier():
                report.add(
                    where, "P002", f"nom de variable invalide « {name} » (lettres, chiffres, _)"
                )
            continue
        if not spec["min"] <= spec["start"] <= spec["max"]:
            report.add(
                where + ("start",),
                "S110",
                f"la valeur de départ de « {name} » sort de [{spec['min']}, {spec['max']}]",
            )
        label = spec.get("label") if is_type(spec.get("label"), str) else name
        variables[name] = Variable(
            name, label, spec["min"], spec["max"], spec["start"], spec.get("gauge") is True
        )
    return variables


def _characters(raw: dict, report: Reporter) -> dict[str, Character]:
    characters = {}
    for key, spec in raw.items():
        where = ("characters", key)
        if not check_shape(report, where, spec, {"name": str, "card": dict}, {}):
            continue
        check_shape(report, where + ("card",), spec["card"], dict.fromkeys(CARD_FIELDS, str), {})
        card = {field: str(spec["card"].get(field, "")) for field in CARD_FIELDS}
        characters[key] = Character(str(key), spec["name"], card)
    return characters


def _node(key: str, raw: Any, report: Reporter, variables: dict) -> Node | None:
    where = ("nodes", key)
    if not check_shape(report, where, raw, {}, _NODE_OPTIONAL):
        return None
    lines = tuple(
        _line(where + ("lines", i), item, report) for i, item in enumerate(_list(raw, "lines"))
    )
    choices = tuple(
        choice
        for i, item in enumerate(_list(raw, "choices"))
        if (choice := _choice(where + ("choices", i), i, item, report, variables)) is not None
    )
    ending = (
        _ending(where + ("ending",), raw["ending"], report)
        if is_type(raw.get("ending"), dict)
        else None
    )
    return Node(
        id=str(key),
        narration=_text(raw, "narration"),
        lines=tuple(line for line in lines if line),
        choices=choices,
        trainer_notes=_text(raw, "trainer_notes"),
        prompt=_text(raw, "prompt"),
        ending=ending,
    )


def _list(raw: dict, key: str) -> list:
    return raw[key] if is_type(raw.get(key), list) else []


def _text(raw: dict, key: str) -> str:
    return raw[key].strip() if is_type(raw.get(key), str) else ""


def _line(where: tuple, raw: Any, report: Reporter) -> Line | None:
    if not check_shape(report, where, raw, {"speaker": str, "text": str}, {}):
        return None
    return Line(raw["speaker"], raw["text"].strip())


def _choice(where: tuple, index: int, raw: Any, report: Reporter, variables: dict) -> Choice | None:
    if not check_shape(report, where, raw, _CHOICE_REQUIRED, _CHOICE_OPTIONAL):
        return None
    condition = None
    if is_type(raw.get("if"), str):
        condition = _expression(where + ("if",), raw["if"], report, variables, expr.parse)
    effects = []
    for i, text in enumerate(_list(raw, "effects")):
        effect = _expression(where + ("effects", i), text, report, variables, expr.parse_effect)
        if effect is not None:
            effects.append(effect)
    competencies = []
    for code, amount in (
        (raw.get("competencies") or {}).items() if is_type(raw.get("competencies"), dict) else ()
    ):
        if _check_competency(code, where + ("competencies", code), report):
            if not is_type(amount, int) or not -3 <= amount <= 3:
                report.add(
                    where + ("competencies", code),
                    "P002",
                    "l'effet sur une compétence est un entier de -3 à 3",
                )
            else:
                competencies.append((code, amount))
    return Choice(
        index=index,
        text=raw["text"].strip(),
        goto=raw["goto"],
        feedback=_text(raw, "feedback"),
        condition=condition,
        condition_text=raw.get("if", "") if condition else "",
        once=raw.get("once") is True,
        effects=tuple(effects),
        competencies=tuple(competencies),
    )


def _expression(where: tuple, text: Any, report: Reporter, variables: dict, parser) -> Any:
    try:
        parsed = parser(str(text))
    except ExpressionError as error:
        report.add(where, "S109", f"expression illisible « {text} » : {error}")
        return None
    tree = parsed.value if isinstance(parsed, expr.Effect) else parsed
    read = expr.names(tree) | ({parsed.variable} if isinstance(parsed, expr.Effect) else set())
    unknown = sorted(read - set(variables))
    if unknown:
        report.add(
            where,
            "S107",
            f"variable non déclarée « {unknown[0]} » (déclarez-la dans « variables »)",
        )
        return None
    return parsed


def _ending(where: tuple, raw: dict, report: Reporter) -> Ending | None:
    if not check_shape(report, where, raw, _ENDING_REQUIRED, _ENDING_OPTIONAL):
        return None
    if raw["outcome"] not in OUTCOMES:
        report.add(
            where + ("outcome",),
            "P002",
            f"issue inconnue « {raw['outcome']} » : {', '.join(OUTCOMES)}",
        )
    references = tuple(str(item) for item in _list(raw, "references"))
    return Ending(
        raw["outcome"], raw["title"], _text(raw, "debrief"), _text(raw, "professional"), references
    )


def _check_competency(code: Any, where: tuple, report: Reporter) -> bool:
    if code in COMPETENCIES:
        return True
    report.add(where, "S114", f"compétence inconnue « {code} » : {', '.join(COMPETENCIES)}")
    return False


def _check_references(scenario: Scenario, data: dict, report: Reporter) -> None:
    """Links between parts of the file: start, targets, speakers, node kinds."""
    if scenario.start not in scenario.nodes:
        report.add(("start",), "S101", f"le nœud de départ « {scenario.start} » n'existe pas")
    declared = set(scenario.competencies)
    for node in scenario.nodes.values():
        where = ("nodes", node.id)
        for line_index, line in enumerate(node.lines):
            if line.speaker not in scenario.characters:
                report.add(
                    where + ("lines", line_index, "speaker"),
                    "S113",
                    f"personnage inconnu « {line.speaker} »",
                )
        for choice in node.choices:
            for code, _ in choice.competencies:
                if code not in declared:
                    report.add(
                        where + ("choices", choice.index, "competencies", code),
                        "S124",
                        f"compétence « {code} » absente de « competencies » : ajoutez-la en tête du fichier",
                    )
            if choice.goto not in scenario.nodes:
                report.add(
                    where + ("choices", choice.index, "goto"),
                    "S102",
                    f"le choix mène au nœud inconnu « {choice.goto} »",
                )
        if node.ending and node.choices:
            report.add(where + ("choices",), "S120", "une fin ne propose pas de choix")


def build_what_reads(source: Source) -> Scenario | None:
    """A Scenario from the parts of a source that read, for the studio's map and play-test.

    Missing or ill-typed top-level fields get neutral values, a node that does not read is
    kept as an empty node (so the map can mark it), and choices are numbered by position.
    None when the file has no readable node at all. Never for learners: findings are
    discarded here, `load_scenario` is the judge.
    """
    data = source.data
    raw_nodes = data.get("nodes") if isinstance(data, dict) else None
    if not isinstance(raw_nodes, dict) or not raw_nodes:
        return None
    assert isinstance(data, dict)
    filler = {
        **{"id": Path(source.path).stem, "title": "?", "summary": "?", "module": "?"},
        **{"duration": 1, "competencies": [], "characters": {}, "variables": {}},
        "start": str(next(iter(raw_nodes))),
    }
    fields = {**_TOP_REQUIRED, **_TOP_OPTIONAL}
    usable = {key: value for key, value in data.items() if is_type(value, fields.get(key, object))}
    readable = dataclasses.replace(source, data={**filler, **usable})
    scenario = _build(readable, Reporter(readable))
    if scenario is None:
        return None
    built = {str(key): node for key, node in scenario.nodes.items()}
    nodes = {
        str(key): _renumbered(built.get(str(key)) or Node(str(key), "", (), ()))
        for key in raw_nodes
    }
    start = scenario.start if scenario.start in nodes else next(iter(nodes))
    return dataclasses.replace(scenario, nodes=nodes, start=start)


def _renumbered(node: Node) -> Node:
    """Choices that did not read are left out: number the others by position, as the engine does."""
    choices = tuple(dataclasses.replace(c, index=i) for i, c in enumerate(node.choices))
    return dataclasses.replace(node, choices=choices)
