"""``RuleSet``: the validated, compiled rules, and the two ways to load them."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal
from zoneinfo import ZoneInfo

from bot.core.domain import Classifiable, Destination
from rules.calendar import BusinessCalendar
from rules.engine import Engine, Route
from rules.errors import RulesError, Said, problem, said
from rules.explain import Explanation, explain
from rules.identities import Identities
from rules.loader import compose
from rules.matcher import NamePatterns
from rules.model import Department, Match, ReactionRule, Schedule, Source
from rules.validate import compile_rules, emoji_key

__all__ = ["MAX_RULES_BYTES", "RuleSet", "load_rules", "load_rules_text"]

# rules.yaml is written by people: the bundled file is under 100 KB.  A file far bigger is a
# mistake (a log pasted in, a generated file) and would take seconds of CPU to compile.
MAX_RULES_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Everything rules.yaml says, compiled.  Build it with ``load_rules`` / ``load_rules_text``."""

    path: str
    digest: str  # sha256 of the text (UTF-8), to tell whether a reload changed anything
    version: int
    locale: Literal["ja", "en"]
    timezone: ZoneInfo
    admins: tuple[str, ...]
    staff: tuple[str, ...]  # admins are staff too: see ``team``
    identities: Identities  # one person across platforms and names (reports count them once)
    calendar: BusinessCalendar
    sources: tuple[Source, ...]
    departments: Mapping[str, Department]
    routes: tuple[Route, ...]
    reactions: tuple[ReactionRule, ...]
    schedules: tuple[Schedule, ...]
    _engine: Engine = field(repr=False, compare=False)
    # where operators hear about problems (dead letters, channels, failed reloads); never routed from
    admin_channel: tuple[Destination, ...] = ()
    _sources: Mapping[str, NamePatterns] = field(init=False, repr=False, compare=False)
    _reactions: Mapping[tuple[str, bool], ReactionRule] = field(init=False, repr=False, compare=False)
    _destinations: frozenset[Destination] = field(init=False, repr=False, compare=False)
    _routes: Mapping[str, Route] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_platform: dict[str, list[str]] = {}
        for source in self.sources:
            by_platform.setdefault(source.platform, []).append(source.channel)
        object.__setattr__(
            self, "_sources", MappingProxyType({p: NamePatterns(names) for p, names in by_platform.items()})
        )
        object.__setattr__(
            self, "_reactions", MappingProxyType({(r.emoji, r.on_routed): r for r in self.reactions})
        )
        object.__setattr__(
            self, "_routes", MappingProxyType({r.name: r for top in self.routes for r in top.walk()})
        )
        object.__setattr__(
            self,
            "_destinations",
            frozenset(d for dept in self.departments.values() for d in dept.post_to)
            | set(self.admin_channel),
        )

    @property
    def team(self) -> tuple[str, ...]:
        """People who work for the company (``admins`` + ``staff``): never ranked as community helpers."""
        return self.admins + self.staff

    def __repr__(self) -> str:
        return (
            f"RuleSet(path={self.path!r}, digest={self.digest[:12]!r}, departments={len(self.departments)}, "
            f"routes={sum(len(r.walk()) for r in self.routes)}, reactions={len(self.reactions)}, "
            f"schedules={len(self.schedules)})"
        )

    def classify(self, message: Classifiable) -> tuple[Match, ...]:
        """The routes ``message`` matches, in route order; ``()`` when none does.

        Bot messages only reach routes whose ``when`` says ``bot: true``; private messages only
        routes with ``allow_private: true``.  Whether the message comes from a source channel is
        the caller's question (``is_source``).
        """
        return self._engine.classify(message)

    def explain(self, message: Classifiable) -> Explanation:
        """``classify`` with its reasons why not: the routes that came closest and what they
        lacked, and the route that stopped the walk (``kakehashi rules test``; slower than
        ``classify``, never on the hot path)."""
        return explain(self._engine, message)

    def is_source(self, message: Classifiable) -> bool:
        """Whether kakehashi listens to the message's channel (by name or id; ``#x`` == ``x``)."""
        patterns = self._sources.get(message.platform)
        return patterns is not None and patterns.find(message.channel, message.channel_id) is not None

    def reaction_for(self, emoji: str, *, on_routed: bool) -> ReactionRule | None:
        """The rule for ``emoji`` (``bulb``, ``:bulb:``, ``+1::skin-tone-2``) on a post or a repost."""
        return self._reactions.get((emoji_key(emoji), on_routed))

    def route_named(self, name: str) -> Route | None:
        """The route called ``name`` (nested ones too); None for hand-made items (flags, commands)."""
        return self._routes.get(name)

    def department_destinations(self) -> frozenset[Destination]:
        """Every channel a department posts to: messages there are never routed (no loops)."""
        return self._destinations


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Loading makes a node, a condition or a keyword per line of the file and drops none until
    it is done: the cyclic collector would walk them all again and again for nothing (half the
    time of loading 10,000 routes).  What loading leaves as garbage is collected afterwards.

    Resumed, the collector would at once walk every object made meanwhile (its youngest
    generation holds them all: a third of loading 10,000 routes) and again a while later; the
    rules live as long as the process, so what was made goes straight to the oldest generation
    (``freeze`` then ``unfreeze``), which full collections still walk (garbage among it is
    collected by the next one).  Not when something else has frozen objects: ``unfreeze`` would
    release them too."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def load_rules_text(text: str, filename: str = "rules.yaml") -> RuleSet:
    """Compile rules from ``text``; problems name ``filename``.  Raises ``RulesError``."""
    data = text.encode("utf-8", "surrogatepass")
    if len(data) > MAX_RULES_BYTES:
        raise RulesError([problem(filename, 0, 0, "", too_big())])
    with _collector_paused():
        return _compiled(text, filename, data)


