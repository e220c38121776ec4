"""Rule-file problems: every one says where (``file:line:col``), what (a dotted path) and why."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.errors import KakehashiError


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a rules file.

    ``line`` and ``col`` are 1-based; both are 0 when the problem has no position (an unreadable
    file).  ``path`` is the dotted path of the offending node, e.g. ``routes[2].when.keyword``,
    or ``""`` for file-level problems.
    """

    file: str
    line: int
    col: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class RulesError(KakehashiError):
    """A rules file could not be loaded; ``problems`` lists every problem found, in file order.

    ``str(error)`` is one problem per line, sorted by line and column (problems at the same place
    keep the order they were found in), ready for a terminal.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = sorted(problems, key=lambda p: (p.line, p.col))
        super().__init__("\n".join(str(p) for p in self.problems))
