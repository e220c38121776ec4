"""Delivery lanes: posts to a channel go out as soon as its window opens, spaced a margin above
the platform's limit, and a slow channel never holds the others to its pace.

Spacing is checked on a virtual clock the worker's lanes and the Slack stand-in share (a lane's
"sleep" moves it), so no test depends on how fast this machine is; "while the other channel's
post still hangs" is an ordering, made with ``FakeSlack.hold``.
"""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from bot.pipeline.outbox import MARGIN, RateLimiter
from tests.slack.conftest import DEPT_MARKETING, DEPT_PRODUCT, SlackBot


async def notice(bot: SlackBot, text: str, channel: str = "#dept-product") -> None:
    await bot.app.store.enqueue(
        kind="notice", destination=f"slack:{channel}", payload={"markdown": text}, dedupe_key=text
    )


def texts(bot: SlackBot, channel: str) -> list[str]:
    return [str(p["text"]) for p in bot.fake.posts(channel)]


async def test_a_channels_posts_go_out_one_window_apart_with_the_margin(bot: SlackBot) -> None:
    now = [100.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    worker = bot.app.worker
    worker.limiter, worker.sleep = RateLimiter(clock=lambda: now[0]), sleep
    worker.sinks["slack"].min_interval = 1.0  # type: ignore[attr-defined]
    bot.fake.clock = lambda: now[0]
    bot.fake.limit_rate("chat.postMessage", per_second=1.0, jitter=0.0)  # no tolerance at all
    for text in ("first", "second", "third", "fourth"):
        await notice(bot, text)

    assert await worker.run_once() == {"sent": 4}  # waited for each window, none given back

    assert texts(bot, DEPT_PRODUCT) == ["first", "second", "third", "fourth"]
    arrivals = [c.at - 100.0 for c in bot.fake.of("chat.postMessage")]
    spacing = 1.0 * (1 + MARGIN)
    assert arrivals == pytest.approx([0.0, spacing, 2 * spacing, 3 * spacing])
    assert all(c.ok for c in bot.fake.of("chat.postMessage"))  # never refused


def test_the_limiter_spaces_by_the_interval_plus_the_margin_and_honours_retry_after() -> None:
    now = [0.0]
    limiter = RateLimiter(margin=0.05, clock=lambda: now[0])
    assert limiter.wait_time("slack:#a", 1.0) == 0.0  # the slot is taken
    assert limiter.wait_time("slack:#b", 1.0) == 0.0  # another channel has its own window
    now[0] = 0.5
    assert limiter.peek("slack:#a") == pytest.approx(0.55)
    assert limiter.wait_time("slack:#a", 1.0) == pytest.approx(0.55)  # nothing taken while waiting
    now[0] = 1.05
    assert limiter.wait_time("slack:#a", 1.0) == 0.0
    now[0] = 1.06
    limiter.sent("slack:#a", 1.0, started=1.05)  # the quickest send so far: 0.01 s
    assert limiter.peek("slack:#a") == pytest.approx(1.05 + 1.05 - 1.06)  # a window from its start
    assert limiter.wait_time("slack:#a", 1.0) > 0
    now[0] = 2.1
    assert limiter.wait_time("slack:#a", 1.0) == 0.0
    now[0] = 2.18  # 0.07 s slower than the quickest: within what the margin covers (2 * 0.05)
    limiter.sent("slack:#a", 1.0, started=2.1)
    assert limiter.peek("slack:#a") == pytest.approx(2.1 + 1.05 - 2.18)  # the window did not move
    now[0] = 3.16
    assert limiter.wait_time("slack:#a", 1.0) == 0.0
    now[0] = 3.67  # this send may have reached the platform up to 0.5 s late (a busy loop)
    limiter.sent("slack:#a", 1.0, started=3.16)
    # the next no sooner than interval * (1 - margin) after the latest moment it may have arrived
    assert limiter.peek("slack:#a") == pytest.approx(0.95 - 0.01)
    limiter.push_back("slack:#a", 30.0)  # a 429's Retry-After
    assert limiter.peek("slack:#a") == pytest.approx(30.0)
    assert limiter.peek("slack:#b") == 0.0


async def test_a_long_wait_gives_the_row_back_instead_of_holding_it(bot: SlackBot) -> None:
    worker = bot.app.worker
    worker.sinks["slack"].min_interval = 60.0  # type: ignore[attr-defined]
    await notice(bot, "first")
    await notice(bot, "second")
    assert await worker.run_once() == {"sent": 1, "deferred": 1}
    [waiting] = [r for r in await bot.app.store.outbox_rows() if r.status == "pending"]
    assert (waiting.lease_owner, waiting.attempts) == (None, 0)


async def test_a_slow_channel_does_not_hold_up_another_channels_later_posts(bot: SlackBot) -> None:
    """run_forever: product's post hangs; marketing's posts, also those enqueued after the hang
    began, all go out meanwhile (a pass-by-pass worker would wait for product's answer)."""
    worker = bot.app.worker
    worker.send_timeout = 3600.0
    hung = bot.fake.hold("chat.postMessage", channel=DEPT_PRODUCT)
    await notice(bot, "product 1")
    await notice(bot, "marketing 1", "#dept-marketing")
    running = asyncio.create_task(worker.run_forever(poll_interval=3600.0))  # only wake() and lanes
    try:
        await bot.fake.wait_for(lambda f: bool(f.posts(DEPT_MARKETING)), timeout=20)
        await bot.fake.wait_for(
            lambda f: any(c.args.get("channel") == DEPT_PRODUCT for c in f.of("chat.postMessage")), timeout=20
        )
        for i in (2, 3):
            await notice(bot, f"marketing {i}", "#dept-marketing")
            worker.wake()
        await bot.fake.wait_for(lambda f: len(f.posts(DEPT_MARKETING)) == 3, timeout=20)
        assert [c for c, _ in bot.fake.posted if c == DEPT_PRODUCT] == []  # product's: asked, unanswered
        assert texts(bot, DEPT_MARKETING) == ["marketing 1", "marketing 2", "marketing 3"]
        await notice(bot, "product 2")
        worker.wake()
        hung.set()
        await bot.fake.wait_for(lambda f: len(f.posts(DEPT_PRODUCT)) == 2, timeout=20)
        assert texts(bot, DEPT_PRODUCT) == ["product 1", "product 2"]  # in order within the channel
        await asyncio.wait_for(all_recorded(bot), 20)  # and each post's id is stored
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running


async def all_recorded(bot: SlackBot) -> None:
    while {r.status for r in await bot.app.store.outbox_rows()} != {"sent"}:
        await asyncio.sleep(0.05)


async def test_stopping_gives_back_the_rows_a_lane_had_not_started(bot: SlackBot) -> None:
    worker = bot.app.worker
    worker.send_timeout = 3600.0
    bot.fake.hold("chat.postMessage", channel=DEPT_PRODUCT)
    for i in (1, 2, 3):
        await notice(bot, f"product {i}")
    running = asyncio.create_task(worker.run_forever(poll_interval=3600.0))
    await bot.fake.wait_for(lambda f: bool(f.of("chat.postMessage")), timeout=20)
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running
    rows = sorted(await bot.app.store.outbox_rows(), key=lambda r: r.id)
    # the first was in flight: its lease runs out (it may have been posted); the others are free
    assert [r.lease_owner is None for r in rows] == [False, True, True]
    assert {(r.status, r.attempts) for r in rows} == {("pending", 0)}
