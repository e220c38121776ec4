"""YAML with positions: compose (never construct) so every value keeps its line and column.

The result is a small tree of ``Map`` / ``Seq`` / ``Scalar`` nodes with 1-based positions.
Mappings keep every entry, duplicates included, so validation can report them.  Plain scalars
keep their source text in ``raw``: YAML 1.1 reads ``on`` as ``True`` and ``+1`` as ``1``, and
validation uses what the author typed wherever it expects a string or a key.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import cast

import yaml
from yaml.constructor import SafeConstructor

from rules.errors import Problem, Said, problem, said

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

    def problem(self, node: yaml.Node, path: str, message: Said) -> None:
        mark = node.start_mark
        self.problems.append(problem(self.file, mark.line + 1, mark.column + 1, path, message))

    def convert(self, node: yaml.Node, path: str) -> Node:
        key = id(node)
        if key in self.done:  # an alias: the same node again
            return self.done[key]
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        if key in self.active:
            self.problem(node, path, said("yaml.recursive_alias"))
            return Scalar(line, col, None, "", None, line)
        self.active.add(key)
        result: Node
        if isinstance(node, yaml.MappingNode):
            entries: list[tuple[Scalar, Node]] = []
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE_TAG:
                    self.problem(key_node, path, said("yaml.merge_key"))
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problem(key_node, path, said("yaml.complex_key"))
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
TOO_DEEP = said("yaml.too_deep")


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


class _Unusual(Exception):
    """The document needs the composer's full treatment (see ``_from_events``)."""


# Deeper than this, the events are left to the composer and the converter, which recurse and
# report documents nested too deeply to read; rules files nest a handful of levels.
_EVENT_DEPTH = 100
_IMMUTABLE = (str, int, float, bool, type(None), bytes, datetime.date)


class _Scalars:
    """Tags and values of plain and quoted scalars, resolved and constructed once per distinct
    text (``to``, ``true``, a department's name recur thousands of times in a long file)."""

    def __init__(self, loader: yaml.CSafeLoader) -> None:
        self.resolve = loader.resolve
        self.constructor = SafeConstructor()
        self.tags: dict[tuple[str, tuple[bool, bool]], str] = {}
        self.values: dict[tuple[str, str], object] = {}
        # (tag as written, text, implicit) -> value, for the immutable ones: one lookup per scalar
        self.known: dict[tuple[str | None, str, tuple[bool, bool]], object] = {}

    def value(self, event: yaml.ScalarEvent) -> object:
        tag = event.tag
        if tag is None or tag == "!":
            key = (event.value, event.implicit)
            tag = self.tags.get(key)
            if tag is None:
                tag = self.tags[key] = self.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag == _MERGE_TAG:
            raise _Unusual
        found = self.values.get((tag, event.value), self)
        if found is not self:
            self.known[(event.tag, event.value, event.implicit)] = found
            return found
        node = yaml.ScalarNode(tag, event.value, style=event.style)  # marks only go into errors
        try:
            value = self.constructor.construct_object(node)
        except (yaml.YAMLError, ValueError, TypeError):
            value = node.value
        if isinstance(value, _IMMUTABLE):
            self.values[(tag, event.value)] = value
            self.known[(event.tag, event.value, event.implicit)] = value
        return value


def _from_events(text: str) -> Node | None:
    """The tree straight from libyaml's events, without composing PyYAML nodes first: the same
    ``Map``/``Seq``/``Scalar`` nodes ``_Converter`` makes of the composed document, several
    times faster for a long file.  Raises ``_Unusual`` for what it leaves to the composer and
    the converter (anchors and aliases, merge keys, keys that are not scalars, more than one
    document, deep nesting) and ``yaml.YAMLError`` for what libyaml refuses."""
    assert _FAST_LOADER is not None
    loader = _FAST_LOADER(text)
    try:
        scalars = _Scalars(loader)
        known = scalars.known
        get = loader.get_event
        scalar_event, mapping_start, sequence_start = (
            yaml.ScalarEvent,
            yaml.MappingStartEvent,
            yaml.SequenceStartEvent,
        )
        end_events = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
        # per open collection: [is a mapping, line, col, items]; a mapping's items alternate key, value
        stack: list[tuple[bool, int, int, list[Node]]] = []
        root: Node | None = None
        documents = 0
        get()  # stream start
        while True:
            event = get()
            kind = type(event)
            node: Node
            if kind is scalar_event:
                if event.anchor is not None:
                    raise _Unusual
                mark = event.start_mark
                line = mark.line + 1
                value = known.get((event.tag, event.value, event.implicit), known)
                node = Scalar(
                    line,
                    mark.column + 1,
                    scalars.value(event) if value is known else value,
                    event.value,
                    event.style or None,
                    event.end_mark.line + 1,
                )
            elif kind is mapping_start or kind is sequence_start:
                if event.anchor is not None or len(stack) >= _EVENT_DEPTH:
                    raise _Unusual
                if stack and stack[-1][0] and len(stack[-1][3]) % 2 == 0:
                    raise _Unusual  # a mapping or a list as a key
                mark = event.start_mark
                stack.append((kind is mapping_start, mark.line + 1, mark.column + 1, []))
                continue
            elif kind in end_events:
                is_map, line, col, items = stack.pop()
                if is_map:
                    keys = cast(list[Scalar], items[::2])  # a key that is not a scalar bailed out
                    node = Map(line, col, tuple(zip(keys, items[1::2], strict=True)))
                else:
                    node = Seq(line, col, tuple(items))
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _Unusual
                continue
            elif kind is yaml.DocumentEndEvent:
                continue
            elif kind is yaml.StreamEndEvent:
                return root
            else:  # an alias
                raise _Unusual
            if stack:
                stack[-1][3].append(node)
            else:
                root = node
    finally:
        loader.dispose()


def compose(text: str, file: str) -> tuple[Node | None, list[Problem]]:
    """Parse ``text``; return its root node (None for an empty document) and any problems."""
    if _FAST_LOADER is not None:
        try:
            return _from_events(text), []
        except (_Unusual, yaml.YAMLError, RecursionError, ValueError):
            pass  # the composer and the converter say what is wrong, or handle what is unusual
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
        key = "yaml.invalid_tab" if "'\\t'" in what else "yaml.invalid"
        problems.append(problem(file, line, col, "", said(key, what=what)))
        return None, problems
    except RecursionError:  # thousands of nested brackets: PyYAML's parser recurses per level
        problems.append(problem(file, 1, 1, "", TOO_DEEP))
        return None, problems
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        before = text[: exc.position]
        line, col = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        problems.append(
            problem(
                file, line, col, "", said("yaml.character", code=f"{exc.character:04x}", reason=exc.reason)
            )
        )
        return None, problems
    if root is None:
        return None, problems
    try:
        return _Converter(file, problems).convert(root, ""), problems
    except RecursionError:
        problems.append(problem(file, 1, 1, "", TOO_DEEP))
        return None, problems
