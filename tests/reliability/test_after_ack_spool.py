"""Slack events acked before their work was done survive any outage and a killed process.

Slack never redelivers an event it got its 200 for.  An event whose Web API lookups outlast the
ack budget is acked and finished in the background; these tests hold ``users.info`` in the
Web API stand-in so that happens, as an ordering rather than a timing.  Then:

* PostgreSQL stops accepting connections (``ALLOW_CONNECTIONS false`` + ``pg_terminate_backend``)
  for hours of the app's injected clock, far past the retries that used to give up after four
  tries 15 s apart: the events wait in the spool, ``/healthz`` and ``/metrics`` count them, and
  once the database is back each is stored exactly once.
* The real ``kakehashi serve`` is killed (``kill -9``) while the events wait: the next one,
  started on the same data folder, stores each exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.pipeline.after_ack import AfterAck
from bot.pipeline.spool import read_entries
from bot.platforms.slack import plugin as slack_plugin
from bot.platforms.slack.plugin import SlackPlugin
from bot.runtime.app import App
from bot.settings import Settings
from storage.models import Message
from tests.conftest import Database
from tests.fakes.slack_api import FakeSlack
from tests.reliability.processes import Server, query, until
from tests.slack.conftest import COMMUNITY, DEPT_PRODUCT, FIXTURES, SECRET, TOKEN, SlackBot, event_body
from tests.slack.test_events import msg

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
TEXTS = ["the export crashes", "crash on login", "the editor crashes on save"]


def event(i: int) -> str:
    return event_body("message.json", **msg(TEXTS[i], f"1700000900.00010{i}", event_id=f"Ev{i}"))


def plugin_of(app: App) -> SlackPlugin:
    [plugin] = [p for p in app.plugins if isinstance(p, SlackPlugin)]
    return plugin


@pytest.fixture
async def bot(
    postgres: Database, slack_api: FakeSlack, tmp_path: Path
) -> AsyncIterator[tuple[SlackBot, list[datetime]]]:
    async with serving(postgres, slack_api, tmp_path) as served:
        yield served


@pytest.fixture
async def sqlite_bot(slack_api: FakeSlack, tmp_path: Path) -> AsyncIterator[tuple[SlackBot, list[datetime]]]:
    async with serving(Database("sqlite", tmp_path), slack_api, tmp_path) as served:
        yield served


@contextlib.asynccontextmanager
async def serving(
    db: Database, slack_api: FakeSlack, tmp_path: Path
) -> AsyncIterator[tuple[SlackBot, list[datetime]]]:
    clock = [START]
    settings = Settings(
        rules_path=FIXTURES / "rules.yaml",
        database_url=db.url,
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=slack_api.url,
        data_dir=tmp_path / "data",
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


async def stored(app: App) -> dict[str, int]:
    """How many times each Slack message is stored, by key."""
    async with app.store.sessions() as session:
        query = select(Message.key, func.count()).where(Message.platform == "slack").group_by(Message.key)
        return {key: count for key, count in (await session.execute(query)).all()}


async def outlast(after_ack: AfterAck, clock: list[datetime]) -> None:
    """Two hours of the app's clock, far past the four tries 15 s apart that used to give up: at
    each step every kept event is tried again (by ``replay`` here or the app's own background
    replay, whichever runs first), meets the outage, and is kept for a later try."""
    for _ in range(12):
        clock[0] += timedelta(minutes=10)
        await after_ack.replay()
        next_retry = after_ack.next_retry()
        assert next_retry is not None and next_retry > clock[0]  # tried at this step, not dropped
        assert after_ack.counts() == {"waiting": 3, "failed": 0}


async def health(bot: SlackBot) -> tuple[int, dict[str, Any]]:
    response = await bot.client.get("/healthz")
    return response.status, await response.json()


async def test_acked_events_wait_out_a_long_database_outage_and_are_stored_once(
    bot: tuple[SlackBot, list[datetime]], postgres: Database
) -> None:
    slack, clock = bot
    after_ack = plugin_of(slack.app).after_ack
    gate = slack.fake.hold("users.info")
    for i in range(len(TEXTS)):
        response = await asyncio.wait_for(slack.post(event(i), settle=False), timeout=10)
        assert response.status == 200  # acked while users.info is held
    assert after_ack.spool.path is not None
    assert len(read_entries(after_ack.spool.path)) == 3  # on disk before each ack

    assert await slack.app.database_watch.check() is None  # fine just before: the next check is 2 s off
    await postgres.take_down()
    gate.set()
    assert await after_ack.finish_pending(timeout=30)
    await outlast(after_ack, clock)  # /healthz knows from the work that met the outage, not a check
    status, answer = await health(slack)
    assert status == 503 and answer["database"]
    assert any("3 acked event(s) waiting" in p for p in answer["problems"]), answer
    assert len(read_entries(after_ack.spool.path)) == 3  # nothing dropped

    await postgres.bring_back()
    clock[0] += timedelta(minutes=10)
    await after_ack.replay()  # or the background replay got there first: the outcome is the same
    assert after_ack.counts() == {"waiting": 0, "failed": 0} and after_ack.next_retry() is None
    assert sorted((await stored(slack.app)).values()) == [1, 1, 1]
    assert read_entries(after_ack.spool.path) == {}
    metrics = (await slack.client.get("/metrics")).text
    assert 'kakehashi_after_ack_events{platform="slack",state="waiting"} 0.0' in await metrics()
    assert await slack.deliver() == {"sent": 3}
    posted = [p["text"] for p in slack.fake.posts(DEPT_PRODUCT)]
    assert all(sum(text in p for p in posted) == 1 for text in TEXTS), posted
    for _ in range(100):  # the background database check finds it back (every 2 s)
        status, answer = await health(slack)
        if status == 200:
            break
        await asyncio.sleep(0.1)
    assert status == 200 and not any("acked event" in p for p in answer.get("problems", [])), answer


async def test_events_waiting_in_the_spool_of_a_killed_server_are_stored_after_restart(
    tmp_path: Path, slack_api: FakeSlack
) -> None:
    database_url = f"sqlite:///{tmp_path / 'kakehashi.db'}"
    data = tmp_path / "data"
    servers = [
        Server(
            database_url=database_url,
            fake=slack_api,
            rules=FIXTURES / "rules.yaml",
            KAKEHASHI_DATA_DIR=str(data),
        )
        for _ in range(2)
    ]
    first = servers[0].start()
    try:
        await first.healthy()
        gate = slack_api.hold("users.info")
        for i in range(len(TEXTS)):
            assert await first.post_event(event(i)) == 200
        spool = data / "spool" / "kakehashi" / "slack" / "after-ack-0.jsonl"  # per database name
        assert len(read_entries(spool)) == 3
    finally:
        first.kill()
    assert await query(database_url, "SELECT key FROM messages WHERE platform = 'slack'") == []

    gate.set()
    second = servers[1].start()
    try:
        await second.healthy()

        async def all_stored() -> bool:
            return len(await query(database_url, "SELECT key FROM messages WHERE platform = 'slack'")) >= 3

        await until(all_stored, what="the spooled events stored")
        await slack_api.wait_for(lambda f: len(f.posts(DEPT_PRODUCT)) >= 3, timeout=30)
    finally:
        second.stop()
    counts = await query(
        database_url, "SELECT key, count(*) FROM messages WHERE platform = 'slack' GROUP BY key"
    )
    assert sorted(n for _, n in counts) == [1, 1, 1]
    assert read_entries(spool) == {}
    posted = [p["text"] for p in slack_api.posts(DEPT_PRODUCT)]
    assert all(sum(text in p for p in posted) == 1 for text in TEXTS), posted


async def test_acked_events_wait_out_a_web_api_outage_and_are_stored_once(
    sqlite_bot: tuple[SlackBot, list[datetime]],
) -> None:
    """``conversations.info`` (the only way to tell whether the channel is private) answering 503
    after the ack, for longer than any fixed number of retries: kept, then stored once."""
    slack, clock = sqlite_bot
    after_ack = plugin_of(slack.app).after_ack
    slack.fake.unlisted.add(COMMUNITY)  # only conversations.info can name it
    gate = slack.fake.hold("conversations.info")
    slack.fake.fail("conversations.info", status=503, times=1000)
    for i in range(len(TEXTS)):
        response = await asyncio.wait_for(slack.post(event(i), settle=False), timeout=10)
        assert response.status == 200
    gate.set()
    assert await after_ack.finish_pending(timeout=30)
    await outlast(after_ack, clock)
    status, answer = await health(slack)
    assert status == 200 and answer["status"] == "degraded"
    assert any("Slack: 3 acked event(s) waiting" in p for p in answer["problems"]), answer
    assert await stored(slack.app) == {}

    slack.fake.failures.clear()
    clock[0] += timedelta(minutes=10)
    await after_ack.replay()
    assert after_ack.counts() == {"waiting": 0, "failed": 0}
    assert sorted((await stored(slack.app)).values()) == [1, 1, 1]
    status, answer = await health(slack)
    assert not any("acked event" in p for p in answer.get("problems", [])), answer
    assert await slack.deliver() == {"sent": 3}
