"""Message subtypes (tests/fixtures/slack/message_subtypes.json) through the signed HTTP stack."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.slack.conftest import COMMUNITY, FIXTURES, SlackBot, event_body
from tests.slack.test_events import items, messages, msg

SUBTYPES: dict[str, dict[str, Any]] = json.loads(
    (FIXTURES / "message_subtypes.json").read_text(encoding="utf-8")
)


async def send(bot: SlackBot, name: str, **changes: Any) -> None:
    envelope = json.loads(event_body("message.json", **msg("x", "1700000000.000001", event_id=name)))
    envelope["event"] = {k: v for k, v in {**SUBTYPES[name], **changes}.items() if not k.startswith("_")}
    response = await bot.post(json.dumps(envelope))
    assert response.status == 200, await response.text()


async def test_thread_broadcast_is_a_routed_reply(bot: SlackBot) -> None:
    await send(bot, "thread_broadcast")
    [stored] = await messages(bot)
    assert stored.thread_key == f"T0COMMUNITY:{COMMUNITY}:1700000600.000100" and stored.author == "ken"
    assert [(i.department, i.tag) for i in await items(bot)] == [("product", "bug")]


async def test_file_share_without_text_is_stored_with_its_files(bot: SlackBot) -> None:
    await send(bot, "file_share_no_text")
    [stored] = await messages(bot)
    assert (stored.text, stored.files) == ("", ["crash.log"])
    assert await items(bot) == []  # no words, nothing to classify: not routed, but a flag can still route it


async def test_me_message_is_a_voice(bot: SlackBot) -> None:
    await send(bot, "me_message")
    assert [(i.department, i.tag) for i in await items(bot)] == [("product", "bug")]


@pytest.mark.parametrize("name", ["message_replied", "channel_leave", "channel_topic", "channel_purpose"])
async def test_housekeeping_subtypes_are_never_routed(bot: SlackBot, name: str) -> None:
    await send(bot, name)
    assert await messages(bot) == [] and await items(bot) == []


@pytest.mark.parametrize(
    ("name", "author"),
    [("bot_message_username_only", "legacy-webhook"), ("app_message_with_bot_profile", "Workflow Builder")],
)
async def test_bot_and_app_posts_are_stored_as_bots_and_not_routed(
    bot: SlackBot, name: str, author: str
) -> None:
    await send(bot, name)
    [stored] = await messages(bot)
    assert stored.is_bot and stored.author == author
    assert await items(bot) == []


async def test_an_edited_bot_post_stays_unrouted(bot: SlackBot) -> None:
    await send(bot, "bot_changed")
    [stored] = await messages(bot)
    assert stored.is_bot and stored.text == "Build crashed (edited)"
    assert await items(bot) == []


async def test_deleting_a_post_kakehashi_never_saw_changes_nothing(bot: SlackBot) -> None:
    await send(bot, "deleted_unrouted")
    assert await messages(bot) == []
    await bot.deliver()
    assert bot.fake.of("chat.update") == []


async def test_an_edited_thread_reply_keeps_its_thread(bot: SlackBot) -> None:
    await send(bot, "thread_broadcast", subtype=None, ts="1700000600.000250", text="me too")
    changed = dict(SUBTYPES["bot_changed"])
    changed["message"] = {
        "type": "message",
        "user": "U0MEMBER2",
        "text": "me too: the export crashes",
        "ts": "1700000600.000250",
        "thread_ts": "1700000600.000100",
        "edited": {"user": "U0MEMBER2", "ts": "1700000600.000260"},
    }
    envelope = json.loads(event_body("message.json", **msg("x", "1700000000.000001", event_id="edit")))
    envelope["event"] = {k: v for k, v in changed.items() if not k.startswith("_")}
    assert (await bot.post(json.dumps(envelope))).status == 200
    [stored] = await messages(bot)
    assert stored.text == "me too: the export crashes" and stored.thread_key.endswith(":1700000600.000100")
    assert [(i.department, i.tag) for i in await items(bot)] == [("product", "bug")]
