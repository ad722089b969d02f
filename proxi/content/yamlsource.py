"""Load YAML safely while remembering where every value came from.

Content errors must name the file, line and column. `yaml.safe_load` forgets positions,
so we compose the node tree once (libyaml when available), build the Python values from
it with the safe constructor, and keep a map from each value's path to its position.
Duplicate mapping keys, which PyYAML silently overwrites, are reported.

Aliases (`*name`) and merge keys (`<<`) are refused (P009): content never needs them, and
a few kilobytes of nested aliases expand into gigabytes in every walk over the data.
Nesting deeper than MAX_DEPTH is refused too (P002), so building never recurses far.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from typing import Any

import yaml

from proxi.errors import ContentError

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
MAX_BYTES = 2_000_000  # a content file larger than this is a mistake, not a lesson
MAX_DEPTH = 40  # a scenario is six levels deep; forty is already absurd

Path = tuple  # ("nodes", "loge", "choices", 0, "goto")


@dataclass
class Source:
    """Parsed YAML plus the (line, col) of every value, both 1-based."""

    path: str
    data: Any
    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    duplicates: list[tuple[Path, int, int]] = field(default_factory=list)
    line_offset: int = 0

    def where(self, path: Path) -> tuple[int, int]:
        """Position of `path`, or of its nearest parent that has one."""
        path = tuple(path)
        while path not in self.positions and path:
            path = path[:-1]
        line, col = self.positions.get(path, (1, 1))
        return line + self.line_offset, col


def _syntax_error(path: str, error: yaml.YAMLError, line_offset: int, text: str) -> ContentError:
    if isinstance(error, yaml.reader.ReaderError):  # no mark: find the character ourselves
        refused = control_character(text, path, line_offset)
        if refused:
            return refused
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = getattr(error, "problem", None) or ""
    return ContentError(
        path,
        line + line_offset,
        col,
        "P001",
        f"YAML illisible : {_in_french(problem, _line(text, line))} ({_hint(problem)})",
    )


# PyYAML's problems, in its words (the start of each), and what an author reads instead.
# Anything else reads « syntaxe invalide »: never PyYAML's English.
PROBLEMS = (
    ("mapping values are not allowed", "« : » inattendu"),
    ("did not find expected key", "une clé était attendue ici"),
    ("could not find expected ':'", "« : » attendu après une clé"),
    ("did not find expected ',' or ']'", "« , » ou « ] » attendu : un crochet n'est pas fermé ?"),
    (
        "did not find expected ',' or '}'",
        "« , » ou « } » attendu : une accolade n'est pas fermée ?",
    ),
    ("expected ',' or ']'", "« , » ou « ] » attendu"),
    ("expected ',' or '}'", "« , » ou « } » attendu"),
    ("expected <block end>", "l'indentation ne suit pas celle des lignes voisines"),
    ("expected the node content", "une valeur était attendue ici"),
    (
        "found unexpected end of stream",
        "fin du fichier inattendue : un guillemet n'est pas fermé ?",
    ),
    ("found a tab character", "une tabulation : indentez avec des espaces"),
    ("found character", "un caractère ne peut pas commencer une valeur ici"),
    ("found unknown escape character", "« \\ » suivi d'un caractère inconnu"),
    ("did not find expected comment or line break", "texte en trop après la valeur"),
    ("did not find expected alphabetic or numeric character", "nom d'ancre ou d'alias invalide"),
    ("found unexpected ':'", "« : » inattendu"),
    ("found duplicate anchor", "ancre en double"),
    ("found undefined alias", "alias inconnu"),
    ("expected a comment or a line break", "texte en trop après la valeur"),
    ("expected alphabetic or numeric character", "nom d'ancre ou d'alias invalide"),
    ("found unexpected document", "séparateur de document inattendu"),
)


def _line(text: str, number: int) -> str:
    lines = text.splitlines()
    return lines[number - 1] if 0 < number <= len(lines) else ""


def _in_french(problem: str, line: str) -> str:
    if problem.startswith("found character") and line[: len(line) - len(line.lstrip())].count("\t"):
        return "une tabulation : indentez avec des espaces"
    return next((french for start, french in PROBLEMS if problem.startswith(start)), None) or (
        "syntaxe invalide"
    )


def control_character(text: str, path: str, line_offset: int = 0) -> ContentError | None:
    """The first character YAML refuses (NUL and other control codes), placed, or None."""
    found = yaml.reader.Reader.NON_PRINTABLE.search(text)
    if found is None:
        return None
    before = text[: found.start()]
    line, col = before.count("\n") + 1, found.start() - (before.rfind("\n") + 1) + 1
    return ContentError(
        path,
        line + line_offset,
        col,
        "P001",
        f"caractère de contrôle interdit (code {ord(found.group()[0])}) : supprimez-le",
    )


def _hint(problem: str) -> str:
    if "mapping values" in problem:
        return "un « : » dans un texte ? mettez le texte entre guillemets"
    if "indent" in problem or "expected <block end>" in problem:
        return "vérifiez l'indentation de cette ligne et de la précédente"
    return "vérifiez la ligne indiquée et la précédente"


def load(text: str, path: str, line_offset: int = 0) -> Source:
    """Parse `text`; raise ContentError (P001 syntax, P006 too large) with the place."""
    if len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise ContentError(path, 1, 1, "P006", "fichier trop volumineux (plus de 2 Mo)")
    loader = _Loader(text)
    collecting = gc.isenabled()
    gc.disable()  # building creates many objects and no cycles: the collector only slows it
    try:
        node = loader.get_single_node()
        source = Source(path, None, line_offset=line_offset)
        if node is not None:
            source.data = _Builder(loader, source, text).build(node, ())
        return source
    except yaml.YAMLError as error:
        raise _syntax_error(path, error, line_offset, text) from None
    except ContentError as error:  # raised by the builder, already placed
        error.line += line_offset
        raise
    except (TypeError, RecursionError):
        raise ContentError(
            path,
            1 + line_offset,
            1,
            "P002",
            "structure YAML non prise en charge (clé composée : une liste ou un ensemble comme clé)",
        ) from None
    finally:
        loader.dispose()
        if collecting:
            gc.enable()


class _Builder:
    """Builds Python values and the position map in ONE walk over the composed nodes.

    Scalars go through the safe constructor (so `2026-11-01`, `true`, `0x1F` mean what
    YAML says); mappings and sequences are built here, where the path is known. A node
    met a second time is an alias: refused, with the place where it is used.
    """

    def __init__(self, loader, source: Source, text: str) -> None:
        self.loader, self.source, self.text = loader, source, text
        self.seen: set[int] = set()

    def build(self, node: yaml.Node, path: Path) -> Any:
        if id(node) in self.seen:
            raise self._refuse(
                self._first_alias(), "P009", "alias YAML (« *nom ») interdit : recopiez le contenu"
            )
        if len(path) > MAX_DEPTH:
            raise self._refuse(
                node.start_mark, "P002", f"structure trop imbriquée (plus de {MAX_DEPTH} niveaux)"
            )
        self.seen.add(id(node))
        self.source.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (index,)) for index, item in enumerate(node.value)]
        if node.tag == _STR:
            return node.value  # most scalars: no constructor round trip
        return self.loader.construct_object(node)

    def _first_alias(self) -> yaml.Mark:
        """Where the first alias is written: composed nodes only know their anchor's place."""
        for token in yaml.scan(self.text, Loader=_Loader):
            if isinstance(token, yaml.AliasToken):
                return token.start_mark
        raise AssertionError("a shared node without an alias")  # pragma: no cover

    def _refuse(self, mark: yaml.Mark, code: str, message: str) -> ContentError:
        return ContentError(self.source.path, mark.line + 1, mark.column + 1, code, message)

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict:
        mapping: dict = {}
        for key_node, value_node in node.value:
            mark = key_node.start_mark
            if key_node.tag == _MERGE:
                raise self._refuse(
                    mark, "P009", "clé de fusion YAML (« << ») interdite : recopiez les champs"
                )
            key = key_node.value if key_node.tag == _STR else self.loader.construct_object(key_node)
            if key in mapping:
                self.source.duplicates.append((path + (key,), mark.line + 1, mark.column + 1))
            mapping[key] = self.build(value_node, path + (key,))
            # A key's own place is where errors about it point.
            self.source.positions[path + (key,)] = (mark.line + 1, mark.column + 1)
        return mapping
