"""Validation: positioned YAML nodes in, compiled rules out, every problem collected on the way.

Nothing is half-loaded: ``compile_rules`` either returns a complete ``Compiled`` or the caller
raises ``RulesError`` with all problems.  Messages say what was found and what was expected,
with a "did you mean" where a close name exists.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, cast, get_args

from apscheduler.triggers.cron import CronTrigger

from bot.domain import DESTINATION_PLATFORMS, Destination, Platform
from rules.calendar import BusinessCalendar, parse_closed, supported_countries
from rules.conditions import (
    AllOf,
    AnyOf,
    AuthorIs,
    BotIs,
    ChannelIs,
    Condition,
    Keyword,
    KeywordsFound,
    MinLength,
    NotOf,
    PlatformIs,
    RegexFound,
    TagsInclude,
    ThreadIs,
)
from rules.engine import Route
from rules.errors import Problem
from rules.loader import Map, Node, Scalar, Seq
from rules.matcher import KeywordIndex, NamePatterns, RegexProblem, compile_regex, name_key
from rules.model import STATUSES, Department, Goal, ReactionRule, Schedule, Source
from rules.normalize import normalize

__all__ = ["Compiled", "compile_rules", "emoji_key"]

TOP_KEYS = (
    "version",
    "locale",
    "timezone",
    "admins",
    "staff",
    "holidays",
    "sources",
    "departments",
    "routes",
    "reactions",
    "schedules",
)
ROUTE_KEYS = ("name", "when", "to", "tag", "continue", "routes", "allow_private", "description")
CONDITION_KEYS = (
    "keyword",
    "regex",
    "channel",
    "author",
    "platform",
    "thread",
    "bot",
    "min_length",
    "tags",
    "any",
    "all",
    "not",
)
DEPARTMENT_KEYS = ("label", "post_to", "goal", "description")
GOAL_KEYS = ("text", "tag", "done_within_days", "at_least")
REACTION_KEYS = ("emoji", "on", "to", "tag", "set_status", "vote", "description")
HOLIDAY_KEYS = ("country", "closed")
SCHEDULE_KEYS = ("name", "kind", "cron", "departments", "post_to", "period", "after_hours", "description")
SCHEDULE_KINDS = ("recap", "agenda", "unanswered")
SOURCE_PLATFORMS = ("slack", "teams", "discourse", "webhook")
MESSAGE_PLATFORMS: tuple[str, ...] = get_args(Platform)
LOCALES = ("ja", "en")
DEFAULT_TIMEZONE = "Asia/Tokyo"
NUMERIC_WEEKDAYS = "use weekday names (mon-sun): APScheduler 3 counts 0 as Monday, cron counts 0 as Sunday"


def emoji_key(name: str) -> str:
    """``:bulb:`` == ``bulb`` == ``BULB``; Slack's ``+1::skin-tone-2`` == ``+1``."""
    return name.strip().strip(":").split("::")[0].casefold()


@dataclass(slots=True)
class Compiled:
    """Everything a ``RuleSet`` is made of."""

    version: int = 1
    locale: Literal["ja", "en"] = "ja"
    timezone: zoneinfo.ZoneInfo = field(default_factory=lambda: zoneinfo.ZoneInfo(DEFAULT_TIMEZONE))
    admins: tuple[str, ...] = ()
    staff: tuple[str, ...] = ()
    calendar: BusinessCalendar = field(default_factory=BusinessCalendar)
    sources: tuple[Source, ...] = ()
    departments: dict[str, Department] = field(default_factory=dict)
    routes: tuple[Route, ...] = ()
    reactions: tuple[ReactionRule, ...] = ()
    schedules: tuple[Schedule, ...] = ()
    keywords: KeywordIndex = field(default_factory=KeywordIndex)


