"""Import a Twine story (Twee 3 text) as a scenario skeleton: `python -m proxi import twee`.

Passages become nodes, links become choices, passages without links become endings. Link
forms: [[Cible]], [[texte->Cible]], [[Cible<-texte]] and [[texte|Cible]]. The skeleton is
structurally valid; the linter then lists what an author must add (role cards, feedback,
competencies, debriefs).
"""

from __future__ import annotations

import re
import unicodedata

from proxi.errors import ProxiError

_HEADER = re.compile(r"^::\s*(?P<name>(?:\\.|[^\[{])+?)\s*(?:\[[^\]]*\])?\s*(?:\{.*\})?\s*$")
_LINK = re.compile(r"\[\[(.+?)\]\]")
SPECIAL = {"StoryTitle", "StoryData", "StoryInit", "StoryIncludes"}


def slug(name: str) -> str:
    """A node id from a passage name: ascii, lowercase, underscores."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")
    return cleaned or "passage"


def parse_link(inner: str) -> tuple[str, str]:
    """(label, target) for every Twine link form."""
    if "->" in inner:
        label, target = inner.rsplit("->", 1)
    elif "<-" in inner:
        target, label = inner.split("<-", 1)
    elif "|" in inner:
        label, target = inner.rsplit("|", 1)
    else:
        label = target = inner
    return label.strip(), target.strip()


def parse_passages(text: str) -> dict[str, str]:
    passages: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        match = _HEADER.match(line)
        if match:
            current = match.group("name").replace("\\", "").strip()
            passages[current] = []
        elif current is not None:
            passages[current].append(line)
    if not passages:
        raise ProxiError("aucun passage trouvé : un passage Twee commence par « :: Nom »")
    return {name: "\n".join(body).strip() for name, body in passages.items()}


def convert(text: str, scenario_id: str, module: str) -> dict:
    passages = parse_passages(text)
    title = passages.get("StoryTitle", scenario_id).strip() or scenario_id
    story = {name: body for name, body in passages.items() if name not in SPECIAL}
    ids = {name: slug(name) for name in story}
    nodes = {ids[name]: _node(body, ids) for name, body in story.items()}
    first = next(iter(story), None)
    if first is None:
        raise ProxiError("l'histoire n'a aucun passage en dehors de StoryTitle et StoryData")
    return {
        "id": scenario_id,
        "title": title,
        "summary": _narration(story[first]).split("\n")[0][:200] or title,
        "module": module,
        "duration": max(5, 2 * len(story)),
        "competencies": [],
        "characters": {},
        "variables": {},
        "start": ids[first],
        "nodes": nodes,
    }


def _narration(body: str) -> str:
    return _LINK.sub("", body).strip()


def _node(body: str, ids: dict[str, str]) -> dict:
    links = [parse_link(inner) for inner in _LINK.findall(body)]
    node: dict = {"narration": _narration(body) or "…"}
    if links:
        node["choices"] = [
            {"text": label, "goto": ids.get(target, slug(target))} for label, target in links
        ]
    else:
        node["ending"] = {
            "outcome": "mitigee",
            "title": (_narration(body).split("\n")[0][:60] or "Fin"),
        }
    return node
