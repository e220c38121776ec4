"""The validator's base: a shared problem report and the checks of YAML's primitive types.

Every section of rules.yaml is checked by a small ``Checker`` subclass (``places``, ``routing``,
``reactions``, ``schedules``); they all write into one ``Report``, so ``compile_rules`` returns
every problem of the file at once.  The helpers here word the messages: what was found
(``kind_of``), what was expected, and a "did you mean" (``unknown``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import cast

from rules.errors import Problem, Said, problem, said
from rules.loader import Map, Node, Scalar, Seq

__all__ = ["Checker", "Report", "join", "kind_of", "suggest", "unknown"]


def kind_of(node: Node) -> Said:
    """What was found, for messages: ``a mapping``, ``a list``, ``null``, ``an integer``, ..."""
    if isinstance(node, Map):
        return said("kind.mapping")
    if isinstance(node, Seq):
        return said("kind.list")
    value = cast(Scalar, node).value
    if value is None:
        return said("kind.null")
    if isinstance(value, bool):
        return said("kind.boolean")
    if isinstance(value, int):
        return said("kind.integer")
    if isinstance(value, float):
        return said("kind.number")
    if isinstance(value, date | datetime):
        return said("kind.date")
    return said("kind.string")


def join(path: str, key: str) -> str:
    """``routes[0]`` + ``when`` is ``routes[0].when``; the top level has the empty path."""
    return f"{path}.{key}" if path else key


def suggest(word: str, options: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return close[0] if close else None


def unknown(what: str, word: str, options: Sequence[str]) -> Said:
    """``unknown key 'keywrd'; did you mean 'keyword'?`` or ``unknown key 'x' (expected one of: ...)``.

    ``what`` names a ``rules.what.*`` text: key, department, tag, platform, intent, status …"""
    thing = said(f"what.{what}")
    close = suggest(word, options)
    if close is not None:
        return said("unknown.close", what=thing, word=word, close=close)
    if not options:
        return said("unknown.none", what=thing, word=word)
    return said("unknown.options", what=thing, word=word, options=", ".join(options))


class Report:
    """The problems found in one file so far, in the order they were found."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.misspelt: dict[int, set[str]] = {}  # id(mapping node) -> keys its unknown keys were taken for

    def add(self, line: int, col: int, path: str, message: str | Said) -> None:
        self.problems.append(problem(self.file, line, col, path, message))


class Checker:
    """Checks of mappings, strings, lists, booleans, integers and choices, reported to ``report``.

    Each check returns the value, or ``None`` after reporting why it has none.
    """

    def __init__(self, report: Report) -> None:
        self.report = report

    def problem(self, node: Node, path: str, message: str | Said, *, col_offset: int = 0) -> None:
        self.report.add(node.line, node.col + col_offset, path, message)

    def mapping(
        self, node: Node, path: str, allowed: Sequence[str], required: Sequence[str] = ()
    ) -> dict[str, Node] | None:
        """The mapping's entries by key; reports duplicates, unknown and missing keys."""
        if not isinstance(node, Map):
            self.problem(node, path, said("expected.mapping", found=kind_of(node)))
            return None
        seen: dict[str, Scalar] = {}
        values: dict[str, Node] = {}
        suggested: set[str] = set()  # keys a misspelt key was taken for: not reported as missing too
        for key, value in node.entries:
            name = key.text
            if name in seen:
                self.problem(key, join(path, name), said("duplicate_key", name=name, line=seen[name].line))
                continue
            seen[name] = key
            if name not in allowed:
                self.problem(key, join(path, name), unknown("key", name, allowed))
                suggested.add(suggest(name, allowed) or "")
                continue
            values[name] = value
        for name in required:
            if name not in seen and name not in suggested:
                self.problem(node, path, said("missing_key", name=name))
        if suggested - {""}:
            self.report.misspelt[id(node)] = suggested - {""}
        return values

    def misspelt(self, node: Node) -> set[str]:
        """Keys of ``node`` (a mapping already checked) that were written misspelt: their "did you
        mean" is reported, so checks that would only repeat it ("missing 'to'") stay quiet."""
        return self.report.misspelt.get(id(node), set())

    def string(self, node: Node, path: str, *, empty_ok: bool = False) -> str | None:
        if not isinstance(node, Scalar) or node.value is None:
            self.problem(node, path, said("expected.string", found=kind_of(node)))
            return None
        text = node.text
        if not empty_ok and not text.strip():
            self.problem(node, path, said("expected.text"))
            return None
        return text

    def strings(
        self, node: Node, path: str, *, single_ok: bool = True, empty_ok: bool = False
    ) -> list[tuple[str, Node, str]] | None:
        """A string or a list of strings, as (text, node, path) triples."""
        if isinstance(node, Scalar) and single_ok and node.value is not None:
            text = self.string(node, path)
            return None if text is None else [(text, node, path)]
        if not isinstance(node, Seq):
            expected = "expected.strings_or_one" if single_ok else "expected.strings"
            self.problem(node, path, said(expected, found=kind_of(node)))
            return None
        if not node.items and not empty_ok:
            self.problem(node, path, said("expected.entries"))
            return None
        result = []
        for i, item in enumerate(node.items):
            text = self.string(item, f"{path}[{i}]")
            if text is not None:
                result.append((text, item, f"{path}[{i}]"))
        return result

    def boolean(self, node: Node, path: str) -> bool | None:
        if isinstance(node, Scalar) and isinstance(node.value, bool):
            return node.value
        self.problem(node, path, said("expected.boolean", found=kind_of(node)))
        return None

    def integer(self, node: Node, path: str, *, minimum: int) -> int | None:
        if isinstance(node, Scalar) and isinstance(node.value, int) and not isinstance(node.value, bool):
            if node.value < minimum:
                self.problem(node, path, said("expected.at_least", minimum=minimum, value=node.value))
                return None
            return node.value
        self.problem(node, path, said("expected.integer", found=kind_of(node)))
        return None

    def choice(self, node: Node, path: str, what: str, options: Sequence[str]) -> str | None:
        text = self.string(node, path)
        if text is None:
            return None
        if text not in options:
            self.problem(node, path, unknown(what, text, options))
            return None
        return text
