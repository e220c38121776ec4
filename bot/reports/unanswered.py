"""Scheduled nudges (schedule ``kind: unanswered``): community questions nobody has answered yet.

At each firing, every department of the schedule gets one post listing its open questions that
have waited longer than ``after_hours`` (but not more than two weeks: older ones are the weekly
recap's business) with no reply from anyone but the asker, oldest first,
each with a link to the thread.  A department with none gets nothing.  The scheduler's
(schedule, firing) claim and the outbox dedupe key make it one post per firing, whatever the
number of replicas.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.core.texts import t
from bot.reports.recap import item_line, unanswered_questions
from bot.reports.report import Section, enqueue_to, report
from rules.model import Schedule

if TYPE_CHECKING:
    from bot.pipeline.services import Services

__all__ = ["enqueue_unanswered"]

LISTED = 15  # questions per post; the rest are counted
GIVE_UP = timedelta(days=14)  # older questions are left to the weekly recap (imported ones are archived)


def _waited(created: datetime, now: datetime, locale: str) -> str:
    hours = int((now - created).total_seconds() // 3600)
    return (
        t(locale, "unanswered.hours", hours=hours)
        if hours < 48
        else t(locale, "unanswered.days", days=hours // 24)
    )


async def enqueue_unanswered(
    app: Services, *, schedule: Schedule, now: datetime, period_key: str, late_note: str = ""
) -> int:
    """Enqueue one nudge per department that has overdue questions; returns new outbox rows."""
    rules = app.rules.current
    locale = rules.locale
    added = 0
    for department in schedule.departments:
        dept = rules.departments.get(department)
        targets = schedule.post_to or (dept.post_to if dept else ())
        if dept is None or not targets:
            continue
        waiting, total = await unanswered_questions(
            app.store,
            department,
            before=now - timedelta(hours=schedule.after_hours),
            since=now - GIVE_UP,
            now=now,
            limit=LISTED,
        )
        if not waiting:
            continue
        lines = [item_line(a.view, locale, _waited(a.view.message.created_at, now, locale)) for a in waiting]
        if total > LISTED:
            lines.append(t(locale, "report.more", count=total - LISTED))
        if late_note:
            lines.append(late_note)
        title = t(locale, "unanswered.title", label=dept.label, hours=schedule.after_hours, count=total)
        payload = report(title, [Section(t(locale, "unanswered.heading"), tuple(lines))], locale=locale)
        added += await enqueue_to(
            app.store,
            kind="unanswered",
            payload=payload,
            destinations=targets,
            key=f"unanswered:{schedule.name}:{period_key}:{department}",
        )
    if added:
        app.worker.wake()
    return added