def _kind(node: Node) -> str:
    if isinstance(node, Map):
        return "a mapping"
    if isinstance(node, Seq):
        return "a list"
    value = cast(Scalar, node).value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, date | datetime):
        return "a date"
    return "a string"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _suggest(word: str, options: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return close[0] if close else None


def _unknown(what: str, word: str, options: Sequence[str]) -> str:
    """``unknown key 'keywrd'; did you mean 'keyword'?`` or ``unknown key 'x' (expected one of: ...)``."""
    close = _suggest(word, options)
    if close is not None:
        return f"unknown {what} '{word}'; did you mean '{close}'?"
    if not options:
        return f"unknown {what} '{word}' (none are defined)"
    return f"unknown {what} '{word}' (expected one of: {', '.join(options)})"


@functools.cache
def _timezones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


class _Validator:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.out = Compiled()
        self.department_names: list[str] | None = None  # None: departments unusable, skip references
        self.route_names: dict[str, int] = {}
        self.route_tags: dict[str, Node] = {}
        self.post_to_nodes: list[tuple[Destination, Node, str]] = []
        self.goal_tags: list[tuple[str, Node, str]] = []

    # -- reporting and primitive types ---------------------------------------------------------

    def problem(self, node: Node, path: str, message: str, *, col_offset: int = 0) -> None:
        self.problems.append(Problem(self.file, node.line, node.col + col_offset, path, message))

    def mapping(
        self, node: Node, path: str, allowed: Sequence[str], required: Sequence[str] = ()
    ) -> dict[str, Node] | None:
        """The mapping's entries by key; reports duplicates, unknown and missing keys."""
        if not isinstance(node, Map):
            self.problem(node, path, f"expected a mapping, got {_kind(node)}")
            return None
        seen: dict[str, Scalar] = {}
        values: dict[str, Node] = {}
        for key, value in node.entries:
            name = key.text
            if name in seen:
                self.problem(
                    key,
                    _join(path, name),
                    f"duplicate key '{name}' (first defined at line {seen[name].line})",
                )
                continue
            seen[name] = key
            if name not in allowed:
                self.problem(key, _join(path, name), _unknown("key", name, allowed))
                continue
            values[name] = value
        for name in required:
            if name not in seen:
                self.problem(node, path, f"missing required key '{name}'")
        return values

    def string(self, node: Node, path: str, *, empty_ok: bool = False) -> str | None:
        if not isinstance(node, Scalar) or node.value is None:
            self.problem(node, path, f"expected a string, got {_kind(node)}")
            return None
        text = node.text
        if not empty_ok and not text.strip():
            self.problem(node, path, "expected a non-empty string")
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
            expected = "a string or a list of strings" if single_ok else "a list of strings"
            self.problem(node, path, f"expected {expected}, got {_kind(node)}")
            return None
        if not node.items and not empty_ok:
            self.problem(node, path, "expected at least one entry, got an empty list")
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
        self.problem(node, path, f"expected true or false, got {_kind(node)}")
        return None

    def integer(self, node: Node, path: str, *, minimum: int) -> int | None:
        if isinstance(node, Scalar) and isinstance(node.value, int) and not isinstance(node.value, bool):
            if node.value < minimum:
                self.problem(node, path, f"expected an integer of at least {minimum}, got {node.value}")
                return None
            return node.value
        self.problem(node, path, f"expected an integer, got {_kind(node)}")
        return None

    def choice(self, node: Node, path: str, what: str, options: Sequence[str]) -> str | None:
        text = self.string(node, path)
        if text is None:
            return None
        if text not in options:
            self.problem(node, path, _unknown(what, text, options))
            return None
        return text

    def department_refs(self, node: Node, path: str) -> tuple[str, ...] | None:
        """``to: product`` or ``to: [product, cs]``; each must be a defined department."""
        items = self.strings(node, path, empty_ok=True)
        if items is None:
            return None
        return tuple(name for name, item, item_path in items if self.department_ref(name, item, item_path))

    def department_ref(self, name: str, node: Node, path: str) -> bool:
        if self.department_names is None or name in self.department_names:
            return True
        self.problem(node, path, _unknown("department", name, self.department_names))
        return False

    # -- top level -----------------------------------------------------------------------------

    def top(self, root: Node | None) -> None:
        if root is None:
            self.problems.append(
                Problem(
                    self.file,
                    1,
                    1,
                    "",
                    "the file is empty: expected a mapping with version, sources, departments and routes",
                )
            )
            return
        top = self.mapping(root, "", TOP_KEYS, required=("version", "sources", "departments", "routes"))
        if top is None:
            return
        if "version" in top:
            version = self.integer(top["version"], "version", minimum=1)
            if version is not None and version != 1:
                self.problem(
                    top["version"],
                    "version",
                    f"unsupported version {version} (this kakehashi reads version 1)",
                )
        if "locale" in top:
            locale = self.string(top["locale"], "locale")
            if locale is not None and locale not in LOCALES:
                self.problem(top["locale"], "locale", f"unknown locale '{locale}' (expected ja or en)")
            elif locale is not None:
                self.out.locale = cast(Literal["ja", "en"], locale)
        if "timezone" in top:
            self.timezone(top["timezone"])
        if "admins" in top:
            admins = self.strings(top["admins"], "admins", single_ok=False, empty_ok=True)
            self.out.admins = tuple(text.strip() for text, _, _ in admins or ())
        if "staff" in top:
            staff = self.strings(top["staff"], "staff", single_ok=False, empty_ok=True)
            self.out.staff = tuple(text.strip() for text, _, _ in staff or ())
        if "holidays" in top:
            self.holidays(top["holidays"])
        if "departments" in top:
            self.departments(top["departments"])
        if "sources" in top:
            self.sources(top["sources"])
        if "routes" in top:
            self.out.routes = self.routes(top["routes"], "routes", None)
        if "reactions" in top:
            self.reactions(top["reactions"])
        if "schedules" in top:
            self.schedules(top["schedules"])
        self.check_loops()

    def timezone(self, node: Node) -> None:
        name = self.string(node, "timezone")
        if name is None:
            return
        try:
            self.out.timezone = zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            close = _suggest(name, _timezones())
            hint = (
                f"; did you mean '{close}'?"
                if close
                else " (expected an IANA name such as Asia/Tokyo or UTC)"
            )
            self.problem(node, "timezone", f"unknown timezone '{name}'{hint}")

    def holidays(self, node: Node) -> None:
        """``holidays: JP`` or ``holidays: {country: JP, closed: [12-29..01-03, 2026-05-01]}``."""
        entries = (
            {"country": node} if isinstance(node, Scalar) else self.mapping(node, "holidays", HOLIDAY_KEYS)
        )
        if entries is None:
            return
        country = None
        if "country" in entries:
            path = "holidays" if entries["country"] is node else "holidays.country"
            code = self.string(entries["country"], path)
            if code is not None and code.strip().upper() not in supported_countries():
                hint = "expected an ISO 3166 country code such as JP, US or GB"
                self.problem(entries["country"], path, f"unknown country '{code}' ({hint})")
            elif code is not None:
                country = code.strip().upper()
        closed = []
        for text, item, path in (
            self.strings(
                entries.get("closed", Seq(node.line, node.col, ())), "holidays.closed", empty_ok=True
            )
            or ()
        ):
            try:
                closed.append(parse_closed(text))
            except ValueError as exc:
                self.problem(item, path, f"'{text}': {exc}")
        self.out.calendar = BusinessCalendar(country=country, closed=tuple(closed))

    # -- departments and destinations ----------------------------------------------------------

    def departments(self, node: Node) -> None:
        if not isinstance(node, Map):
            self.problem(node, "departments", f"expected a mapping of department names, got {_kind(node)}")
            return
        if not node.entries:
            self.problem(node, "departments", "expected at least one department, got an empty mapping")
        names: list[str] = []
        entries = self.mapping(node, "departments", [key.text for key, _ in node.entries])
        assert entries is not None
        for key, _ in node.entries:
            if key.text == "all":
                self.problem(key, "departments.all", "'all' is reserved (schedules use 'departments: all')")
        for name, value in entries.items():
            names.append(name)
            path = f"departments.{name}"
            fields = self.mapping(value, path, DEPARTMENT_KEYS, required=("post_to",))
            if fields is None:
                continue
            label = name
            if "label" in fields:
                label = self.string(fields["label"], f"{path}.label") or name
            post_to = self.destinations(fields["post_to"], f"{path}.post_to") if "post_to" in fields else None
            goal = self.goal(fields["goal"], f"{path}.goal") if "goal" in fields else None
            if "description" in fields:
                self.string(fields["description"], f"{path}.description", empty_ok=True)
            if post_to:
                self.out.departments[name] = Department(name, label.strip(), post_to, goal)
        self.department_names = names

    def destinations(self, node: Node, path: str) -> tuple[Destination, ...] | None:
        items: list[tuple[Node, str]] | None = [(node, path)] if isinstance(node, Map) else None
        if items is None:
            if not isinstance(node, Seq):
                self.problem(
                    node,
                    path,
                    f'expected a list of destinations like {{slack: "#channel"}}, got {_kind(node)}',
                )
                return None
            if not node.items:
                self.problem(node, path, "expected at least one destination, got an empty list")
                return None
            items = [(item, f"{path}[{i}]") for i, item in enumerate(node.items)]
        result: list[Destination] = []
        for item, item_path in items:
            found = self.place(item, item_path, DESTINATION_PLATFORMS)
            if found is not None:
                destination = Destination(platform=found[0], channel=found[1])
                self.post_to_nodes.append((destination, item, item_path))
                if destination not in result:
                    result.append(destination)
        return tuple(result) if len(result) == len(items) else None

    def place(self, node: Node, path: str, platforms: Sequence[str]) -> tuple[str, str] | None:
        """One ``{platform: channel}`` mapping (a source or a destination) as (platform, channel)."""
        if not isinstance(node, Map):
            self.problem(node, path, f'expected a mapping like {{slack: "#channel"}}, got {_kind(node)}')
            return None
        if len(node.entries) != 1:
            keys = ", ".join(key.text for key, _ in node.entries) or "none"
            self.problem(node, path, f"expected exactly one platform, got {len(node.entries)}: {keys}")
            return None
        key, value = node.entries[0]
        platform, value_path = key.text, _join(path, key.text)
        if platform not in platforms:
            if platform in ("discourse", "webhook"):
                self.problem(
                    key,
                    value_path,
                    f"{platform} is a source, not a destination (departments post to {', '.join(platforms)})",
                )
            else:
                self.problem(key, value_path, _unknown("key", platform, platforms))
            return None
        if platform == "discourse":
            return self.discourse(value, value_path)
        channel = self.string(value, value_path)
        if channel is None:
            return None
        channel = channel.strip()
        if platform == "teams":
            team, slash, name = channel.partition("/")
            if not (slash and team.strip() and name.strip()):
                self.problem(value, value_path, f"expected 'Team/Channel', got '{channel}'")
                return None
        return platform, channel

    def discourse(self, node: Node, path: str) -> tuple[str, str] | None:
        if isinstance(node, Scalar):
            text = self.string(node, path)
            if text is None:
                return None
            if text.strip() != "*":
                self.problem(node, path, f"expected \"*\" or {{category: slug}}, got '{text}'")
                return None
            return "discourse", "*"
        fields = self.mapping(node, path, ("category",), required=("category",))
        if not fields or "category" not in fields:
            return None
        category = self.string(fields["category"], f"{path}.category")
        return None if category is None else ("discourse", f"discourse:{category.strip()}")

    def goal(self, node: Node, path: str) -> Goal | None:
        fields = self.mapping(node, path, GOAL_KEYS, required=("text",))
        if fields is None:
            return None
        text = self.string(fields["text"], f"{path}.text") if "text" in fields else None
        tag = None
        if "tag" in fields:
            tag = self.string(fields["tag"], f"{path}.tag")
            if tag is not None:
                tag = tag.strip()
                self.goal_tags.append((tag, fields["tag"], f"{path}.tag"))
        within, at_least = fields.get("done_within_days"), fields.get("at_least")
        if within is not None and at_least is not None:
            self.problem(node, path, "use either 'done_within_days' or 'at_least', not both")
            return None
        if within is None and at_least is None:
            self.problem(node, path, "a goal needs 'done_within_days' or 'at_least'")
            return None
        if text is None:
            return None
        if within is not None:
            days = self.integer(within, f"{path}.done_within_days", minimum=1)
            return None if days is None else Goal(text.strip(), tag, "done_within", days=days)
        assert at_least is not None
        count = self.integer(at_least, f"{path}.at_least", minimum=1)
        return None if count is None else Goal(text.strip(), tag, "at_least", count=count)

    # -- sources ---------------------------------------------------------------------------------

    def sources(self, node: Node) -> None:
        if not isinstance(node, Seq):
            self.problem(
                node, "sources", f'expected a list of sources like {{slack: "#community"}}, got {_kind(node)}'
            )
            return
        seen: dict[tuple[str, str], int] = {}
        result: list[Source] = []
        for i, item in enumerate(node.items):
            path = f"sources[{i}]"
            found = self.place(item, path, SOURCE_PLATFORMS)
            if found is None:
                continue
            key = (found[0], name_key(found[1]))
            if key in seen:
                self.problem(
                    item, path, f"duplicate source {found[0]}:{found[1]} (first defined at line {seen[key]})"
                )
                continue
            seen[key] = item.line
            result.append(Source(*found))
        self.out.sources = tuple(result)

    def check_loops(self) -> None:
        """A channel that is both a source and a department channel would be silently ignored."""
        channels: dict[str, list[str]] = {}
        for source in self.out.sources:
            if not any(c in source.channel for c in "*?["):  # a glob may rightly cover department channels
                channels.setdefault(source.platform, []).append(source.channel)
        patterns = {platform: NamePatterns(names) for platform, names in channels.items()}
        for destination, node, path in self.post_to_nodes:
            same_platform = patterns.get(destination.platform)
            found = same_platform.find(destination.channel) if same_platform is not None else None
            if found is not None:
                self.problem(
                    node,
                    path,
                    f"{destination} is also a source; kakehashi ignores posts in department channels, "
                    "so that source would go silent",
                )

    # -- routes -----------------------------------------------------------------------------------

    def routes(self, node: Node, path: str, parent: Route | None) -> tuple[Route, ...]:
        if not isinstance(node, Seq):
            self.problem(node, path, f"expected a list of routes, got {_kind(node)}")
            return ()
        if parent is not None and not node.items:
            self.problem(node, path, "expected at least one nested route, got an empty list")
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
            if name in self.route_names:
                self.problem(
                    fields["name"],
                    f"{path}.name",
                    f"duplicate route name '{name}' (first defined at line {self.route_names[name]})",
                )
            else:
                self.route_names[name] = fields["name"].line
        when: Condition | None = None
        if "when" in fields:
            when = self.condition(fields["when"], f"{path}.when", name)
            ok = ok and when is not None
        departments = parent.departments if parent else None
        if "to" in fields:
            own = self.department_refs(fields["to"], f"{path}.to")
            ok = ok and own is not None
            departments = own
        tag = parent.tag if parent else None
        if "tag" in fields:
            tag = self.string(fields["tag"], f"{path}.tag")
            if tag is None:
                ok = False
            else:
                tag = tag.strip()
                self.route_tags.setdefault(tag, fields["tag"])
        flags: dict[str, bool] = {}
        for key in ("continue", "allow_private"):
            if key in fields:
                value = self.boolean(fields[key], f"{path}.{key}")
                ok = ok and value is not None
                flags[key] = bool(value)
        description = None
        if "description" in fields:
            description = self.string(fields["description"], f"{path}.description", empty_ok=True)
        route = Route(
            name=name,
            path=path,
            when=when,
            departments=departments,
            tag=tag,
            continue_=flags.get("continue", False),
            allow_private=flags.get("allow_private", parent.allow_private if parent else False),
            accepts_bots=(parent.accepts_bots if parent else False) or _says_bot_true(when),
            description=description,
        )
        if "routes" in fields:
            children = self.routes(fields["routes"], f"{path}.routes", route)
            route = dataclasses.replace(route, routes=children)
        elif departments is None and "to" not in fields:
            self.problem(
                node,
                path,
                "missing 'to': name the departments this route sends to "
                "(a nested route may inherit them from its parent)",
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
                self.problem(
                    node, path, f"empty condition (expected one or more of: {', '.join(CONDITION_KEYS)})"
                )
            return None
        parts = [self.leaf(key, value, _join(path, key), route) for key, value in fields.items()]
        if any(part is None for part in parts) or len(fields) != len(cast(Map, node).entries):
            return None
        conditions = cast(list[Condition], parts)
        return conditions[0] if len(conditions) == 1 else AllOf(tuple(conditions))

    def leaf(self, key: str, node: Node, path: str, route: str) -> Condition | None:
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
                    self.problem(item, item_path, _unknown("platform", text, MESSAGE_PLATFORMS))
                    return None
                platforms.append(text)
            return PlatformIs(route, path, frozenset(platforms))
        if key == "thread":
            thread = self.choice(node, path, "thread", ("top", "reply"))
            return None if thread is None else ThreadIs(route, path, thread == "reply")
        if key == "bot":
            bot = self.boolean(node, path)
            return None if bot is None else BotIs(route, path, bot)
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
                self.problem(node, path, f"expected a list of conditions, got {_kind(node)}")
                return None
            if not node.items:
                self.problem(node, path, "expected at least one condition, got an empty list")
                return None
            children = [self.condition(item, f"{path}[{i}]", route) for i, item in enumerate(node.items)]
            if any(child is None for child in children):
                return None
            found = tuple(cast(list[Condition], children))
            return AnyOf(found) if key == "any" else AllOf(found)
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
            self.problem(node, path, "expected at least one keyword, got an empty list")
            return None
        keywords: list[Keyword] = []
        for item, item_path in entries:
            word = False
            value: Node = item
            if isinstance(item, Map):
                fields = self.mapping(item, item_path, ("word",))
                if fields is None or "word" not in fields:
                    if fields is not None and not item.entries:
                        self.problem(item, item_path, 'expected {word: "..."}, got an empty mapping')
                    continue
                word, value, item_path = True, fields["word"], f"{item_path}.word"
            elif isinstance(item, Seq) or (isinstance(item, Scalar) and item.value is None):
                expected = "a keyword (a string or {word: ...})"
                if item is node:
                    expected += " or a list of keywords"
                self.problem(item, item_path, f"expected {expected}, got {_kind(item)}")
                continue
            text = self.string(value, item_path, empty_ok=True)
            if text is None:
                continue
            normal = normalize(text)
            if not normal.strip():
                self.problem(value, item_path, "empty keyword")
                continue
            keyword_id = self.out.keywords.add(normal, word=word)
            keywords.append(Keyword(text, keyword_id, word, item_path))
        if len(keywords) != len(entries):
            return None
        return KeywordsFound(route, tuple(keywords))

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
        return RegexFound(route, tuple(patterns))

    # -- reactions and schedules --------------------------------------------------------------------

    def reactions(self, node: Node) -> None:
        if not isinstance(node, Seq):
            self.problem(node, "reactions", f"expected a list of reactions, got {_kind(node)}")
            return
        seen: dict[tuple[str, bool], int] = {}
        result = []
        for i, item in enumerate(node.items):
            path = f"reactions[{i}]"
            fields = self.mapping(item, path, REACTION_KEYS, required=("emoji",))
            if fields is None or "emoji" not in fields:
                continue
            emoji = self.emoji(fields["emoji"], f"{path}.emoji")
            on = (
                self.choice(fields["on"], f"{path}.on", "'on' value", ("post", "routed"))
                if "on" in fields
                else "post"
            )
            if emoji is None or on is None:
                continue
            routed = on == "routed"
            rule = self.reaction(item, fields, path, emoji, routed)
            if rule is None:
                continue
            if (emoji, routed) in seen:
                self.problem(
                    fields["emoji"],
                    f"{path}.emoji",
                    f"duplicate reaction '{emoji}' (first defined at line {seen[emoji, routed]})",
                )
                continue
            seen[emoji, routed] = fields["emoji"].line
            result.append(rule)
        self.out.reactions = tuple(result)

    def emoji(self, node: Node, path: str) -> str | None:
        if isinstance(node, Scalar) and isinstance(node.value, int | float) and node.style is None:
            return emoji_key(node.raw)  # `emoji: +1` reads as the number 1 in YAML; take what was typed
        text = self.string(node, path)
        if text is None:
            return None
        key = emoji_key(text)
        if not key or any(c.isspace() for c in key):
            self.problem(node, path, f"expected an emoji name like bulb or :bulb:, got '{text}'")
            return None
        return key

    def reaction(
        self, node: Node, fields: dict[str, Node], path: str, emoji: str, routed: bool
    ) -> ReactionRule | None:
        if not routed:
            for key in ("set_status", "vote"):
                if key in fields:
                    self.problem(
                        fields[key], f"{path}.{key}", f"'{key}' only applies to reactions with 'on: routed'"
                    )
                    return None
            if "to" not in fields:
                self.problem(
                    node, path, "missing 'to': a reaction on community posts routes them to a department"
                )
                return None
            to = self.string(fields["to"], f"{path}.to")
            if to is None or not self.department_ref(to.strip(), fields["to"], f"{path}.to"):
                return None
            tag = self.string(fields["tag"], f"{path}.tag") if "tag" in fields else None
            if tag is not None:
                self.route_tags.setdefault(tag.strip(), fields["tag"])
            elif "tag" in fields:
                return None
            return ReactionRule(emoji, to=to.strip(), tag=tag.strip() if tag else None)
        for key in ("to", "tag"):
            if key in fields:
                self.problem(
                    fields[key],
                    f"{path}.{key}",
                    f"'{key}' only applies to reactions on community posts (without 'on: routed')",
                )
                return None
        status = None
        if "set_status" in fields:
            status = self.choice(fields["set_status"], f"{path}.set_status", "status", STATUSES)
            if status is None:
                return None
        vote = False
        if "vote" in fields:
            voted = self.boolean(fields["vote"], f"{path}.vote")
            if voted is None:
                return None
            vote = voted
        if status is not None and vote:
            self.problem(node, path, "use either 'set_status' or 'vote: true', not both")
            return None
        if status is None and not vote:
            self.problem(node, path, "a reaction with 'on: routed' needs 'set_status' or 'vote: true'")
            return None
        return ReactionRule(emoji, set_status=status, vote=vote, on_routed=True)

    def schedules(self, node: Node) -> None:
        if not isinstance(node, Seq):
            self.problem(node, "schedules", f"expected a list of schedules, got {_kind(node)}")
            return
        seen: dict[str, int] = {}
        result = []
        for i, item in enumerate(node.items):
            path = f"schedules[{i}]"
            fields = self.mapping(item, path, SCHEDULE_KEYS, required=("kind", "cron"))
            if fields is None or "kind" not in fields or "cron" not in fields:
                continue
            kind = self.choice(fields["kind"], f"{path}.kind", "kind", SCHEDULE_KINDS)
            cron = self.cron(fields["cron"], f"{path}.cron")
            name = self.string(fields["name"], f"{path}.name") if "name" in fields else f"{kind}-{i}"
            departments: tuple[str, ...] | None = tuple(self.out.departments)
            if "departments" in fields:
                dept_node = fields["departments"]
                if not (isinstance(dept_node, Scalar) and dept_node.value == "all"):
                    departments = self.department_refs(dept_node, f"{path}.departments")
            post_to: tuple[Destination, ...] | None = ()
            if "post_to" in fields:
                post_to = self.destinations(fields["post_to"], f"{path}.post_to")
            elif kind == "agenda":
                self.problem(item, path, "missing 'post_to': an agenda needs a channel to go to")
                post_to = None
            period = "week"
            if "period" in fields:
                period = (
                    self.choice(fields["period"], f"{path}.period", "period", ("day", "week", "month")) or ""
                )
            after_hours: int | None = 24
            if "after_hours" in fields:
                after_hours = self.integer(fields["after_hours"], f"{path}.after_hours", minimum=1)
                if kind is not None and kind != "unanswered":
                    self.problem(
                        fields["after_hours"],
                        f"{path}.after_hours",
                        "after_hours is only for kind: unanswered",
                    )
            if "description" in fields:
                self.string(fields["description"], f"{path}.description", empty_ok=True)
            if name is not None and "name" in fields:
                name = name.strip()
            if name is not None:
                if name in seen:
                    self.problem(
                        fields.get("name", item),
                        f"{path}.name",
                        f"duplicate schedule name '{name}' (first defined at line {seen[name]})",
                    )
                    continue
                seen[name] = fields.get("name", item).line
            if None in (kind, cron, name, departments, post_to, after_hours) or not period:
                continue
            result.append(
                Schedule(
                    name=cast(str, name),
                    kind=cast(Literal["recap", "agenda", "unanswered"], kind),
                    cron=cast(str, cron),
                    departments=cast(tuple[str, ...], departments),
                    post_to=cast(tuple[Destination, ...], post_to),
                    period=cast(Literal["day", "week", "month"], period),
                    after_hours=cast(int, after_hours),
                )
            )
        self.out.schedules = tuple(result)

    def cron(self, node: Node, path: str) -> str | None:
        text = self.string(node, path)
        if text is None:
            return None
        fields = text.split()
        if len(fields) == 5 and any(c.isdigit() for c in fields[4]):
            self.problem(node, path, NUMERIC_WEEKDAYS)
            return None
        try:
            CronTrigger.from_crontab(text, timezone=self.out.timezone)
        except ValueError as exc:
            self.problem(node, path, f"invalid cron expression '{text}': {exc}")
            return None
        return " ".join(fields)

    # -- cross references ---------------------------------------------------------------------------

    def check_goal_tags(self) -> None:
        known = list(self.route_tags)
        for tag, node, path in self.goal_tags:
            if tag not in self.route_tags:
                self.problem(node, path, _unknown("tag", tag, known) + " (no route or reaction sets it)")


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


def compile_rules(root: Node | None, file: str) -> tuple[Compiled, list[Problem]]:
    """Validate and compile; the ``Compiled`` is only usable when the problem list is empty."""
    validator = _Validator(file)
    validator.top(root)
    validator.check_goal_tags()
    validator.out.keywords.build()
    return validator.out, validator.problems
