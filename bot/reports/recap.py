"""Department recaps: what the community said in a period, as data, as a post and as Markdown.

``build_recap`` gathers the facts (read-only queries), ``recap_payload`` turns them into the
report payload of ``bot.reports.report`` in the rules' locale, ``recap_reply`` answers the command and
``enqueue_recaps`` posts a scheduled recap to every department's channels.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.core.domain import Destination
from bot.core.errors import KakehashiError
from bot.core.texts import t, tag_label
from bot.reports.period_facts import GoalFigure, Highlight, PeriodFacts, period_facts
from bot.reports.periods import Period, parse_period
from bot.reports.report import Section, delta, enqueue_to, excerpt, link, name, report, tn
from bot.reports.value import department_lines, value_figures
from rules import RuleSet
from rules.identities import Identities
from storage.figures import DepartmentFigures, ValueFigures
from storage.items import ARCHIVED, ItemView
from storage.models import utcnow
from storage.queries import OPEN_STATUSES
from storage.store import Store

if TYPE_CHECKING:
    from bot.pipeline.services import Services

TOP = 5
WAITING = 5
HELPERS = 5
UNANSWERED = 30
TESTIMONIALS = 20
REUSABLE = ("granted", "anonymous")  # permissions that allow reuse (an author's explicit yes)
RECENT = 10
CLOSED = (
    "done",
    "declined",
    "withdrawn",
    "misrouted",
    "deleted",
    "forwarded",
    ARCHIVED,
)  # archived: imported, never shown


@dataclass(frozen=True, slots=True)
class Aged:
    """An item and how many days it has been waiting."""

    view: ItemView
    days: int


@dataclass(frozen=True, slots=True)
class DepartmentRecap:
    department: str
    label: str
    period: Period
    by_tag: dict[str, int]
    previous_by_tag: dict[str, int]
    top: list[Highlight] = field(default_factory=list)
    status_counts: dict[str, int] = field(default_factory=dict)
    waiting: list[Aged] = field(default_factory=list)
    unanswered: list[Aged] = field(default_factory=list)
    unanswered_total: int = 0
    takes_questions: bool = False
    testimonials: list[ItemView] = field(default_factory=list)
    goal: GoalFigure | None = None
    recent: list[ItemView] = field(default_factory=list)  # the latest items of the period, newest first
    # what ``kakehashi stats`` says of the period for this department (responses, closes, answers)
    value: DepartmentFigures | None = None


# -- facts ----------------------------------------------------------------------------------------


def _days(since: datetime, now: datetime) -> int:
    return max((now - since).days, 0)


async def goal_figure(
    store: Store,
    rules: RuleSet,
    department: str,
    window: Period,
    *,
    now: datetime,
    items: list[ItemView] | None = None,
) -> GoalFigure | None:
    """``items``: the department's items of ``window`` when the caller has them already."""
    dept = rules.departments.get(department)
    if dept is None or dept.goal is None:
        return None
    goal = dept.goal
    views = (
        items
        if items is not None
        else await store.items_between(window.start, window.end, department=department)
    )
    # imported history (archived) was never shown to the department: not what its goal is about
    views = [v for v in views if v.item.status != ARCHIVED and (goal.tag is None or v.item.tag == goal.tag)]
    if goal.kind == "at_least":
        return GoalFigure(goal=goal, met=len(views), total=goal.count or 0)
    answered = await first_answers(store, views) if goal.kind == "answered_within" else {}
    met = total = 0
    for view in views:
        deadline = rules.calendar.deadline(view.message.created_at, goal.days or 0, rules.timezone)
        if goal.kind == "answered_within":
            when = answered.get(view.item.id)
        else:
            when = view.item.status_changed_at if view.item.status == "done" else None
        if when is not None or deadline <= now:
            total += 1
            met += when is not None and when <= deadline
    return GoalFigure(goal=goal, met=met, total=total)


async def first_replies(store: Store, views: list[ItemView]) -> dict[tuple[str, str], datetime]:
    """Per (platform, message key) of ``views``: when someone other than its author first
    replied in its thread (threads nobody else answered are absent)."""
    return await store.first_answer_times(sorted({v.message.id for v in views}))


async def first_answers(store: Store, views: list[ItemView]) -> dict[int, datetime]:
    """When each item was first answered: the earliest reply in its community thread from
    anyone but its author, or the moment its status left ``open`` (in progress, done, ...)."""
    first = await first_replies(store, views)
    out: dict[int, datetime] = {}
    for view in views:
        times = [first.get((view.message.platform, view.message.key))]
        if view.item.status not in ("open", "deleted"):  # a post its author deleted was not answered
            times.append(view.item.status_changed_at)
        known = [when for when in times if when is not None]
        if known:
            out[view.item.id] = min(known)
    return out