def _compiled(text: str, filename: str, data: bytes) -> RuleSet:
    root, problems = compose(text, filename)
    if problems:
        raise RulesError(problems)
    compiled, problems = compile_rules(root, filename)
    if problems:
        raise RulesError(problems)
    return RuleSet(
        path=filename,
        digest=hashlib.sha256(data).hexdigest(),
        version=compiled.version,
        locale=compiled.locale,
        timezone=compiled.timezone,
        admins=compiled.admins,
        staff=compiled.staff,
        identities=compiled.identities,
        calendar=compiled.calendar,
        sources=compiled.sources,
        departments=MappingProxyType(compiled.departments),
        routes=compiled.routes,
        reactions=compiled.reactions,
        schedules=compiled.schedules,
        _engine=Engine(compiled.routes, compiled.keywords),
        admin_channel=compiled.admin_channel,
    )


def too_big() -> Said:
    """The problem text for a rules file over ``MAX_RULES_BYTES``."""
    return said("file.too_big", limit=MAX_RULES_BYTES // 1024 // 1024)


def load_rules(path: str | os.PathLike[str]) -> RuleSet:
    """Read and compile a rules file.  Raises ``RulesError`` (also when the file can't be read)."""
    name = os.fspath(path)
    try:
        with Path(name).open("rb") as file:
            data = file.read(MAX_RULES_BYTES + 1)  # never more than the limit, even if it grows meanwhile
    except OSError as exc:  # the English names the OS's reason; the other languages, the usual two
        key = {FileNotFoundError: "file.missing", PermissionError: "file.forbidden"}.get(
            type(exc), "file.unreadable"
        )
        raise RulesError([problem(name, 0, 0, "", said(key, error=exc.strerror or exc))]) from exc
    if len(data) > MAX_RULES_BYTES:
        raise RulesError([problem(name, 0, 0, "", too_big())])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        raise RulesError([problem(name, line, col, "", said("file.not_utf8"))]) from exc
    return load_rules_text(text, name)
