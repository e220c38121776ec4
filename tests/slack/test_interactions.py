"""Emoji flags, reactions on reposts, and button clicks (block_actions) through Bolt."""

from __future__ import annotations

import asyncio
import json
import zipfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import select

from bot.cli.main import main
from storage.models import OutboxRow
from tests.conftest import Database
from tests.slack.conftest import (
    COMMUNITY,
    DEPT_MARKETING,
    DEPT_PRODUCT,
    FIXTURES,
    TEAM_ID,
    SlackBot,
    event_body,
)
from tests.slack.test_events import items, msg


def reaction(
    kind: str, emoji: str, channel: str, ts: str, *, user: str = "U0MEMBER2", n: str = "1"
) -> dict[str, str]:
    return {
        "type": kind,
        "reaction": emoji,
        "channel": channel,
        "ts": ts,
        "user": user,
        "event_ts": f"1700001000.00000{n}",
        "event_id": f"R{kind}{n}",
    }


def click(
    bot: SlackBot,
    action: dict[str, Any],
    *,
    message_ts: str,
    channel: str = DEPT_PRODUCT,
    user: str = "U0STAFF",
    user_name: str = "taro",
) -> dict[str, Any]:
    body = json.loads(
        event_body(
            "block_actions.json",
            user=user,
            user_name=user_name,
            message_ts=message_ts,
            channel=channel,
            response_url=bot.fake.response_url("action"),
        )
    )
    body["actions"] = [{"action_ts": "1700002000.000001", "block_id": "b1", "type": "button", **action}]
    return body


async def test_emoji_flag_routes_an_unmatched_post(bot: SlackBot) -> None:
    await bot.event(
        "message.json", **msg("We are presenting kakehashi at a meetup next week", "1700000010.000100")
    )
    assert await items(bot) == []
    await bot.event("reaction.json", **reaction("reaction_added", "mega", COMMUNITY, "1700000010.000100"))
    [item] = await items(bot)
    assert (item.department, item.tag, item.origin) == ("pr", "press", "reaction")
    assert item.reason == "flagged by @ken with :mega:"
    await bot.deliver()
    async with bot.app.store.sessions() as session:
        [row] = (await session.scalars(select(OutboxRow))).all()
    assert (row.status, row.destination, row.last_error) == ("sent", "slack:#dept-pr", None)


async def test_flag_on_a_post_from_before_the_bot_fetches_it(bot: SlackBot) -> None:
    bot.fake.history[COMMUNITY] = [
        {
            "type": "message",
            "user": "U0MEMBER1",
            "text": "would be nice to have dark mode",
            "ts": "1690000000.000100",
        }
    ]
    await bot.event("reaction.json", **reaction("reaction_added", "bulb", COMMUNITY, "1690000000.000100"))
    [item] = await items(bot)
    assert (item.department, item.tag) == ("product", "idea")
    await bot.deliver()
    [post] = bot.fake.posts(DEPT_PRODUCT)
    assert "dark mode" in post["text"]


async def test_flag_on_an_older_thread_reply_fetches_it_from_its_thread(bot: SlackBot) -> None:
    # conversations.history lists top-level messages only; a reply comes from conversations.replies
    bot.fake.history[COMMUNITY] = [
        {"type": "message", "user": "U0MEMBER1", "text": "any tips?", "ts": "1690000000.000100"},
        {
            "type": "message",
            "user": "U0MEMBER2",
            "text": "a dark mode would help here",
            "ts": "1690000000.000300",
            "thread_ts": "1690000000.000100",
            "parent_user_id": "U0MEMBER1",
        },
    ]
    await bot.event("reaction.json", **reaction("reaction_added", "bulb", COMMUNITY, "1690000000.000300"))
    assert [c.args["ts"] for c in bot.fake.of("conversations.replies")] == ["1690000000.000300"]
    [item] = await items(bot)
    assert (item.department, item.tag) == ("product", "idea")
    await bot.deliver()
    [post] = bot.fake.posts(DEPT_PRODUCT)
    assert "a dark mode would help here" in post["text"]