async def helpers_between(
    store: Store,
    period: Period,
    *,
    staff: tuple[str, ...] = (),
    identities: Identities | None = None,
    limit: int = HELPERS,
) -> list[tuple[str, int]]:
    """Authors of replies posted in ``period`` in threads of other people's questions, each
    person once: rules.yaml ``identities`` merges their ids and names across platforms.

    ``staff`` (rules.yaml ``admins`` and ``staff``, ids or names) are not community members and
    are left out, under any of their identities.  The replies are counted per author id in SQL
    (``store.question_helpers``: the asker's own replies left out); ids are merged here.
    """
    identities = identities or Identities()
    skip = {s.casefold() for s in staff}
    skip_people = {person for s in staff if (person := identities.known(s)) is not None}
    counts: Counter[str] = Counter()
    names: dict[str, tuple[datetime, str]] = {}  # the name on each person's latest reply
    for author_id, author, count, latest in await store.question_helpers(period.start, period.end):
        if {author_id.casefold(), author.casefold()} & skip or identities.known(
            author_id, author
        ) in skip_people:
            continue
        key, shown = identities.person(author_id, author)
        counts[key] += count
        names[key] = max(names.get(key, (latest, shown)), (latest, shown))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], names[kv[0]][1]))
    return [(names[person][1], count) for person, count in ranked[:limit]]


async def unanswered_questions(
    store: Store,
    department: str,
    *,
    before: datetime,
    now: datetime,
    since: datetime | None = None,
    limit: int = UNANSWERED,
) -> tuple[list[Aged], int]:
    """A department's question items, not closed, posted before ``before`` (and since ``since``)
    with no reply from anyone but the asker: the ``limit`` oldest, and how many there are."""
    shown, total = await store.unanswered(department, before=before, since=since, closed=CLOSED, limit=limit)
    return [Aged(view=v, days=_days(v.message.created_at, now)) for v in shown], total


async def highlights(store: Store, views: list[ItemView], *, limit: int = TOP) -> list[Highlight]:
    """The most voted, reacted and discussed of ``views`` (only those anyone did something about)."""
    reactions = await store.reaction_counts([v.item.id for v in views])
    per_thread = await store.reply_counts_of(sorted({v.message.id for v in views}))
    scored = [
        Highlight(
            view=v,
            votes=v.item.votes,
            reactions=max(reactions.get(v.item.id, 0) - v.item.votes, 0),  # votes are reactions too
            replies=per_thread.get((v.message.platform, v.message.key), 0),
        )
        for v in views
    ]
    scored = [h for h in scored if h.score > 0]
    scored.sort(key=lambda h: (-h.score, -h.votes, h.view.message.created_at, h.view.item.id))
    return scored[:limit]


async def build_recap(
    store: Store,
    rules: RuleSet,
    department: str,
    period: Period,
    *,
    now: datetime | None = None,
    figures: ValueFigures | None = None,
    facts: PeriodFacts | None = None,
) -> DepartmentRecap:
    """Everything a department's recap says about ``period`` (``now`` ages the waiting items);
    the helpers are the recap set's (``set_helpers``), not one department's.  ``figures`` and
    ``facts``: the period's value figures and item facts when the caller gathered them for
    every department at once (``recap_set``)."""
    now = now or utcnow()
    if facts is None:
        facts = (await department_facts(store, rules, [department], period, now=now))[department]
    waiting = await store.open_items(department, before=period.end, limit=WAITING)
    unanswered, unanswered_total = await unanswered_questions(store, department, before=period.end, now=now)
    dept = rules.departments.get(department)
    return DepartmentRecap(
        department=department,
        label=dept.label if dept else department,
        period=period,
        by_tag=facts.by_tag,
        previous_by_tag=facts.previous_by_tag,
        top=facts.top,
        status_counts=facts.status_counts,
        waiting=[Aged(view=v, days=_days(v.message.created_at, now)) for v in waiting],
        unanswered=unanswered,
        unanswered_total=unanswered_total,
        takes_questions=bool(unanswered)
        or await store.has_tagged("question", department=department, before=period.end),
        testimonials=facts.testimonials,
        goal=facts.goal,
        recent=facts.recent,
        value=(
            figures or await value_figures(store, rules, period=period, department=department)
        ).departments.get(department),
    )


