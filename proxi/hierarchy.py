"""Where a person sits in their organisation: a path of units, from the widest to the narrowest.

    « Agence Nord › Secteur des Tilleuls › Résidence Les Peupliers »

An organisation has agences, an agence has secteurs, a secteur has résidences — or any other
depth: the path is what `people.site` holds, so every level is one more name and no table
has to know how deep a landlord goes. A manager sees their own node and everything under it
(`within`); a manager with no node heads the whole organisation. A due date set on a node
holds for everyone under it, the deepest node winning.

People type the path with « / », « > » or « › » between the levels; `normalise` stores it
one way, so « agence nord/tilleuls » typed twice is one node. Case is kept as typed: names
are proper names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

SEPARATOR = " › "
_TYPED_SEPARATOR = re.compile(r"[/>›]")
MAX_DEPTH = 8  # deeper than any landlord's organisation chart: more is a typing slip
MAX_LEVEL = 80  # characters in one level's name: « Résidence Les Jardins de la Seine » is 33


def normalise(text: str | None) -> str:
    """The path as stored: levels trimmed, inner spaces single, empty levels dropped."""
    levels = (" ".join(part.split()) for part in _TYPED_SEPARATOR.split(text or ""))
    return SEPARATOR.join(level for level in levels if level)


def join(levels: Iterable[str]) -> str:
    """One path from levels given apart (an « agence » column, then a « secteur » one)."""
    return normalise("/".join(levels))


def levels(path: str) -> tuple[str, ...]:
    return tuple(path.split(SEPARATOR)) if path else ()


def problem(path: str) -> str | None:
    """Why a normalised path cannot be stored, in French; None when it can."""
    found = levels(path)
    if len(found) > MAX_DEPTH:
        return f"{MAX_DEPTH} niveaux au plus (agence, secteur…), séparés par « / »."
    if any(len(level) > MAX_LEVEL for level in found):
        return f"chaque niveau fait {MAX_LEVEL} caractères au plus."
    return None


def within(path: str, node: str) -> bool:
    """Whether `path` is `node` or under it; everything is within the empty node (the top)."""
    return not node or path == node or path.startswith(node + SEPARATOR)


def ancestors(path: str) -> list[str]:
    """The nodes above and at `path`, widest first: a team's date holds for the teams in it."""
    found = levels(path)
    return [SEPARATOR.join(found[: depth + 1]) for depth in range(len(found))]


def nodes(paths: Iterable[str]) -> list[str]:
    """Every node the paths pass through, in the order of an organisation chart (each node
    followed by those under it), for a list a manager picks from."""
    every = {node for path in paths for node in ancestors(path)}
    return sorted(every, key=lambda node: tuple(level.casefold() for level in levels(node)))


def depth(path: str) -> int:
    return len(levels(path))


def sql_within(column: str, node: str, name: str = "node") -> tuple[str, dict[str, object]]:
    """The SQL condition that `column` is within `node`, and its named parameters (`:name`,
    `:name_length`, `:name_below`; another `name` keeps two conditions in one query apart).
    substr, not LIKE: a name may hold « % » or « _ », and LIKE ignores case where names
    must not."""
    if not node:
        return "1 = 1", {}
    below = node + SEPARATOR
    condition = f"({column} = :{name} OR substr({column}, 1, :{name}_length) = :{name}_below)"
    return condition, {name: node, f"{name}_length": len(below), f"{name}_below": below}
