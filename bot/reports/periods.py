"""Recap windows: weeks start on Monday 00:00 in the rules' timezone; stored as UTC."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger

from bot.core.errors import KakehashiError

_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\s*(?:\.\.|~|〜)\s*(\d{4}-\d{2}-\d{2}))?$")


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive
    label: str  # "2026-11-16..2026-11-22" in local dates
    tz: ZoneInfo

    def previous(self) -> Period:
        """The period just before this one, in local days: as many days (a week before a week,
        whatever a daylight-saving change does to its hours), or as many calendar months for a
        period of whole months (October before November, not October 2..31)."""
        if not (_is_midnight(self.start, self.tz) and _is_midnight(self.end, self.tz)):
            length = self.end - self.start
            return period_between(self.start - length, self.start, self.tz)
        first, after = self.first_day, self.last_day + timedelta(days=1)
        if first.day == 1 and after.day == 1:
            months = (after.year - first.year) * 12 + after.month - first.month
            start = _months_before(first, months)
        else:
            start = first - (after - first)
        return period_between(_local_midnight(start, self.tz), self.start, self.tz)

    @property
    def key(self) -> str:
        """What a schedule run is unique by (local dates, so it reads well in the database)."""
        return self.label

    @property
    def first_day(self) -> date:
        return self.start.astimezone(self.tz).date()

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(microseconds=1)).astimezone(self.tz).date()

    @property
    def is_week(self) -> bool:
        return (self.last_day - self.first_day).days == 6

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def back(self, count: int) -> list[Period]:
        """``count`` periods ending with this one, oldest first (charts)."""
        periods = [self]
        while len(periods) < count:
            periods.append(periods[-1].previous())
        return periods[::-1]


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def _is_midnight(moment: datetime, tz: ZoneInfo) -> bool:
    return moment.astimezone(tz).time() == time(0)


def _months_before(first: date, months: int) -> date:
    """The first day of the month ``months`` months before ``first`` (a first of a month)."""
    index = first.year * 12 + first.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


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


def period_of(kind: str, moment: datetime, tz: ZoneInfo) -> Period:
    """The ``day``, ``week`` or ``month`` that contains ``moment``."""
    return {"day": day_of, "week": week_of, "month": month_of}[kind](moment, tz)


def previous_period(kind: str, moment: datetime, tz: ZoneInfo) -> Period:
    """The last complete period before ``moment`` (what a scheduled recap covers)."""
    current = {"day": day_of, "week": week_of, "month": month_of}[kind](moment, tz)
    return {"day": day_of, "week": week_of, "month": month_of}[kind](current.start - timedelta(seconds=1), tz)


# Words for a calendar period: (kind, whether it is the one before the current one)
_NAMED: dict[str, tuple[str, bool]] = {
    **dict.fromkeys(("last-week", "lastweek", "先週"), ("week", True)),
    **dict.fromkeys(("this-week", "thisweek", "week", "今週"), ("week", False)),
    **dict.fromkeys(("today", "day", "今日", "本日"), ("day", False)),
    **dict.fromkeys(("yesterday", "昨日"), ("day", True)),
    **dict.fromkeys(("this-month", "thismonth", "month", "今月"), ("month", False)),
    **dict.fromkeys(("last-month", "lastmonth", "先月"), ("month", True)),
}
_DAYS = re.compile(r"^(\d{1,3})(?:d|days?|日間?)$")


def parse_period(text: str, *, now: datetime, tz: ZoneInfo) -> Period:
    """``last-week`` (default), ``this-week`` (or ``week``), ``today``, ``yesterday``,
    ``this-month`` (or ``month``), ``last-month``, ``7d`` (the last 7 days, today included), or
    ``YYYY-MM-DD..YYYY-MM-DD`` (both days included).

    Full-width forms, Japanese words (先週, 今週, 今日, 昨日, 今月, 先月, 7日間) and ``〜`` / ``~``
    between the dates are accepted; one date is one day.
    """
    text = unicodedata.normalize("NFKC", text or "last-week").strip().casefold()
    if text in _NAMED:
        kind, before = _NAMED[text]
        return previous_period(kind, now, tz) if before else period_of(kind, now, tz)
    days = _DAYS.match(text)
    if days and 1 <= int(days[1]) <= 366:
        last = now.astimezone(tz).date()
        first = last - timedelta(days=int(days[1]) - 1)
        return period_between(_local_midnight(first, tz), _local_midnight(last + timedelta(days=1), tz), tz)
    match = _RANGE.match(text)
    if match:
        try:
            first = date.fromisoformat(match[1])
            last = date.fromisoformat(match[2]) if match[2] else first
        except ValueError as exc:
            raise KakehashiError(f"period {text!r}: {exc}") from None
        if last < first:
            raise KakehashiError(f"period {text!r}: the end is before the start")
        return period_between(_local_midnight(first, tz), _local_midnight(last + timedelta(days=1), tz), tz)
    raise KakehashiError(
        f"period {text!r}: expected last-week, this-week, today, this-month, 7d or YYYY-MM-DD..YYYY-MM-DD"
    )


def fire_times_after(trigger: BaseTrigger, start: datetime) -> Iterator[datetime]:
    """The trigger's fire times at or after ``start``, in order (UTC)."""
    moment: datetime | None = trigger.get_next_fire_time(None, start)
    while moment is not None:
        yield moment.astimezone(UTC)
        moment = trigger.get_next_fire_time(moment, moment)


def last_fire_time(trigger: BaseTrigger, at: datetime) -> datetime | None:
    """The latest fire time at or before ``at`` (within a year), in UTC."""
    for lookback in (timedelta(days=1), timedelta(days=8), timedelta(days=32), timedelta(days=367)):
        last = None
        for moment in fire_times_after(trigger, at - lookback):
            if moment > at:
                break
            last = moment
        if last is not None:
            return last
    return None


def next_fire_time(trigger: BaseTrigger, after: datetime) -> datetime | None:
    """The first fire time strictly after ``after``, in UTC."""
    for moment in fire_times_after(trigger, after):
        if moment > after:
            return moment
    return None
