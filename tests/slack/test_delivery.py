"""SlackSink against the fake Web API: errors, retries, dead letters, recaps and notices."""

from __future__ import annotations

import asyncio
import base64
import os
from datetime import timedelta
from typing import Any

from click.testing import CliRunner
from sqlalchemy import select

from bot.cli.main import main
from storage.models import OutboxRow, utcnow
from tests.slack.conftest import COMMUNITY, DEPT_PRODUCT, RANDOM, SlackBot
from tests.slack.test_events import msg


async def only_row(bot: SlackBot) -> OutboxRow:
    async with bot.app.store.sessions() as session:
        return (await session.scalars(select(OutboxRow))).one()


async def route_one(bot: SlackBot, text: str = "crash on save", ts: str = "1700000030.000100") -> None:
    await bot.event("message.json", **msg(text, ts))


async def test_429_honours_retry_after_then_succeeds(bot: SlackBot) -> None:
    bot.fake.fail("chat.postMessage", status=429, retry_after=7)
    await route_one(bot)
    assert await bot.app.worker.run_once() == {"retry": 1}
    row = await only_row(bot)
    assert row.status == "pending" and row.last_error == "ratelimited: #dept-product"
    assert row.next_attempt_at >= utcnow() + timedelta(seconds=6)
    assert await bot.app.worker.run_once() == {}  # not due yet
    await retry_now(bot)
    assert await bot.app.worker.run_once() == {"sent": 1}
    assert len(bot.fake.posts(DEPT_PRODUCT)) == 1


async def retry_now(bot: SlackBot) -> None:
    async with bot.app.store.sessions() as session, session.begin():
        for row in (await session.scalars(select(OutboxRow))).all():
            row.next_attempt_at = utcnow()
    bot.app.worker.limiter = type(bot.app.worker.limiter)()


async def test_server_errors_are_retried(bot: SlackBot) -> None:
    bot.fake.fail("chat.postMessage", status=500, times=2)
    await route_one(bot)
    for _ in range(2):
        assert await bot.app.worker.run_once() == {"retry": 1}
        row = await only_row(bot)
        assert row.last_error is not None and row.last_error.startswith("http_500: #dept-product")
        await retry_now(bot)
    assert await bot.app.worker.run_once() == {"sent": 1}
    assert (await only_row(bot)).attempts == 3


async def test_connection_errors_are_retried(bot: SlackBot) -> None:
    await route_one(bot)
    sink = bot.app.worker.sinks["slack"]
    real_url = sink.client.base_url  # type: ignore[attr-defined]
    sink.client.base_url = "http://127.0.0.1:9/api/"  # type: ignore[attr-defined]  # nothing listens on port 9
    assert await bot.app.worker.run_once() == {"retry": 1}
    assert (await only_row(bot)).last_error.startswith("connection error: #dept-product")  # type: ignore[union-attr]
    sink.client.base_url = real_url  # type: ignore[attr-defined]
    await retry_now(bot)
    assert await bot.app.worker.run_once() == {"sent": 1}


async def test_permanent_errors_dead_letter_with_a_clear_reason(bot: SlackBot) -> None:
    cases = [
        (
            "channel_not_found",
            "channel_not_found: #dept-product — invite the bot to the channel or fix rules.yaml",
        ),
        (
            "invalid_auth",
            "invalid_auth: #dept-product — SLACK_BOT_TOKEN is not valid; reinstall the app and "
            "update the token",
        ),
        (
            "is_archived",
            "is_archived: #dept-product — the channel is archived; unarchive it or fix rules.yaml",
        ),
    ]
    for n, (error, reason) in enumerate(cases):
        bot.fake.fail("chat.postMessage", error=error)
        await route_one(bot, f"crash number {n}", f"1700000031.00010{n}")
        assert await bot.app.worker.run_once() == {"dead": 1}
        async with bot.app.store.sessions() as session:
            row = (await session.scalars(select(OutboxRow).order_by(OutboxRow.id.desc()))).first()
        assert row is not None and (row.status, row.last_error) == ("dead", reason)


async def test_not_in_channel_of_a_private_channel_dead_letters(bot: SlackBot) -> None:
    bot.fake.fail("chat.postMessage", error="not_in_channel")
    bot.fake.fail("conversations.join", error="method_not_supported_for_channel_type")
    await route_one(bot)
    assert await bot.app.worker.run_once() == {"dead": 1}
    row = await only_row(bot)
    assert row.last_error == (
        "not_in_channel: #dept-product — the bot could not join "
        "(method_not_supported_for_channel_type); invite it with /invite"
    )


