"""Every exception Proxi raises on purpose.

ProxiError
├── ContentError      a content file (module, lesson, scenario, glossary) is wrong
├── ExpressionError   a condition or effect does not parse or cannot be evaluated
├── IllegalMove       a scenario move that the current state does not allow
│   └── StaleMove     a move made from a state that is no longer the saved one
├── AuthError         login refused (wrong credentials, throttled, deactivated)
└── NotAllowed        the viewer may not see or do this
"""

from __future__ import annotations


class ProxiError(Exception):
    """Base class: every message is written for a person, in French."""


class ContentError(ProxiError):
    """A content file is wrong; carries the place and the stable code of the problem."""

    def __init__(self, path: str, line: int, col: int, code: str, message: str) -> None:
        super().__init__(f"{path}:{line}:{col}: {code} {message}")
        self.path, self.line, self.col, self.code, self.message = path, line, col, code, message


class ExpressionError(ProxiError):
    """A condition or an effect does not parse, or names an unknown variable."""


class IllegalMove(ProxiError):
    """A move the scenario state does not allow; the state is left unchanged."""


class StaleMove(IllegalMove):
    """A move made from a screen that is out of date (a double tap, another tab).

    `current` is the state saved now (None if none): show it instead of the old screen.
    """

    def __init__(self, current: dict | None) -> None:
        super().__init__("ce choix a été fait depuis un écran qui n'est plus à jour")
        self.current = current


class AuthError(ProxiError):
    """Login refused: the message never says whether the identifier exists."""


class NotAllowed(ProxiError):
    """The viewer's role or scope does not cover what was asked."""


class ConfigurationError(ProxiError):
    """A setting the deployment needs is missing or wrong (the message says which)."""
