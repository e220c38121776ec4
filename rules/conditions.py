"""Compiled conditions: each answers ``match(ctx)`` with the reasons it held, or None.

``trace(ctx)`` is the slow, explaining twin of ``match`` (``kakehashi rules test``): a ``Check``
with what held, what was missing (``Missing``, one per leaf that did not hold) and how many of
the conditions held.  ``any`` and ``all`` combine their children's checks; ``not`` reports what
it found that it rules out.

``MessageContext`` wraps one message for one ``classify`` call: the text is normalised once and
scanned for keywords at most once (lazily, so routes that never reach a keyword cost nothing).
Only the first ``MAX_CLASSIFIED_CHARS`` characters of a message are classified, so one huge post
costs no more than a long one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.core.domain import Classifiable
from rules.intents import INTENT_SET, NEGATED, IntentDetector
from rules.matcher import KeywordHits, KeywordIndex, NamePatterns, RegexSet, link_spans, search_span
from rules.model import Missing, Reason
from rules.normalize import NormalizedText

__all__ = [
    "MAX_CLASSIFIED_CHARS",
    "AllOf",
    "AnyOf",
    "AuthorIs",
    "BotIs",
    "ChannelIs",
    "Check",
    "Condition",
    "IntentFound",
    "Keyword",
    "KeywordsFound",
    "MessageContext",
    "MinLength",
    "NotOf",
    "PlatformIs",
    "RegexFound",
    "StaffIs",
    "TagsInclude",
    "ThreadIs",
]

Reasons = tuple[Reason, ...]
_NEVER_EMPTY = INTENT_SET.never_empty

# Where a message stops being read by keywords, regexes and ``min_length`` (the whole text is
# still stored and reposted).  Slack allows 40,000 characters and Discourse 32,000; what
# decides a route is near the start, and every character beyond costs every regex.
MAX_CLASSIFIED_CHARS = 16_000


class MessageContext:
    """One message as conditions see it."""

    __slots__ = (
        "_hits",
        "_index",
        "_intents",
        "_links",
        "_occurring",
        "_regex_hits",
        "_regex_ids",
        "_regexes",
        "_text",
        "message",
    )

    def __init__(self, message: Classifiable, index: KeywordIndex, regexes: RegexSet | None = None) -> None:
        self.message = message
        self._index = index
        self._regexes = regexes
        self._regex_hits: frozenset[int] | None = None
        self._regex_ids: frozenset[int] | None = None
        self._text: NormalizedText | None = None
        self._hits: KeywordHits | None = None
        self._intents: dict[str, tuple[int, int] | None] = {}
        self._occurring: frozenset[str] | None = None
        self._links: bool | None = None

    def intent(self, detector: IntentDetector) -> tuple[int, int] | None:
        """Where ``detector``'s intent shows in the normalised text (asked once per message).

        One pass over the text first tells which of the lexicon's intents occur at all; only
        those are searched for where (most messages show one or two intents, if any)."""
        name = detector.name
        if name not in self._intents:
            if self._occurring is None:
                self._occurring = INTENT_SET.occurring(self.text.text)
            if not INTENT_SET.covers(detector):
                self._intents[name] = detector.find(self.text.text)
            elif name not in self._occurring:
                self._intents[name] = None
            else:
                negated = NEGATED + name in self._occurring
                self._intents[name] = detector.find(self.text.text, negations=negated)
        return self._intents[name]

    def shows(self, detector: IntentDetector) -> bool:
        """``intent(detector) is not None``, without searching where when the one pass over all
        intents answers: the intent's patterns occur, none of its negations does, the text holds
        no link and no match of its patterns is empty, so ``find`` would return its first match."""
        name = detector.name
        known = self._intents.get(name, self)
        if known is not self:
            return known is not None
        if _NEVER_EMPTY.get(name) is detector:
            occurring = self._occurring
            if occurring is None:
                occurring = self.occurring()
            if name not in occurring:
                self._intents[name] = None
                return False
            if NEGATED + name not in occurring and not self.has_links():
                return True
        return self.intent(detector) is not None

    def occurring(self) -> frozenset[str]:
        """``INTENT_SET.occurring`` for the text (one pass for every intent, once)."""
        if self._occurring is None:
            self._occurring = INTENT_SET.occurring(self.text.text)
        return self._occurring

    def has_links(self) -> bool:
        """Whether the normalised text holds a link (where keywords and intents are not read)."""
        if self._links is None:
            self._links = bool(link_spans(self.text.text))
        return self._links

    def may_search(self, compiled: Any) -> bool:
        """False when the rules' regex set says ``compiled`` matches nowhere in the text (one pass
        for all regexes, on first use); True when it may, or when no set covers it."""
        if self._regexes is None:
            return True
        index = self._regexes.index_of(compiled)
        if index is None:
            return True
        return index in self.matching_regexes()

    def finds(self, compiled: Any) -> bool:
        """Whether ``compiled`` matches somewhere in the text: the rules' regex set answers when
        it covers the pattern (its answer is exactly the search's), else one search."""
        regexes = self._regexes
        if regexes is not None and id(compiled) in regexes.covered:
            found = self._regex_ids
            if found is None:
                found = self._regex_ids = regexes.matching_ids(self.text.text)
            return id(compiled) in found
        return search_span(compiled, self.text.text) is not None

    def matching_regexes(self) -> frozenset[int]:
        """Set indexes of the rules' regexes that match somewhere in the text (one pass, once)."""
        if self._regex_hits is None:
            self._regex_hits = (
                frozenset() if self._regexes is None else self._regexes.matching(self.text.text)
            )
        return self._regex_hits

    @property
    def text(self) -> NormalizedText:
        if self._text is None:
            self._text = NormalizedText((self.message.text or "")[:MAX_CLASSIFIED_CHARS])
        return self._text

    @property
    def hits(self) -> KeywordHits:
        if self._hits is None:
            self._hits = self._index.scan(self.text.text)
        return self._hits


@dataclass(frozen=True, slots=True)
class Check:
    """A condition evaluated to explain it: ``held`` (None: it did not hold, and ``missing`` says
    what it lacked), and ``satisfied`` of ``total`` leaf conditions held (``any`` counts as its
    closest alternative, ``not`` as one)."""

    held: Reasons | None
    missing: tuple[Missing, ...] = ()
    satisfied: int = 0
    total: int = 1

    @property
    def ratio(self) -> float:
        return self.satisfied / self.total if self.total else 1.0


def leaf_check(held: Reasons | None, missing: Missing) -> Check:
    """A leaf's check: it held (one of one), or it lacked ``missing``."""
    return Check(held, (), 1, 1) if held is not None else Check(None, (missing,), 0, 1)


class Condition(Protocol):
    def match(self, ctx: MessageContext) -> Reasons | None: ...

    def holds(self, ctx: MessageContext) -> bool:
        """Exactly ``match(ctx) is not None``, without making the reasons (or finding where an
        intent or a regex matched): most routes do not hold for a message, and ``not`` never
        needs its condition's reasons."""
        ...

    def trace(self, ctx: MessageContext) -> Check: ...

    def describe(self) -> str: ...


def _quoted(values: Sequence[str]) -> str:
    return ", ".join(values)


@dataclass(frozen=True, slots=True)
class Keyword:
    written: str  # as in rules.yaml: what reasons show
    keyword_id: int
    word: bool  # {word: x}: exact, no other forms
    path: str
    normal: str = ""  # normalised; a hit that differs from it was another form of the keyword


def _occurs_outside(text: str, needle: str, links: list[tuple[int, int]]) -> bool:
    """Whether ``needle`` occurs in ``text`` outside the links (where keywords never match)."""
    start = text.find(needle) if needle else -1
    while start != -1:
        if not any(a <= start < b for a, b in links):
            return True
        start = text.find(needle, start + 1)
    return False


@dataclass(frozen=True, slots=True)
class KeywordsFound:
    """``keyword``: any of the keywords, in one of its word forms, stands in the normalised text
    (``{word: x}``: exactly x, as an ASCII word).

    Looks up the message's (few) hits rather than walking its (many) keywords.
    """

    route: str
    keywords: tuple[Keyword, ...]
    path: str = ""
    by_id: dict[int, tuple[tuple[int, Keyword], ...]] = field(init=False, repr=False, compare=False)
    ids: frozenset[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id: dict[int, list[tuple[int, Keyword]]] = {}
        for position, kw in enumerate(self.keywords):
            by_id.setdefault(kw.keyword_id, []).append((position, kw))
        object.__setattr__(self, "by_id", {k: tuple(v) for k, v in by_id.items()})
        object.__setattr__(self, "ids", frozenset(by_id))

    def holds(self, ctx: MessageContext) -> bool:
        return ctx.hits.any_of(self.ids)

    def match(self, ctx: MessageContext) -> Reasons | None:
        hits = ctx.hits
        found: list[tuple[int, Keyword, tuple[int, int]]] = []
        for keyword_id in hits.among(self.by_id.keys()):
            span = hits.span(keyword_id)
            if span is not None:
                found.extend((position, kw, span) for position, kw in self.by_id[keyword_id])
        if not found:
            return None
        found.sort(key=lambda item: item[0])
        text = ctx.text
        reasons = []
        for _, kw, span in found:
            original = text.original_span(*span)
            other_form = text.text[span[0] : span[1]] != kw.normal
            matched = text.original[original[0] : original[1]] if other_form else None
            reasons.append(Reason(self.route, kw.path, "keyword", kw.written, original, matched))
        return tuple(reasons)

    def trace(self, ctx: MessageContext) -> Check:
        held = self.match(ctx)
        inside: tuple[str, ...] = ()
        if held is None:  # keywords that occur only inside longer words ("bug" in "debug"): say so
            text = ctx.text.text
            links = link_spans(text)
            inside = tuple(
                dict.fromkeys(kw.written for kw in self.keywords if _occurs_outside(text, kw.normal, links))
            )
        return leaf_check(held, Missing(self.path, "keyword", self.written(), inside))

    def written(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(kw.written for kw in self.keywords))

    def describe(self) -> str:
        return "keyword " + _quoted([kw.written for kw in self.keywords])


@dataclass(frozen=True, slots=True)
class IntentFound:
    """``intent``: the message shows one of these intents (``rules.intents``); the first one listed
    that shows gives the reason, with the words that showed it."""

    route: str
    path: str
    detectors: tuple[IntentDetector, ...]

    def holds(self, ctx: MessageContext) -> bool:
        for detector in self.detectors:  # noqa: SIM110 - loops: any() adds a generator per call
            if ctx.shows(detector):
                return True
        return False

    def match(self, ctx: MessageContext) -> Reasons | None:
        for detector in self.detectors:
            span = ctx.intent(detector)
            if span is not None:
                text = ctx.text
                start, end = text.original_span(*span)
                return (
                    Reason(
                        self.route, self.path, "intent", detector.name, (start, end), text.original[start:end]
                    ),
                )
        return None

    def trace(self, ctx: MessageContext) -> Check:
        missing = Missing(self.path, "intent", tuple(d.name for d in self.detectors))
        return leaf_check(self.match(ctx), missing)

    def describe(self) -> str:
        return "intent " + _quoted([d.name for d in self.detectors])


@dataclass(frozen=True, slots=True)
class RegexFound:
    """``regex``: any of the re2 patterns matches somewhere in the normalised text."""

    route: str
    patterns: tuple[tuple[str, Any, str], ...]  # (as written, compiled re2, path)
    path: str = ""

    def holds(self, ctx: MessageContext) -> bool:
        for _, compiled, _ in self.patterns:  # noqa: SIM110
            if ctx.finds(compiled):
                return True
        return False

    def match(self, ctx: MessageContext) -> Reasons | None:
        text = ctx.text
        reasons = []
        for written, compiled, path in self.patterns:
            if not ctx.may_search(compiled):
                continue
            found = search_span(compiled, text.text)
            if found is not None:
                reasons.append(Reason(self.route, path, "regex", written, text.original_span(*found)))
        return tuple(reasons) or None

    def trace(self, ctx: MessageContext) -> Check:
        return leaf_check(self.match(ctx), Missing(self.path, "regex", tuple(p[0] for p in self.patterns)))

    def describe(self) -> str:
        return "regex " + _quoted([p[0] for p in self.patterns])


@dataclass(frozen=True, slots=True)
class _Names:
    route: str
    path: str
    names: NamePatterns
    written: tuple[str, ...]


class ChannelIs(_Names):
    """``channel``: the channel name or id matches one of the names/globs."""

    __slots__ = ()

    def holds(self, ctx: MessageContext) -> bool:
        return self.names.find(ctx.message.channel, ctx.message.channel_id) is not None

    def match(self, ctx: MessageContext) -> Reasons | None:
        found = self.names.find(ctx.message.channel, ctx.message.channel_id)
        return None if found is None else (Reason(self.route, self.path, "channel", found),)

    def trace(self, ctx: MessageContext) -> Check:
        found = (ctx.message.channel or ctx.message.channel_id,)
        return leaf_check(self.match(ctx), Missing(self.path, "channel", self.written, found))

    def describe(self) -> str:
        return "channel " + _quoted(self.written)


class AuthorIs(_Names):
    """``author``: the author's name or id matches one of the names/globs."""

    __slots__ = ()

    def holds(self, ctx: MessageContext) -> bool:
        return self.names.find(ctx.message.author, ctx.message.author_id) is not None

    def match(self, ctx: MessageContext) -> Reasons | None:
        found = self.names.find(ctx.message.author, ctx.message.author_id)
        return None if found is None else (Reason(self.route, self.path, "author", found),)

    def trace(self, ctx: MessageContext) -> Check:
        found = (ctx.message.author or ctx.message.author_id,)
        return leaf_check(self.match(ctx), Missing(self.path, "author", self.written, found))

    def describe(self) -> str:
        return "author " + _quoted(self.written)


@dataclass(frozen=True, slots=True)
class PlatformIs:
    route: str
    path: str
    platforms: frozenset[str]

    def holds(self, ctx: MessageContext) -> bool:
        return ctx.message.platform in self.platforms

    def match(self, ctx: MessageContext) -> Reasons | None:
        platform = ctx.message.platform
        return (Reason(self.route, self.path, "platform", platform),) if platform in self.platforms else None

    def trace(self, ctx: MessageContext) -> Check:
        missing = Missing(self.path, "platform", tuple(sorted(self.platforms)), (ctx.message.platform,))
        return leaf_check(self.match(ctx), missing)

    def describe(self) -> str:
        return "platform " + _quoted(sorted(self.platforms))


@dataclass(frozen=True, slots=True)
class ThreadIs:
    """``thread: top`` (not a reply) or ``thread: reply``."""

    route: str
    path: str
    reply: bool

    def holds(self, ctx: MessageContext) -> bool:
        return bool(ctx.message.is_reply) == self.reply

    def match(self, ctx: MessageContext) -> Reasons | None:
        if bool(ctx.message.is_reply) != self.reply:
            return None
        return (Reason(self.route, self.path, "thread", "reply" if self.reply else "top"),)

    def trace(self, ctx: MessageContext) -> Check:
        wanted, other = ("reply", "top") if self.reply else ("top", "reply")
        return leaf_check(self.match(ctx), Missing(self.path, "thread", (wanted,), (other,)))

    def describe(self) -> str:
        return "thread " + ("reply" if self.reply else "top")


@dataclass(frozen=True, slots=True)
class BotIs:
    route: str
    path: str
    bot: bool

    def holds(self, ctx: MessageContext) -> bool:
        return bool(ctx.message.is_bot) == self.bot

    def match(self, ctx: MessageContext) -> Reasons | None:
        if bool(ctx.message.is_bot) != self.bot:
            return None
        return (Reason(self.route, self.path, "bot", "true" if self.bot else "false"),)

    def trace(self, ctx: MessageContext) -> Check:
        wanted, other = ("true", "false") if self.bot else ("false", "true")
        return leaf_check(self.match(ctx), Missing(self.path, "bot", (wanted,), (other,)))

    def describe(self) -> str:
        return "bot " + ("true" if self.bot else "false")


@dataclass(frozen=True, slots=True)
class StaffIs:
    """``staff: true``: the author is one of the rules' ``admins`` or ``staff`` (your own team, whose
    posts are answers and announcements rather than community voices); ``staff: false``: is not."""

    route: str
    path: str
    team: NamePatterns
    staff: bool

    def holds(self, ctx: MessageContext) -> bool:
        return (self.team.find(ctx.message.author, ctx.message.author_id) is not None) == self.staff

    def match(self, ctx: MessageContext) -> Reasons | None:
        is_staff = self.team.find(ctx.message.author, ctx.message.author_id) is not None
        if is_staff != self.staff:
            return None
        return (Reason(self.route, self.path, "staff", "true" if self.staff else "false"),)

    def trace(self, ctx: MessageContext) -> Check:
        wanted, other = ("true", "false") if self.staff else ("false", "true")
        return leaf_check(self.match(ctx), Missing(self.path, "staff", (wanted,), (other,)))

    def describe(self) -> str:
        return "staff " + ("true" if self.staff else "false")


@dataclass(frozen=True, slots=True)
class MinLength:
    """``min_length``: the normalised text has at least this many characters."""

    route: str
    path: str
    length: int

    def holds(self, ctx: MessageContext) -> bool:
        return len(ctx.text.text) >= self.length

    def match(self, ctx: MessageContext) -> Reasons | None:
        if len(ctx.text.text) < self.length:
            return None
        return (Reason(self.route, self.path, "min_length", str(self.length)),)

    def trace(self, ctx: MessageContext) -> Check:
        missing = Missing(self.path, "min_length", (str(self.length),), (str(len(ctx.text.text)),))
        return leaf_check(self.match(ctx), missing)

    def describe(self) -> str:
        return f"min_length {self.length}"


@dataclass(frozen=True, slots=True)
class TagsInclude:
    """``tags``: the message carries one of these tags (e.g. Discourse tags), case-insensitively."""

    route: str
    path: str
    tags: dict[str, str]  # casefolded -> as written

    def holds(self, ctx: MessageContext) -> bool:
        return any(tag.casefold() in self.tags for tag in ctx.message.tags)

    def match(self, ctx: MessageContext) -> Reasons | None:
        for tag in ctx.message.tags:
            written = self.tags.get(tag.casefold())
            if written is not None:
                return (Reason(self.route, self.path, "tags", written),)
        return None

    def trace(self, ctx: MessageContext) -> Check:
        missing = Missing(self.path, "tags", tuple(self.tags.values()), tuple(ctx.message.tags))
        return leaf_check(self.match(ctx), missing)

    def describe(self) -> str:
        return "tags " + _quoted(list(self.tags.values()))


@dataclass(frozen=True, slots=True)
class AllOf:
    """Keys of one mapping and ``all: [...]``: every condition holds; reasons add up."""

    conditions: tuple[Condition, ...]

    def holds(self, ctx: MessageContext) -> bool:
        for condition in self.conditions:  # noqa: SIM110
            if not condition.holds(ctx):
                return False
        return True

    def match(self, ctx: MessageContext) -> Reasons | None:
        reasons: Reasons = ()
        for condition in self.conditions:
            found = condition.match(ctx)
            if found is None:
                return None
            reasons += found
        return reasons

    def trace(self, ctx: MessageContext) -> Check:
        checks = [condition.trace(ctx) for condition in self.conditions]
        satisfied = sum(c.satisfied for c in checks)
        total = sum(c.total for c in checks)
        if all(c.held is not None for c in checks):
            return Check(tuple(r for c in checks for r in c.held or ()), (), satisfied, total)
        return Check(None, tuple(m for c in checks for m in c.missing), satisfied, total)

    def describe(self) -> str:
        return " and ".join(c.describe() for c in self.conditions)


@dataclass(frozen=True, slots=True)
class AnyOf:
    """``any: [...]``: the first condition that holds gives the reasons."""

    conditions: tuple[Condition, ...]
    path: str = ""

    def holds(self, ctx: MessageContext) -> bool:
        for condition in self.conditions:  # noqa: SIM110
            if condition.holds(ctx):
                return True
        return False

    def match(self, ctx: MessageContext) -> Reasons | None:
        for condition in self.conditions:
            found = condition.match(ctx)
            if found is not None:
                return found
        return None

    def trace(self, ctx: MessageContext) -> Check:
        """The first alternative that holds; else the closest one counts, and every one is an option."""
        checks = [condition.trace(ctx) for condition in self.conditions]
        for check in checks:
            if check.held is not None:
                return check
        closest = max(checks, key=lambda c: (c.ratio, c.satisfied))  # the first of equals
        options = tuple(
            c.missing[0] if len(c.missing) == 1 else Missing(c.missing[0].path, "all", options=c.missing)
            for c in checks
        )
        if len(options) == 1:
            return Check(None, options, closest.satisfied, closest.total)
        missing = Missing(self.path or options[0].path, "any", options=options)
        return Check(None, (missing,), closest.satisfied, closest.total)

    def describe(self) -> str:
        return "any(" + "; ".join(c.describe() for c in self.conditions) + ")"


@dataclass(frozen=True, slots=True)
class NotOf:
    """``not: cond``: holds when ``cond`` does not; the reason names what was absent."""

    route: str
    path: str
    condition: Condition
    summary: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        text = self.condition.describe()
        object.__setattr__(self, "summary", text if len(text) <= 60 else text[:59] + "…")

    def holds(self, ctx: MessageContext) -> bool:
        return not self.condition.holds(ctx)

    def match(self, ctx: MessageContext) -> Reasons | None:
        if self.condition.holds(ctx):
            return None
        return (Reason(self.route, self.path, "not", self.summary),)

    def trace(self, ctx: MessageContext) -> Check:
        inner = self.condition.match(ctx)
        if inner is None:
            return Check((Reason(self.route, self.path, "not", self.summary),), (), 1, 1)
        return Check(None, (Missing(self.path, "not", forbidden=inner),), 0, 1)

    def describe(self) -> str:
        return "not " + self.summary
