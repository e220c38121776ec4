"""Checks of ``routes``: names, departments, tags and flags, and the ``when`` conditions they
compile to (keywords go into one shared ``KeywordIndex``, regexes through re2)."""

from __future__ import annotations

import dataclasses
from typing import cast, get_args

from bot.core.domain import Platform
from rules.answers import ReplyChecks
from rules.checker import Checker, Report, join, kind_of, unknown
from rules.conditions import (
    AllOf,
    AnyOf,
    AuthorIs,
    BotIs,
    ChannelIs,
    Condition,
    IntentFound,
    Keyword,
    KeywordsFound,
    MinLength,
    NotOf,
    PlatformIs,
    RegexFound,
    StaffIs,
    TagsInclude,
    ThreadIs,
)
from rules.engine import Route
from rules.errors import said
from rules.intents import INTENT_NAMES, INTENTS
from rules.loader import Map, Node, Scalar, Seq
from rules.matcher import KeywordIndex, NamePatterns, RegexProblem, compile_regex
from rules.normalize import normalize
from rules.places import PlaceChecks

__all__ = ["RouteChecks"]

ROUTE_KEYS = (
    "name",
    "label",
    "when",
    "to",
    "tag",
    "continue",
    "routes",
    "allow_private",
    "description",
    "reply_on_close",
)
CONDITION_KEYS = (
    "intent",
    "keyword",
    "regex",
    "channel",
    "author",
    "platform",
    "thread",
    "bot",
    "staff",
    "min_length",
    "tags",
    "any",
    "all",
    "not",
)
MESSAGE_PLATFORMS: tuple[str, ...] = get_args(Platform)


