"""Rule-file problems: every one says where (``file:line:col``), what (a dotted path) and why.

The why is a ``Said``: a key of the texts table (``rules.*`` in ``bot.core.rules_texts``) and its
values.  ``str()`` is English, as the logs and the tests read it; ``text(locale)`` is the same
sentence in ja or en for a person at ``kakehashi rules check``.  The place stays as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.core.errors import KakehashiError
from bot.core.texts import t


@dataclass(frozen=True, slots=True)
class Said:
    """One sentence of the texts table, with its values (which may be ``Said`` themselves)."""

    key: str
    values: dict[str, Any] = field(default_factory=dict, hash=False)

    def text(self, locale: str) -> str:
        values = {k: v.text(locale) if isinstance(v, Said) else v for k, v in self.values.items()}
        return t(locale, self.key, **values)

    def __str__(self) -> str:
        return self.text("en")

    def __add__(self, other: object) -> str:  # an f-string or ``+`` still builds English text
        return str(self) + str(other)

    def __radd__(self, other: object) -> str:
        return str(other) + str(self)


def said(key: str, /, **values: Any) -> Said:
    return Said(f"rules.{key}", values)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a rules file.

    ``line`` and ``col`` are 1-based; both are 0 when the problem has no position (an unreadable
    file).  ``path`` is the dotted path of the offending node, e.g. ``routes[2].when.keyword``,
    or ``""`` for file-level problems.  ``message`` is English; ``said``, when there is one, says
    it in another language.
    """

    file: str
    line: int
    col: int
    path: str
    message: str
    said: Said | None = field(default=None, compare=False)

    def where(self) -> str:
        return f"{self.file}:{self.line}:{self.col}" if self.line else self.file

    def text(self, locale: str) -> str:
        """The problem for a person: the place as it is, the sentence in ``locale``."""
        message = self.said.text(locale) if self.said is not None else self.message
        return f"{self.where()}: {self.path}: {message}" if self.path else f"{self.where()}: {message}"

    def __str__(self) -> str:
        return self.text("en")


def problem(file: str, line: int, col: int, path: str, message: str | Said) -> Problem:
    """A ``Problem`` whose message is English text, or a ``Said`` (English kept beside it)."""
    if isinstance(message, Said):
        return Problem(file, line, col, path, str(message), message)
    return Problem(file, line, col, path, message)


class RulesError(KakehashiError):
    """A rules file could not be loaded; ``problems`` lists every problem found, in file order.

    ``str(error)`` is one problem per line, sorted by line and column (problems at the same place
    keep the order they were found in), ready for a terminal; ``text(locale)`` the same in ja or en.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = sorted(problems, key=lambda p: (p.line, p.col))
        super().__init__("\n".join(str(p) for p in self.problems))

    def text(self, locale: str) -> str:
        return "\n".join(p.text(locale) for p in self.problems)
