"""Import a Twine story (Twee 3 text) as a scenario skeleton: `python -m proxi import twee`.

Passages become nodes, links become choices, passages without links become endings (their
outcome from a tag: `[ending favourable]`, `[ending unfavourable]`, `mitigee` otherwise).
StoryData's `start` names the first passage. Two passage names that give the same node id
get distinct ids (`_2`, `_3`...). Link forms: [[Cible]], [[texte->Cible]], [[Cible<-texte]]
and [[texte|Cible]]. The skeleton is
structurally valid; the linter then lists what an author must add (role cards, feedback,
competencies, debriefs).
"""

from __future__ import annotations

import json
import re
import unicodedata

from proxi.errors import ProxiError

_HEADER = re.compile(
    r"^::\s*(?P<name>(?:\\.|[^\[{])+?)\s*(?:\[(?P<tags>[^\]]*)\])?\s*(?:\{.*\})?\s*$"
)
_LINK = re.compile(r"\[\[(.+?)\]\]")
SPECIAL = {"StoryTitle", "StoryData", "StoryInit", "StoryIncludes"}
OUTCOME_TAGS = {
    "favourable": "favourable",
    "favorable": "favourable",
    "unfavourable": "defavorable",
    "unfavorable": "defavorable",
    "defavorable": "defavorable",
    "mitigee": "mitigee",
}
TITLE_LENGTH = 60


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
    return {name: body for name, (body, _) in parse_tagged_passages(text).items()}


def parse_tagged_passages(text: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """name -> (body, tags), in the file's order."""
    passages: dict[str, list[str]] = {}
    tags: dict[str, tuple[str, ...]] = {}
    current = None
    for line in text.splitlines():
        match = _HEADER.match(line)
        if match:
            current = match.group("name").replace("\\", "").strip()
            passages[current] = []
            tags[current] = tuple((match.group("tags") or "").split())
        elif current is not None:
            passages[current].append(line)
    if not passages:
        raise ProxiError("aucun passage trouvé : un passage Twee commence par « :: Nom »")
    return {name: ("\n".join(body).strip(), tags[name]) for name, body in passages.items()}


def _unique_ids(names) -> dict[str, str]:
    """Passage name -> node id; names that slug alike get _2, _3... (never merged)."""
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        base = candidate = slug(name)
        number = 1
        while candidate in taken:
            number += 1
            candidate = f"{base}_{number}"
        ids[name] = candidate
        taken.add(candidate)
    return ids


def _start(story_data: str, story: dict) -> str | None:
    """The passage StoryData's `start` names, when it is one of the story's."""
    try:
        start = json.loads(story_data or "{}").get("start")
    except (ValueError, AttributeError):
        return None
    return start if start in story else None


def convert(text: str, scenario_id: str, module: str) -> dict:
    passages = parse_tagged_passages(text)
    title = passages.get("StoryTitle", (scenario_id, ()))[0].strip() or scenario_id
    story = {name: value for name, value in passages.items() if name not in SPECIAL}
    ids = _unique_ids(story)
    nodes = {ids[name]: _node(body, tags, ids) for name, (body, tags) in story.items()}
    first = _start(passages.get("StoryData", ("", ()))[0], story) or next(iter(story), None)
    if first is None:
        raise ProxiError("l'histoire n'a aucun passage en dehors de StoryTitle et StoryData")
    return {
        "id": scenario_id,
        "title": title,
        "summary": _narration(story[first][0]).split("\n")[0][:200] or title,
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


def _node(body: str, tags: tuple[str, ...], ids: dict[str, str]) -> dict:
    links = [parse_link(inner) for inner in _LINK.findall(body)]
    node: dict = {"narration": _narration(body) or "…"}
    if links:
        node["choices"] = [
            {"text": label, "goto": ids.get(target, slug(target))} for label, target in links
        ]
    else:
        outcome = next((OUTCOME_TAGS[t] for t in map(_plain_tag, tags) if t in OUTCOME_TAGS), None)
        node["ending"] = {
            "outcome": outcome or "mitigee",
            "title": _title(_narration(body).split("\n")[0]) or "Fin",
        }
    return node


def _plain_tag(tag: str) -> str:
    return unicodedata.normalize("NFKD", tag).encode("ascii", "ignore").decode().lower()


def _title(line: str) -> str:
    """The first line, cut at a word boundary when it is too long for a title."""
    if len(line) <= TITLE_LENGTH:
        return line
    cut = line[: TITLE_LENGTH - 1].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return cut + "…"
