"""YAML with positions: compose (never construct) so every value keeps its line and column.

The result is a small tree of ``Map`` / ``Seq`` / ``Scalar`` nodes with 1-based positions.
Mappings keep every entry, duplicates included, so validation can report them.  Plain scalars
keep their source text in ``raw``: YAML 1.1 reads ``on`` as ``True`` and ``+1`` as ``1``, and
validation uses what the author typed wherever it expects a string or a key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import yaml
from yaml.constructor import SafeConstructor

from rules.errors import Problem

__all__ = ["Map", "Node", "Scalar", "Seq", "compose"]

_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True, slots=True)
class Node:
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Scalar(Node):
    value: object  # str, int, float, bool, None, date/datetime as YAML resolved it
    raw: str  # the scalar's text as written (without quotes)
    style: str | None  # None for plain scalars, "'" / '"' / "|" / ">" otherwise
    end_line: int = 0  # where the scalar ends (a flow scalar may be folded over lines)

    @property
    def text(self) -> str:
        """What a string field sees: the value when quoted, the source text when plain."""
        return self.value if isinstance(self.value, str) else self.raw


@dataclass(frozen=True, slots=True)
class Seq(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Map(Node):
    entries: tuple[tuple[Scalar, Node], ...]


class _Converter:
    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems
        self.constructor = SafeConstructor()
        self.done: dict[int, Node] = {}
        self.active: set[int] = set()

    def problem(self, node: yaml.Node, path: str, message: str) -> None:
        mark = node.start_mark
        self.problems.append(Problem(self.file, mark.line + 1, mark.column + 1, path, message))

    def convert(self, node: yaml.Node, path: str) -> Node:
        key = id(node)
        if key in self.done:  # an alias: the same node again
            return self.done[key]
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        if key in self.active:
            self.problem(node, path, "recursive alias: a node cannot contain itself")
            return Scalar(line, col, None, "", None, line)
        self.active.add(key)
        result: Node
        if isinstance(node, yaml.MappingNode):
            entries: list[tuple[Scalar, Node]] = []
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE_TAG:
                    self.problem(key_node, path, "merge keys ('<<') are not supported; write the keys out")
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problem(key_node, path, "expected a plain key, got a mapping or a list")
                    continue
                key_value = self.convert(key_node, path)
                assert isinstance(key_value, Scalar)
                child = f"{path}.{key_value.raw}" if path else key_value.raw
                entries.append((key_value, self.convert(value_node, child)))
            result = Map(line, col, tuple(entries))
        elif isinstance(node, yaml.SequenceNode):
            result = Seq(
                line, col, tuple(self.convert(item, f"{path}[{i}]") for i, item in enumerate(node.value))
            )
        else:
            try:
                value = self.constructor.construct_object(node)
            except (yaml.YAMLError, ValueError, TypeError):
                value = node.value  # e.g. an impossible date such as 2024-13-45: keep the text
            style = cast(yaml.ScalarNode, node).style or None  # libyaml says "" for plain
            result = Scalar(line, col, value, str(node.value), style, node.end_mark.line + 1)
        self.active.discard(key)
        self.done[key] = result
        return result


# PyYAML's parser and our converter recurse once per nesting level
TOO_DEEP = "invalid YAML: nested too deeply to read (a rules file needs a handful of levels)"


# libyaml (PyYAML's C parser) composes the same nodes with the same marks as PyYAML's pure-Python
# parser, some thirty times faster; a document it refuses is read again by the Python parser,
# whose messages and positions the problems have always quoted.
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def _compose(text: str) -> yaml.Node | None:
    if _FAST_LOADER is not None:
        try:
            return yaml.compose(text, Loader=_FAST_LOADER)
        except (yaml.YAMLError, RecursionError, ValueError):
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def compose(text: str, file: str) -> tuple[Node | None, list[Problem]]:
    """Parse ``text``; return its root node (None for an empty document) and any problems."""
    problems: list[Problem] = []
    try:
        root = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = ", ".join(part for part in (exc.context, exc.problem) if part)
        if (
            exc.context
            and exc.context_mark
            and exc.problem_mark
            and exc.context_mark.line != exc.problem_mark.line
        ):
            what = f"{exc.context} (line {exc.context_mark.line + 1}), {exc.problem}"
        if "'\\t'" in what:
            what += " (YAML indents with spaces; replace the tab)"
        problems.append(Problem(file, line, col, "", f"invalid YAML: {what}"))
        return None, problems
    except RecursionError:  # thousands of nested brackets: PyYAML's parser recurses per level
        problems.append(Problem(file, 1, 1, "", TOO_DEEP))
        return None, problems
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        before = text[: exc.position]
        line, col = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        problems.append(
            Problem(file, line, col, "", f"invalid YAML: character #x{exc.character:04x}: {exc.reason}")
        )
        return None, problems
    if root is None:
        return None, problems
    try:
        return _Converter(file, problems).convert(root, ""), problems
    except RecursionError:
        problems.append(Problem(file, 1, 1, "", TOO_DEEP))
        return None, problems
