"""Events API over HTTP through the real Bolt stack: message in, repost out."""

from __future__ import annotations

import json
import time

from sqlalchemy import select

from storage.models import Item, Message, OutboxRow
from tests.fakes.slack_api import BOT_USER_ID
from tests.slack.conftest import (
    COMMUNITY,
    DEPT_CS,
    DEPT_MARKETING,
    DEPT_PRODUCT,
    QUESTIONS,
    SECRET_CLUB,
    SlackBot,
    event_body,
    sign,
)


def msg(
    text: str,
    ts: str,
    *,
    channel: str = COMMUNITY,
    user: str = "U0MEMBER1",
    event_id: str = "1",
    channel_type: str = "channel",
) -> dict[str, str]:
    return {
        "text": text,
        "ts": ts,
        "channel": channel,
        "user": user,
        "event_id": event_id,
        "channel_type": channel_type,
    }


async def messages(bot: SlackBot) -> list[Message]:
    async with bot.app.store.sessions() as session:
        return list((await session.scalars(select(Message).order_by(Message.id))).all())


async def items(bot: SlackBot) -> list[Item]:
    async with bot.app.store.sessions() as session:
        return list((await session.scalars(select(Item).order_by(Item.id))).all())


async def rows(bot: SlackBot) -> list[OutboxRow]:
    async with bot.app.store.sessions() as session:
        return list((await session.scalars(select(OutboxRow).order_by(OutboxRow.id))).all())


