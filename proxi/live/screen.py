"""The projector's type scale: how big the text can be so that one state fits one screen.

The projector shows a scene, its options, their bars and (after the reveal) their
feedback on one screen nobody can scroll. Text sizes are set in screen units (1 unit =
1 % of the screen height on a 16:9 screen), so a 1280×720 screen shows exactly what a
1920×1080 one shows, smaller. A long scene would still run off the bottom, so the page
asks `type_scale` for a factor (1 = the full size, readable at five metres) that makes
the estimated height of its blocks fit; the estimate is deliberately pessimistic and the
browser test checks the real boxes for the longest decision of every shipped scenario.

Pure arithmetic: no Streamlit, no database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from proxi.live.sessions import Option

# Sizes at scale 1, in screen units (the page's CSS uses the same numbers).
BODY = 3.2  # paragraph type
TITLE = 3.8  # the scenario's title
HEADING = 3.4  # « Arrêt sur image », an ending's title
SMALL = 2.6  # feedback after the reveal
LINE_HEIGHT = 1.3
GAP = 1.0  # between two elements
BAR = 1.6  # a vote bar
# The scene column is 78 % of the width: at 16:9 that is ~137 units, less the padding.
COLUMN_WIDTH = 128
CHAR_WIDTH = 0.52  # an average French character, in em
USABLE_HEIGHT = 92  # 100 units less the page's top and bottom padding
SMALLEST = 0.45  # below this the room could not read it: the author must shorten the scene
STEP = 0.025


@dataclass(frozen=True)
class Block:
    """One element of the scene column: its text and the size it is set in."""

    text: str
    size: float = BODY
    bar: bool = False  # an option with its vote bar under the text


def height(blocks: list[Block], scale: float) -> float:
    """The estimated height of the blocks, in screen units, at this scale."""
    total = 0.0
    for block in blocks:
        size = block.size * scale
        per_line = max(1, math.floor(COLUMN_WIDTH / (size * CHAR_WIDTH)))
        lines = sum(
            max(1, math.ceil(len(paragraph) / per_line))
            for paragraph in block.text.split("\n")
            if paragraph.strip()
        )
        total += lines * size * LINE_HEIGHT + GAP * scale + (BAR * scale if block.bar else 0)
    return total


def type_scale(blocks: list[Block], usable: float = USABLE_HEIGHT) -> float:
    """The largest scale (at most 1, at least SMALLEST) at which the blocks fit."""
    scale = 1.0
    while scale > SMALLEST and height(blocks, scale) > usable:
        scale -= STEP
    return round(max(scale, SMALLEST), 3)


def bar_label(option: Option, count: int) -> str:
    """The text over an option's vote bar (Markdown): its letter, its text, its count."""
    return f"**{option.letter}.** {option.text} — {count} vote(s)"
