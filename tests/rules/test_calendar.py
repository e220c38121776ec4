"""rules.yaml ``holidays:``: business-day deadlines with Japan's public holidays and company days off."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from rules import RulesError
from rules.calendar import BusinessCalendar, parse_closed

from .support import ruleset

JST = ZoneInfo("Asia/Tokyo")
ROUTES = "- {name: bug, when: {keyword: bug}, to: [product], tag: bug}"


def jst(y: int, m: int, d: int, h: int = 0, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=JST).astimezone(UTC)


WEEKENDS = BusinessCalendar()
JAPAN = ruleset(ROUTES, "holidays: {country: JP, closed: [12-29..01-03, 2026-08-14]}\n").calendar


@pytest.mark.parametrize(
    ("calendar", "posted", "days", "deadline"),
    [
        (WEEKENDS, jst(2026, 11, 16, 10), 2, jst(2026, 11, 19)),  # Monday -> end of Wednesday
        (WEEKENDS, jst(2026, 11, 20, 18), 2, jst(2026, 11, 25)),  # Friday -> end of Tuesday
        (WEEKENDS, jst(2026, 11, 21, 9), 1, jst(2026, 11, 24)),  # Saturday -> end of Monday
        (WEEKENDS, jst(2026, 11, 22, 23, 59), 0, jst(2026, 11, 23)),  # same day
        # Mon 2026-11-23 is 勤労感謝の日: Friday's bug is due at the end of Wednesday, not Tuesday
        (JAPAN, jst(2026, 11, 20, 18), 2, jst(2026, 11, 26)),
        # Golden Week 2026: 5/3 Sun, 5/4-5/5 holidays, 5/6 振替休日 -> Thu 4/30 + 2 = Thu 5/7
        (JAPAN, jst(2026, 4, 30, 12), 2, jst(2026, 5, 8)),
        # 年末年始 12-29..01-03 every year, and 1/1: Mon 12/28 + 1 = Mon 2027-01-04
        (JAPAN, jst(2026, 12, 28, 15), 1, jst(2027, 1, 5)),
        # a one-off company day (2026-08-14, Fri) after 山の日 (8/11): Mon 8/10 + 3 = Mon 8/17
        (JAPAN, jst(2026, 8, 10, 9), 3, jst(2026, 8, 18)),
    ],
)
def test_deadline(calendar: BusinessCalendar, posted: datetime, days: int, deadline: datetime) -> None:
    assert calendar.deadline(posted, days, JST) == deadline


def test_country_alone_is_a_string() -> None:
    calendar = ruleset(ROUTES, "holidays: jp\n").calendar
    assert calendar == BusinessCalendar(country="JP")
    assert not calendar.is_business_day(date(2026, 11, 23))
    assert calendar.is_business_day(date(2026, 11, 24))


def test_without_holidays_only_weekends_are_off() -> None:
    assert ruleset(ROUTES).calendar == WEEKENDS
    assert WEEKENDS.is_business_day(date(2026, 11, 23))


@pytest.mark.parametrize(
    ("text", "inside", "outside"),
    [
        ("12-29..01-03", [date(2026, 12, 31), date(2027, 1, 3), date(2030, 12, 29)], [date(2027, 1, 4)]),
        ("08-13..08-16", [date(2027, 8, 13)], [date(2027, 8, 12), date(2027, 8, 17)]),
        ("2026-05-01", [date(2026, 5, 1)], [date(2027, 5, 1)]),
        ("2026-12-28..2027-01-04", [date(2027, 1, 4)], [date(2027, 1, 5)]),
        ("02-29", [date(2028, 2, 29)], [date(2028, 3, 1)]),
    ],
)
def test_closed_days(text: str, inside: list[date], outside: list[date]) -> None:
    closed = parse_closed(text)
    assert all(day in closed for day in inside)
    assert not any(day in closed for day in outside)


def test_errors_are_positioned() -> None:
    extra = "holidays:\n  country: Japan\n  closed: [12-32, 2026-05-01..2026-04-30, golden-week]\n  observed: true\n"
    with pytest.raises(RulesError) as info:
        ruleset(ROUTES, extra)
    assert str(info.value).splitlines() == [
        "rules.yaml:15:12: holidays.country: unknown country 'Japan' (expected an ISO 3166 country code such as JP, US or GB)",
        "rules.yaml:16:12: holidays.closed[0]: '12-32': '12-32' is not a day of the calendar",
        "rules.yaml:16:19: holidays.closed[1]: '2026-05-01..2026-04-30': the range ends (2026-04-30) before it starts (2026-05-01)",
        "rules.yaml:16:43: holidays.closed[2]: 'golden-week': expected YYYY-MM-DD, YYYY-MM-DD..YYYY-MM-DD, MM-DD or MM-DD..MM-DD",
        "rules.yaml:17:3: holidays.observed: unknown key 'observed' (expected one of: country, closed)",
    ]
    assert info.value.text("ja").splitlines() == [  # `kakehashi rules check` in Japanese: the place kept
        "rules.yaml:15:12: holidays.country: 国 'Japan' はありません（JP・US・GB のような ISO 3166 の国コードを書いてください）",
        "rules.yaml:16:12: holidays.closed[0]: '12-32': '12-32' という日はありません",
        "rules.yaml:16:19: holidays.closed[1]: '2026-05-01..2026-04-30': 期間の終わり（2026-04-30）が始まり（2026-05-01）より前です",
        "rules.yaml:16:43: holidays.closed[2]: 'golden-week': YYYY-MM-DD、YYYY-MM-DD..YYYY-MM-DD、MM-DD、MM-DD..MM-DD のどれかの形で書いてください",
        "rules.yaml:17:3: holidays.observed: キー 'observed' はありません（使えるもの: country, closed）",
    ]
