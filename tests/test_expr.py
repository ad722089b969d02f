import pytest

from proxi.content import expr
from proxi.errors import ExpressionError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 - 4", -1),
        ("tension >= 5", 1),
        ("tension < 5", 0),
        ("not (tension == 6) or note", 0),
        ("note == 0 and tension > 2", 1),
        ("-tension + 10", 4),
        ("true and not false", 1),
    ],
)
def test_evaluate(text, expected):
    assert expr.evaluate(expr.parse(text), {"tension": 6, "note": 0}) == expected


@pytest.mark.parametrize(
    "text", ["", "tension >", "(tension", "tension ** 2", "__import__('os')", "a.b", "1 2"]
)
def test_parse_rejects_with_a_french_message(text):
    with pytest.raises(ExpressionError) as raised:
        expr.parse(text)
    assert raised.value.args[0][0].islower() or "«" in raised.value.args[0]


def test_unknown_variable_is_an_error_not_a_lookup():
    with pytest.raises(ExpressionError, match="variable inconnue « __class__ »"):
        expr.evaluate(expr.parse("__class__"), {})


def test_effects():
    values = {"tension": 4}
    assert expr.parse_effect("tension += 2").apply(values) == 6
    assert expr.parse_effect("tension -= tension").apply(values) == 0
    assert expr.parse_effect("tension = 1 + 1").apply(values) == 2


@pytest.mark.parametrize("text", ["tension", "tension == 2", "and = 1", "= 3", "tension += "])
def test_bad_effects(text):
    with pytest.raises(ExpressionError):
        expr.parse_effect(text)


def test_names():
    assert expr.names(expr.parse("a + b > c or not d")) == {"a", "b", "c", "d"}


@pytest.mark.parametrize(
    ("operator", "below", "equal", "above"),
    [
        ("<", 1, 0, 0),
        ("<=", 1, 1, 0),
        (">", 0, 0, 1),
        (">=", 0, 1, 1),
        ("==", 0, 1, 0),
        ("!=", 1, 0, 1),
    ],
)
def test_every_comparison_holds_exactly_up_to_its_boundary(operator, below, equal, above):
    tree = expr.parse(f"tension {operator} 2")
    assert [expr.evaluate(tree, {"tension": value}) for value in (1, 2, 3)] == [below, equal, above]


@pytest.mark.parametrize(("a", "b"), [(0, 0), (0, 1), (1, 0), (1, 1)])
def test_and_or_not_follow_their_truth_tables(a, b):
    values = {"a": a, "b": b}
    assert expr.evaluate(expr.parse("a == 1 and b == 1"), values) == int(a and b)
    assert expr.evaluate(expr.parse("a == 1 or b == 1"), values) == int(a or b)
    assert expr.evaluate(expr.parse("not a == 1"), values) == int(not a)
