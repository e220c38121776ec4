"""What a recap says of its period's items, for several departments at once.

A recap set (every department's recap of one period, the dashboard's page) reads each figure
once for all its departments with grouped SQL (``storage.recap_sets``): the counts by tag and by
status, the highlights, the latest items, the testimonials and the goals' items.  Only the few
items a recap shows are loaded.  The figures are those of ``highlights`` and ``goal_figure`` in
``bot.reports.recap`` (which the agenda still uses on the items it lists anyway); one
department's recap is the same set with one department in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.core.texts import t
from bot.reports.periods import Period
from bot.reports.report import tn
from rules import RuleSet
from rules.model import Goal
from storage.items import ARCHIVED, ItemView
from storage.store import Store

CURRENT, PREVIOUS = 0, 1  # the spans of ``period_counts``


@dataclass(frozen=True, slots=True)
class Highlight:
    """An item with what people did about it: votes, reactions, replies in its thread."""

    view: ItemView
    votes: int
    reactions: int
    replies: int

    @property
    def score(self) -> int:
        return self.votes + self.reactions + self.replies

    def figures(self, locale: str) -> str:
        """``投票3・返信2`` / ``3 votes, 2 replies``: the figures that are not zero."""
        parts = [
            tn(locale, f"figure.{what}", count, count=count)
            for what, count in (
                ("votes", self.votes),
                ("reactions", self.reactions),
                ("replies", self.replies),
            )
            if count
        ]
        return t(locale, "report.join").join(parts)


@dataclass(frozen=True, slots=True)
class GoalFigure:
    """The number that tracks a department's goal in a window.

    ``done_within``: ``met`` of ``total`` items (those done, or whose deadline has passed) were
    done within the business days; ``answered_within``: the same for a first answer (a reply in
    the thread from anyone but the author, or a status change); ``at_least``: ``met`` items against the target ``total``.
    """

    goal: Goal
    met: int
    total: int

    def figure(self, locale: str) -> str:
        if self.goal.kind == "at_least":
            return t(locale, "goal.at_least", count=self.met, target=self.total, status=self.status(locale))
        if self.total == 0:
            return t(locale, "goal.nothing_due")
        return t(
            locale,
            "goal.done_within",
            met=self.met,
            total=self.total,
            pct=self.percent,
            status=self.status(locale),
        )

    @property
    def achieved(self) -> bool:
        """``at_least``: the target reached; ``*_within``: every item due was handled in time."""
        return self.met >= self.total

    @property
    def percent(self) -> int:
        return round(100 * self.met / self.total) if self.total else 100

    def status(self, locale: str) -> str:
        return t(locale, "goal.achieved" if self.achieved else "goal.missed")


@dataclass(frozen=True, slots=True)
class PeriodFacts:
    """One department's facts of a period (the items posted in it, their messages not deleted)."""

    by_tag: dict[str, int] = field(default_factory=dict)
    previous_by_tag: dict[str, int] = field(default_factory=dict)
    status_counts: dict[str, int] = field(default_factory=dict)
    top: list[Highlight] = field(default_factory=list)
    testimonials: list[ItemView] = field(default_factory=list)  # oldest first
    recent: list[ItemView] = field(default_factory=list)  # not archived, newest first
    goal: GoalFigure | None = None


