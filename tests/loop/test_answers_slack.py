"""Statuses with who and when, and answers back in the community thread, through Slack.

Signed Events API and block_actions requests into the real server; the Slack Web API stand-in
records what was posted where (chat.postMessage ``thread_ts``: https://docs.slack.dev/reference/methods/chat.postMessage).
"""

from __future__ import annotations

from tests.fakes.slack_api import COMMUNITY, DEPT_MARKETING, DEPT_PRODUCT
from tests.loop.conftest import click, items, post, posted_ts, rendered
from tests.slack.conftest import SlackBot
from tests.slack.test_interactions import reaction

POST_TS = "1700000010.000100"


async def test_done_answers_once_in_the_community_thread_with_who_closed_it(bot: SlackBot) -> None:
    await post(bot, "the export crashes on big files", POST_TS)
    await bot.deliver()
    [repost_ts] = posted_ts(bot.fake, DEPT_PRODUCT)
    [item] = await items(bot)
    await click(bot, "acknowledge", item.id, message_ts=repost_ts)
    await click(bot, "done", item.id, message_ts=repost_ts)
    await click(bot, "done", item.id, message_ts=repost_ts)  # a second click changes nothing
    await bot.deliver()
    [answer] = bot.fake.posts(COMMUNITY)
    assert answer["thread_ts"] == POST_TS
    assert answer["text"] == "Thanks hana: Product fixed this (taro)."
    # done -> declined -> done: the member already heard; nothing more is posted
    await click(bot, "decline", item.id, message_ts=repost_ts, user="U0ADMIN", user_name="aiko")
    await click(bot, "done", item.id, message_ts=repost_ts)
    await bot.deliver()
    assert len(bot.fake.posts(COMMUNITY)) == 1
    history = await bot.app.store.status_history(item.id)
    assert [(h.previous, h.status, h.by_name, h.by_id, h.via) for h in history] == [
        ("open", "acknowledged", "taro", "U0STAFF", "button"),
        ("acknowledged", "done", "taro", "U0STAFF", "button"),
        ("done", "declined", "aiko", "U0ADMIN", "button"),
        ("declined", "done", "taro", "U0STAFF", "button"),
    ]
    # the repost says who changed the status and when (rules' time zone), and offers Reopen
    last = bot.fake.of("chat.update")[-1].args
    assert (last["channel"], last["ts"]) == (DEPT_PRODUCT, repost_ts)
    [item] = await items(bot)
    assert item.status_changed_at is not None
    when = item.status_changed_at.astimezone(bot.app.rules.current.timezone).strftime("%Y-%m-%d %H:%M")
    assert f"Status: Done (taro, {when})" in rendered(last)
    assert '"kakehashi:reopen"' in rendered(last) and '"kakehashi:done"' not in rendered(last)


async def test_reopen_before_the_answer_went_out_takes_it_back(bot: SlackBot) -> None:
    await post(bot, "crash when saving", POST_TS)
    await bot.deliver()
    [repost_ts] = posted_ts(bot.fake, DEPT_PRODUCT)
    [item] = await items(bot)
    await click(bot, "done", item.id, message_ts=repost_ts)
    await click(bot, "reopen", item.id, message_ts=repost_ts)
    await bot.deliver()
    assert bot.fake.posts(COMMUNITY) == []
    await click(bot, "decline", item.id, message_ts=repost_ts)
    await bot.deliver()
    [answer] = bot.fake.posts(COMMUNITY)
    assert answer["text"] == "Thanks hana: Product decided not to change this (taro)."


async def test_no_answer_where_the_route_did_not_opt_in(bot: SlackBot) -> None:
    await post(bot, "I love the new dashboard", POST_TS)  # testimonial: no reply_on_close
    await post(bot, "how do I export?", "1700000011.000100", n="2")  # question: done only
    await bot.deliver()
    [marketing_ts] = posted_ts(bot.fake, DEPT_MARKETING)
    testimonial, question = await items(bot)
    await bot.event(
        "reaction.json", **reaction("reaction_added", "white_check_mark", DEPT_MARKETING, marketing_ts)
    )
    cs_row = await bot.app.store.row_by_key(
        f"repost:slack:T0COMMUNITY:{COMMUNITY}:1700000011.000100:cs:slack:#dept-cs"
    )
    assert cs_row is not None and cs_row.remote_id
    await click(bot, "decline", question.id, message_ts=cs_row.remote_id, channel=str(cs_row.remote_channel))
    await bot.deliver()
    assert [i.status for i in await items(bot)] == ["done", "declined"]
    assert bot.fake.posts(COMMUNITY) == []
    # the emoji's change is recorded with who and how
    [change] = await bot.app.store.status_history(testimonial.id)
    assert (change.status, change.by_name, change.via) == ("done", "ken", "emoji")


async def test_close_command_declines_and_answers(bot: SlackBot) -> None:
    await post(bot, "there is a bug in search", POST_TS)
    await bot.deliver()
    link = f"https://community.slack.com/archives/{COMMUNITY}/p{POST_TS.replace('.', '')}"
    denied = await (await bot.command(f"close {link} declined")).json()
    assert "only for admins" in rendered(denied)
    body = await (await bot.command(f"close {link} declined", user_id="U0ADMIN", user_name="aiko")).json()
    assert "Product: set to “Declined”." in rendered(body)
    await bot.deliver()
    [answer] = bot.fake.posts(COMMUNITY)
    assert (answer["thread_ts"], answer["text"]) == (
        POST_TS,
        "Thanks hana: Product decided not to change this (aiko).",
    )
    [item] = await items(bot)
    assert (item.status, item.status_by) == ("declined", "aiko")
    again = await (await bot.command(f"close {link}", user_id="U0ADMIN", user_name="aiko")).json()
    assert "no item that can be closed" in rendered(again)