async def department_facts(
    store: Store, rules: RuleSet, departments: list[str], period: Period, *, now: datetime
) -> dict[str, PeriodFacts]:
    """The period's item facts of these departments, read once for all of them."""
    return await period_facts(
        store, rules, departments, period, now=now, top=TOP, testimonials=TESTIMONIALS, recent=RECENT
    )


# -- rendering ------------------------------------------------------------------------------------


def period_text(period: Period, locale: str) -> str:
    first, last = period.first_day.isoformat(), period.last_day.isoformat()
    return first if first == last else t(locale, "period.range", first=first, last=last)


def item_line(view: ItemView, locale: str, figures: str | None = None, *, author: str | None = None) -> str:
    """``tag · author: excerpt (figures) [source](link)``: every item links to its source."""
    message = view.message
    line = t(
        locale,
        "report.item",
        tag=tag_label(locale, view.item.tag),
        author=author or name(message.author),
        excerpt=excerpt(message.text),
    )
    if figures:
        line += t(locale, "report.figures", figures=figures)
    source = link(t(locale, "report.source"), message.link)
    return f"{line} {source}" if source else line


def _more(lines: list[str], total: int, locale: str) -> list[str]:
    return [*lines, t(locale, "report.more", count=total - len(lines))] if total > len(lines) else lines


def _status_counts(counts: dict[str, int], locale: str) -> str:
    order = (*OPEN_STATUSES, "done", "declined", "forwarded", "withdrawn", "misrouted", "deleted", ARCHIVED)
    parts = [
        t(locale, "report.count", label=t(locale, f"status.{s}"), count=counts[s])
        for s in order
        if counts.get(s)
    ]
    return t(locale, "report.join").join(parts)


def _received(recap: DepartmentRecap, locale: str) -> Section:
    tags = sorted(
        set(recap.by_tag) | set(recap.previous_by_tag),
        key=lambda tag: (-recap.by_tag.get(tag, 0), -recap.previous_by_tag.get(tag, 0), tag),
    )
    total, before = sum(recap.by_tag.values()), sum(recap.previous_by_tag.values())
    lines = [] if total else [t(locale, "recap.nothing")]
    lines += [
        t(
            locale,
            "recap.tag_count",
            tag=tag_label(locale, tag),
            count=recap.by_tag.get(tag, 0),
            delta=delta(recap.by_tag.get(tag, 0), recap.previous_by_tag.get(tag, 0)),
        )
        for tag in tags
    ]
    if tags:
        lines.append(t(locale, "recap.total", count=total, delta=delta(total, before)))
    heading = "recap.received_weekly" if recap.period.is_week else "recap.received"
    return Section(t(locale, heading), tuple(lines))


def helpers_section(helpers: list[tuple[str, int]], locale: str) -> Section:
    return Section(
        t(locale, "recap.helpers"),
        tuple(tn(locale, "recap.helper", n, author=name(a), count=n) for a, n in helpers),
    )


def recap_sections(
    recap: DepartmentRecap, locale: str, helpers: list[tuple[str, int]] | None = None
) -> list[Section]:
    """The sections of one department's recap; ``helpers`` (once per recap set) when given."""
    sections = [_received(recap, locale)]
    if recap.goal is not None:
        figure = recap.goal.figure(locale)
        sections.append(
            Section(
                t(locale, "recap.goal"), (t(locale, "goal.line", text=recap.goal.goal.text, figure=figure),)
            )
        )
    if recap.top:
        sections.append(
            Section(
                t(locale, "recap.top"),
                tuple(item_line(h.view, locale, h.figures(locale)) for h in recap.top),
            )
        )
    if recap.status_counts:
        line = t(locale, "recap.status_line", counts=_status_counts(recap.status_counts, locale))
        sections.append(Section(t(locale, "recap.status"), (line,)))
    if recap.waiting:
        sections.append(
            Section(
                t(locale, "recap.waiting"),
                tuple(
                    item_line(
                        a.view,
                        locale,
                        tn(
                            locale,
                            "recap.waiting_figures",
                            a.days,
                            days=a.days,
                            status=t(locale, f"status.{a.view.item.status}"),
                        ),
                    )
                    for a in recap.waiting
                ),
            )
        )
    if recap.takes_questions:
        lines = [
            item_line(a.view, locale, tn(locale, "recap.unanswered_age", a.days, days=a.days))
            for a in recap.unanswered
        ]
        lines = _more(lines, recap.unanswered_total, locale) or [t(locale, "recap.unanswered_none")]
        sections.append(Section(t(locale, "recap.unanswered"), tuple(lines)))
    if recap.value is not None and recap.value.items:
        sections.append(Section(t(locale, "recap.value"), department_lines(recap.value, locale, brief=True)))
    if helpers:
        sections.append(helpers_section(helpers, locale))
    if recap.testimonials:
        sections.append(
            Section(
                t(locale, "recap.testimonials"),
                tuple(
                    item_line(v, locale, t(locale, f"permission.{v.item.permission}"))
                    for v in recap.testimonials
                ),
            )
        )
    reusable = [v for v in recap.testimonials if v.item.permission in REUSABLE]
    if reusable:  # only what its author explicitly allowed; "anonymous": without their name
        sections.append(
            Section(
                t(locale, "recap.reusable"),
                tuple(
                    item_line(
                        v,
                        locale,
                        author=t(locale, "recap.anonymous_author")
                        if v.item.permission == "anonymous"
                        else None,
                    )
                    for v in reusable
                ),
            )
        )
    return [s for s in sections if s.lines]


