"""Slack refusing connections, answering 500 and 429 + Retry-After for a while, then recovering.

The real Slack sink against the Web API stand-in, a clock the test moves forward (so the
backoff of hours passes at once; the store stamps rows with the same clock, so wall time and a
loaded machine change nothing), SQLite and PostgreSQL.  Everything is delivered once after
the outage; a channel that never recovers is dead-lettered after exactly
``KAKEHASHI_OUTBOX_MAX_ATTEMPTS`` attempts, with the last reason; waiting out a 429 is not an
attempt, so rate limits alone never dead-letter a post.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.pipeline.outbox import RateLimiter
from bot.platforms.slack import plugin as slack_plugin
from bot.runtime.app import App
from bot.settings import Settings
from tests.conftest import Database
from tests.fakes.slack_api import FakeSlack
from tests.slack.conftest import DEPT_MARKETING, DEPT_PRODUCT, FIXTURES, SECRET, TOKEN, SlackBot
from tests.slack.test_events import msg

ATTEMPTS = 5
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
async def bot(database: Database, slack_api: FakeSlack) -> AsyncIterator[tuple[SlackBot, list[datetime]]]:
    clock = [START]  # months before the wall clock: rows are due only if the store reads this clock
    settings = Settings(
        rules_path=FIXTURES / "rules.yaml",
        database_url=database.url,
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=slack_api.url,
        outbox_max_attempts=ATTEMPTS,
    )
    app = await App.build(settings, plugins=[slack_plugin.plugin], clock=lambda: clock[0])
    app.worker.sinks["slack"].min_interval = 0.0  # type: ignore[attr-defined]
    await app.start(worker=False)
    client = TestClient(TestServer(app.web_app()))
    await client.start_server()
    try:
        yield SlackBot(app=app, client=client, fake=slack_api), clock
    finally:
        await client.close()
        await app.stop()


async def deliver_over_time(bot: SlackBot, clock: list[datetime], *, passes: int) -> list[dict[str, int]]:
    """One outbox pass per "hour": every backoff (at most 15 minutes) has run out in between."""
    results = []
    for _ in range(passes):
        counts = await bot.app.worker.run_once()
        while counts and set(counts) == {"deferred"}:  # a Retry-After still running, in real seconds
            await asyncio.sleep(0.1)
            counts = await bot.app.worker.run_once()
        results.append(counts)
        clock[0] += timedelta(hours=1)
    return results


async def rows(bot: SlackBot) -> list[tuple[Any, ...]]:
    return sorted(
        (r.destination, r.status, r.attempts, r.last_error) for r in await bot.app.store.outbox_rows()
    )


async def test_an_outage_then_recovery_delivers_everything_once(bot: tuple[SlackBot, list[datetime]]) -> None:
    slack, clock = bot
    texts = ["crash on save", "I love it", "crash on login", "love the editor"]
    for i, text in enumerate(texts):
        await slack.event("message.json", **msg(text, f"1700000030.00010{i}", event_id=f"E{i}"))
    sink = slack.app.worker.sinks["slack"]
    real_url = sink.client.base_url  # type: ignore[attr-defined]
    sink.client.base_url = "http://127.0.0.1:9/api/"  # type: ignore[attr-defined]  # connection refused
    assert await deliver_over_time(slack, clock, passes=1) == [{"retry": 4}]
    sink.client.base_url = real_url  # type: ignore[attr-defined]
    slack.fake.fail("chat.postMessage", status=500, times=4)
    slack.fake.fail("chat.postMessage", status=429, retry_after=1, times=4)
    assert await deliver_over_time(slack, clock, passes=3) == [{"retry": 4}, {"retry": 4}, {"sent": 4}]

    for text in texts:
        assert sum(text in str(p) for p in slack.fake.posts()) == 1, text
    assert [p["channel"] for p in slack.fake.posts()].count(DEPT_PRODUCT) == 2
    assert [p["channel"] for p in slack.fake.posts()].count(DEPT_MARKETING) == 2
    # refused, 500 and the success are attempts; waiting out a 429 is not
    assert {(status, attempts, error) for _, status, attempts, error in await rows(slack)} == {
        ("sent", 3, None)
    }


async def test_rate_limits_alone_never_dead_letter(bot: tuple[SlackBot, list[datetime]]) -> None:
    """More 429s in a row than attempts allowed (replicas sharing a busy channel): still posted once."""
    slack, clock = bot
    await slack.event("message.json", **msg("crash on save", "1700000030.000100", event_id="E1"))
    slack.fake.fail("chat.postMessage", status=429, retry_after=1, times=ATTEMPTS + 2)
    results = []
    for _ in range(ATTEMPTS + 3):
        results.append(await slack.app.worker.run_once())
        slack.app.worker.limiter = RateLimiter()  # the Retry-After second has passed
        clock[0] += timedelta(minutes=1)
    assert results == [{"retry": 1}] * (ATTEMPTS + 2) + [{"sent": 1}]
    assert await rows(slack) == [("slack:#dept-product", "sent", 1, None)]
    assert len(slack.fake.posts(DEPT_PRODUCT)) == 1


async def test_a_channel_that_never_recovers_is_dead_lettered_after_n_attempts(
    bot: tuple[SlackBot, list[datetime]],
) -> None:
    slack, clock = bot
    await slack.event("message.json", **msg("crash on save", "1700000030.000100", event_id="E1"))
    await slack.event("message.json", **msg("I love it", "1700000031.000100", event_id="E2"))
    slack.fake.fail("chat.postMessage", status=500, times=1000, channel=DEPT_MARKETING)
    results = await deliver_over_time(slack, clock, passes=ATTEMPTS + 2)
    assert results == [{"sent": 1, "retry": 1}] + [{"retry": 1}] * (ATTEMPTS - 2) + [{"dead": 1}, {}, {}]
    assert await rows(slack) == [
        (
            "slack:#dept-marketing",
            "dead",
            ATTEMPTS,
            f"gave up after {ATTEMPTS} attempts: http_500: #dept-marketing (Slack answered HTTP 500)",
        ),
        ("slack:#dept-product", "sent", 1, None),
    ]
    assert len(slack.fake.of("chat.postMessage")) == ATTEMPTS + 1  # one per attempt, nothing more
