"""One destination that hangs does not hold up the others; its post is retried later.

``FakeSlack.hold("chat.postMessage", channel=...)`` keeps posts to one channel unanswered, so
"marketing's post arrived while product's was still unanswered" is an ordering, not a timing.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import update

from storage.models import OutboxRow
from tests.slack.conftest import DEPT_MARKETING, DEPT_PRODUCT, SlackBot
from tests.slack.test_events import msg


async def test_a_hanging_channel_does_not_block_the_others_and_is_retried(bot: SlackBot) -> None:
    await bot.event("message.json", **msg("crash on save", "1700000030.000100", event_id="E1"))
    await bot.event("message.json", **msg("I love it", "1700000030.000200", event_id="E2"))
    hung = bot.fake.hold("chat.postMessage", channel=DEPT_PRODUCT)
    worker = bot.app.worker
    worker.send_timeout = 3600.0  # the hung send is cut short below by its gate, not by time
    passing = asyncio.ensure_future(worker.run_once())
    await bot.fake.wait_for(lambda f: bool(f.posts(DEPT_MARKETING)), timeout=10)
    assert not hung.is_set() and not passing.done()  # delivered while product's post still hangs
    assert "I love it" in bot.fake.posts(DEPT_MARKETING)[0]["text"]
    assert [c for c, _ in bot.fake.posted if c == DEPT_PRODUCT] == []  # asked, not yet answered
    hung.set()
    assert await passing == {"sent": 2}
    assert "crash on save" in bot.fake.posts(DEPT_PRODUCT)[0]["text"]


async def test_a_send_without_an_answer_is_a_failed_attempt_retried_later(bot: SlackBot) -> None:
    await bot.event("message.json", **msg("crash on save", "1700000030.000100", event_id="E1"))
    await bot.event("message.json", **msg("I love it", "1700000030.000200", event_id="E2"))
    hung = bot.fake.hold("chat.postMessage", channel=DEPT_PRODUCT)
    worker = bot.app.worker
    worker.send_timeout = 0.2
    assert await worker.run_once() == {"sent": 1, "retry": 1}
    [row] = [r for r in await bot.app.store.outbox_rows() if r.status == "pending"]
    assert row.attempts == 1 and row.last_error == "no answer within 0s"
    hung.set()
    del bot.fake.gates[f"chat.postMessage@{DEPT_PRODUCT}"]
    async with bot.app.store.sessions() as session, session.begin():  # its backoff has passed
        await session.execute(update(OutboxRow).values(next_attempt_at=bot.app.clock()))
    assert await worker.run_once() == {"sent": 1}
    assert [c for c, _ in bot.fake.posted] == [DEPT_MARKETING, DEPT_PRODUCT]
