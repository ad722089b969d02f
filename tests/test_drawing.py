"""The drawn signature as bounded data: good strokes kept on the grid, crafted ones refused in
French (never a crash, never a large row)."""

from __future__ import annotations

import json

import pytest

from proxi.live import drawing
from proxi.live.sessions import LiveError

W, H = 340, 160  # the phone's pad
ZIGZAG = [[[20 + 8 * i, 80 + (20 if i % 2 else -20)] for i in range(30)]]


def test_strokes_are_kept_on_the_grid_of_the_pad():
    drawn = drawing.from_pad([[[0, 0], [170, 80], [340, 160]], [[34, 16], [68, 32.0]]], W, H)
    assert drawn.strokes == (((0, 0), (500, 500), (1000, 1000)), ((100, 100), (200, 200)))
    assert drawn.aspect == 2.125
    assert drawing.Drawing.from_json(drawn.to_json()) == drawn


def test_a_finger_slipping_just_past_the_edge_is_clamped():
    (stroke,) = drawing.from_pad([[[-10, 50], [350, 170]]], W, H).strokes
    assert stroke == ((0, 312), (1000, 1000))


def test_points_on_top_of_each_other_are_dropped_but_the_end_stays():
    (stroke,) = drawing.from_pad([[[10, 10]] * 50 + [[10.2, 10.1], [200, 100]]], W, H).strokes
    assert stroke == ((29, 62), (588, 625))


def test_the_pads_fabric_paths_read_as_strokes():
    canvas = {
        "objects": [
            {"type": "Path", "path": [["M", 20, 79.4], ["Q", 20, 79.4, 22, 89.4], ["L", 40, 60]]}
        ]
    }
    assert drawing.strokes_from_canvas(canvas) == [[(20, 79.4), (22, 89.4), (40, 60)]]
    assert drawing.strokes_from_canvas(None) == []
    assert drawing.strokes_from_canvas({"objects": []}) == []


@pytest.mark.parametrize(
    "strokes",
    [[], [[]], [[[100, 100]]], [[[100, 100], [101, 101]]], [[[5, 5]], [[6, 6]]]],
    ids=["nothing", "empty stroke", "a dot", "a tap", "two dots"],
)
def test_nothing_drawn_asks_for_a_signature(strokes):
    with pytest.raises(LiveError, match="Dessinez votre signature avant de signer"):
        drawing.from_pad(strokes, W, H)


@pytest.mark.parametrize(
    "strokes",
    [
        "M 0 0 L 10 10",
        {"strokes": []},
        [[["10", "20"], [30, 40]]],
        [[[10, 20, 30], [30, 40]]],
        [[[True, False], [30, 40]]],
        [[[None, 1], [30, 40]]],
        [[[float("nan"), 1], [30, 40]]],
        [[[float("inf"), 1], [30, 40]]],
        [[[1e300, 1], [30, 40]]],
        [[[10**400, 1], [30, 40]]],
        [[[10, -500], [30, 40]]],
        [[{"x": 1, "y": 2}, [30, 40]]],
        [17],
    ],
    ids=[
        "text",
        "dict",
        "strings",
        "three numbers",
        "booleans",
        "null",
        "nan",
        "infinity",
        "huge",
        "an integer past any float",
        "far outside",
        "objects",
        "a number",
    ],
)
def test_a_crafted_payload_is_refused_in_french(strokes):
    with pytest.raises(LiveError, match="Signature illisible"):
        drawing.from_pad(strokes, W, H)


@pytest.mark.parametrize(
    "size", [(0, 160), (340, -1), (float("nan"), 160), ("340", 160), (1e9, 9), (10**400, 160)]
)
def test_a_pad_of_no_real_size_is_refused(size):
    with pytest.raises(LiveError, match="Signature illisible"):
        drawing.from_pad(ZIGZAG, *size)


def test_too_many_points_or_strokes_is_refused_before_anything_is_stored():
    spread = [[[i % W, (i * 7) % H] for i in range(drawing.MAX_POINTS + 1)]]
    with pytest.raises(LiveError, match="Signature trop longue"):
        drawing.from_pad(spread, W, H)  # after thinning, still too many
    with pytest.raises(LiveError, match="Signature trop longue"):
        drawing.from_pad([[[1, 1]] * (drawing.MAX_RAW_POINTS + 1)], W, H)  # raw, before
    with pytest.raises(LiveError, match="Signature trop longue"):
        drawing.from_pad([[[1, 1], [2, 2]]] * (drawing.MAX_STROKES + 1), W, H)


def test_the_longest_accepted_signature_stays_small():
    # MAX_POINTS points spread over MAX_STROKES strokes, every one kept by the thinning
    per = drawing.MAX_POINTS // drawing.MAX_STROKES
    strokes = [[[(s * 4 + i * 13) % W, (i * 11 + s) % H] for i in range(per)] for s in range(80)]
    drawn = drawing.from_pad(strokes, W, H)
    assert sum(len(s) for s in drawn.strokes) > drawing.MAX_POINTS * 0.9
    assert len(drawn.to_json()) <= drawing.MAX_BYTES


@pytest.mark.parametrize(
    "canvas",
    [
        "objects",
        {"objects": "many"},
        {"objects": [42]},
        {"objects": [{"type": "Rect", "left": 1}]},
        {"objects": [{"type": "Path", "path": "M 0 0"}]},
        {"objects": [{"type": "Path", "path": [["M", "x", 0]]}]},
        {"objects": [{"type": "Path", "path": [[1, 2, 3]]}]},
        {"objects": [{"type": "Path", "path": [["M", float("nan"), 0]]}]},
        {"objects": [{"type": "Path", "path": [["M", 10**400, 0]]}]},
    ],
)
def test_a_crafted_canvas_is_refused_in_french(canvas):
    with pytest.raises(LiveError, match="Signature illisible"):
        drawing.strokes_from_canvas(canvas)


def test_a_huge_canvas_is_refused_before_it_is_read():
    path = [["L", 1, 1]] * (drawing.MAX_RAW_POINTS + 1)
    with pytest.raises(LiveError, match="Signature trop longue"):
        drawing.strokes_from_canvas({"objects": [{"type": "Path", "path": path}]})
    many = [{"type": "Path", "path": [["M", 1, 1]]}] * (drawing.MAX_STROKES + 1)
    with pytest.raises(LiveError, match="Signature trop longue"):
        drawing.strokes_from_canvas({"objects": many})


def test_the_stored_form_is_compact_json():
    text = drawing.from_pad(ZIGZAG, W, H).to_json()
    assert json.loads(text)["aspect"] == 2.125 and " " not in text
