"""Events arriving together are stored together (storage/intake.py), and nothing about what is
stored changes: each event once, duplicates answered as such, replies in routed threads mirrored,
a value the database refuses quarantined alone while the rest of its batch is stored."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select, text

from storage.models import Item, Message, OutboxRow, Quarantined
from tests.conftest import Database
from tests.fakes.slack_api import DEPT_PRODUCT, QUESTIONS
from tests.slack.conftest import FakeSlack, SlackBot, build_bot, event_body
from tests.slack.test_events import msg


@pytest.fixture
async def bot(database: Database, slack_api: FakeSlack) -> AsyncIterator[SlackBot]:
    app, client = await build_bot(database, slack_api)
    try:
        yield SlackBot(app=app, client=client, fake=slack_api)
    finally:
        await client.close()
        await app.stop()


async def count(bot: SlackBot, what: object) -> int:
    async with bot.app.store.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(what)) or 0)  # type: ignore[arg-type]


def crash(n: int) -> str:
    return event_body("message.json", **msg(f"bug: crash number {n}", f"1700001000.{n:06d}", event_id=str(n)))


async def test_thirty_events_at_once_each_sent_twice_are_stored_once_each(bot: SlackBot) -> None:
    bodies = [crash(n) for n in range(30)] * 2  # every event delivered twice, concurrently
    answers = await asyncio.gather(*(bot.post(body, settle=False) for body in bodies))
    assert [a.status for a in answers] == [200] * 60
    await bot.settle()
    assert await count(bot, Message) == 30
    assert await count(bot, Item) == 30
    assert await count(bot, OutboxRow) == 30
    assert await bot.deliver() == {"sent": 30}
    posted = sorted(p["text"] for p in bot.fake.posts(DEPT_PRODUCT))
    assert len(posted) == 30 and len(set(posted)) == 30


async def test_replies_in_a_routed_thread_arriving_with_new_posts_are_mirrored(bot: SlackBot) -> None:
    await bot.event("message.json", **msg("How do I export?", "1700002000.000100", channel=QUESTIONS))
    assert await bot.deliver() == {"sent": 1}
    replies = [
        event_body(
            "thread_reply.json",
            text=f"same here {n}",
            user="U0MEMBER2",
            ts=f"1700002000.{200 + n:06d}",
            thread_ts="1700002000.000100",
            channel=QUESTIONS,
            event_id=f"r{n}",
        )
        for n in range(5)
    ]
    news = [crash(100 + n) for n in range(5)]
    answers = await asyncio.gather(*(bot.post(body, settle=False) for body in replies + news))
    assert {a.status for a in answers} == {200}
    await bot.settle()
    async with bot.app.store.sessions() as session:
        kinds = (await session.scalars(select(OutboxRow.kind).where(OutboxRow.status == "pending"))).all()
    assert sorted(kinds) == ["repost"] * 5 + ["thread_reply"] * 5
    assert await count(bot, Message) == 11


async def test_a_value_the_database_refuses_is_quarantined_and_its_batch_is_stored(
    bot: SlackBot, database: Database
) -> None:
    if database.kind != "postgresql":
        pytest.skip("the refusal is a PostgreSQL trigger raising a data exception (SQLSTATE 22023)")
    async with bot.app.store.engine.begin() as conn:
        await conn.execute(
            text(
                "CREATE FUNCTION refuse_poison() RETURNS trigger AS $$ BEGIN "
                "IF NEW.text LIKE '%poison%' THEN RAISE EXCEPTION 'poison refused' USING ERRCODE = '22023'; "
                "END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
        )
        await conn.execute(
            text(
                "CREATE TRIGGER refuse_poison BEFORE INSERT ON messages "
                "FOR EACH ROW EXECUTE FUNCTION refuse_poison()"
            )
        )
    poison = event_body("message.json", **msg("bug: poison crash", "1700003000.000001", event_id="p"))
    bodies = [crash(200 + n) for n in range(20)] + [poison]
    answers = await asyncio.gather(*(bot.post(body, settle=False) for body in bodies))
    assert {a.status for a in answers} == {200}  # a refused message is kept, not retried forever
    await bot.settle()
    assert await count(bot, Message) == 20
    assert await count(bot, OutboxRow) == 20
    async with bot.app.store.sessions() as session:
        [kept] = (await session.scalars(select(Quarantined))).all()
    assert "poison" in kept.payload and "poison refused" in kept.reason


async def test_one_event_alone_is_stored_before_its_answer(bot: SlackBot) -> None:
    response = await bot.post(crash(300), settle=False)
    assert response.status == 200
    assert await count(bot, Message) == 1  # the ack means stored: no batch left waiting to fill
