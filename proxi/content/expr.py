"""The tiny, safe expression language of scenario conditions and effects.

Grammar (precedence from low to high)::

    expr       := or_expr
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := sum (("==" | "!=" | "<" | "<=" | ">" | ">=") sum)?
    sum        := unary (("+" | "-") unary)*
    unary      := "-" unary | atom
    atom       := INTEGER | "true" | "false" | NAME | "(" expr ")"

    effect     := NAME ("=" | "+=" | "-=") expr

Values are integers (true is 1, false is 0). Text is parsed into a small tree of tuples
and evaluated by walking it: nothing is ever handed to Python's `eval`.

The language is bounded so that a hostile or careless file cannot exhaust the parser:
at most MAX_LENGTH characters, MAX_DEPTH levels of nesting and MAX_DIGITS digits per
integer. Going past a bound is an ordinary ExpressionError, reported at the expression.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from proxi.errors import ExpressionError

Tree = tuple  # ("num", 3) | ("var", "tension") | ("not", t) | (op, left, right)

_TOKEN = re.compile(r"\s*(?:(\d+)|([A-Za-z_][A-Za-z0-9_]*)|(==|!=|<=|>=|\+=|-=|[<>=()+-]))")
_COMPARISONS = {"==", "!=", "<", "<=", ">", ">="}
_KEYWORDS = {"and", "or", "not", "true", "false"}
MAX_LENGTH = 500  # characters: a real condition is one line
MAX_DEPTH = 32  # nested parentheses, "not" and "-"
MAX_DIGITS = 6  # a variable's range is small; 999999 is already absurd


def _tokenize(text: str) -> list[str]:
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression trop longue (plus de {MAX_LENGTH} caractères)")
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match:
            raise ExpressionError(f"caractère inattendu « {text[position:].strip()[:1]} »")
        tokens.append(match.group(match.lastindex or 0))
        position = match.end()
    return tokens


class _Parser:
    """Recursive descent over the token list; one method per grammar rule."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.position = 0
        self.depth = 0

    def nested(self, rule):
        """Run a rule one level deeper; refuse nesting past MAX_DEPTH."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(f"expression trop imbriquée (plus de {MAX_DEPTH} niveaux)")
        try:
            return rule()
        finally:
            self.depth -= 1

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None:
            raise ExpressionError("l'expression s'arrête trop tôt")
        if expected is not None and token != expected:
            raise ExpressionError(f"« {expected} » attendu, « {token} » trouvé")
        self.position += 1
        return token

    def finish(self) -> None:
        if self.peek() is not None:
            raise ExpressionError(f"« {self.peek()} » en trop à la fin de l'expression")

    def expr(self) -> Tree:
        return self.or_expr()

    def or_expr(self) -> Tree:
        tree = self.and_expr()
        while self.peek() == "or":
            self.take()
            tree = ("or", tree, self.and_expr())
        return tree

    def and_expr(self) -> Tree:
        tree = self.not_expr()
        while self.peek() == "and":
            self.take()
            tree = ("and", tree, self.not_expr())
        return tree

    def not_expr(self) -> Tree:
        if self.peek() == "not":
            self.take()
            return ("not", self.nested(self.not_expr))
        return self.comparison()

    def comparison(self) -> Tree:
        tree = self.sum()
        if self.peek() in _COMPARISONS:
            operator = self.take()
            tree = (operator, tree, self.sum())
        return tree

    def sum(self) -> Tree:
        tree = self.unary()
        while self.peek() in ("+", "-"):
            operator = self.take()
            tree = (operator, tree, self.unary())
        return tree

    def unary(self) -> Tree:
        if self.peek() == "-":
            self.take()
            return ("neg", self.nested(self.unary))
        return self.atom()

    def atom(self) -> Tree:
        token = self.take()
        if token.isdigit():
            if len(token) > MAX_DIGITS:
                shown = token if len(token) <= 12 else token[:12] + "…"
                raise ExpressionError(
                    f"nombre trop grand « {shown} » ({MAX_DIGITS} chiffres au plus)"
                )
            return ("num", int(token))
        if token in ("true", "false"):
            return ("num", int(token == "true"))
        if token == "(":
            tree = self.nested(self.expr)
            self.take(")")
            return tree
        if token in _KEYWORDS or not (token[0].isalpha() or token[0] == "_"):
            raise ExpressionError(f"valeur attendue, « {token} » trouvé")
        return ("var", token)


@functools.lru_cache(maxsize=4096)  # trees are immutable tuples; scenarios repeat expressions
def parse(text: str) -> Tree:
    """Parse a condition or a right-hand side; raise ExpressionError in French."""
    parser = _Parser(str(text))
    if parser.peek() is None:
        raise ExpressionError("expression vide")
    tree = parser.expr()
    parser.finish()
    return tree


@dataclass(frozen=True)
class Effect:
    """`variable op value`, where op is "=", "+=" or "-="."""

    variable: str
    operator: str
    value: Tree

    def apply(self, values: Mapping[str, int]) -> int:
        """Return the variable's new value (the caller stores it)."""
        amount = evaluate(self.value, values)
        if self.operator == "+=":
            return values[self.variable] + amount
        if self.operator == "-=":
            return values[self.variable] - amount
        return amount


_EFFECT = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(\+=|-=|=(?!=))(.*)$", re.DOTALL)


@functools.lru_cache(maxsize=4096)
def parse_effect(text: str) -> Effect:
    """Parse `tension += 2`, `confiance -= 1` or `plainte = 1`."""
    match = _EFFECT.match(str(text))
    if not match or match.group(1) in _KEYWORDS:
        raise ExpressionError("un effet s'écrit « variable = valeur », « += » ou « -= »")
    return Effect(match.group(1), match.group(2), parse(match.group(3)))


def names(tree: Tree) -> set[str]:
    """Every variable name the tree reads."""
    if tree[0] == "var":
        return {tree[1]}
    if tree[0] == "num":
        return set()
    return set().union(*(names(child) for child in tree[1:]))


_BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "==": lambda a, b: int(a == b),
    "!=": lambda a, b: int(a != b),
    "<": lambda a, b: int(a < b),
    "<=": lambda a, b: int(a <= b),
    ">": lambda a, b: int(a > b),
    ">=": lambda a, b: int(a >= b),
}


def evaluate(tree: Tree, values: Mapping[str, int]) -> int:
    """Evaluate over integer variables; an unknown name raises ExpressionError."""
    kind = tree[0]
    if kind == "num":
        return tree[1]
    if kind == "var":
        if tree[1] not in values:
            raise ExpressionError(f"variable inconnue « {tree[1]} »")
        return values[tree[1]]
    if kind == "neg":
        return -evaluate(tree[1], values)
    if kind == "not":
        return int(not evaluate(tree[1], values))
    if kind == "and":
        return int(bool(evaluate(tree[1], values)) and bool(evaluate(tree[2], values)))
    if kind == "or":
        return int(bool(evaluate(tree[1], values)) or bool(evaluate(tree[2], values)))
    return _BINARY[kind](evaluate(tree[1], values), evaluate(tree[2], values))
