"""The compiled rules' values: frozen, slotted, built once by ``rules.validate``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Literal

from apscheduler.triggers.cron import CronTrigger

from bot.core.domain import Destination

__all__ = [
    "STATUSES",
    "Department",
    "Goal",
    "Match",
    "Missing",
    "ReactionRule",
    "Reason",
    "Schedule",
    "Source",
]

STATUSES = ("open", "acknowledged", "in_progress", "done", "declined", "needs_decision")
# Other names rules.yaml may use for a status: ``new`` is how people say ``open``; ``wontfix`` was
# the name of ``declined`` before statuses had who and when.
STATUS_ALIASES = {"new": "open", "wontfix": "declined"}


@dataclass(frozen=True, slots=True)
class Source:
    """A channel kakehashi listens to.  ``channel`` may be a glob; ``*`` is the whole platform.

    Discourse categories are ``discourse:CATEGORY`` (``discourse:*`` for every category).
    """

    platform: str
    channel: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.channel}"


@dataclass(frozen=True, slots=True)
class Goal:
    """What a department wants from the community, shown in recaps.

    ``done_within``: items tagged ``tag`` should be done within ``days`` (business days);
    ``answered_within``: they should get a first answer within ``days`` -- a reply in their
    thread from anyone but the author, or a status change (in progress, done, ...);
    ``at_least``: at least ``count`` items tagged ``tag`` per recap period.
    """

    text: str
    tag: str | None
    kind: Literal["done_within", "answered_within", "at_least"]
    days: int | None = None
    count: int | None = None


@dataclass(frozen=True, slots=True)
class Department:
    name: str
    label: str
    post_to: tuple[Destination, ...]
    goal: Goal | None = None
    asks_consent: bool = False  # its reposts offer "Ask permission" (reuse asked of the author)


@dataclass(frozen=True, slots=True)
class ReactionRule:
    """An emoji that does something.

    On a community post (``on_routed=False``): route the post ``to`` a department with ``tag``.
    On a repost in a department channel (``on_routed=True``): ``set_status`` or count a ``vote``.
    """

    emoji: str
    to: str | None = None
    tag: str | None = None
    set_status: str | None = None
    vote: bool = False
    on_routed: bool = False


@dataclass(frozen=True, slots=True)
class Schedule:
    """A recurring recap, agenda or unanswered-question nudge.  ``cron`` uses weekday names, never numbers.

    ``post_to`` is empty for a recap or nudge that goes to each department's own channels.
    ``after_hours`` (``unanswered`` only): how long a question waits before it is listed.
    """

    name: str
    kind: Literal["recap", "agenda", "unanswered"]
    cron: str
    departments: tuple[str, ...]
    post_to: tuple[Destination, ...]
    period: Literal["day", "week", "month"]
    after_hours: int = 24

    def trigger(self, tz: tzinfo) -> CronTrigger:
        return CronTrigger.from_crontab(self.cron, timezone=tz)


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a route matched: one condition that held.

    ``path`` points into rules.yaml (``routes[0].when.any[1].keyword``); ``kind`` is the condition
    (``keyword``, ``regex``, ``intent``, ``channel``, ...; ``always`` for a route without ``when``);
    ``detail`` is the value as written in rules.yaml (for ``intent``: the intent's name); ``span`` is
    where it matched in the original message text (keyword, regex and intent only); ``matched`` is
    the original text at ``span`` when it says more than ``detail`` (always for ``intent``; for a
    keyword when another form of it matched: ``keyword "freeze": "freezing"``), else None.
    """

    route: str
    path: str
    kind: str
    detail: str
    span: tuple[int, int] | None = None
    matched: str | None = None

    @property
    def text(self) -> str:
        """``intent "problem": "keeps freezing"``, ``keyword "バグ"``, ``always``."""
        if self.kind == "always":
            return "always"
        said = f'{self.kind} "{self.detail}"'
        return said if self.matched is None else f'{said}: "{self.matched}"'


@dataclass(frozen=True, slots=True)
class Missing:
    """What one condition of a route asked for and the message did not have (``rules test`` explains
    misses with these).

    ``kind`` is the condition key (``keyword``, ``regex``, ``channel``, ...), or ``any`` (one of
    ``options`` would do), ``all`` (every one of ``options`` is needed), ``not`` (``forbidden``
    held: what the message had that the condition rules out), ``private`` (a private message and
    no ``allow_private``), ``bots`` (a bot's message and no ``bot: true``).  ``wanted`` are the
    values as written in rules.yaml; ``found`` what the message had instead, when that helps
    (its channel, its platform, a keyword that occurred only inside a longer word).
    """

    path: str
    kind: str
    wanted: tuple[str, ...] = ()
    found: tuple[str, ...] = ()
    options: tuple[Missing, ...] = ()
    forbidden: tuple[Reason, ...] = ()


@dataclass(frozen=True, slots=True)
class Match:
    """A route that matched a message: where it goes, with which tag, and why.

    ``label`` is the route's ``label:`` (what people read), if it has one.
    """

    route: str
    departments: tuple[str, ...]
    tag: str | None
    reasons: tuple[Reason, ...]
    label: str | None = None

    @property
    def reason_text(self) -> str:
        """Short and human: ``route "bug": keyword "不具合", keyword "落ちる"``.

        What held, not what was absent: ``not`` reasons are left out unless there is nothing else.
        """
        held = [r for r in self.reasons if r.kind != "not"] or list(self.reasons)
        parts = list(dict.fromkeys(reason.text for reason in held))
        return f'route "{self.route}": ' + (", ".join(parts) if parts else "always")