async def test_outbox_list_shows_the_dead_letter(bot: SlackBot) -> None:
    bot.fake.fail("chat.postMessage", error="channel_not_found")
    await route_one(bot)
    await bot.app.worker.run_once()

    def run() -> Any:
        env = {**os.environ, "DATABASE_URL": bot.app.settings.database_url, "COLUMNS": None}
        return CliRunner().invoke(main, ["outbox", "list", "--status", "dead"], env=env)

    result = await asyncio.to_thread(run)
    assert result.exit_code == 0, result.output
    # not a terminal (a script, a pipe to grep): the whole reason stays on the row's one line
    [line] = [line for line in result.output.splitlines() if "channel_not_found" in line]
    assert "│ dead " in line
    assert "channel_not_found: #dept-product — invite the bot to the channel or fix rules.yaml" in line


async def enqueue(
    bot: SlackBot,
    kind: str,
    payload: dict[str, Any],
    destination: str = "slack:#dept-product",
    key: str = "k1",
) -> None:
    await bot.app.store.enqueue(kind=kind, destination=destination, payload=payload, dedupe_key=key)


async def test_recap_with_markdown_long_sections_thread_and_chart(bot: SlackBot) -> None:
    png = base64.b64encode(b"\x89PNG\r\n\x1a\nfake-chart").decode()
    sections = [
        {"heading": f"Section {n}", "lines": [f"**{n}** see [the post](https://example.com/{n}) & more"]}
        for n in range(40)
    ]
    payload = {
        "title": "Product recap 2026-11-16..2026-11-22",
        "sections": sections,
        "markdown": "…",
        "locale": "en",
        "image": {"png_base64": png, "alt": "Items per week", "filename": "recap.png"},
    }
    await enqueue(bot, "recap", payload)
    assert await bot.app.worker.run_once() == {"sent": 1}
    first, second = bot.fake.posts(DEPT_PRODUCT)
    assert first["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "emoji": True, "text": "Product recap 2026-11-16..2026-11-22"},
    }
    assert len(first["blocks"]) <= 50 and "thread_ts" not in first
    assert second["thread_ts"] == "1800000000.000001"
    assert (
        first["blocks"][1]["text"]["text"]
        == "*Section 0*\n*0* see <https://example.com/0|the post> &amp; more"
    )
    [complete] = bot.fake.of("files.completeUploadExternal")
    assert complete.args["channel_id"] == DEPT_PRODUCT and complete.args["thread_ts"] == "1800000000.000001"
    assert bot.fake.uploads == [b"\x89PNG\r\n\x1a\nfake-chart"]
    assert (await only_row(bot)).remote_id == "1800000000.000001"


async def test_a_failure_half_way_through_a_recap_resumes_without_posting_twice(bot: SlackBot) -> None:
    png = base64.b64encode(b"\x89PNG\r\n\x1a\nchart").decode()
    sections = [{"heading": f"Section {n}", "lines": [f"line {n}"]} for n in range(40)]
    payload = {
        "title": "Product recap",
        "sections": sections,
        "markdown": "",
        "locale": "en",
        "image": {"png_base64": png, "alt": "Items per week", "filename": "recap.png"},
    }
    await enqueue(bot, "recap", payload)
    bot.fake.fail("files.completeUploadExternal", status=500)  # both messages are out, the chart is not
    assert await bot.app.worker.run_once() == {"retry": 1}
    assert len(bot.fake.posts(DEPT_PRODUCT)) == 2
    row = await only_row(bot)
    assert row.payload["_delivered"] == {
        "first_ts": "1800000000.000001",
        "channel": DEPT_PRODUCT,
        "thread_ts": "1800000000.000001",
        "messages": 2,
    }
    async with bot.app.store.sessions() as session, session.begin():
        (await session.get(OutboxRow, row.id)).next_attempt_at = utcnow()  # type: ignore[union-attr]
    assert await bot.app.worker.run_once() == {"sent": 1}
    assert len(bot.fake.posts(DEPT_PRODUCT)) == 2  # the retry only finished the chart
    assert [c.ok for c in bot.fake.of("files.completeUploadExternal")] == [False, True]
    assert (await only_row(bot)).remote_id == "1800000000.000001"


