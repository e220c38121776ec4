"""Recaps and agendas as data (``--format json``, the dashboard's figures): numbers, ISO dates,
items with their ids, links, status, department and tags, goals with target, actual and percent.

The same facts as the posts (``build_recap``, ``build_agenda``), never their rendered text.
Labels (a tag's or a status's name) are added beside the ids in the rules' locale, for scripts
that show them; the ids are what to compare.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.core.texts import t, tag_label
from bot.reports.agenda import Agenda, DepartmentAgenda, agenda_for
from bot.reports.periods import Period
from bot.reports.recap import Aged, DepartmentRecap, GoalFigure, Highlight, recap_set
from bot.reports.value import figures_data
from storage.items import ItemView

if TYPE_CHECKING:
    from bot.pipeline.services import Services


def iso(moment: datetime) -> str:
    return moment.isoformat()


def period_data(period: Period) -> dict[str, Any]:
    """Local first and last day (both included) and the UTC instants it spans."""
    return {
        "first_day": period.first_day.isoformat(),
        "last_day": period.last_day.isoformat(),
        "start": iso(period.start),
        "end": iso(period.end),
        "timezone": period.tz.key,
    }


def item_data(view: ItemView, locale: str, **extra: Any) -> dict[str, Any]:
    item, message = view.item, view.message
    return {
        "id": item.id,
        "department": item.department,
        "tag": item.tag,
        "tag_label": tag_label(locale, item.tag),
        "tags": list(message.tags or []),
        "status": item.status,
        "status_label": t(locale, f"status.{item.status}"),
        "votes": item.votes,
        "permission": item.permission,
        "author": message.author,
        "author_id": message.author_id,
        "platform": message.platform,
        "channel": message.channel,
        "private": bool(message.private),
        "text": message.text,
        "created_at": iso(message.created_at),
        "link": message.link,
        **extra,
    }


def aged_data(aged: Aged, locale: str) -> dict[str, Any]:
    return item_data(aged.view, locale, days_waiting=aged.days)


def highlight_data(highlight: Highlight, locale: str) -> dict[str, Any]:
    return item_data(
        highlight.view,
        locale,
        reactions=highlight.reactions,
        replies=highlight.replies,
        score=highlight.score,
    )


def goal_data(goal: GoalFigure | None) -> dict[str, Any] | None:
    """``at_least``: ``actual`` items against ``target``; ``*_within``: ``actual`` of ``target``
    items due were handled within ``days`` business days."""
    if goal is None:
        return None
    return {
        "text": goal.goal.text,
        "kind": goal.goal.kind,
        "tag": goal.goal.tag,
        "days": goal.goal.days,
        "target": goal.total,
        "actual": goal.met,
        "percent": goal.percent,
        "achieved": goal.achieved,
    }


def tags_data(recap: DepartmentRecap, locale: str) -> list[dict[str, Any]]:
    tags = sorted(
        set(recap.by_tag) | set(recap.previous_by_tag),
        key=lambda tag: (-recap.by_tag.get(tag, 0), -recap.previous_by_tag.get(tag, 0), tag),
    )
    return [
        {
            "tag": tag,
            "label": tag_label(locale, tag),
            "count": recap.by_tag.get(tag, 0),
            "previous": recap.previous_by_tag.get(tag, 0),
        }
        for tag in tags
    ]


def department_recap_data(recap: DepartmentRecap, locale: str) -> dict[str, Any]:
    total, before = sum(recap.by_tag.values()), sum(recap.previous_by_tag.values())
    return {
        "department": recap.department,
        "label": recap.label,
        "total": total,
        "previous_total": before,
        "change": total - before,
        "by_tag": tags_data(recap, locale),
        "by_status": dict(sorted(recap.status_counts.items())),
        "goal": goal_data(recap.goal),
        "top": [highlight_data(h, locale) for h in recap.top],
        "waiting": [aged_data(a, locale) for a in recap.waiting],
        "unanswered": {
            "total": recap.unanswered_total,
            "items": [aged_data(a, locale) for a in recap.unanswered],
        }
        if recap.takes_questions
        else None,
        "testimonials": [item_data(v, locale) for v in recap.testimonials],
        "value": figures_data(recap.value) if recap.value is not None else None,
    }


def recap_set_data(
    recaps: list[DepartmentRecap],
    period: Period,
    helpers: list[tuple[str, int]],
    *,
    locale: str,
    as_of: datetime,
) -> dict[str, Any]:
    """A recap set: every department asked for, and the helpers of the period once."""
    return {
        "kind": "recap",
        "locale": locale,
        "as_of": iso(as_of),
        "period": period_data(period),
        "previous_period": period_data(period.previous()),
        "departments": [department_recap_data(r, locale) for r in recaps],
        "helpers": [{"name": person, "answers": count} for person, count in helpers],
    }


def department_agenda_data(dept: DepartmentAgenda, locale: str) -> dict[str, Any]:
    return {
        "department": dept.department,
        "label": dept.label,
        "new_total": len(dept.new),
        "new": [item_data(v, locale) for v in dept.new],
        "carried_total": len(dept.carried),
        "carried": [aged_data(a, locale) for a in dept.carried],
        "ideas": [item_data(v, locale) for v in dept.ideas],
        "decisions": [aged_data(a, locale) for a in dept.decisions],
        "goal": goal_data(dept.goal),
    }


def agenda_data(agenda: Agenda, *, locale: str, as_of: datetime) -> dict[str, Any]:
    return {
        "kind": "agenda",
        "locale": locale,
        "as_of": iso(as_of),
        "meeting": iso(agenda.meeting),
        "window": period_data(agenda.window),
        "departments": [department_agenda_data(d, locale) for d in agenda.departments],
    }


async def recap_json(app: Services, department: str | None, period_text: str | None) -> dict[str, Any]:
    """``kakehashi recap --format json``: the recap set (one department or all) as data."""
    found = await recap_set(app, department, period_text)
    locale = app.rules.current.locale
    return recap_set_data(found.recaps, found.period, found.helpers, locale=locale, as_of=found.now)


async def agenda_json(app: Services, period_text: str | None) -> dict[str, Any]:
    """``kakehashi agenda --format json``: the agenda as data."""
    agenda, now = await agenda_for(app, period_text)
    return agenda_data(agenda, locale=app.rules.current.locale, as_of=now)