async def period_facts(
    store: Store,
    rules: RuleSet,
    departments: Sequence[str],
    period: Period,
    *,
    now: datetime,
    top: int,
    testimonials: int,
    recent: int,
) -> dict[str, PeriodFacts]:
    """Each department's facts of ``period`` (``now``: when a goal's deadline counts as passed)."""
    names = list(dict.fromkeys(departments))
    previous = period.previous()
    counts = await store.period_counts(names, [(period.start, period.end), (previous.start, previous.end)])
    by_tag: dict[str, dict[str, int]] = {d: {} for d in names}
    before: dict[str, dict[str, int]] = {d: {} for d in names}
    statuses: dict[str, dict[str, int]] = {d: {} for d in names}
    live_tags: dict[str, dict[str | None, int]] = {d: {} for d in names}  # not archived, this period
    for (span, dept, tag, status), n in counts.items():
        if dept not in by_tag:
            continue
        key = tag or "none"
        if span == CURRENT:
            by_tag[dept][key] = by_tag[dept].get(key, 0) + n
            statuses[dept][status] = statuses[dept].get(status, 0) + n
            if status != ARCHIVED:
                live_tags[dept][tag] = live_tags[dept].get(tag, 0) + n
        elif span == PREVIOUS:
            before[dept][key] = before[dept].get(key, 0) + n

    ranked = await store.top_items(period.start, period.end, names, limit=top)
    latest = await store.first_items(period.start, period.end, names, limit=recent, newest=True, live=True)
    quotes = await store.first_items(period.start, period.end, names, limit=testimonials, tag="testimonial")
    views = await store.item_views([r.item_id for r in (*ranked, *latest, *quotes)])
    goals = await _goals(store, rules, names, period, now=now, live_tags=live_tags)

    def listed(rows: list, dept: str) -> list[ItemView]:  # type: ignore[type-arg]
        return [views[r.item_id] for r in rows if r.department == dept and r.item_id in views]

    out: dict[str, PeriodFacts] = {}
    for dept in names:
        highlights = [
            Highlight(
                view=views[r.item_id],
                votes=r.votes,
                reactions=max(r.reactions - r.votes, 0),  # votes are reactions too
                replies=r.replies,
            )
            for r in ranked
            if r.department == dept and r.item_id in views
        ]
        out[dept] = PeriodFacts(
            by_tag=by_tag[dept],
            previous_by_tag=before[dept],
            status_counts=statuses[dept],
            top=highlights,
            testimonials=listed(quotes, dept),
            recent=listed(latest, dept),
            goal=goals.get(dept),
        )
    return out


async def _goals(
    store: Store,
    rules: RuleSet,
    names: list[str],
    period: Period,
    *,
    now: datetime,
    live_tags: dict[str, dict[str | None, int]],
) -> dict[str, GoalFigure]:
    """Each department's goal figure, as ``goal_figure`` counts it: ``at_least`` from the counts,
    the timed goals from their items' times (one query for every department)."""
    out: dict[str, GoalFigure] = {}
    timed: list[tuple[str, str | None, bool]] = []
    for dept in names:
        spec = rules.departments.get(dept)
        goal = spec.goal if spec is not None else None
        if goal is None:
            continue
        if goal.kind == "at_least":
            tags = live_tags.get(dept, {})
            found = sum(tags.values()) if goal.tag is None else tags.get(goal.tag, 0)
            out[dept] = GoalFigure(goal=goal, met=found, total=goal.count or 0)
        else:
            timed.append((dept, goal.tag, goal.kind == "answered_within"))
            out[dept] = GoalFigure(goal=goal, met=0, total=0)
    deadlines: dict[tuple[date, int], datetime] = {}
    met = {d: 0 for d, _, _ in timed}
    total = {d: 0 for d, _, _ in timed}
    for row in await store.goal_rows(period.start, period.end, timed):
        goal = out[row.department].goal
        days = goal.days or 0
        local = row.posted.astimezone(rules.timezone).date()
        deadline = deadlines.get((local, days))
        if deadline is None:  # it depends on the local day only
            deadline = deadlines[(local, days)] = rules.calendar.deadline(row.posted, days, rules.timezone)
        if goal.kind == "answered_within":  # ``first_answers``: a reply, or the status leaving open
            times = [row.first_reply]
            if row.status not in ("open", "deleted"):
                times.append(row.status_changed_at)
            known = [when for when in times if when is not None]
            when = min(known) if known else None
        else:
            when = row.status_changed_at if row.status == "done" else None
        if when is not None or deadline <= now:
            total[row.department] += 1
            met[row.department] += when is not None and when <= deadline
    for dept, _, _ in timed:
        out[dept] = GoalFigure(goal=out[dept].goal, met=met[dept], total=total[dept])
    return out
