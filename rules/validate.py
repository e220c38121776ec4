"""Validation: positioned YAML nodes in, compiled rules out, every problem collected on the way.

Nothing is half-loaded: ``compile_rules`` either returns a complete ``Compiled`` or the caller
raises ``RulesError`` with all problems.  Messages say what was found and what was expected,
with a "did you mean" where a close name exists.

This module checks the top level (version, locale, timezone, team, identities, holidays) and hands each
section to its checker, all reporting into one ``Report``: ``checker`` (the report and the
primitive types), ``places`` (sources, departments, destinations, goals), ``routing`` (routes
and their conditions), ``reactions``, ``schedules``.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from dataclasses import dataclass, field
from typing import Literal, cast

from bot.core.domain import Destination
from rules.calendar import BadDays, BusinessCalendar, parse_closed, supported_countries
from rules.checker import Checker, Report, suggest
from rules.engine import Route
from rules.errors import Problem, Said, said
from rules.identities import Identities, IdentityChecks
from rules.loader import Node, Scalar, Seq
from rules.matcher import KeywordIndex
from rules.model import Department, ReactionRule, Schedule, Source
from rules.places import PlaceChecks
from rules.reactions import ReactionChecks, emoji_key
from rules.routing import RouteChecks
from rules.schedules import ScheduleChecks

__all__ = ["Compiled", "compile_rules", "emoji_key"]

TOP_KEYS = (
    "version",
    "locale",
    "timezone",
    "admins",
    "staff",
    "identities",
    "holidays",
    "sources",
    "departments",
    "routes",
    "reactions",
    "schedules",
    "admin_channel",
)
HOLIDAY_KEYS = ("country", "closed")
LOCALES = ("ja", "en")
DEFAULT_TIMEZONE = "Asia/Tokyo"


@dataclass(slots=True)
class Compiled:
    """Everything a ``RuleSet`` is made of."""

    version: int = 1
    locale: Literal["ja", "en"] = "ja"
    timezone: zoneinfo.ZoneInfo = field(default_factory=lambda: zoneinfo.ZoneInfo(DEFAULT_TIMEZONE))
    admins: tuple[str, ...] = ()
    staff: tuple[str, ...] = ()
    identities: Identities = field(default_factory=Identities)
    calendar: BusinessCalendar = field(default_factory=BusinessCalendar)
    sources: tuple[Source, ...] = ()
    departments: dict[str, Department] = field(default_factory=dict)
    routes: tuple[Route, ...] = ()
    reactions: tuple[ReactionRule, ...] = ()
    schedules: tuple[Schedule, ...] = ()
    admin_channel: tuple[Destination, ...] = ()
    keywords: KeywordIndex = field(default_factory=KeywordIndex)


@functools.cache
def _timezones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


# Abbreviations people write for a zone (difflib would offer 'MST' for 'JST'): the region meant.
_ABBREVIATIONS = {
    "JST": "Asia/Tokyo",
    "KST": "Asia/Seoul",
    "IST": "Asia/Kolkata",
    "SGT": "Asia/Singapore",
    "HKT": "Asia/Hong_Kong",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "MDT": "America/Denver",
    "CDT": "America/Chicago",
    "EDT": "America/New_York",
    "BST": "Europe/London",
    "CEST": "Europe/Berlin",
    "AEST": "Australia/Sydney",
    "AEDT": "Australia/Sydney",
    "NZST": "Pacific/Auckland",
}
_OFFSET = re.compile(r"(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)


def _unknown_timezone(name: str) -> Said:
    """The message for a timezone that does not exist, with the likeliest meant zone."""
    text = name.strip()
    region = _ABBREVIATIONS.get(text.upper())
    if region is not None:
        return said("timezone.abbreviation", name=name, region=region, text=text)
    offset = _OFFSET.fullmatch(text)
    if offset is not None:
        sign, hours, minutes = offset.group(1), int(offset.group(2)), offset.group(3)
        whole = minutes in (None, "00")
        tokyo = (sign, hours, whole) == ("+", 9, True)
        example = said("timezone.example.tokyo" if tokyo else "timezone.example.others")
        zone = f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"
        fixed = said("timezone.fixed", zone=zone) if whole else ""
        return said("timezone.offset", name=name, example=example, fixed=fixed)
    close = suggest(name, _timezones())
    if close is not None:
        return said("timezone.close", name=name, close=close)
    return said("timezone.unknown", name=name)


class _Validator(Checker):
    """The top level of the file; each section goes to its checker, all sharing one report."""

    def __init__(self, file: str) -> None:
        super().__init__(Report(file))
        self.places = PlaceChecks(self.report)
        self.routing = RouteChecks(self.report, places=self.places)
        self.reactions = ReactionChecks(self.report, places=self.places)
        self.schedules = ScheduleChecks(self.report, places=self.places)
        self.out = Compiled(keywords=self.routing.keyword_index)

    def top(self, root: Node | None) -> None:
        if root is None:
            self.report.add(1, 1, "", said("empty_file"))
            return
        top = self.mapping(root, "", TOP_KEYS, required=("version", "sources", "departments", "routes"))
        if top is None:
            return
        if "version" in top:
            version = self.integer(top["version"], "version", minimum=1)
            if version is not None and version != 1:
                self.problem(top["version"], "version", said("version", version=version))
        if "locale" in top:
            locale = self.string(top["locale"], "locale")
            if locale is not None and locale not in LOCALES:
                self.problem(top["locale"], "locale", said("locale", locale=locale))
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
        if "identities" in top:
            self.out.identities = IdentityChecks(self.report).identities(top["identities"])
        if "holidays" in top:
            self.holidays(top["holidays"])
        if "admin_channel" in top:
            self.out.admin_channel = self.places.destinations(top["admin_channel"], "admin_channel") or ()
        if "departments" in top:
            self.out.departments = self.places.departments(top["departments"])
        if "sources" in top:
            self.out.sources = self.places.sources(top["sources"])
        if "routes" in top:
            # ``staff:`` conditions know the team under every id and name ``identities`` gives them
            self.routing.team = self.out.identities.everyone(self.out.admins + self.out.staff)
            self.out.routes = self.routing.routes(top["routes"], "routes", None)
        if "reactions" in top:
            self.out.reactions = self.reactions.reactions(top["reactions"])
        if "schedules" in top:
            self.out.schedules = self.schedules.schedules(
                top["schedules"], timezone=self.out.timezone, every_department=tuple(self.out.departments)
            )
        self.places.check_loops(self.out.sources)

    def timezone(self, node: Node) -> None:
        name = self.string(node, "timezone")
        if name is None:
            return
        try:
            self.out.timezone = zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            self.problem(node, "timezone", _unknown_timezone(name))

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
                self.problem(entries["country"], path, said("country", code=code))
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
            except BadDays as exc:
                self.problem(item, path, said("closed_day", text=text, error=exc.said))
        self.out.calendar = BusinessCalendar(country=country, closed=tuple(closed))

    def check_goal_tags(self) -> None:
        """Goals may only count tags that a route or a reaction sets (routes first, as written)."""
        self.places.check_goal_tags([*self.routing.tags, *self.reactions.tags])


def compile_rules(root: Node | None, file: str) -> tuple[Compiled, list[Problem]]:
    """Validate and compile; the ``Compiled`` is only usable when the problem list is empty."""
    validator = _Validator(file)
    validator.top(root)
    validator.check_goal_tags()
    validator.out.keywords.build()
    return validator.out, validator.report.problems
