"""The business calendar of rules.yaml ``holidays:``: which days count for "within N business days".

Weekends never count.  ``country`` adds that country's public holidays (from the ``holidays``
package, which knows Japan's substitute and sandwiched holidays); ``closed`` adds the company's
own days off, either on one date (``2026-12-28``), a range of dates (``2026-12-29..2027-01-03``) or
every year (``12-29..01-03`` for 年末年始, ``08-13..08-16`` for お盆).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays

from rules.errors import Said, said

__all__ = ["BusinessCalendar", "ClosedDays", "parse_closed", "supported_countries"]


@dataclass(frozen=True, slots=True)
class ClosedDays:
    """Days off: ``first..last`` inclusive.  ``yearly`` ranges ignore the year (and may wrap at New Year)."""

    first: date
    last: date
    yearly: bool = False

    def __contains__(self, day: date) -> bool:
        if not self.yearly:
            return self.first <= day <= self.last
        key, start, end = (
            (day.month, day.day),
            (self.first.month, self.first.day),
            (self.last.month, self.last.day),
        )
        return start <= key <= end if start <= end else key >= start or key <= end


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """Monday to Friday, less public holidays of ``country`` and the ``closed`` days."""

    country: str | None = None
    closed: tuple[ClosedDays, ...] = ()

    def is_business_day(self, day: date) -> bool:
        if day.weekday() >= 5 or any(day in c for c in self.closed):
            return False
        return self.country is None or day not in _public_holidays(self.country, day.year)

    def deadline(self, moment: datetime, days: int, tz: ZoneInfo) -> datetime:
        """The end (local midnight, in UTC) of the ``days``-th business day after ``moment``'s local day.

        A bug posted on Monday with a 2-business-day goal is on time until Wednesday 24:00; one
        posted on Friday until Tuesday 24:00, or Wednesday 24:00 when that Monday is a holiday.
        """
        day = moment.astimezone(tz).date()
        left = days
        while left > 0:
            day += timedelta(days=1)
            if self.is_business_day(day):
                left -= 1
        following = day + timedelta(days=1)
        return datetime(following.year, following.month, following.day, tzinfo=tz).astimezone(UTC)


@functools.lru_cache(maxsize=64)
def _public_holidays(country: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=year))


@functools.lru_cache(maxsize=1)
def supported_countries() -> tuple[str, ...]:
    """ISO 3166-1 alpha-2 codes the ``holidays`` package knows (JP, US, GB, ...)."""
    return tuple(sorted(holidays.list_supported_countries()))


class BadDays(ValueError):
    """A ``closed:`` entry that is not a day or a range of days; ``said`` words it (rules.errors)."""

    def __init__(self, why: Said) -> None:
        super().__init__(str(why))
        self.said = why


def _month_day(text: str) -> date:
    month, _, day = text.partition("-")
    if not (month.isdigit() and day.isdigit()):
        raise BadDays(said("closed.not_month_day", text=text))
    try:
        return date(2000, int(month), int(day))  # a leap year, so 02-29 is a valid yearly day
    except ValueError:
        raise BadDays(said("closed.no_such_day", text=text)) from None


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadDays(said("closed.no_such_day", text=text)) from None


def parse_closed(text: str) -> ClosedDays:
    """``YYYY-MM-DD``, ``YYYY-MM-DD..YYYY-MM-DD``, ``MM-DD`` or ``MM-DD..MM-DD``.  Raises ``ValueError``."""
    first, _, last = (part.strip() for part in text.strip().partition(".."))
    last = last or first
    if len(first) == len(last) == 5:
        return ClosedDays(_month_day(first), _month_day(last), yearly=True)
    if len(first) == len(last) == 10:
        start, end = _day(first), _day(last)
        if end < start:
            raise BadDays(said("closed.backwards", start=start, end=end))
        return ClosedDays(start, end)
    raise BadDays(said("closed.form"))