async def test_status_and_vote_emoji_on_the_routed_community_post_count_like_on_its_repost(
    bot: SlackBot,
) -> None:
    # ✅ by the community team on the question itself, 👍 by members who have the same problem
    await bot.event("message.json", **msg("export crash again", "1700000010.000300"))
    await bot.deliver()
    post_ts = "1700000010.000300"
    await bot.event("reaction.json", **reaction("reaction_added", "+1", COMMUNITY, post_ts, n="1"))
    await bot.event(
        "reaction.json", **reaction("reaction_added", "+1", COMMUNITY, post_ts, user="U0ADMIN", n="2")
    )
    await bot.event("reaction.json", **reaction("reaction_added", "+1", COMMUNITY, post_ts, n="1"))  # a retry
    await bot.event(
        "reaction.json",
        **reaction("reaction_added", "white_check_mark", COMMUNITY, post_ts, user="U0STAFF", n="3"),
    )
    [item] = await items(bot)
    assert (item.votes, item.status, item.status_by) == (2, "done", "taro")
    await bot.deliver()
    last = bot.fake.of("chat.update")[-1].args
    assert (last["channel"], last["ts"]) == (DEPT_PRODUCT, "1800000000.000001")
    rendered = json.dumps(last["blocks"], ensure_ascii=False)
    assert "Status: Done" in rendered and "👍 2" in rendered
    await bot.event(
        "reaction.json",
        **reaction("reaction_removed", "white_check_mark", COMMUNITY, post_ts, user="U0STAFF", n="4"),
    )
    await bot.event("reaction.json", **reaction("reaction_removed", "+1", COMMUNITY, post_ts, n="5"))
    [item] = await items(bot)
    assert (item.votes, item.status) == (1, "open")
    # 👀 then ✅, and the ✅ taken back: the status follows the emoji still there (in progress)
    await bot.event(
        "reaction.json", **reaction("reaction_added", "eyes", COMMUNITY, post_ts, user="U0ADMIN", n="7")
    )
    await bot.event(
        "reaction.json",
        **reaction("reaction_added", "white_check_mark", COMMUNITY, post_ts, user="U0STAFF", n="8"),
    )
    assert (await items(bot))[0].status == "done"
    await bot.event(
        "reaction.json",
        **reaction("reaction_removed", "white_check_mark", COMMUNITY, post_ts, user="U0STAFF", n="9"),
    )
    assert (await items(bot))[0].status == "in_progress"
    await bot.event(
        "reaction.json", **reaction("reaction_removed", "eyes", COMMUNITY, post_ts, user="U0ADMIN", n="10")
    )
    assert (await items(bot))[0].status == "open"
    # on a post nothing routed, a status emoji does nothing (and routes nothing)
    await bot.event("message.json", **msg("hello all", "1700000010.000400", event_id="2"))
    await bot.event(
        "reaction.json",
        **reaction("reaction_added", "white_check_mark", COMMUNITY, "1700000010.000400", n="6"),
    )
    assert len(await items(bot)) == 1


async def test_reactions_on_a_repost_set_status_and_count_votes(bot: SlackBot) -> None:
    await bot.event("message.json", **msg("export crash again", "1700000010.000200"))
    await bot.deliver()
    repost_ts = "1800000000.000001"
    assert [c.args["channel"] for c in bot.fake.of("chat.postMessage")] == [DEPT_PRODUCT]
    await bot.event("reaction.json", **reaction("reaction_added", "+1", DEPT_PRODUCT, repost_ts, n="1"))
    await bot.event(
        "reaction.json",
        **reaction("reaction_added", "+1::skin-tone-3", DEPT_PRODUCT, repost_ts, user="U0STAFF", n="2"),
    )
    # a retried reaction event does not count twice
    await bot.event("reaction.json", **reaction("reaction_added", "+1", DEPT_PRODUCT, repost_ts, n="1"))
    await bot.event(
        "reaction.json",
        **reaction("reaction_added", "white_check_mark", DEPT_PRODUCT, repost_ts, user="U0STAFF", n="3"),
    )
    [item] = await items(bot)
    assert (item.votes, item.status, item.status_by) == (2, "done", "taro")
    await bot.deliver()
    last = bot.fake.of("chat.update")[-1].args
    assert last["ts"] == repost_ts and last["channel"] == DEPT_PRODUCT
    rendered = json.dumps(last["blocks"], ensure_ascii=False)
    assert "Status: Done" in rendered and "👍 2" in rendered and "kakehashi:reopen" in rendered

    await bot.event(
        "reaction.json",
        **reaction("reaction_removed", "white_check_mark", DEPT_PRODUCT, repost_ts, user="U0STAFF", n="4"),
    )
    await bot.event("reaction.json", **reaction("reaction_removed", "+1", DEPT_PRODUCT, repost_ts, n="5"))
    [item] = await items(bot)
    assert (item.votes, item.status) == (1, "open")


