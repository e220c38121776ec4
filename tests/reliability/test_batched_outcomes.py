"""Posts sent at one moment are recorded together (one fenced statement): each row gets its own
outcome, a 429 among them waits without an attempt, and a process killed after Slack accepted a
batch but before the batch was recorded loses nothing (those posts go out again: at least once).

SQLite and PostgreSQL; the Slack Web API stand-in over HTTP; a real ``kakehashi serve`` for the
kill.  "Slack answers them together" is made with ``FakeSlack.hold``; "before the batch was
recorded" by holding the outbox rows locked from the test's own connection, so the worker's
UPDATE waits for the lock until the process is killed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from bot.pipeline.outbox import RateLimiter
from bot.platforms.slack import plugin as slack_plugin
from bot.runtime.app import App
from bot.settings import Settings
from storage.db import create_engine
from tests.conftest import Database
from tests.fakes.slack_api import FakeSlack
from tests.reliability.processes import Server, query, until
from tests.reliability.test_serve_replicas import body
from tests.slack.conftest import DEPT_CS, DEPT_MARKETING, DEPT_PRODUCT, FIXTURES, SECRET, TOKEN, SlackBot
from tests.slack.test_events import msg

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
MESSAGES = [
    ("crash on save", DEPT_PRODUCT),
    ("I love the new editor", DEPT_MARKETING),
    ("how do I export my data?", DEPT_CS),
]


@pytest.fixture
async def bot(database: Database, slack_api: FakeSlack) -> AsyncIterator[tuple[SlackBot, list[datetime]]]:
    clock = [START]
    settings = Settings(
        rules_path=FIXTURES / "rules.yaml",
        database_url=database.url,
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=slack_api.url,
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


async def test_posts_answered_together_are_each_recorded_and_a_429_among_them_waits(
    bot: tuple[SlackBot, list[datetime]],
) -> None:
    slack, clock = bot
    for i, (message, _) in enumerate(MESSAGES):
        await slack.event("message.json", **msg(message, f"1700000030.00010{i}", event_id=f"E{i}"))
    slack.fake.fail("chat.postMessage", status=429, retry_after=1, channel=DEPT_MARKETING)
    slack_answers = slack.fake.hold("chat.postMessage")
    one_pass = asyncio.create_task(slack.app.worker.run_once())
    await slack.fake.wait_for(lambda f: len(f.of("chat.postMessage")) == 3)  # all three in flight
    slack_answers.set()  # answered together: two accepted, one refused

    assert await one_pass == {"sent": 2, "retry": 1}
    posted = dict(slack.fake.posted)  # channel -> the ts Slack gave the post
    assert set(posted) == {DEPT_PRODUCT, DEPT_CS}
    rows = {r.destination: r for r in await slack.app.store.outbox_rows()}
    for destination, channel in (("slack:#dept-product", DEPT_PRODUCT), ("slack:#dept-cs", DEPT_CS)):
        row = rows[destination]
        # each row its own platform id, though recorded in one statement
        assert (row.status, row.attempts, row.remote_id, row.lease_owner) == (
            "sent",
            1,
            posted[channel],
            None,
        )
    waiting = rows["slack:#dept-marketing"]
    assert (waiting.status, waiting.attempts, waiting.lease_owner) == ("pending", 0, None)  # no attempt
    assert waiting.last_error is not None and waiting.last_error.startswith("ratelimited")

    slack.app.worker.limiter = RateLimiter()  # the Retry-After second has passed
    clock[0] += timedelta(minutes=1)
    assert await slack.app.worker.run_once() == {"sent": 1}
    for message, channel in MESSAGES:
        assert [message in str(p) for p in slack.fake.posts(channel)] == [True], message


async def test_a_server_killed_after_slack_accepted_a_batch_before_it_was_recorded_loses_nothing(
    database: Database, slack_api: FakeSlack, tmp_path: Path
) -> None:
    def server() -> Server:
        return Server(
            database_url=database.url,
            fake=slack_api,
            rules=FIXTURES / "rules.yaml",
            KAKEHASHI_OUTBOX_LEASE_SECONDS="1",
        )

    slack_answers = slack_api.hold("chat.postMessage")
    first = server().start()
    engine = create_engine(database.url)
    try:
        await first.healthy()
        for i, (message, _) in enumerate(MESSAGES):
            assert await first.post_event(body(i, message)) == 200
        await slack_api.wait_for(lambda f: len(f.of("chat.postMessage")) == 3, timeout=20)
        async with engine.connect() as lock:
            # the rows are held from here on: the server's UPDATE recording the sends waits
            await lock.execute(text("UPDATE outbox SET last_error = last_error"))
            slack_answers.set()  # Slack accepts all three posts together
            if database.kind == "postgresql":

                async def recording_waits() -> bool:
                    return bool(
                        await query(
                            database.url,
                            "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                            "AND query LIKE 'UPDATE outbox SET status%'",
                        )
                    )

                await until(recording_waits, what="the server's UPDATE recording the batch waiting")
            else:  # SQLite shows no waiting writer; either way nothing can be recorded
                await asyncio.sleep(0.5)
            first.kill()
            await lock.rollback()
    finally:
        first.kill()
        await engine.dispose()
    assert sorted(await query(database.url, "SELECT status FROM outbox")) == [("pending",)] * 3

    second = server().start()
    try:
        await second.healthy()

        async def all_sent() -> bool:
            return await query(database.url, "SELECT DISTINCT status FROM outbox") == [("sent",)]

        await until(all_sent, what="every row sent after the restart")
    finally:
        second.stop()

    for message, channel in MESSAGES:  # accepted but never recorded: posted again, never lost
        assert sum(message in str(p) for p in slack_api.posts(channel)) == 2, message
    assert await query(database.url, "SELECT attempts FROM outbox") == [(1,)] * 3
