"""Lessons in Markdown: front matter, steps, interactive blocks and special links.

One MarkdownIt instance (CommonMark, raw HTML disabled) parses every lesson. We use its
tokens only to find structure, with their source line numbers: level-2 headings start a
step, fenced blocks tagged `qcm`, `associer` or `reflexion` are interactive blocks (YAML
inside), and `glossaire:` / `lecon:` links are collected for checking. The Markdown text
between them is kept as source and displayed by the app (which also never renders HTML).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

MD = MarkdownIt("commonmark", {"html": False})
BLOCK_KINDS = ("qcm", "associer", "reflexion")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n", re.DOTALL)
_SPECIAL_LINK = re.compile(r"\[([^\]]+)\]\((glossaire|lecon):([^)\s]+)\)")


_MARKUP = set("\\`*_{}[]()#<>|~:$")  # read as markup anywhere in a line
_LINE_START = re.compile(r"^([-+]|\d+[.)])")  # a list when a line starts with it


def plain(text: str) -> str:
    """User-typed text (a name, a place) made safe to put in Markdown: shown as typed.

    Every character Markdown or Streamlit could read as markup (links, emphasis, headings,
    tables, « :red[…] » colours, « $…$ » formulas, a list marker first) is backslash-
    escaped, and line breaks become spaces, so a name never turns into a link or a list.
    """
    flat = " ".join(str(text or "").split())
    escaped = "".join(f"\\{c}" if c in _MARKUP else c for c in flat)
    return _LINE_START.sub(lambda m: m.group()[:-1] + "\\" + m.group()[-1], escaped)


@dataclass
class RawBlock:
    kind: str
    text: str
    line: int  # 1-based line of the block's first YAML line in the file


@dataclass
class Link:
    scheme: str  # "glossaire" or "lecon"
    target: str
    label: str
    line: int


@dataclass
class RawStep:
    title: str
    line: int
    parts: list[str | RawBlock] = field(default_factory=list)


@dataclass
class RawLesson:
    front_matter: str
    front_matter_line: int
    steps: list[RawStep]
    links: list[Link]
    unknown_fences: list[tuple[str, int]]


def split_front_matter(text: str) -> tuple[str, str, int]:
    """(front matter YAML, body, line where the body starts); no front matter -> ("", text, 1)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return "", text, 1
    return match.group(1), text[match.end() :], match.group(0).count("\n") + 1


def parse_lesson(text: str) -> RawLesson:
    front, body, body_line = split_front_matter(text)
    lines = body.splitlines(keepends=True)
    steps = [RawStep("", body_line)]
    unknown: list[tuple[str, int]] = []
    cursor = 0  # body lines before `cursor` have been assigned to a part
    tokens = MD.parse(body)
    for token in tokens:
        if token.map is None or token.level != 0:
            continue
        start, end = token.map
        if token.type == "heading_open" and token.tag == "h2":
            _flush(steps[-1], lines[cursor:start])
            steps.append(RawStep(_heading_text(lines[start]), body_line + start))
            cursor = end
        elif token.type == "fence" and token.info.strip() in BLOCK_KINDS:
            _flush(steps[-1], lines[cursor:start])
            steps[-1].parts.append(
                RawBlock(token.info.strip(), token.content, body_line + start + 1)
            )
            cursor = end
        elif token.type == "fence" and token.info.strip():
            unknown.append((token.info.strip(), body_line + start))
    _flush(steps[-1], lines[cursor:])
    if not steps[0].parts and len(steps) > 1:
        steps.pop(0)
    return RawLesson(front, 1, steps, _links(tokens, body_line), unknown)


def _flush(step: RawStep, lines: list[str]) -> None:
    text = "".join(lines).strip()
    if text:
        step.parts.append(text)


def _heading_text(line: str) -> str:
    return line.strip().lstrip("#").strip()


def _links(tokens: list, body_line: int) -> list[Link]:
    """Special links, found from the parsed inline tokens so code spans are not matched."""
    found = []
    for token in tokens:
        if token.type != "inline" or token.map is None:
            continue
        children = token.children or []
        for index, child in enumerate(children):
            href = child.attrs.get("href", "") if child.type == "link_open" else ""
            scheme, _, target = str(href).partition(":")
            if scheme in ("glossaire", "lecon") and target:
                label = children[index + 1].content if index + 1 < len(children) else target
                found.append(Link(scheme, target, label, body_line + token.map[0]))
    return found


def display_text(markdown: str) -> tuple[str, list[str], list[tuple[str, str]]]:
    """Markdown ready for display: special links become bold words.

    Returns the text, the glossary ids it mentions and the (label, lesson ref) it links to,
    so the page can show the definitions and lesson buttons beside the text.
    """
    terms: list[str] = []
    lessons: list[tuple[str, str]] = []

    def replace(match: re.Match) -> str:
        label, scheme, target = match.groups()
        if scheme == "glossaire":
            terms.append(target)
        else:
            lessons.append((label, target))
        return f"**{label}**"

    return _SPECIAL_LINK.sub(replace, markdown), terms, lessons