async def test_continuation_posts_reply_in_the_first_posts_thread(bot: SlackBot) -> None:
    await enqueue(
        bot,
        "agenda",
        {
            "title": "Agenda",
            "sections": [{"heading": "Product", "lines": ["- one"]}],
            "markdown": "",
            "locale": "en",
            "image": None,
        },
        key="agenda:1",
    )
    await enqueue(
        bot,
        "agenda",
        {
            "title": "Agenda (2)",
            "sections": [{"heading": "CS", "lines": ["- two"]}],
            "markdown": "",
            "locale": "en",
            "image": None,
            "continuation_of": "agenda:1",
        },
        key="agenda:1:2",
    )
    assert await bot.app.worker.run_once() == {"sent": 2}
    first, second = bot.fake.posts(DEPT_PRODUCT)
    assert "thread_ts" not in first and second["thread_ts"] == "1800000000.000001"


async def test_a_continuation_whose_first_part_died_is_posted_on_its_own(bot: SlackBot) -> None:
    part = {
        "sections": [{"heading": "CS", "lines": ["- two"]}],
        "markdown": "",
        "locale": "en",
        "image": None,
    }
    await enqueue(bot, "agenda", {**part, "title": "Agenda"}, key="agenda:1")
    await enqueue(
        bot, "agenda", {**part, "title": "Agenda (2)", "continuation_of": "agenda:1"}, key="agenda:1:2"
    )
    bot.fake.fail("chat.postMessage", error="msg_too_long")  # part 1 is dead-lettered
    assert await bot.app.worker.run_once() == {"dead": 1, "sent": 1}
    [second] = bot.fake.posts(DEPT_PRODUCT)
    assert "thread_ts" not in second


async def test_notice_replies_in_a_thread_by_message_key(bot: SlackBot) -> None:
    await enqueue(
        bot,
        "notice",
        {
            "title": "Hello",
            "sections": [],
            "markdown": "Thanks for **sharing**!",
            "locale": "en",
            "image": None,
            "reply_to": f"T0COMMUNITY:{COMMUNITY}:1700000040.000100",
        },
        destination=f"slack:{COMMUNITY}",
    )
    assert await bot.app.worker.run_once() == {"sent": 1}
    [notice] = bot.fake.posts(COMMUNITY)
    assert notice == {
        "channel": COMMUNITY,
        "text": "Thanks for *sharing*!",
        "thread_ts": "1700000040.000100",
        "unfurl_links": False,
    }


async def test_channel_names_are_resolved_across_pages_and_cached(bot: SlackBot) -> None:
    bot.fake.calls.clear()  # start-up's check of rules.yaml lists the channels with its own cache
    await enqueue(bot, "notice", {"markdown": "one"}, destination="slack:#random", key="n1")
    await enqueue(bot, "notice", {"markdown": "two"}, destination="slack:random", key="n2")
    assert await bot.app.worker.run_once() == {"sent": 2}
    assert len(bot.fake.posts(RANDOM)) == 2
    pages = bot.fake.of("conversations.list")
    assert len(pages) == 5  # 8 channels, 2 per page (the last with a cursor to an empty page), listed once


async def test_posts_to_one_channel_are_spaced_and_other_channels_do_not_wait(bot: SlackBot) -> None:
    """The per-channel spacing (about one post per second per Slack channel, here a minute so no
    test timing is involved): the second post to #dept-product waits, unsent and with no attempt
    spent, while #dept-marketing's goes out in the same pass."""
    bot.app.worker.sinks["slack"].min_interval = 60.0  # type: ignore[attr-defined]
    await route_one(bot, "crash on save", "1700000030.000100")
    await route_one(bot, "crash on load", "1700000030.000200")
    await route_one(bot, "I love it", "1700000030.000300")
    before = bot.app.clock()
    assert await bot.app.worker.run_once() == {"sent": 2, "deferred": 1}
    assert len(bot.fake.posts(DEPT_PRODUCT)) == 1
    assert len(bot.fake.posts()) == 2
    async with bot.app.store.sessions() as session:
        waiting = (await session.scalars(select(OutboxRow).where(OutboxRow.status == "pending"))).one()
    assert (waiting.destination, waiting.attempts, waiting.lease_owner) == ("slack:#dept-product", 0, None)
    assert waiting.next_attempt_at >= before + timedelta(seconds=50)  # due when the channel may post again
    assert await bot.app.worker.run_once() == {}  # not due yet: nothing is sent early
    assert len(bot.fake.posts(DEPT_PRODUCT)) == 1
