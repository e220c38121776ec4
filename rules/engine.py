"""Route evaluation: top-down, first match wins unless ``continue: true``; nested routes refine.

Inheritance (``to``, ``tag``, ``allow_private``) and the bot opt-in are resolved at load time, so
evaluation only walks compiled ``Route`` objects.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from bot.core.domain import Classifiable
from rules.answers import ReplyOnClose
from rules.conditions import AllOf, AnyOf, Condition, KeywordsFound, MessageContext, NotOf, RegexFound
from rules.matcher import KeywordIndex, RegexSet
from rules.model import Match, Reason

__all__ = ["Engine", "Route"]


@dataclass(frozen=True, slots=True)
class Route:
    """A compiled route.  ``departments``/``tag``/``allow_private`` are effective (own or inherited).

    ``departments`` is None when neither the route nor an ancestor names any: such a route only
    groups its children.  ``accepts_bots`` is true when its own or an ancestor's ``when`` says
    ``bot: true`` (outside a ``not``).
    """

    name: str
    path: str
    when: Condition | None
    departments: tuple[str, ...] | None
    tag: str | None
    continue_: bool
    allow_private: bool
    accepts_bots: bool
    routes: tuple[Route, ...] = ()
    description: str | None = None
    reply_on_close: ReplyOnClose | None = None
    label: str | None = None  # what people read (reposts, ``rules test``); the name when None

    @property
    def display(self) -> str:
        return self.label or self.name

    def walk(self) -> tuple[Route, ...]:
        """This route and all its descendants, in file order."""
        return (self, *(r for child in self.routes for r in child.walk()))


# A list of sibling routes is indexed by keyword once it has this many routes that need one: a
# message then evaluates only the routes whose keywords it contains (and those needing none).
# Below it, walking every route costs less than building the candidate list.
INDEXED_FROM = 16


def needed_keywords(condition: Condition | None) -> frozenset[int] | None:
    """Keyword ids of which at least one must be in a message for ``condition`` to hold; None when
    it can hold without any (a channel, an intent, a ``not``, no condition at all)."""
    if isinstance(condition, KeywordsFound):
        return frozenset(condition.by_id)
    if isinstance(condition, AllOf):  # any one part's need will do: the narrowest
        needs = [n for n in map(needed_keywords, condition.conditions) if n is not None]
        return min(needs, key=len) if needs else None
    if isinstance(condition, AnyOf):  # every alternative must need some keyword
        alternatives = [needed_keywords(c) for c in condition.conditions]
        if alternatives and all(n is not None for n in alternatives):
            return frozenset().union(*(n for n in alternatives if n is not None))
    return None


def _needs(condition: Condition | None, regexes: RegexSet | None) -> frozenset[int] | None:
    """What ``condition`` needs as index keys: ``needed_keywords`` when it has that, else the
    regexes of which one must match, as ``~i`` for index i in the rules' regex set (whose
    "matches somewhere" is exactly "its search finds a match"); None when it needs neither."""
    keywords = needed_keywords(condition)
    if keywords is not None or regexes is None:
        return keywords
    if isinstance(condition, RegexFound):
        found = [regexes.index_of(compiled) for _, compiled, _ in condition.patterns]
        return None if any(i is None for i in found) else frozenset(~cast(int, i) for i in found)
    if isinstance(condition, AllOf):
        needs = [n for n in (_needs(c, regexes) for c in condition.conditions) if n is not None]
        return min(needs, key=len) if needs else None
    if isinstance(condition, AnyOf):
        alternatives = [_needs(c, regexes) for c in condition.conditions]
        if alternatives and all(n is not None for n in alternatives):
            return frozenset().union(*(n for n in alternatives if n is not None))
    return None


def _regexes(condition: Condition | None) -> Iterable[Any]:
    """Every compiled regex in ``condition``."""
    if isinstance(condition, RegexFound):
        yield from (compiled for _, compiled, _ in condition.patterns)
    elif isinstance(condition, AllOf | AnyOf):
        for part in condition.conditions:
            yield from _regexes(part)
    elif isinstance(condition, NotOf):
        yield from _regexes(condition.condition)


class _Level:
    """Sibling routes with, when there are many, an index from what they need (``_needs``: a
    keyword id, or ``~i`` for regex i of the rules' set) to the positions of the routes that need
    it; ``always`` are the positions of routes that need neither."""

    __slots__ = ("always", "by_keyword", "by_regex", "children", "routes")

    def __init__(self, routes: tuple[Route, ...], indexed_from: int | None, regexes: RegexSet | None) -> None:
        self.routes = routes
        self.children = tuple(_Level(r.routes, indexed_from, regexes) if r.routes else None for r in routes)
        needs = [_needs(r.when, regexes) for r in routes]
        self.by_keyword: dict[int, list[int]] | None = None
        self.by_regex: dict[int, list[int]] = {}
        self.always: tuple[int, ...] = ()
        if indexed_from is not None and sum(n is not None for n in needs) >= indexed_from:
            self.by_keyword = {}
            for position, need in enumerate(needs):
                for key in need or ():
                    index = self.by_keyword if key >= 0 else self.by_regex
                    index.setdefault(key if key >= 0 else ~key, []).append(position)
            self.always = tuple(i for i, need in enumerate(needs) if need is None)

    def candidates(self, ctx: MessageContext) -> Iterable[int]:
        """Positions of the routes that may hold for this message, in order."""
        if self.by_keyword is None:
            return range(len(self.routes))
        found = set(self.always)
        index = self.by_keyword
        for keyword_id in ctx.hits.anywhere:
            positions = index.get(keyword_id)
            if positions is not None:
                found.update(positions)
        if self.by_regex:
            for regex in ctx.matching_regexes():
                positions = self.by_regex.get(regex)
                if positions is not None:
                    found.update(positions)
        return sorted(found)


class Engine:
    """``indexed_from``: index sibling routes by keyword from this many on (None: never, every
    route is evaluated in turn; the benchmark's baseline)."""

    def __init__(
        self, routes: tuple[Route, ...], keywords: KeywordIndex, *, indexed_from: int | None = INDEXED_FROM
    ) -> None:
        self.routes = routes
        self.keywords = keywords
        # one pass for every regex when there are several; a single one is searched by itself
        found = [c for r in routes for route in r.walk() for c in _regexes(route.when)]
        self.regexes = RegexSet(found) if indexed_from is not None and len(found) > 1 else None
        self._level = _Level(routes, indexed_from, self.regexes)

    def classify(self, message: Classifiable) -> tuple[Match, ...]:
        ctx = MessageContext(message, self.keywords, self.regexes)
        matches: list[Match] = []
        _evaluate(self._level, ctx, (), matches)
        return tuple(matches)


def _evaluate(level: _Level, ctx: MessageContext, inherited: tuple[Reason, ...], out: list[Match]) -> None:
    """Routes in order; a route the index rules out (it needs a keyword the message lacks) could
    not have held, so skipping it decides nothing differently."""
    message = ctx.message
    routes = level.routes
    for position in level.candidates(ctx):
        route = routes[position]
        if message.is_bot and not route.accepts_bots:
            continue
        if message.private and not route.allow_private:
            continue
        when = route.when
        reasons = inherited
        if when is not None:
            if not when.holds(ctx):  # most routes: no reasons made for them
                continue
            held = when.match(ctx)
            if held is None:
                continue
            reasons += held
        before = len(out)
        child = level.children[position]
        if child is not None:
            _evaluate(child, ctx, reasons, out)
        if len(out) == before:
            if route.departments is None:
                continue  # a grouping route whose children all missed: not a match
            if not reasons:
                reasons = (Reason(route.name, route.path, "always", "no conditions"),)
            out.append(Match(route.name, route.departments, route.tag, reasons, route.label))
        if not route.continue_:
            return
