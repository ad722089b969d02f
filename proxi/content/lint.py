"""The linter behind `python -m proxi check [PATHS]`.

Loads modules and scenarios, adds the checks that need the whole picture (graph, exhaustive
exploration, links between files) and returns every finding with a report per scenario;
`proxi.cli` prints them as `path:line:col: CODE message`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from proxi.content import explore, expr, sources
from proxi.content.course import Course, load_course
from proxi.content.findings import WARNING, Finding, Reporter, has_errors
from proxi.content.places import content_dirs
from proxi.content.scenario import Scenario, load_scenario
from proxi.content.yamlsource import load


@dataclass
class ScenarioReport:
    """What exhaustive exploration found, for the CLI summary and the tests."""

    scenario_id: str
    nodes: int
    paths: int | None
    endings_reached: dict[str, str]  # node id -> outcome
    paths_by_ending: dict[str, int] = field(default_factory=dict)
    competency_min: dict[str, int] = field(default_factory=dict)
    competency_max: dict[str, int] = field(default_factory=dict)
    worst_endings: set[str] = field(default_factory=set)
    complete: bool = True  # False: the exploration stopped (S118), nothing above is counted

    def paths_text(self) -> str:
        """The number of distinct playthroughs, as a person reads it."""
        if not self.complete:
            return "non compté (exploration arrêtée)"
        return "infini (boucle)" if self.paths is None else str(self.paths)


def lint_scenario(
    scenario: Scenario, course: Course | None = None
) -> tuple[list[Finding], ScenarioReport]:
    """Graph and path checks on a structurally valid scenario."""
    report = _reporter_for(scenario)
    _static_checks(scenario, report, course)
    exploration = explore.explore(scenario)
    _graph_errors(scenario, exploration, report)
    summary = _summary_checks(scenario, exploration, report)
    return report.findings, summary


def playability_errors(scenario: Scenario, course: Course | None = None) -> list[Finding]:
    """Every finding that keeps a scenario from learners, without the costly path summary."""
    report = _reporter_for(scenario)
    _static_checks(scenario, report, course)
    _graph_errors(scenario, explore.explore(scenario), report)
    return [finding for finding in report.findings if finding.severity != WARNING]


def _reporter_for(scenario: Scenario) -> Reporter:
    """A reporter placing findings with the positions kept when the file was loaded."""
    reporter = Reporter(scenario.source or load("{}", scenario.path))
    reporter.findings.clear()  # duplicates were already reported by the loader
    return reporter


@dataclass(frozen=True)
class Links:
    """Who leads where, as the file wrote it: in a file with errors, a node or a choice that
    could not be built still counts, so the parts that did build are judged fairly."""

    start: str
    targets: dict[str, tuple[str, ...]]  # node id -> the gotos of its choices
    dead_ends: frozenset[str]  # nodes written with neither choices nor an ending
    opaque: frozenset[str] = frozenset()  # nodes whose links cannot be read at all
    whole: bool = True  # every node and every choice was built

    def reachable(self) -> set[str]:
        seen, stack = set(), [self.start]
        while stack:
            node_id = stack.pop()
            if node_id not in seen and node_id in self.targets:
                seen.add(node_id)
                stack.extend(self.targets[node_id])
        return seen

    def unreachable(self) -> list[str]:
        """Nodes no choice leads to; none can be named while an opaque node may lead there."""
        reached = self.reachable()
        return [] if reached & self.opaque else sorted(self.targets.keys() - reached)

    @classmethod
    def of(cls, scenario: Scenario) -> Links:
        nodes = scenario.nodes
        return cls(
            scenario.start,
            {key: tuple(choice.goto for choice in node.choices) for key, node in nodes.items()},
            frozenset(key for key, node in nodes.items() if not node.ending and not node.choices),
        )

    @classmethod
    def as_written(cls, scenario: Scenario, data: dict) -> Links:
        """The links of the raw file (a structurally broken one: `data` is its YAML)."""
        targets, dead_ends, opaque = {}, set(), set()
        whole = True
        for key, raw in data["nodes"].items():  # a mapping, or no Scenario would exist
            node_id, written = str(key), raw.get("choices") if isinstance(raw, dict) else None
            choices: list = written if isinstance(written, list) else []
            gotos = [c.get("goto") for c in choices if isinstance(c, dict)]
            targets[node_id] = tuple(g for g in gotos if isinstance(g, str))
            if not isinstance(raw, dict) or written is not None and not isinstance(written, list):
                opaque.add(node_id)
            elif len(targets[node_id]) < len(choices):
                opaque.add(node_id)  # a choice without a readable goto may lead anywhere
            elif not choices and "ending" not in raw:
                dead_ends.add(node_id)
            built = scenario.nodes.get(node_id)
            whole = whole and built is not None and len(built.choices) == len(choices)
        return cls(str(data["start"]), targets, frozenset(dead_ends), frozenset(opaque), whole)


def _static_checks(
    scenario: Scenario, report: Reporter, course: Course | None, links: Links | None = None
) -> None:
    links = links or Links.of(scenario)
    if course is not None and course.modules and scenario.module not in course.modules:
        report.add(
            ("module",),
            "S119",
            f"module inconnu « {scenario.module} » : {', '.join(course.modules)}",
        )
    used = set()
    for node in scenario.nodes.values():
        where = ("nodes", node.id)
        if node.id in links.dead_ends:
            report.add(
                where,
                "S104",
                f"impasse : « {node.id} » n'est pas une fin et ne propose aucun choix",
            )
        if node.ending:
            _check_ending(node, where, report)
        elif not (node.trainer_notes and node.prompt):
            report.warn(
                where,
                "S116",
                "à chaque décision, écrivez « trainer_notes » et « prompt » (pour l'arrêt sur image)",
            )
        _check_length_cue(node, where, report)
        for choice in node.choices:
            used |= {effect.variable for effect in choice.effects}
            used |= expr.names(choice.condition) if choice.condition else set()
            if not choice.feedback:
                report.warn(
                    where + ("choices", choice.index),
                    "S111",
                    "choix sans feedback : expliquez en une ou deux phrases pourquoi",
                )
    if scenario.source is not None:
        sources.check_yaml(report, scenario.source.data, scenario.sources, "S123")
    for name in scenario.variables if links.whole else ():  # a choice left out may use it
        if name not in used:
            report.warn(
                ("variables", name), "S108", f"la variable « {name} » n'est jamais utilisée"
            )
    for node_id in links.unreachable():
        report.add(
            ("nodes", node_id),
            "S103",
            f"le nœud « {node_id} » n'est jamais atteint : aucun choix n'y mène",
        )


# The favourable choice may be longer, but not so much longer that length alone gives it away.
LENGTH_CUE_RATIO = 2


def _check_length_cue(node, where: tuple, report: Reporter) -> None:
    """S126: the favourable choice is far longer than every other (shuffling cannot hide it)."""
    if not node.choices:
        return
    top = max(choice.weight for choice in node.choices)
    weaker = [len(choice.text) for choice in node.choices if choice.weight < top]
    best = min(len(choice.text) for choice in node.choices if choice.weight == top)
    if weaker and best > LENGTH_CUE_RATIO * max(weaker):
        report.warn(
            where,
            "S126",
            f"le choix favorable fait {best} caractères, plus du double des autres"
            f" ({max(weaker)} au plus) : on le repère à sa longueur. Raccourcissez-le, ou"
            " donnez aux autres choix leurs raisons",
        )


def _check_ending(node, where: tuple, report: Reporter) -> None:
    if not node.ending.debrief:
        report.add(
            where + ("ending",),
            "S112",
            "fin sans « debrief » : expliquez ce qui s'est passé et pourquoi",
        )
    if not node.ending.professional:
        report.warn(
            where + ("ending",), "S121", "écrivez « professional » : ce qu'un professionnel ferait"
        )
    if not node.ending.references:
        report.warn(
            where + ("ending",),
            "S122",
            "ajoutez des « references » (article de loi, partenaire, procédure)",
        )


def _graph_errors(scenario: Scenario, exploration: explore.Exploration, report: Reporter) -> None:
    """What a learner would hit: overflows, dead ends, endless loops, unreachable endings.

    A stopped exploration (S118) proves overflows it met, nothing it did not get to: the
    states left unexplored would look like dead ends, so only a complete one judges those.
    """
    _report_overflows(exploration, report)
    if not exploration.complete:
        return
    finishing = explore.can_finish(exploration)
    _report_stuck(exploration, finishing, report)
    reached = {key[0] for key in exploration.edges if exploration.is_ending(key)}
    linked = scenario.reachable()  # unlinked endings are already reported as S103
    for node in scenario.nodes.values():
        if node.ending and node.id not in reached and node.id in linked:
            report.add(
                ("nodes", node.id),
                "S105",
                f"la fin « {node.id} » n'est jamais atteinte : les conditions l'empêchent",
            )


def _summary_checks(
    scenario: Scenario, exploration: explore.Exploration, report: Reporter
) -> ScenarioReport:
    reached = {key[0] for key in exploration.edges if exploration.is_ending(key)}
    if not exploration.complete:
        report.warn(
            (),
            "S118",
            f"exploration arrêtée après {explore.MAX_MOVES} coups : scénario trop combinatoire pour être vérifié en entier (impasses, boucles, parcours et pire conduite non vérifiés)",
        )
        # Counts, ranges and the worst conduct over part of the playthroughs would mislead,
        # and computing them doubled the time of an unverifiable file.
        return ScenarioReport(
            scenario_id=scenario.id,
            nodes=len(scenario.nodes),
            paths=None,
            endings_reached=_outcomes(scenario, reached),
            complete=False,
        )
    worst = explore.worst_endings(exploration)
    for node_id in sorted(worst):
        ending = scenario.nodes[node_id].ending
        if ending is not None and ending.outcome == "favourable":
            report.warn(
                ("nodes", node_id),
                "S115",
                f"la fin favorable « {node_id} » est atteinte en faisant toujours le pire choix : rendez les mauvais choix coûteux",
            )
    summary = explore.summarise(exploration)
    return ScenarioReport(
        scenario_id=scenario.id,
        nodes=len(scenario.nodes),
        paths=summary.paths,
        endings_reached=_outcomes(scenario, reached),
        paths_by_ending=summary.paths_by_ending,
        competency_min=summary.competency_min,
        competency_max=summary.competency_max,
        worst_endings=worst,
    )


def _outcomes(scenario: Scenario, endings: set[str]) -> dict[str, str]:
    return {
        node: ending.outcome
        for node in sorted(endings)
        if (ending := scenario.nodes[node].ending) is not None
    }


def _report_overflows(exploration: explore.Exploration, report: Reporter) -> None:
    seen = set()
    for overflow in exploration.overflows:
        key = (overflow.node_id, overflow.choice.index, overflow.variable)
        if key in seen:
            continue
        seen.add(key)
        variable = exploration.scenario.variables[overflow.variable]
        report.add(
            ("nodes", overflow.node_id, "choices", overflow.choice.index, "effects"),
            "S110",
            f"cet effet peut porter « {overflow.variable} » à {overflow.value}, hors de [{variable.minimum}, {variable.maximum}] : élargissez l'intervalle ou ajoutez une condition",
        )


def _report_stuck(exploration: explore.Exploration, finishing: set, report: Reporter) -> None:
    """States from which no ending can be reached: a dead end if nothing is left to choose."""
    stuck: dict[str, bool] = {}  # node id -> some stuck state there has no choice at all
    for key, moves in exploration.edges.items():
        if key not in finishing:
            stuck[key[0]] = stuck.get(key[0], False) or not moves
    for node_id, dead_end in stuck.items():
        if dead_end:
            report.add(
                ("nodes", node_id),
                "S104",
                f"impasse : au nœud « {node_id} », avec certaines valeurs des variables, aucun choix n'est disponible",
            )
        else:
            report.add(
                ("nodes", node_id),
                "S106",
                f"boucle sans issue : depuis « {node_id} », on peut tourner en rond sans jamais atteindre une fin",
            )


def lint_course_links(course: Course) -> list[Finding]:
    """Glossary and lesson links in every lesson must resolve."""
    from proxi.content.markdown import parse_lesson

    findings = []
    for module in course.modules.values():
        for lesson in module.lessons:
            for link in parse_lesson(Path(lesson.path).read_text(encoding="utf-8")).links:
                if link.scheme == "glossaire" and link.target not in course.glossary:
                    findings.append(
                        Finding(
                            lesson.path,
                            link.line,
                            1,
                            "M202",
                            f"terme de glossaire inconnu « {link.target} »",
                        )
                    )
                if link.scheme == "lecon" and course.lesson(link.target) is None:
                    findings.append(
                        Finding(
                            lesson.path,
                            link.line,
                            1,
                            "M203",
                            f"leçon inconnue « {link.target} » (forme : dossier-du-module/01-nom)",
                        )
                    )
    return findings


def check(paths: list[Path]) -> tuple[list[Finding], list[ScenarioReport]]:
    """Lint the given files or folders: scenario files or folders, module folders, modules roots."""
    course_roots = {root for path in paths if (root := _course_root(path))}
    scenario_files = [
        file for path in paths if not _course_root(path) for file in _yaml_files(path)
    ]
    findings: list[Finding] = []
    course = Course()
    for root in sorted(course_roots | {content_dirs()[0].resolve()}):
        if not root.exists():
            continue
        loaded, found = load_course(root)
        if root in course_roots:
            found += lint_course_links(loaded) + sources.lint_course_sources(loaded)
            findings += [f for f in found if _under(f.path, paths)]
        course = loaded if root in course_roots or not course.modules else course
    reports, scenarios = [], []
    for path in scenario_files:
        scenario, found = load_scenario(path, partial=True)
        more, summary = check_loaded(scenario, found, course)
        findings += more
        scenarios += [scenario] if scenario is not None else []
        reports += [summary] if summary is not None else []
    return findings + duplicate_titles(scenarios), reports


def check_loaded(
    scenario: Scenario | None, found: list[Finding], course: Course
) -> tuple[list[Finding], ScenarioReport | None]:
    """Every finding about a scenario loaded with `partial=True`; the path report only when
    its structure has no error."""
    if scenario is None:
        return found, None
    if has_errors(found):
        more, summary = _partial_checks(scenario, course), None
    else:
        more, summary = lint_scenario(scenario, course)
    return found + more, summary


def _partial_checks(scenario: Scenario, course: Course) -> list[Finding]:
    """The graph checks that need no playing, on a file that also has structural errors:
    unreachable nodes and dead ends are judged on the links as written (`Links.as_written`),
    so a node or a choice that failed to build hides nothing and accuses nothing."""
    if scenario.source is None or not isinstance(scenario.source.data, dict):
        return []
    report = _reporter_for(scenario)
    _static_checks(scenario, report, course, Links.as_written(scenario, scenario.source.data))
    return report.findings


def duplicate_titles(scenarios: list[Scenario]) -> list[Finding]:
    """A title several scenarios share (S125), flagged in each: learners choose by title."""
    by_title: dict[str, list[Scenario]] = {}
    for scenario in scenarios:
        by_title.setdefault(scenario.title.strip().casefold(), []).append(scenario)
    findings = []
    for group in by_title.values():
        for scenario in group if len(group) > 1 else ():
            others = ", ".join(f"« {other.id} »" for other in group if other is not scenario)
            line, col = scenario.source.where(("title",)) if scenario.source else (1, 1)
            message = f"titre déjà utilisé par {others} : donnez un titre distinct"
            findings.append(Finding(scenario.path, line, col, "S125", message, WARNING))
    return findings


def _course_root(path: Path) -> Path | None:
    """The modules root a path belongs to, or None for scenario paths."""
    if path.name == "glossaire.yaml" or (path.is_dir() and (path / "module.yaml").exists()):
        return path.resolve().parent
    if path.is_dir() and ((path / "glossaire.yaml").exists() or any(path.glob("*/module.yaml"))):
        return path.resolve()
    if path.suffix == ".md" or path.name == "module.yaml":
        return path.resolve().parent.parent
    return None


def _yaml_files(path: Path) -> list[Path]:
    return sorted(path.glob("*.yaml")) if path.is_dir() else [path]


def _under(file: str, paths: list[Path]) -> bool:
    resolved = Path(file).resolve()
    return any(resolved == p.resolve() or p.resolve() in resolved.parents for p in paths)


__all__ = [
    "check",
    "check_loaded",
    "lint_scenario",
    "lint_course_links",
    "ScenarioReport",
    "has_errors",
]
