"""Recap windows: weeks start on Monday 00:00 in the rules' timezone; stored as UTC."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.errors import KakehashiError

_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive
    label: str  # "2026-11-16..2026-11-22" in local dates
    tz: ZoneInfo

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        length = self.end - self.start
        return period_between(self.start - length, self.start, self.tz)


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def period_between(start: datetime, end: datetime, tz: ZoneInfo) -> Period:
    first = start.astimezone(tz).date()
    last = (end - timedelta(microseconds=1)).astimezone(tz).date()
    return Period(start=start, end=end, label=f"{first.isoformat()}..{last.isoformat()}", tz=tz)


def week_of(moment: datetime, tz: ZoneInfo) -> Period:
    local = moment.astimezone(tz).date()
    monday = local - timedelta(days=local.weekday())
    return period_between(_local_midnight(monday, tz), _local_midnight(monday + timedelta(days=7), tz), tz)


def day_of(moment: datetime, tz: ZoneInfo) -> Period:
    local = moment.astimezone(tz).date()
    return period_between(_local_midnight(local, tz), _local_midnight(local + timedelta(days=1), tz), tz)


def month_of(moment: datetime, tz: ZoneInfo) -> Period:
    local = moment.astimezone(tz).date().replace(day=1)
    following = (local + timedelta(days=32)).replace(day=1)
    return period_between(_local_midnight(local, tz), _local_midnight(following, tz), tz)


def previous_period(kind: str, moment: datetime, tz: ZoneInfo) -> Period:
    """The last complete period before ``moment`` (what a scheduled recap covers)."""
    current = {"day": day_of, "week": week_of, "month": month_of}[kind](moment, tz)
    return {"day": day_of, "week": week_of, "month": month_of}[kind](current.start - timedelta(seconds=1), tz)


def parse_period(text: str, *, now: datetime, tz: ZoneInfo) -> Period:
    """``last-week`` (default), ``this-week``, ``YYYY-MM-DD..YYYY-MM-DD`` (both days included)."""
    text = (text or "last-week").strip().casefold()
    if text in ("last-week", "lastweek", "先週"):
        return previous_period("week", now, tz)
    if text in ("this-week", "thisweek", "今週"):
        return week_of(now, tz)
    match = _RANGE.match(text)
    if match:
        try:
            first, last = date.fromisoformat(match[1]), date.fromisoformat(match[2])
        except ValueError as exc:
            raise KakehashiError(f"period {text!r}: {exc}") from None
        if last < first:
            raise KakehashiError(f"period {text!r}: the end is before the start")
        return period_between(_local_midnight(first, tz), _local_midnight(last + timedelta(days=1), tz), tz)
    raise KakehashiError(f"period {text!r}: expected last-week, this-week or YYYY-MM-DD..YYYY-MM-DD")
