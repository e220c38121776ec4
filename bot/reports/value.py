"""Value figures: what the community brought each department, in numbers (``kakehashi stats``,
``/kakehashi stats``).

``value_figures`` asks the store (aggregate SQL, see ``storage.figures`` for how each figure is
defined); ``value_data`` turns them into JSON-ready data (numbers, ISO dates, nulls),
``value_sections`` into report sections in the rules' locale, with a section that says how each
figure is defined.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.errors import KakehashiError
from bot.core.texts import t, tag_label
from bot.reports.periods import Period, parse_period
from bot.reports.report import Section, name
from rules import RuleSet
from storage.figures import ALL, DepartmentFigures, Durations, ValueFigures
from storage.store import Store

ALL_TIME = frozenset({"all", "all-time", "全期間", "全部"})
DEFINITIONS = (
    "items",
    "first_response",
    "time_to_close",
    "answered_back",
    "deflection",
    "testimonials",
    "flags",
    "precision",
)


def stats_period(rules: RuleSet, text: str | None, *, now: datetime) -> Period | None:
    """None (all time) for no text or ``all``; else any form ``recap`` takes (``week``, ``month``,
    ``last-week``, ``7d``, ``YYYY-MM-DD..YYYY-MM-DD``); a localised error for anything else."""
    if text is None or text.strip().casefold() in ALL_TIME:
        return None
    try:
        return parse_period(text, now=now, tz=rules.timezone)
    except KakehashiError:
        raise KakehashiError(t(rules.locale, "recap.bad_period", text=text)) from None


async def value_figures(
    store: Store, rules: RuleSet, *, period: Period | None, department: str | None
) -> ValueFigures:
    return await store.value_figures(
        start=period.start if period else None,
        end=period.end if period else None,
        department=department,
        staff=rules.team,
    )


def flag_departments(rules: RuleSet) -> dict[str, str]:
    """emoji -> the department its flag routes to (by the current rules)."""
    return {r.emoji: r.to for r in rules.reactions if r.to}


def emoji_text(emoji: str) -> str:
    """``:bulb:`` for a name, the character itself for one (Teams and the demo store 💡)."""
    return f":{emoji}:" if emoji.isascii() else emoji


def _durations(d: Durations) -> dict[str, Any]:
    return {"count": d.count, "median_seconds": d.median, "p90_seconds": d.p90}


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def department_figures_data(f: DepartmentFigures, rules: RuleSet) -> dict[str, Any]:
    dept = rules.departments.get(f.department)
    return {
        "label": dept.label if dept else (None if f.department == ALL else f.department),
        **figures_data(f),
    }


def figures_data(f: DepartmentFigures) -> dict[str, Any]:
    """One department's value figures as data (numbers, seconds, nulls): stats, recaps, JSON."""
    return {
        "items": f.items,
        "by_origin": f.by_origin,
        "by_tag": f.by_tag,
        "by_status": f.by_status,
        "first_response": {**_durations(f.first_response), "waiting": f.waiting},
        "time_to_close": _durations(f.time_to_close),
        "closed": {"done": f.done, "declined": f.declined},
        "answered_back": f.answered_back,
        "questions": {
            "total": f.questions,
            "answered_by_community": f.answered_by_community,
            "deflection_rate": _share(f.answered_by_community, f.questions),
        },
        "testimonials": {
            "granted": f.testimonials_granted,
            "requested": f.permission_requested,
            "declined": f.permission_declined,
        },
        "votes": f.votes,
    }


def value_data(figures: ValueFigures, rules: RuleSet, period: Period | None) -> dict[str, Any]:
    """The figures as data: numbers, ISO 8601 times, null where there is nothing to measure."""
    locale = rules.locale
    to = flag_departments(rules)
    wanted = figures.department
    flags = [
        {"emoji": e, "department": to.get(e), "flags": n, "posts": figures.flagged_posts.get(e, 0)}
        for e, n in figures.flags.items()
        if wanted is None or to.get(e) == wanted
    ]
    return {
        "period": None
        if period is None
        else {
            "label": period.label,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "timezone": str(rules.timezone),
        },
        "department": wanted,
        "departments": {
            d: department_figures_data(f, rules) for d, f in figures.departments.items() if d != ALL
        },
        "total": department_figures_data(figures.departments.get(ALL, DepartmentFigures(ALL)), rules),
        "routes": [
            {
                "route": r.route,
                "label": _route_label(rules, r.route),
                "department": r.department,
                "hits": r.hits,
                "withdrawn": r.withdrawn,
                "forwarded": r.forwarded,
                "misrouted": r.misrouted,
                "corrections": r.corrections,
                "precision": None if r.precision is None else round(r.precision, 4),
            }
            for r in figures.routes
        ],
        "flags": flags,
        "definitions": {key: t(locale, f"value.def.{key}") for key in DEFINITIONS},
    }


def _route_label(rules: RuleSet, route: str) -> str | None:
    found = rules.route_named(route)
    return found.label if found is not None else None