async def test_message_is_stored_and_reposted_with_blocks(bot: SlackBot) -> None:
    await bot.event("message.json", **msg("The export crashes with a bug on big files", "1700000000.000100"))

    [stored] = await messages(bot)
    assert stored.key == f"T0COMMUNITY:{COMMUNITY}:1700000000.000100"
    assert (stored.channel, stored.author, stored.author_id) == ("#community", "hana", "U0MEMBER1")
    assert stored.link == f"https://community.slack.com/archives/{COMMUNITY}/p1700000000000100"
    assert [(i.department, i.tag) for i in await items(bot)] == [("product", "bug")]

    assert await bot.deliver() == {"sent": 1}
    [post] = bot.fake.posts()
    assert post["channel"] == DEPT_PRODUCT
    assert "The export crashes" in post["text"]
    blocks = post["blocks"]
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "For Product: Bug report", "emoji": True},
    }
    assert blocks[1]["text"]["text"] == "&gt; The export crashes with a bug on big files"
    context_texts = [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    assert any("hana in #community" in t and stored.link in t for t in context_texts)
    assert any(t.startswith('Routed because: route "bug": keyword "bug"') for t in context_texts)
    actions = next(b for b in blocks if b["type"] == "actions")["elements"]
    assert [a["action_id"] for a in actions] == [
        "kakehashi:acknowledge",
        "kakehashi:done",
        "kakehashi:decline",
        "kakehashi:forward",
        "kakehashi:not_for_us",
    ]
    forward_options = [o["value"] for o in actions[3]["options"]]
    assert forward_options == [f"{stored.id}:cs", f"{stored.id}:marketing", f"{stored.id}:pr"]
    [row] = await rows(bot)
    assert (row.status, row.remote_id, row.remote_channel) == ("sent", "1800000000.000001", DEPT_PRODUCT)
    # every call carried the bot token and went to SLACK_API_URL
    assert {c.token for c in bot.fake.calls} == {"xoxb-test-token"}


async def test_japanese_message_routes_and_marketing_gets_permission_button(bot: SlackBot) -> None:
    await bot.event(
        "message.json", **msg("このツール最高です！チーム全員で使っています", "1700000000.000200")
    )
    await bot.deliver()
    [post] = bot.fake.posts(DEPT_MARKETING)
    actions = next(b for b in post["blocks"] if b["type"] == "actions")["elements"]
    assert [a["action_id"] for a in actions] == [
        "kakehashi:acknowledge",
        "kakehashi:done",
        "kakehashi:decline",
        "kakehashi:forward",
        "kakehashi:not_for_us",
        "kakehashi:ask_permission",
    ]
    assert "このツール最高です" in post["blocks"][1]["text"]["text"]


async def test_retries_never_repost_and_a_lost_first_delivery_still_counts(bot: SlackBot) -> None:
    body = event_body("message.json", **msg("crash on login", "1700000000.000300"))
    first = await bot.post(body)
    assert first.status == 200
    for retry in ("1", "2"):
        again = await bot.post(
            body, headers={"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": "http_timeout"}
        )
        assert again.status == 200
    # a retry whose first delivery never reached us is processed like a first delivery
    lost = event_body("message.json", **msg("another crash report", "1700000000.000301", event_id="2"))
    assert (
        await bot.post(lost, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"})
    ).status == 200
    await bot.deliver()
    assert len(await messages(bot)) == 2
    assert len(bot.fake.posts(DEPT_PRODUCT)) == 2


async def test_thread_reply_is_linked_to_its_parent(bot: SlackBot) -> None:
    await bot.event("message.json", **msg("How do I export?", "1700000000.000400", channel=QUESTIONS))
    await bot.event(
        "thread_reply.json",
        text="Same question here, any update?",
        user="U0MEMBER2",
        ts="1700000000.000500",
        thread_ts="1700000000.000400",
        channel=QUESTIONS,
        event_id="2",
    )
    parent, reply = await messages(bot)
    assert parent.channel == "#questions" and parent.thread_key is None
    assert reply.thread_key == parent.key and reply.author == "ken"
    assert reply.link and reply.link.startswith(
        f"https://community.slack.com/archives/{QUESTIONS}/p1700000000000500"
    )
    await bot.deliver()
    # the cs department channel is public but the bot was not in it: it joined, then posted
    assert [c.args["channel"] for c in bot.fake.of("conversations.join")] == [DEPT_CS]
    assert len(bot.fake.posts(DEPT_CS)) == 2


async def test_file_share_keeps_text_and_notes_the_attachment(bot: SlackBot) -> None:
    await bot.event(
        "file_share.json",
        text="Crash when I open this file",
        user="U0MEMBER1",
        ts="1700000000.000600",
        channel=COMMUNITY,
        event_id="3",
    )
    [stored] = await messages(bot)
    assert stored.files == ["crash-screenshot.png"]
    await bot.deliver()
    [post] = bot.fake.posts(DEPT_PRODUCT)
    contexts = [e["text"] for b in post["blocks"] if b["type"] == "context" for e in b["elements"]]
    assert "📎 Attachments: crash-screenshot.png" in contexts


async def test_edit_reclassifies_and_updates_the_repost(bot: SlackBot) -> None:
    await bot.event("message.json", **msg("bug: export is slow", "1700000000.000700"))
    await bot.deliver()
    await bot.event(
        "message_changed.json",
        text="bug: export is slow, but I love the new UI",
        previous_text="bug: export is slow",
        user="U0MEMBER1",
        ts="1700000000.000700",
        edited_ts="1700000100.000000",
        channel=COMMUNITY,
        event_id="4",
    )
    await bot.deliver()
    [update] = bot.fake.of("chat.update")
    assert update.args["channel"] == DEPT_PRODUCT and update.args["ts"] == "1800000000.000001"
    assert "I love the new UI" in update.args["blocks"][1]["text"]["text"]
    [stored] = await messages(bot)
    assert stored.text.endswith("I love the new UI") and stored.edited_at is not None


async def test_delete_redacts_the_repost(bot: SlackBot) -> None:
    await bot.event("message.json", **msg("crash with my customer list attached", "1700000000.000800"))
    await bot.deliver()
    await bot.event(
        "message_deleted.json",
        previous_text="crash with my customer list attached",
        deleted_ts="1700000000.000800",
        ts="1700000200.000000",
        channel=COMMUNITY,
        event_id="5",
    )
    await bot.deliver()
    [update] = bot.fake.of("chat.update")
    assert update.args["ts"] == "1800000000.000001"
    text = json.dumps(update.args["blocks"], ensure_ascii=False)
    assert "customer list" not in text and "the original post was deleted" in text
    assert not any(b["type"] == "actions" for b in update.args["blocks"])
    [stored] = await messages(bot)
    assert stored.deleted and stored.text == ""


async def test_delete_before_delivery_cancels_the_repost(bot: SlackBot) -> None:
    await bot.event("message.json", **msg("crash crash", "1700000000.000900"))
    await bot.event(
        "message_deleted.json",
        previous_text="crash crash",
        deleted_ts="1700000000.000900",
        ts="1700000200.000001",
        channel=COMMUNITY,
        event_id="6",
    )
    await bot.deliver()
    assert bot.fake.posts() == []
    assert [r.status for r in await rows(bot)] == ["cancelled"]


async def test_bots_own_posts_and_department_channels_are_never_routed(bot: SlackBot) -> None:
    await bot.event(
        "bot_message.json",
        text="Deploy crashed (bug)",
        ts="1700000001.000100",
        channel=COMMUNITY,
        event_id="7",
    )
    await bot.event(
        "message.json",
        **msg("crash report copied by the bot", "1700000001.000200", user=BOT_USER_ID, event_id="8"),
    )
    await bot.event(
        "message.json",
        **msg(
            "this bug is ours now", "1700000001.000300", channel=DEPT_PRODUCT, user="U0STAFF", event_id="9"
        ),
    )
    await bot.event("channel_join.json", ts="1700000001.000400", channel=COMMUNITY, event_id="10")
    await bot.deliver()
    assert bot.fake.posts() == []
    assert await items(bot) == []
    stored = await messages(bot)
    assert [(m.author, m.is_bot) for m in stored] == [("Status Bot", True)]


async def test_private_channel_is_marked_private_and_not_routed_without_opt_in(bot: SlackBot) -> None:
    await bot.event(
        "message.json",
        **msg(
            "secret crash details",
            "1700000001.000500",
            channel=SECRET_CLUB,
            channel_type="group",
            event_id="11",
        ),
    )
    [stored] = await messages(bot)
    assert stored.private and stored.channel == "#secret-club"
    assert await items(bot) == []


async def test_url_verification_handshake(bot: SlackBot) -> None:
    response = await bot.post(event_body("url_verification.json"))
    assert response.status == 200
    assert (await response.json())["challenge"] == "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"


async def test_bad_signature_and_stale_timestamp_are_401_and_change_nothing(bot: SlackBot) -> None:
    body = event_body("message.json", **msg("crash", "1700000002.000100"))
    forged = await bot.post(body, signed=False, headers=sign(body, secret="not-the-secret"))
    assert forged.status == 401
    stale = await bot.post(body, signed=False, headers=sign(body, timestamp=int(time.time()) - 600))
    assert stale.status == 401
    unsigned = await bot.post(body, signed=False)
    assert unsigned.status == 401
    garbage = await bot.post("{not json", signed=False)
    assert garbage.status == 401
    assert await messages(bot) == []


async def test_malformed_signed_payloads_are_400_and_change_nothing(bot: SlackBot) -> None:
    broken = await bot.post("{not json")
    assert broken.status == 400
    no_ts = json.loads(event_body("message.json", **msg("crash", "1700000002.000200")))
    del no_ts["event"]["ts"]
    missing = await bot.post(json.dumps(no_ts))
    assert missing.status == 400
    assert "event.ts: missing" in await missing.text()
    bad_ts = event_body("message.json", **msg("crash", "yesterday"))
    assert (await bot.post(bad_ts)).status == 400
    assert await messages(bot) == []
