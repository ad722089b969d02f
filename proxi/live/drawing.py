"""The signature a participant draws with a finger on the phone's pad, as bounded data.

What the browser sends is untrusted: any shape, any size. `from_pad` accepts only lists of
strokes, each a list of (x, y) numbers inside the pad (a finger slipping just past the edge
is clamped), and keeps them on a 0..1000 grid of the pad's width and height, dropping the
points that add nothing visible. Past `MAX_POINTS` or `MAX_BYTES` it refuses in French
rather than store it: a crafted payload can neither crash the page nor bloat the database.
`strokes_from_canvas` reads the drawing pad's Fabric.js JSON (its free-drawing paths) into
such strokes, with the same caps before it loops over anything.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from proxi.live.sessions import LiveError

GRID = 1000  # stored coordinates: per mille of the pad's width and height
MAX_STROKES = 80  # a signature is a few strokes; a scribbled page is not one
MAX_RAW_POINTS = 8000  # what the browser may send, before thinning
MAX_POINTS = 2000  # what is kept
MAX_BYTES = 24_000  # the stored JSON, whatever the above
MAX_PAD = 4000  # a pad's side in pixels
EDGE = 0.1  # how far past the pad's edge (share of its side) a point is clamped, not refused
MIN_SPAN = 30  # grid units: a mark smaller than this is a tap, not a signature
STEP = 3  # a point nearer than this (grid units) to the previous one adds nothing visible

EMPTY = "Dessinez votre signature avant de signer."
TOO_LONG = "Signature trop longue : effacez-la et signez plus simplement."
UNREADABLE = "Signature illisible : effacez-la et dessinez-la à nouveau."

Stroke = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Drawing:
    """Strokes on a 0..GRID grid; `aspect` is the pad's width over its height."""

    aspect: float
    strokes: tuple[Stroke, ...]

    def to_json(self) -> str:
        return json.dumps(
            {"aspect": self.aspect, "strokes": [[list(p) for p in s] for s in self.strokes]},
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str | None) -> Drawing | None:
        """The stored drawing (written by `to_json`, so trusted); None when there is none."""
        if not text:
            return None
        data = json.loads(text)
        return cls(
            float(data["aspect"]),
            tuple(tuple((int(x), int(y)) for x, y in s) for s in data["strokes"]),
        )


def from_pad(strokes: object, width: object, height: object) -> Drawing:
    """Validated, normalised strokes drawn on a pad of `width` × `height` pixels."""
    if not (_is_number(width) and _is_number(height)):
        raise LiveError(UNREADABLE)
    w, h = float(width), float(height)  # type: ignore[arg-type]
    if not (0 < w <= MAX_PAD and 0 < h <= MAX_PAD):
        raise LiveError(UNREADABLE)
    if not isinstance(strokes, list | tuple):
        raise LiveError(UNREADABLE)
    if len(strokes) > MAX_STROKES:
        raise LiveError(TOO_LONG)
    if sum(len(s) if isinstance(s, list | tuple) else 0 for s in strokes) > MAX_RAW_POINTS:
        raise LiveError(TOO_LONG)
    kept = tuple(t for t in (_thin([_point(p, w, h) for p in _points(s)]) for s in strokes) if t)
    if _span(kept) < MIN_SPAN:  # nothing, or a tap: not a signature
        raise LiveError(EMPTY)
    if sum(len(stroke) for stroke in kept) > MAX_POINTS:
        raise LiveError(TOO_LONG)
    drawing = Drawing(round(w / h, 4), kept)
    if len(drawing.to_json()) > MAX_BYTES:
        raise LiveError(TOO_LONG)
    return drawing


def strokes_from_canvas(data: object) -> list[list[tuple[float, float]]]:
    """The free-drawing paths of a Fabric.js canvas JSON as point lists (pad pixels).

    Each path command ends with its end point (« M x y », « L x y », « Q cx cy x y »): the
    control points of the curves are left out, the points are dense enough for a signature.
    No drawing yet (None, or no object) is an empty list."""
    if data is None:
        return []
    objects = data.get("objects") if isinstance(data, dict) else None
    if not isinstance(objects, list):
        raise LiveError(UNREADABLE)
    if len(objects) > MAX_STROKES:
        raise LiveError(TOO_LONG)
    strokes = []
    total = 0
    for shape in objects:
        if not isinstance(shape, dict) or shape.get("type") != "Path":
            raise LiveError(UNREADABLE)
        path = shape.get("path")
        if not isinstance(path, list):
            raise LiveError(UNREADABLE)
        total += len(path)
        if total > MAX_RAW_POINTS:
            raise LiveError(TOO_LONG)
        strokes.append([_end_point(command) for command in path])
    return strokes


def _end_point(command: object) -> tuple[float, float]:
    if not isinstance(command, list) or len(command) < 3 or not isinstance(command[0], str):
        raise LiveError(UNREADABLE)
    x, y = command[-2], command[-1]
    if not (_is_number(x) and _is_number(y)):
        raise LiveError(UNREADABLE)
    return float(x), float(y)


def _points(stroke: object) -> list:
    if not isinstance(stroke, list | tuple):
        raise LiveError(UNREADABLE)
    return list(stroke)


def _point(point: object, width: float, height: float) -> tuple[int, int]:
    """One (x, y) in pad pixels -> the grid; refused unless two finite numbers near the pad."""
    if not isinstance(point, list | tuple) or len(point) != 2:
        raise LiveError(UNREADABLE)
    x, y = point
    if not (_is_number(x) and _is_number(y)):
        raise LiveError(UNREADABLE)
    return _on_grid(float(x), width), _on_grid(float(y), height)


def _on_grid(value: float, side: float) -> int:
    share = value / side
    if not -EDGE <= share <= 1 + EDGE:
        raise LiveError(UNREADABLE)
    return round(min(max(share, 0.0), 1.0) * GRID)


def _thin(points: list[tuple[int, int]]) -> Stroke:
    """Drop the points that sit on top of the previous kept one; the stroke's end stays."""
    kept: list[tuple[int, int]] = []
    for x, y in points:
        if not kept or max(abs(x - kept[-1][0]), abs(y - kept[-1][1])) >= STEP:
            kept.append((x, y))
    if kept and points[-1] != kept[-1]:
        kept.append(points[-1])
    return tuple(kept)


def _span(strokes: tuple[Stroke, ...]) -> int:
    """The larger side of the box around every point, in grid units."""
    xs = [x for stroke in strokes for x, _ in stroke]
    ys = [y for stroke in strokes for _, y in stroke]
    return max(max(xs) - min(xs), max(ys) - min(ys)) if xs else 0


def _is_number(value: object) -> bool:
    """A finite int or float; True and False are not numbers here, nor NaN or infinity.

    JSON integers have no bound in Python: one past any float (10**400, easy to send) makes
    `math.isfinite` raise, so such a value is simply not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False
