"""The agenda of the regular cross-department meeting (定例会), posted before the meeting.

Per department: what is new since the last meeting, what is carried over and for how long, the
top-voted ideas, items needing a decision, and the department's goal with the figure that tracks
it.  A department with nothing to discuss gets one line ("no new items").
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.core.texts import t, tag_label
from bot.reports.periods import Period, last_fire_time, next_fire_time, period_between
from bot.reports.recap import Aged, GoalFigure, goal_figure, item_line, read_period
from bot.reports.report import Section, enqueue_to, report, tn
from rules import RuleSet
from storage.items import ItemView
from storage.queries import OPEN_STATUSES
from storage.store import Store

if TYPE_CHECKING:
    from bot.pipeline.services import Services
    from rules.model import Schedule

SHOW_NEW = 3
SHOW_CARRIED = 3
SHOW_IDEAS = 3
SHOW_DECISIONS = 10


@dataclass(frozen=True, slots=True)
class DepartmentAgenda:
    department: str
    label: str
    new: list[ItemView] = field(default_factory=list)
    carried: list[Aged] = field(default_factory=list)
    ideas: list[ItemView] = field(default_factory=list)
    decisions: list[Aged] = field(default_factory=list)
    goal: GoalFigure | None = None
    carried_total: int = 0  # how many are carried over / need a decision; the lists hold the first few
    decisions_total: int = 0

    @property
    def empty(self) -> bool:
        return not (self.new or self.carried or self.ideas or self.decisions)


@dataclass(frozen=True, slots=True)
class Agenda:
    meeting: datetime  # when the meeting (the schedule's firing) is, UTC
    window: Period  # since the last meeting
    departments: list[DepartmentAgenda]


async def build_department_agenda(
    store: Store, rules: RuleSet, department: str, window: Period, *, now: datetime
) -> DepartmentAgenda:
    new = await store.items_between(window.start, window.end, department=department)
    decisions, decisions_total = await store.open_page(
        department, statuses=("needs_decision",), before=window.end, limit=SHOW_DECISIONS
    )
    # an item to decide is listed (with its age) under decisions, not a second time as carried over
    carried, carried_total = await store.open_page(
        department,
        statuses=tuple(s for s in OPEN_STATUSES if s != "needs_decision"),
        before=window.start,
        limit=SHOW_CARRIED,
    )
    ideas, _ = await store.open_page(
        department, statuses=OPEN_STATUSES, before=window.end, limit=SHOW_IDEAS, tag="idea", by_votes=True
    )
    dept = rules.departments.get(department)

    def aged(views: list[ItemView]) -> list[Aged]:
        return [Aged(view=v, days=max((now - v.message.created_at).days, 0)) for v in views]

    return DepartmentAgenda(
        department=department,
        label=dept.label if dept else department,
        new=sorted(new, key=lambda v: (-v.item.votes, v.message.created_at)),
        carried=aged(carried),
        ideas=ideas,
        decisions=aged(decisions),
        goal=await goal_figure(store, rules, department, window, now=now, items=new),
        carried_total=carried_total,
        decisions_total=decisions_total,
    )


async def build_agenda(
    store: Store, rules: RuleSet, *, meeting: datetime, since: datetime, now: datetime | None = None
) -> Agenda:
    window = period_between(since, meeting, rules.timezone)
    now = now or meeting
    departments = [
        await build_department_agenda(store, rules, name, window, now=now) for name in rules.departments
    ]
    return Agenda(meeting=meeting, window=window, departments=departments)


def _department_lines(dept: DepartmentAgenda, locale: str) -> list[str]:
    if dept.empty:
        return [t(locale, "agenda.no_new")]
    lines: list[str] = []
    join = t(locale, "report.join")
    if dept.new:
        tags = Counter(tag_label(locale, v.item.tag) for v in dept.new)
        joined = join.join(
            t(locale, "report.count", label=tag, count=n)
            for tag, n in sorted(tags.items(), key=lambda kv: (-kv[1], kv[0]))
        )
        lines.append(t(locale, "agenda.new", count=len(dept.new), tags=joined))
        lines += [f"↳ {item_line(v, locale)}" for v in dept.new[:SHOW_NEW]]
        if len(dept.new) > SHOW_NEW:
            lines.append(f"↳ {t(locale, 'report.more', count=len(dept.new) - SHOW_NEW)}")
    else:
        lines.append(t(locale, "agenda.no_new"))
    if dept.carried:
        lines.append(
            tn(
                locale,
                "agenda.carried",
                dept.carried[0].days,
                count=dept.carried_total,
                days=dept.carried[0].days,
            )
        )
        lines += [
            f"↳ {item_line(a.view, locale, tn(locale, 'agenda.days', a.days, days=a.days))}"
            for a in dept.carried[:SHOW_CARRIED]
        ]
        if dept.carried_total > SHOW_CARRIED:
            lines.append(f"↳ {t(locale, 'report.more', count=dept.carried_total - SHOW_CARRIED)}")
    if dept.ideas:
        lines.append(t(locale, "agenda.ideas"))
        lines += [
            f"↳ {item_line(v, locale, tn(locale, 'figure.votes', v.item.votes, count=v.item.votes))}"
            for v in dept.ideas
        ]
    if dept.decisions:
        lines.append(t(locale, "agenda.decisions", count=dept.decisions_total))
        lines += [
            f"↳ {item_line(a.view, locale, tn(locale, 'agenda.days', a.days, days=a.days))}"
            for a in dept.decisions[:SHOW_DECISIONS]
        ]
        if dept.decisions_total > SHOW_DECISIONS:
            lines.append(f"↳ {t(locale, 'report.more', count=dept.decisions_total - SHOW_DECISIONS)}")
    if dept.goal is not None:
        lines.append(t(locale, "agenda.goal", text=dept.goal.goal.text, figure=dept.goal.figure(locale)))
    return lines


def agenda_payload(agenda: Agenda, rules: RuleSet, *, late_note: str = "") -> dict[str, Any]:
    locale = rules.locale
    tz = rules.timezone
    title = t(
        locale,
        "agenda.title",
        date=agenda.meeting.astimezone(tz).strftime("%Y-%m-%d"),
        since=agenda.window.start.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
    )
    sections = [Section(d.label, tuple(_department_lines(d, locale))) for d in agenda.departments]
    return report(title + late_note, sections, locale=locale, late=bool(late_note))


def meeting_window(schedule: Schedule | None, rules: RuleSet, now: datetime) -> tuple[datetime, datetime]:
    """(next meeting, last meeting) for an agenda asked for at ``now``; a week back without a schedule."""
    if schedule is None:
        return now, now - timedelta(days=7)
    trigger = schedule.trigger(rules.timezone)
    meeting = next_fire_time(trigger, now) or now
    since = last_fire_time(trigger, now) or now - timedelta(days=7)
    return meeting, since


async def agenda_for(app: Services, period_text: str | None = None) -> tuple[Agenda, datetime]:
    """The agenda as of ``app.clock()`` and the moment ages are counted to.

    Without ``period_text``: the next meeting so far (the first agenda schedule), new items since
    the last one.  With it (``week``, ``month``, ``YYYY-MM-DD..YYYY-MM-DD``, as for recaps): new
    items of that period, carried-over ones aged to its end, for a meeting at its end.
    """
    rules = app.rules.current
    now = app.clock()
    if period_text:
        window = read_period(rules, period_text, now=now)
        now = min(now, window.end)
        meeting, since = window.end, window.start
    else:
        schedule = next((s for s in rules.schedules if s.kind == "agenda"), None)
        meeting, since = meeting_window(schedule, rules, now)
    return await build_agenda(app.store, rules, meeting=meeting, since=since, now=now), now


async def agenda_reply(app: Services, period_text: str | None = None) -> dict[str, Any]:
    """``/kakehashi agenda``: the agenda of the next meeting so far (or of ``period_text``)."""
    agenda, _ = await agenda_for(app, period_text)
    return agenda_payload(agenda, app.rules.current)


async def enqueue_agenda(
    app: Services,
    *,
    schedule: Schedule,
    meeting: datetime,
    now: datetime,
    period_key: str,
    late_note: str = "",
) -> int:
    """Post the agenda of the meeting at ``meeting`` to the schedule's channels, once."""
    rules = app.rules.current
    since = last_fire_time(schedule.trigger(rules.timezone), meeting - timedelta(seconds=1))
    agenda = await build_agenda(
        app.store, rules, meeting=meeting, since=since or meeting - timedelta(days=7), now=now
    )
    payload = agenda_payload(agenda, rules, late_note=late_note)
    added = await enqueue_to(
        app.store,
        kind="agenda",
        payload=payload,
        destinations=schedule.post_to,
        key=f"agenda:{schedule.name}:{period_key}",
    )
    if added:
        app.worker.wake()
    return added