async def test_mark_done_button_updates_item_and_message(bot: SlackBot) -> None:
    await bot.event("message.json", **msg("crash when saving", "1700000010.000300"))
    await bot.deliver()
    [item] = await items(bot)
    body = click(
        bot,
        {
            "action_id": "kakehashi:done",
            "value": str(item.id),
            "text": {"type": "plain_text", "text": "Mark done"},
        },
        message_ts="1800000000.000001",
    )
    response = await bot.click(body)
    assert response.status == 200
    [item] = await items(bot)
    assert (item.status, item.status_by) == ("done", "taro")
    await bot.deliver()
    [update] = bot.fake.of("chat.update")
    assert update.args["ts"] == "1800000000.000001"
    assert "Status: Done" in json.dumps(update.args["blocks"])
    await bot.fake.wait_for(lambda f: f.responses)
    assert bot.fake.responses[0]["text"] == "Marked done by taro."
    assert bot.fake.responses[0]["response_type"] == "ephemeral"


async def test_forward_menu_routes_to_another_department(bot: SlackBot) -> None:
    await bot.event("message.json", **msg("crash? how do I recover my data", "1700000010.000400"))
    await bot.deliver()
    product = next(i for i in await items(bot) if i.department == "product")
    body = click(
        bot,
        {
            "action_id": "kakehashi:forward",
            "type": "static_select",
            "selected_option": {
                "text": {"type": "plain_text", "text": "Marketing"},
                "value": f"{product.id}:marketing",
            },
        },
        message_ts="1800000000.000001",
    )
    assert (await bot.click(body)).status == 200
    by_dept = {i.department: i for i in await items(bot)}
    assert by_dept["product"].status == "forwarded"
    assert by_dept["marketing"].reason == "forwarded by @taro from product"
    await bot.deliver()
    assert len(bot.fake.posts(DEPT_MARKETING)) == 1


async def test_unknown_item_and_bad_values(bot: SlackBot) -> None:
    body = click(bot, {"action_id": "kakehashi:done", "value": "999"}, message_ts="1800000000.000009")
    assert (await bot.click(body)).status == 200
    await bot.fake.wait_for(lambda f: f.responses)
    assert bot.fake.responses[0]["text"] == "This item could not be found."
    broken = click(
        bot, {"action_id": "kakehashi:done", "value": "not-a-number"}, message_ts="1800000000.000009"
    )
    response = await bot.click(broken)
    assert response.status == 400
    assert "expected an item id" in await response.text()


async def test_a_flag_on_an_imported_post_makes_its_archived_item_open_work(
    bot: SlackBot, sqlite_db: Database, tmp_path: Path
) -> None:
    """``import slack-export`` without --repost stores the past as archived items (no department
    saw them); a flag emoji on such a post, live in #community, posts it and makes it open work."""
    export = tmp_path / "export.zip"
    with zipfile.ZipFile(export, "w") as zf:
        zf.writestr("users.json", json.dumps([{"id": "U0MEMBER1", "team_id": TEAM_ID, "name": "hana"}]))
        zf.writestr("channels.json", json.dumps([{"id": COMMUNITY, "name": "community", "created": 1}]))
        zf.writestr(
            "community/2023-11-14.json",
            json.dumps(
                [
                    {
                        "type": "message",
                        "user": "U0MEMBER1",
                        "text": "the export crashes",
                        "ts": "1699999000.000100",
                    }
                ]
            ),
        )
    environ = {"DATABASE_URL": sqlite_db.url, "KAKEHASHI_RULES": str(FIXTURES / "rules.yaml")}
    result = await asyncio.to_thread(
        CliRunner().invoke, main, ["import", "slack-export", str(export)], env=environ
    )
    assert result.exit_code == 0 and "stored 1" in result.output, result.output
    [item] = await items(bot)
    assert (item.department, item.status) == ("product", "archived")
    await bot.deliver()
    assert bot.fake.posts(DEPT_PRODUCT) == []

    await bot.event("reaction.json", **reaction("reaction_added", "bulb", COMMUNITY, "1699999000.000100"))
    [item] = await items(bot)
    assert (item.department, item.tag, item.status) == ("product", "bug", "open")
    await bot.deliver()
    [post] = bot.fake.posts(DEPT_PRODUCT)
    assert "the export crashes" in post["text"]
    await bot.event(
        "reaction.json",
        **reaction("reaction_added", "bulb", COMMUNITY, "1699999000.000100", n="2", user="U0STAFF"),
    )
    await bot.deliver()
    assert len(bot.fake.posts(DEPT_PRODUCT)) == 1  # open already: flagged again, posted once
