"""A send slower than the outbox lease is never taken over and posted again by another replica.

Two replicas on one database (SQLite and PostgreSQL) with a short lease, and a Slack Web API
stand-in that holds ``chat.postMessage`` until the test lets it answer: the other replica keeps
polling for several leases' worth of time, and everything is still posted exactly once.  Both
replicas and their store read one clock the test moves; the test waits for the holder's
heartbeat to renew at each new time, so a loaded machine only makes it slower, never wrong.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.core.domain import Receipt
from bot.platforms.slack import plugin as slack_plugin
from bot.runtime.app import App
from bot.settings import Settings
from storage.models import OutboxRow
from storage.store import Store
from tests.conftest import Database
from tests.fakes.slack_api import FakeSlack
from tests.slack.conftest import DEPT_MARKETING, DEPT_PRODUCT, FIXTURES, SECRET, TOKEN, SlackBot
from tests.slack.test_events import msg

LEASE = 0.4
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # not the wall clock: only the injected one counts


async def replica(database: Database, fake: FakeSlack, name: str, clock: list[datetime]) -> App:
    settings = Settings(
        rules_path=FIXTURES / "rules.yaml",
        database_url=database.url,
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=fake.url,
        instance_id=name,
        outbox_lease=LEASE,
    )
    app = await App.build(settings, plugins=[slack_plugin.plugin], clock=lambda: clock[0])
    app.worker.sinks["slack"].min_interval = 0.0  # type: ignore[attr-defined]
    await app.start(worker=False)
    return app


@pytest.fixture
async def replicas(
    database: Database, slack_api: FakeSlack
) -> AsyncIterator[tuple[SlackBot, App, list[datetime]]]:
    from aiohttp.test_utils import TestClient, TestServer

    clock = [START]
    a = await replica(database, slack_api, "a", clock)
    b = await replica(database, slack_api, "b", clock)
    client = TestClient(TestServer(a.web_app()))
    await client.start_server()
    try:
        yield SlackBot(app=a, client=client, fake=slack_api), b, clock
    finally:
        await client.close()
        await a.stop()
        await b.stop()


async def test_a_send_slower_than_the_lease_is_posted_once(
    replicas: tuple[SlackBot, App, list[datetime]],
) -> None:
    bot, other, clock = replicas
    await bot.event("message.json", **msg("crash on save", "1700000030.000100", event_id="E1"))
    await bot.event("message.json", **msg("I love it", "1700000031.000100", event_id="E2"))
    slack_answers = bot.fake.hold("chat.postMessage")

    first_pass = asyncio.create_task(bot.app.worker.run_once())  # leases both rows, sends the first
    await bot.fake.wait_for(lambda f: f.of("chat.postMessage"))

    async def lease_renewed_at(now: datetime) -> None:
        """Wait (in real time, however long a loaded machine takes) for the holder's heartbeat
        to renew its leases from ``now``."""
        while True:
            async with bot.app.store.sessions() as session:
                until = set((await session.scalars(select(OutboxRow.lease_until))).all())
            if all(u is not None and u >= now + timedelta(seconds=LEASE) for u in until):
                return
            await asyncio.sleep(LEASE / 8)

    for _ in range(10):  # 4.5 leases pass while the first send hangs; the other replica polls
        clock[0] += timedelta(seconds=LEASE * 0.45)
        await asyncio.wait_for(lease_renewed_at(clock[0]), 30)
        assert await other.worker.run_once() == {}
    slack_answers.set()
    await first_pass
    await other.worker.drain(timeout=10, horizon=1)
    await bot.app.worker.drain(timeout=10, horizon=1)

    assert len(bot.fake.of("chat.postMessage")) == 2  # no second attempt by anyone
    # one lane per destination: the two channels' posts may land in either order
    assert sorted(p["channel"] for p in bot.fake.posts()) == sorted([DEPT_PRODUCT, DEPT_MARKETING])
    async with bot.app.store.sessions() as session:
        rows = (await session.scalars(select(OutboxRow).order_by(OutboxRow.id))).all()
    assert [(r.status, r.attempts, r.lease_owner) for r in rows] == [("sent", 1, None)] * 2


async def test_only_the_lease_holder_records_an_outcome(store: Store) -> None:
    store = Store(store.engine, clock=lambda: START)
    row_id = await store.enqueue(
        kind="repost", destination="slack:#dept-product", payload={}, dedupe_key="k1"
    )
    assert row_id is not None
    now = START
    [stale] = await store.claim_due("a", now=now, lease=1)
    later = now + timedelta(seconds=5)  # a's lease ran out (a stalled) and b took the row over
    [taken] = await store.claim_due("b", now=later, lease=60)
    assert stale.id == taken.id == row_id

    assert await store.renew_leases("a", [row_id], now=later) == set()
    assert not await store.mark_sent(row_id, Receipt(remote_id="from-a"), owner="a")
    assert not await store.mark_dead(row_id, "late failure of a", owner="a")
    assert not await store.mark_retry(row_id, "late failure of a", later, owner="a")
    assert not await store.release(row_id, later, owner="a")
    row = await store.get_row(row_id)
    assert row is not None
    assert (row.status, row.attempts, row.lease_owner, row.remote_id) == ("pending", 0, "b", None)

    assert await store.renew_leases("b", [row_id], now=later) == {row_id}
    assert await store.mark_sent(row_id, Receipt(remote_id="from-b"), owner="b")
    row = await store.get_row(row_id)
    assert row is not None
    assert (row.status, row.attempts, row.remote_id) == ("sent", 1, "from-b")
    assert not await store.mark_dead(row_id, "b again", owner="b")  # sent stays sent


@pytest.mark.parametrize("answer", ["accepted", "http 500"])
async def test_a_worker_that_lost_its_leases_sends_and_records_nothing_more(
    replicas: tuple[SlackBot, App, list[datetime]], answer: str
) -> None:
    """Another worker took the rows over while the first send hung (its clock ran an hour ahead)."""
    bot, _, clock = replicas
    if answer == "http 500":  # a retry or a dead letter would be recorded over the new holder's row
        bot.fake.fail("chat.postMessage", status=500)
    await bot.event("message.json", **msg("crash on save", "1700000030.000100", event_id="E1"))
    await bot.event("message.json", **msg("I love it", "1700000031.000100", event_id="E2"))
    slack_answers = bot.fake.hold("chat.postMessage")
    first_pass = asyncio.create_task(bot.app.worker.run_once())
    # one lane per destination: both posts are in flight before the other worker takes the rows
    await bot.fake.wait_for(lambda f: len(f.of("chat.postMessage")) == 2)
    taken = await bot.app.store.claim_due("skewed", now=clock[0] + timedelta(hours=1), lease=3600)
    assert len(taken) == 2
    slack_answers.set()
    assert await first_pass == {"lost": 2}  # neither post in flight is recorded
    assert len(bot.fake.of("chat.postMessage")) == 2
    async with bot.app.store.sessions() as session:
        rows = (await session.scalars(select(OutboxRow).order_by(OutboxRow.id))).all()
    assert [(r.status, r.attempts, r.lease_owner, r.remote_id) for r in rows] == [
        ("pending", 0, "skewed", None)
    ] * 2


async def test_outcomes_recorded_together_are_fenced_row_by_row(store: Store) -> None:
    """One statement records a lane tick's sends: each row with its own platform id, and a row
    whose lease passed to another worker meanwhile is left to that worker."""
    store = Store(store.engine, clock=lambda: START)
    ids = [
        await store.enqueue(kind="repost", destination=f"slack:#c{i}", payload={}, dedupe_key=f"k{i}")
        for i in range(3)
    ]
    assert None not in ids
    a_claimed = await store.claim_due("a", now=START, lease=1)
    assert sorted(r.id for r in a_claimed) == ids
    later = START + timedelta(seconds=5)
    assert await store.renew_leases("a", ids[1:], now=later, lease=60) == set(ids[1:])
    [taken] = await store.claim_due("b", now=later, lease=60)  # a's lease on the first ran out
    assert taken.id == ids[0]

    recorded = await store.mark_sent_many(
        [
            (row_id, Receipt(remote_id=f"ts-{n}", remote_channel=f"C{n}", link=f"https://x/{n}"))
            for n, row_id in enumerate(ids)
        ],
        owner="a",
    )

    assert recorded == set(ids[1:])
    rows = {row_id: await store.get_row(row_id) for row_id in ids}
    assert [
        (r.status, r.lease_owner, r.remote_id, r.remote_channel, r.remote_link, r.attempts)
        for r in rows.values()
        if r is not None
    ] == [
        ("pending", "b", None, None, None, 0),
        ("sent", None, "ts-1", "C1", "https://x/1", 1),
        ("sent", None, "ts-2", "C2", "https://x/2", 1),
    ]