class RouteChecks(Checker):
    """``routes`` (nested ones inherit departments, tag and flags) and their ``when``."""

    def __init__(self, report: Report, *, places: PlaceChecks) -> None:
        super().__init__(report)
        self.places = places
        self.keyword_index = KeywordIndex()  # every keyword of every route; build() it once all are in
        self.names: dict[str, int] = {}  # route name -> line first defined
        self.tags: dict[str, Node] = {}  # tags routes set -> where first set
        self.team: tuple[str, ...] = ()  # admins + staff, for ``staff:`` (set before the routes)

    # -- routes -----------------------------------------------------------------------------------

    def routes(self, node: Node, path: str, parent: Route | None) -> tuple[Route, ...]:
        if not isinstance(node, Seq):
            self.problem(node, path, said("expected.routes", found=kind_of(node)))
            return ()
        if parent is not None and not node.items:
            self.problem(node, path, said("expected.a_nested_route"))
        routes = []
        for i, item in enumerate(node.items):
            route = self.route(item, f"{path}[{i}]", parent)
            if route is not None:
                routes.append(route)
        return tuple(routes)

    def route(self, node: Node, path: str, parent: Route | None) -> Route | None:
        fields = self.mapping(node, path, ROUTE_KEYS, required=("name",))
        if fields is None:
            return None
        ok = True
        name = self.string(fields["name"], f"{path}.name") if "name" in fields else None
        if name is None:
            ok = False
            name = path
        else:
            name = name.strip()
            if name in self.names:
                self.problem(
                    fields["name"],
                    f"{path}.name",
                    said("duplicate_route", name=name, line=self.names[name]),
                )
            else:
                self.names[name] = fields["name"].line
        when: Condition | None = None
        if "when" in fields:
            when = self.condition(fields["when"], f"{path}.when", name)
            ok = ok and when is not None
        departments = parent.departments if parent else None
        if "to" in fields:
            own = self.places.department_refs(fields["to"], f"{path}.to")
            ok = ok and own is not None
            departments = own
        tag = parent.tag if parent else None
        if "tag" in fields:
            tag = self.string(fields["tag"], f"{path}.tag")
            if tag is None:
                ok = False
            else:
                tag = tag.strip()
                self.tags.setdefault(tag, fields["tag"])
        flags: dict[str, bool] = {}
        for key in ("continue", "allow_private"):
            if key in fields:
                value = self.boolean(fields[key], f"{path}.{key}")
                ok = ok and value is not None
                flags[key] = bool(value)
        reply_on_close = parent.reply_on_close if parent else None
        if "reply_on_close" in fields:
            reply_on_close = ReplyChecks(self.report).reply_on_close(
                fields["reply_on_close"], f"{path}.reply_on_close"
            )
            ok = ok and reply_on_close is not None
        label = None
        if "label" in fields:
            label = self.string(fields["label"], f"{path}.label")
            ok = ok and label is not None
            label = label.strip() if label else None
        description = None
        if "description" in fields:
            description = self.string(fields["description"], f"{path}.description", empty_ok=True)
        route = Route(
            name=name,
            label=label,
            path=path,
            when=when,
            departments=departments,
            tag=tag,
            continue_=flags.get("continue", False),
            allow_private=flags.get("allow_private", parent.allow_private if parent else False),
            accepts_bots=(parent.accepts_bots if parent else False) or _says_bot_true(when),
            description=description,
            reply_on_close=reply_on_close,
        )
        if "routes" in fields:
            children = self.routes(fields["routes"], f"{path}.routes", route)
            route = dataclasses.replace(route, routes=children)
        elif departments is None and "to" not in fields and "to" not in self.misspelt(node):
            self.problem(
                node,
                path,
                said("route.missing_to"),
            )
            ok = False
        return route if ok else None

    # -- conditions -------------------------------------------------------------------------------

    def condition(self, node: Node, path: str, route: str) -> Condition | None:
        fields = self.mapping(node, path, CONDITION_KEYS)
        if fields is None:
            return None
        if not fields:
            if isinstance(node, Map) and not node.entries:
                self.problem(node, path, said("empty_condition", keys=", ".join(CONDITION_KEYS)))
            return None
        parts = [self.leaf(key, value, join(path, key), route) for key, value in fields.items()]
        if any(part is None for part in parts) or len(fields) != len(cast(Map, node).entries):
            return None
        conditions = cast(list[Condition], parts)
        return conditions[0] if len(conditions) == 1 else AllOf(tuple(conditions))

    def leaf(self, key: str, node: Node, path: str, route: str) -> Condition | None:
        if key == "intent":
            return self.intents(node, path, route)
        if key == "keyword":
            return self.keywords(node, path, route)
        if key == "regex":
            return self.regexes(node, path, route)
        if key in ("channel", "author"):
            items = self.strings(node, path)
            if items is None:
                return None
            written = tuple(text.strip() for text, _, _ in items)
            cls = ChannelIs if key == "channel" else AuthorIs
            return cls(route, path, NamePatterns(written), written)
        if key == "platform":
            items = self.strings(node, path)
            if items is None:
                return None
            platforms = []
            for text, item, item_path in items:
                if text not in MESSAGE_PLATFORMS:
                    self.problem(item, item_path, unknown("platform", text, MESSAGE_PLATFORMS))
                    return None
                platforms.append(text)
            return PlatformIs(route, path, frozenset(platforms))
        if key == "thread":
            thread = self.choice(node, path, "thread", ("top", "reply"))
            return None if thread is None else ThreadIs(route, path, thread == "reply")
        if key == "bot":
            bot = self.boolean(node, path)
            return None if bot is None else BotIs(route, path, bot)
        if key == "staff":
            staff = self.boolean(node, path)
            return None if staff is None else StaffIs(route, path, NamePatterns(self.team), staff)
        if key == "min_length":
            length = self.integer(node, path, minimum=1)
            return None if length is None else MinLength(route, path, length)
        if key == "tags":
            items = self.strings(node, path)
            if items is None:
                return None
            return TagsInclude(route, path, {text.strip().casefold(): text.strip() for text, _, _ in items})
        if key in ("any", "all"):
            if not isinstance(node, Seq):
                self.problem(node, path, said("expected.conditions", found=kind_of(node)))
                return None
            if not node.items:
                self.problem(node, path, said("expected.a_condition"))
                return None
            children = [self.condition(item, f"{path}[{i}]", route) for i, item in enumerate(node.items)]
            if any(child is None for child in children):
                return None
            found = tuple(cast(list[Condition], children))
            return AnyOf(found, path) if key == "any" else AllOf(found)
        assert key == "not"
        child = self.condition(node, path, route)
        return None if child is None else NotOf(route, path, child)

    def keywords(self, node: Node, path: str, route: str) -> Condition | None:
        entries = (
            [(node, path)]
            if not isinstance(node, Seq)
            else [(item, f"{path}[{i}]") for i, item in enumerate(node.items)]
        )
        if isinstance(node, Seq) and not node.items:
            self.problem(node, path, said("expected.a_keyword"))
            return None
        keywords: list[Keyword] = []
        for item, item_path in entries:
            word = False
            value: Node = item
            if isinstance(item, Map):
                fields = self.mapping(item, item_path, ("word",))
                if fields is None or "word" not in fields:
                    if fields is not None and not item.entries:
                        self.problem(item, item_path, said("expected.word"))
                    continue
                word, value, item_path = True, fields["word"], f"{item_path}.word"
            elif isinstance(item, Seq) or (isinstance(item, Scalar) and item.value is None):
                expected = "expected.keywords" if item is node else "expected.keyword"
                self.problem(item, item_path, said(expected, found=kind_of(item)))
                continue
            text = self.string(value, item_path, empty_ok=True)
            if text is None:
                continue
            normal = normalize(text)
            if not normal.strip():
                self.problem(value, item_path, said("empty_keyword"))
                continue
            keyword_id = self.keyword_index.add(normal, exact=word)
            keywords.append(Keyword(text, keyword_id, word, item_path, normal))
        if len(keywords) != len(entries):
            return None
        return KeywordsFound(route, tuple(keywords), path)

    def intents(self, node: Node, path: str, route: str) -> Condition | None:
        items = self.strings(node, path)
        if items is None:
            return None
        detectors = []
        for text, item, item_path in items:
            name = text.strip()
            if name not in INTENTS:
                self.problem(item, item_path, unknown("intent", name, INTENT_NAMES))
                continue
            detectors.append(INTENTS[name])
        if len(detectors) != len(items):
            return None
        return IntentFound(route, path, tuple(detectors))

    def regexes(self, node: Node, path: str, route: str) -> Condition | None:
        items = self.strings(node, path)
        if items is None:
            return None
        patterns = []
        for text, item, item_path in items:
            compiled = compile_regex(text)
            if isinstance(compiled, RegexProblem):
                self.problem(
                    item, item_path, compiled.message, col_offset=_regex_col(item, text, compiled.offset)
                )
                continue
            patterns.append((text, compiled, item_path))
        if len(patterns) != len(items):
            return None
        return RegexFound(route, tuple(patterns), path)


def _says_bot_true(condition: Condition | None) -> bool:
    """Whether ``bot: true`` appears in the condition outside any ``not``: the bot opt-in."""
    if isinstance(condition, BotIs):
        return condition.bot
    if isinstance(condition, AllOf | AnyOf):
        return any(_says_bot_true(child) for child in condition.conditions)
    return False


def _regex_col(node: Node, pattern: str, offset: int | None) -> int:
    """How far into the scalar the offending character is, when the source lines up with the value."""
    if offset is None or not isinstance(node, Scalar) or node.end_line != node.line:
        return 0
    if node.style is None:
        return offset
    if node.style == "'" and "'" not in pattern[:offset]:
        return offset + 1
    if node.style == '"' and "\\" not in pattern[:offset] and '"' not in pattern[:offset]:
        return offset + 1
    return 0
