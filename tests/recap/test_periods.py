"""Periods in the rules' timezone, cron fire times."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger

from bot.core.errors import KakehashiError
from bot.reports.periods import last_fire_time, next_fire_time, parse_period, previous_period
from tests.recap.conftest import FIRE, JST, jst

NOW = FIRE  # Mon 2026-11-23 09:00 JST


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("last-week", "2026-11-16..2026-11-22"),
        ("", "2026-11-16..2026-11-22"),
        ("先週", "2026-11-16..2026-11-22"),
        ("this-week", "2026-11-23..2026-11-29"),
        ("2026-11-01..2026-11-30", "2026-11-01..2026-11-30"),
        ("２０２６－１１－０２〜２０２６－１１－０８", "2026-11-02..2026-11-08"),  # full-width, 〜
        ("2026-11-02 ~ 2026-11-03", "2026-11-02..2026-11-03"),
        ("2026-11-20", "2026-11-20..2026-11-20"),
        # what people type after /kakehashi recap [department]
        ("week", "2026-11-23..2026-11-29"),
        ("today", "2026-11-23..2026-11-23"),
        ("昨日", "2026-11-22..2026-11-22"),
        ("this-month", "2026-11-01..2026-11-30"),
        ("last-month", "2026-10-01..2026-10-31"),
        ("7d", "2026-11-17..2026-11-23"),
        ("３０日間", "2026-10-25..2026-11-23"),
    ],
)
def test_parse_period(text: str, label: str) -> None:
    period = parse_period(text, now=NOW, tz=JST)
    assert period.label == label
    assert period.start == datetime.combine(period.first_day, datetime.min.time(), tzinfo=JST).astimezone(UTC)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-11-30..2026-11-01", "the end is before the start"),
        ("2026-02-30..2026-03-01", "day is out of range"),
        ("next-week", "expected last-week, this-week, today, this-month, 7d or YYYY-MM-DD..YYYY-MM-DD"),
        ("0d", "expected last-week"),
    ],
)
def test_parse_period_errors(text: str, message: str) -> None:
    with pytest.raises(KakehashiError, match=message):
        parse_period(text, now=NOW, tz=JST)


def test_fire_times_in_tokyo() -> None:
    trigger = CronTrigger.from_crontab("0 9 * * mon", timezone=JST)
    assert last_fire_time(trigger, FIRE) == FIRE
    assert last_fire_time(trigger, jst(23, 8, 59)) == jst(16, 9)
    assert next_fire_time(trigger, FIRE) == jst(30, 9)
    monthly = CronTrigger.from_crontab("0 10 1 * *", timezone=JST)
    assert last_fire_time(monthly, FIRE) == jst(1, 10)


@pytest.mark.parametrize(
    ("text", "tz", "previous"),
    [
        ("2026-11-16..2026-11-22", "Asia/Tokyo", "2026-11-09..2026-11-15"),
        ("2026-11-01..2026-11-30", "Asia/Tokyo", "2026-10-01..2026-10-31"),  # a month: October, whole
        ("2026-03-01..2026-03-31", "Asia/Tokyo", "2026-02-01..2026-02-28"),
        ("2026-01-01..2026-03-31", "Asia/Tokyo", "2025-10-01..2025-12-31"),  # a quarter
        ("2026-11-20..2026-11-21", "Asia/Tokyo", "2026-11-18..2026-11-19"),
        # New York leaves daylight saving on Sun 2026-11-01: the week before is 169 hours long
        ("2026-11-02..2026-11-08", "America/New_York", "2026-10-26..2026-11-01"),
    ],
)
def test_previous_period_is_whole_local_days(text: str, tz: str, previous: str) -> None:
    zone = ZoneInfo(tz)
    before = parse_period(text, now=NOW, tz=zone).previous()
    assert before.label == previous
    assert before.start.astimezone(zone).time() == datetime.min.time()  # from local midnight
    assert before.end == parse_period(text, now=NOW, tz=zone).start


def test_monthly_recap_compares_with_the_previous_month() -> None:
    november = previous_period("month", datetime(2026, 12, 1, 1, tzinfo=UTC), JST)
    assert november.label == "2026-11-01..2026-11-30"
    assert [p.label for p in november.back(3)] == [
        "2026-09-01..2026-09-30",
        "2026-10-01..2026-10-31",
        "2026-11-01..2026-11-30",
    ]


@pytest.mark.parametrize("kind", ["day", "week", "month"])
def test_a_moment_at_exactly_local_midnight_starts_its_period(kind: str) -> None:
    """Monday 2026-11-02 00:00 in Tokyo begins a day, a week and (here 11-01 is a Sunday) a day;
    the same instant ends the period before it."""
    from bot.reports.periods import period_of

    midnight = datetime(2026, 11, 2, 0, 0, tzinfo=JST)
    labels = {
        "day": "2026-11-02..2026-11-02",
        "week": "2026-11-02..2026-11-08",
        "month": "2026-11-01..2026-11-30",
    }
    before = {
        "day": "2026-11-01..2026-11-01",
        "week": "2026-10-26..2026-11-01",
        "month": "2026-10-01..2026-10-31",
    }
    period = period_of(kind, midnight, JST)
    assert period.label == labels[kind]
    assert period.contains(midnight.astimezone(UTC))
    assert (period.start == midnight) is (kind != "month")
    if kind != "month":
        assert previous_period(kind, midnight, JST).label == before[kind]
        assert not previous_period(kind, midnight, JST).contains(midnight)
        assert previous_period(kind, midnight, JST).end == midnight


def test_a_scheduled_recap_at_exactly_midnight_covers_the_period_that_just_ended() -> None:
    """A recap cron at Monday 00:00 (not 09:00) still covers the week that ended at that instant."""
    monday = datetime(2026, 11, 23, 0, 0, tzinfo=JST)
    assert previous_period("week", monday, JST).label == "2026-11-16..2026-11-22"
    assert previous_period("day", monday, JST).label == "2026-11-22..2026-11-22"
    assert (
        previous_period("month", datetime(2026, 12, 1, 0, 0, tzinfo=JST), JST).label
        == "2026-11-01..2026-11-30"
    )