def recap_title(recap: DepartmentRecap, locale: str) -> str:
    key = "recap.title_weekly" if recap.period.is_week else "recap.title"
    return t(locale, key, label=recap.label, period=period_text(recap.period, locale))


def late_note(due: datetime | None, rules: RuleSet) -> str:
    if due is None:
        return ""
    when = due.astimezone(rules.timezone).strftime("%Y-%m-%d %H:%M")
    return t(rules.locale, "report.late", when=when)


def recap_payload(
    recap: DepartmentRecap,
    locale: str,
    *,
    image: dict[str, str] | None = None,
    late_note: str = "",
    helpers: list[tuple[str, int]] | None = None,
) -> dict[str, Any]:
    """The recap as one (unsplit) report payload."""
    title = recap_title(recap, locale) + late_note
    sections = recap_sections(recap, locale, helpers)
    return report(title, sections, locale=locale, image=image, late=bool(late_note))


def recap_markdown(recap: DepartmentRecap, locale: str) -> str:
    return str(recap_payload(recap, locale)["markdown"])


def overview_payload(
    recaps: list[DepartmentRecap], period: Period, locale: str, helpers: list[tuple[str, int]]
) -> dict[str, Any]:
    """All departments in one post: counts by tag with the change, and open versus done."""
    sections = []
    for recap in recaps:
        total, before = sum(recap.by_tag.values()), sum(recap.previous_by_tag.values())
        if not total:
            lines = [t(locale, "recap.nothing")]
        else:
            tags = sorted(recap.by_tag.items(), key=lambda kv: (-kv[1], kv[0]))
            joined = t(locale, "report.join").join(
                t(locale, "report.count", label=tag_label(locale, tag), count=n) for tag, n in tags
            )
            lines = [
                t(locale, "recap.overview_line", count=total, delta=delta(total, before), tags=joined),
                t(locale, "recap.status_line", counts=_status_counts(recap.status_counts, locale)),
            ]
        if recap.goal is not None:
            lines.append(t(locale, "goal.line", text=recap.goal.goal.text, figure=recap.goal.figure(locale)))
        sections.append(Section(recap.label, tuple(lines)))
    if helpers:
        sections.append(helpers_section(helpers, locale))
    title = t(locale, "recap.overview_title", period=period_text(period, locale))
    return report(title, sections, locale=locale)


# -- entry points ---------------------------------------------------------------------------------


def resolve_department(rules: RuleSet, text: str) -> str:
    """A department by name or label (case-insensitive, full-width letters as typed with a
    Japanese input method too); a localised error with a suggestion."""

    def fold(value: str) -> str:
        return unicodedata.normalize("NFKC", value).strip().lstrip("#").casefold()

    wanted = fold(text)
    for dept_name, dept in rules.departments.items():
        if wanted in (fold(dept_name), fold(dept.label)):
            return dept_name
    names = list(rules.departments)
    close = difflib.get_close_matches(wanted, names, n=3, cutoff=0.5)
    hint = (
        t(rules.locale, "recap.did_you_mean", names=", ".join(close))
        if close
        else t(rules.locale, "recap.departments", names=", ".join(names))
    )
    raise KakehashiError(t(rules.locale, "recap.unknown_department", name=text, hint=hint))


def read_period(rules: RuleSet, text: str | None, *, now: datetime) -> Period:
    try:
        return parse_period(text or "last-week", now=now, tz=rules.timezone)
    except KakehashiError:
        raise KakehashiError(t(rules.locale, "recap.bad_period", text=text)) from None


