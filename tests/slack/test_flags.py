"""Flags that count, through Bolt and the Slack stand-in on SQLite and PostgreSQL: a second person
flagging a post shows on the repost, taking flags back withdraws an item nobody acted on."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from tests.conftest import Database
from tests.fakes.slack_api import FakeSlack
from tests.slack.conftest import (
    COMMUNITY,
    DEPT_CS,
    DEPT_MARKETING,
    DEPT_PRODUCT,
    SlackBot,
    build_bot,
)
from tests.slack.test_events import items, msg
from tests.slack.test_interactions import click, reaction

POST = "1700000010.000100"


@pytest.fixture
async def flag_bot(database: Database, fake: FakeSlack) -> AsyncIterator[SlackBot]:
    app, client = await build_bot(database, fake)
    try:
        yield SlackBot(app=app, client=client, fake=fake)
    finally:
        await client.close()
        await app.stop()


async def flag(bot: SlackBot, kind: str, user: str, n: str) -> None:
    await bot.event("reaction.json", **reaction(kind, "bulb", COMMUNITY, POST, user=user, n=n))
    await bot.deliver()


def last_repost_blocks(bot: SlackBot) -> str:
    update = [c.args for c in bot.fake.of("chat.update") if c.args.get("channel") == DEPT_PRODUCT]
    return json.dumps(update[-1]["blocks"] if update else bot.fake.posts(DEPT_PRODUCT)[-1]["blocks"])


async def test_second_flagger_shows_and_unflagging_withdraws(flag_bot: SlackBot) -> None:
    bot = flag_bot
    await bot.event("message.json", **msg("It would be nice to export to PDF", POST))
    await flag(bot, "reaction_added", "U0MEMBER2", "1")
    [item] = await items(bot)
    assert (item.department, item.origin, item.reason) == (
        "product",
        "reaction",
        "flagged by @ken with :bulb:",
    )
    assert len(bot.fake.posts(DEPT_PRODUCT)) == 1
    assert "Flagged by" not in last_repost_blocks(bot)  # the reason names the only flagger

    await flag(bot, "reaction_added", "U0ADMIN", "2")
    assert len(await items(bot)) == 1 and len(bot.fake.posts(DEPT_PRODUCT)) == 1  # one item, one repost
    assert "Flagged by 2: ken, aiko" in last_repost_blocks(bot)

    await flag(bot, "reaction_removed", "U0ADMIN", "3")
    assert "Flagged by" not in last_repost_blocks(bot)
    assert [i.status for i in await items(bot)] == ["open"]  # ken still flags it

    await flag(bot, "reaction_removed", "U0MEMBER2", "4")
    [item] = await items(bot)
    assert (item.status, item.status_by) == ("withdrawn", "ken")
    assert "Withdrawn" in last_repost_blocks(bot)

    await flag(bot, "reaction_added", "U0MEMBER2", "5")  # flagged again: back to new
    assert [i.status for i in await items(bot)] == ["open"]
    assert len(bot.fake.posts(DEPT_PRODUCT)) == 1


async def test_an_item_someone_acted_on_stays_when_its_flag_is_taken_back(flag_bot: SlackBot) -> None:
    bot = flag_bot
    await bot.event("message.json", **msg("It would be nice to export to PDF", POST))
    await flag(bot, "reaction_added", "U0MEMBER2", "1")
    [item] = await items(bot)
    body = click(
        bot, {"action_id": "kakehashi:acknowledge", "value": str(item.id)}, message_ts="1800000000.000001"
    )
    assert (await bot.click(body)).status == 200
    await bot.deliver()
    await flag(bot, "reaction_removed", "U0MEMBER2", "2")
    assert [i.status for i in await items(bot)] == ["acknowledged"]


async def test_a_flag_on_a_post_a_rule_routed_shows_the_flagger(flag_bot: SlackBot) -> None:
    bot = flag_bot
    await bot.event("message.json", **msg("The export crashes, a bug", POST))  # the bug route: product
    await bot.deliver()
    await flag(bot, "reaction_added", "U0MEMBER2", "1")
    assert "Flagged by 1: ken" in last_repost_blocks(bot)
    await flag(bot, "reaction_removed", "U0MEMBER2", "2")
    [item] = await items(bot)
    assert item.status == "open"  # it came from a rule, not from the flag
    assert "Flagged by" not in last_repost_blocks(bot)


async def test_reposts_rendered_together_each_show_their_own_flaggers_and_context(flag_bot: SlackBot) -> None:
    """Three channels' reposts rendered in one read (the lanes' batch): each with its own item,
    the post it answers and its own flaggers, nothing of the others'."""
    bot = flag_bot
    await bot.event("message.json", **msg("how do I export my data?", "1700000020.000100", event_id="P"))
    await bot.event(
        "thread_reply.json",
        text="I love this community",  # a testimonial: marketing, quoting the post it answers
        user="U0MEMBER2",
        ts="1700000020.000200",
        thread_ts="1700000020.000100",
        channel=COMMUNITY,
        event_id="R",
    )
    await bot.event("message.json", **msg("It would be nice to export to PDF", POST, event_id="F"))
    for n, user in (("1", "U0MEMBER2"), ("2", "U0ADMIN")):
        await bot.event(
            "reaction.json", **reaction("reaction_added", "bulb", COMMUNITY, POST, user=user, n=n)
        )

    await bot.deliver()

    def shown(channel: str) -> str:
        [post] = [p for p in bot.fake.posts(channel) if "thread_ts" not in p]  # the mirrored reply aside
        return json.dumps(post["blocks"], ensure_ascii=False)

    assert "how do I export my data?" in shown(DEPT_CS)
    assert "I love this community" in shown(DEPT_MARKETING)
    assert "In reply to hana: how do I export my data?" in shown(DEPT_MARKETING)
    assert "It would be nice to export to PDF" in shown(DEPT_PRODUCT)
    assert "Flagged by 2: ken, aiko" in shown(DEPT_PRODUCT)
    assert "In reply to" not in shown(DEPT_CS) + shown(DEPT_PRODUCT)
    assert "Flagged by" not in shown(DEPT_CS) + shown(DEPT_MARKETING)