def duration_text(seconds: float | None, locale: str) -> str:
    """``45 s``, ``12 min``, ``3 h 5 min``, ``2 d 4 h`` (ja: 45秒, 12分, 3時間5分, 2日4時間)."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    if whole < 60:
        return t(locale, "value.dur.seconds", s=whole)
    minutes = whole // 60
    if minutes < 60:
        return t(locale, "value.dur.minutes", m=minutes)
    hours = minutes // 60
    if hours < 48:
        return t(locale, "value.dur.hours", h=hours, m=minutes % 60)
    return t(locale, "value.dur.days", d=hours // 24, h=hours % 24)


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "—"


def department_lines(f: DepartmentFigures, locale: str, *, brief: bool = False) -> tuple[str, ...]:
    """The figures as sentences; ``brief`` leaves out what a recap already says (items by origin
    and by tag)."""
    origins = t(locale, "report.join").join(
        f"{t(locale, f'value.origin.{o}')} {n}" for o, n in f.by_origin.items()
    )
    lines = [t(locale, "value.routed", items=f.items, origins=origins or "—")]
    if f.by_tag:
        tags = sorted(f.by_tag.items(), key=lambda kv: (-kv[1], kv[0]))
        lines.append(
            t(
                locale,
                "value.tags",
                tags=t(locale, "report.join").join(f"{tag_label(locale, tag)} {n}" for tag, n in tags),
            )
        )
    if brief:
        lines = []
    r = f.first_response
    lines.append(
        t(
            locale,
            "value.first_response",
            median=duration_text(r.median, locale),
            p90=duration_text(r.p90, locale),
            count=r.count,
            waiting=f.waiting,
        )
        if r.count
        else t(locale, "value.first_response_none", waiting=f.waiting)
    )
    c = f.time_to_close
    lines.append(
        t(
            locale,
            "value.time_to_close",
            median=duration_text(c.median, locale),
            p90=duration_text(c.p90, locale),
            count=c.count,
        )
        if c.count
        else t(locale, "value.time_to_close_none")
    )
    lines.append(t(locale, "value.closed", done=f.done, declined=f.declined))
    lines.append(t(locale, "value.answered_back", count=f.answered_back))
    if f.questions:
        lines.append(
            t(
                locale,
                "value.deflection",
                deflected=f.answered_by_community,
                questions=f.questions,
                pct=_percent(f.answered_by_community, f.questions),
            )
        )
    if f.testimonials_granted or f.permission_requested or f.permission_declined:
        lines.append(
            t(
                locale,
                "value.testimonials",
                granted=f.testimonials_granted,
                requested=f.permission_requested,
                declined=f.permission_declined,
            )
        )
    if f.votes:
        lines.append(t(locale, "value.votes", count=f.votes))
    return tuple(lines)


def value_title(rules: RuleSet, figures: ValueFigures, period: Period | None) -> str:
    locale = rules.locale
    if figures.department is None:
        scope = t(locale, "value.all_departments")
    else:
        dept = rules.departments.get(figures.department)
        scope = dept.label if dept else figures.department
    if period is None:
        when = t(locale, "value.all_time")
    else:
        first, last = period.first_day.isoformat(), period.last_day.isoformat()
        when = first if first == last else t(locale, "period.range", first=first, last=last)
    return t(locale, "value.title", scope=scope, period=when)


def value_sections(rules: RuleSet, figures: ValueFigures, *, definitions: bool = True) -> list[Section]:
    """A section per department (and all of them together when there are several), precision
    per route, flags per emoji and, with ``definitions``, how each figure is defined."""
    locale = rules.locale
    sections: list[Section] = []
    per_department = {d: f for d, f in figures.departments.items() if d != ALL}
    for department, f in per_department.items():
        dept = rules.departments.get(department)
        sections.append(Section(name(dept.label if dept else department), department_lines(f, locale)))
    if len(per_department) != 1:
        total = figures.departments.get(ALL, DepartmentFigures(ALL))
        sections.append(Section(t(locale, "value.all_departments"), department_lines(total, locale)))
    route_lines = tuple(
        t(
            locale,
            "value.route",
            route=name(_route_label(rules, r.route) or r.route),
            department=name(
                rules.departments[r.department].label if r.department in rules.departments else r.department
            ),
            hits=r.hits,
            corrections=r.corrections,
            withdrawn=r.withdrawn,
            forwarded=r.forwarded,
            misrouted=r.misrouted,
            precision="—" if r.precision is None else f"{round(100 * r.precision)}%",
        )
        for r in figures.routes
    )
    sections.append(Section(t(locale, "value.routes"), route_lines or (t(locale, "value.routes_none"),)))
    to = flag_departments(rules)
    flag_lines = tuple(
        t(
            locale,
            "value.flag",
            emoji=emoji_text(e),
            count=n,
            posts=figures.flagged_posts.get(e, 0),
            department=name(
                rules.departments[to[e]].label if to.get(e) in rules.departments else to.get(e) or "—"
            ),
        )
        for e, n in figures.flags.items()
        if figures.department is None or to.get(e) == figures.department
    )
    if flag_lines:
        sections.append(Section(t(locale, "value.flags"), flag_lines))
    if definitions:
        sections.append(definitions_section(locale))
    return sections


def definitions_section(locale: str) -> Section:
    """How each figure is defined, in ``locale``."""
    return Section(t(locale, "value.definitions"), tuple(t(locale, f"value.def.{k}") for k in DEFINITIONS))