async def department_payload(
    app: Services,
    department: str,
    period: Period,
    *,
    now: datetime,
    with_chart: bool,
    late_note: str = "",
    helpers: list[tuple[str, int]] | None = None,
    figures: ValueFigures | None = None,
) -> dict[str, Any]:
    """``figures``: the period's value figures when the caller computed them for every department."""
    rules = app.rules.current
    recap = await build_recap(app.store, rules, department, period, now=now, figures=figures)
    image = None
    if with_chart:
        from bot.reports.chart import chart_image

        image = await chart_image(app.store, rules, period, department=department)
    return recap_payload(recap, rules.locale, image=image, late_note=late_note, helpers=helpers)


async def set_helpers(store: Store, rules: RuleSet, period: Period) -> list[tuple[str, int]]:
    """The helpers of a recap set (every department's recaps of one period): computed once."""
    return await helpers_between(store, period, staff=rules.team, identities=rules.identities)


@dataclass(frozen=True, slots=True)
class RecapSet:
    """The recaps of one period for the departments asked for, and the set's helpers (once)."""

    period: Period
    now: datetime  # what ages were counted to: the period's end, or now if it has not ended
    recaps: list[DepartmentRecap]
    helpers: list[tuple[str, int]]


async def recap_set(app: Services, department: str | None, period_text: str | None) -> RecapSet:
    """One department's recap (or every department's) for ``period_text`` as of ``app.clock()``.

    Raises ``KakehashiError`` with a localised message for an unknown department or an
    unreadable period.
    """
    rules = app.rules.current
    period = read_period(rules, period_text, now=app.clock())
    # a recap of a past period is told as of its end: items waited "3 days" then, not until today
    now = min(app.clock(), period.end)
    names = [resolve_department(rules, department)] if department else list(rules.departments)
    figures = await value_figures(app.store, rules, period=period, department=department and names[0])
    facts = await department_facts(app.store, rules, names, period, now=now)
    recaps = [
        await build_recap(app.store, rules, name, period, now=now, figures=figures, facts=facts[name])
        for name in names
    ]
    return RecapSet(
        period=period, now=now, recaps=recaps, helpers=await set_helpers(app.store, rules, period)
    )


async def recap_reply(
    app: Services, department: str | None, period_text: str | None, *, with_chart: bool = False
) -> dict[str, Any]:
    """``/kakehashi recap [department] [period]``: the recap payload (unsplit), in the rules' locale.

    Without a department: every department in one overview.  Raises ``KakehashiError`` with a
    localised message for an unknown department or an unreadable period.
    """
    rules = app.rules.current
    found = await recap_set(app, department, period_text)
    period = found.period
    if department:
        recap = found.recaps[0]
        image = None
        if with_chart:
            from bot.reports.chart import chart_image

            image = await chart_image(app.store, rules, period, department=recap.department)
        return recap_payload(recap, rules.locale, image=image, helpers=found.helpers)
    payload = overview_payload(found.recaps, period, rules.locale, found.helpers)
    if with_chart:
        from bot.reports.chart import chart_image

        payload["image"] = await chart_image(app.store, rules, period, department=None)
    return payload


async def enqueue_recaps(
    app: Services,
    *,
    schedule: str,
    departments: tuple[str, ...],
    post_to: tuple[Destination, ...],
    period: Period,
    now: datetime,
    due: datetime | None = None,
) -> int:
    """Post one department recap per department and destination, once; returns new outbox rows.

    Destinations are the schedule's ``post_to`` or else each department's own channels; the
    dedupe key ``recap:{schedule}:{period}:{department}:{destination}`` makes a repeat a no-op.
    ``due`` marks a late (catch-up) post.  The helpers section is part of the set once: in the
    first department's recap that is posted anywhere.
    """
    rules = app.rules.current
    added = 0
    helpers: list[tuple[str, int]] | None = await set_helpers(app.store, rules, period)
    figures = await value_figures(app.store, rules, period=period, department=None)  # once for the set
    for department in departments:
        dept = rules.departments.get(department)
        if dept is None:
            continue
        targets = post_to or dept.post_to
        if not targets:
            continue
        payload = await department_payload(
            app,
            department,
            period,
            now=now,
            with_chart=period.is_week,
            late_note=late_note(due, rules),
            helpers=helpers,
            figures=figures,
        )
        helpers = None  # the set's first recap carries them
        added += await enqueue_to(
            app.store,
            kind="recap",
            payload=payload,
            destinations=targets,
            key=f"recap:{schedule}:{period.key}:{department}",
        )
    if added:
        app.worker.wake()
    return added
