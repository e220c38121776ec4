"""Teams end to end: activities over HTTP into the real CloudAdapter, cards out to the fake Bot Connector."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select

from storage.models import Item, Message, OutboxRow
from tests.teams.conftest import BOT_ID, COMMUNITY, CS_COMMUNITY, CS_VOICES, PRODUCT_TRIAGE, TeamsBot

T = TypeVar("T")


async def rows(teams: TeamsBot, model: type[T]) -> list[T]:
    async with teams.app.store.sessions() as session:
        return list((await session.scalars(select(model).order_by(model.id))).all())  # type: ignore[attr-defined]


async def repost_id(teams: TeamsBot, conversation: str) -> str:
    """The activity id the fake gave our card in ``conversation``."""
    call = next(c for c in teams.connector.sent() if c.conversation_id == conversation)
    index = teams.connector.sent().index(call)
    return str(1_700_000_000_001 + index)


async def test_channel_message_is_stored_once_and_reposted_as_cards(teams: TeamsBot) -> None:
    await teams.install()
    await teams.send("channel_message.json")
    await teams.send("channel_message.json")  # Teams resends: same id, processed once
    await teams.deliver()
    sent = {call.conversation_id: call for call in teams.connector.sent()}
    assert set(sent) == {PRODUCT_TRIAGE, CS_COMMUNITY}
    assert len(teams.connector.sent()) == 2
    cs = sent[CS_COMMUNITY]
    text = cs.card_text()
    assert "CSVを書き出すとアプリが落ちるバグがあります 😢" in text
    assert "佐藤 花子" in text and "Community/General" in text and "バグ" in text
    assert "振り分け理由: 「bug」ルール: キーワード「バグ」" in text  # locale: ja, so the reason is Japanese
    titles = [a["title"] for a in cs.card["actions"]]
    assert titles == ["元の投稿を開く", "確認した", "完了にする", "見送る", "他部門へ送る"]
    forward = cs.card["actions"][4]["card"]["body"][0]
    assert [c["value"] for c in forward["choices"]] == ["product", "marketing", "pr"]
    assert cs.body is not None and cs.body["from"]["id"] == BOT_ID and "replyToId" not in cs.body
    (message,) = await rows(teams, Message)
    assert message.key == f"{COMMUNITY}:1731830400000" and message.channel == "Community/General"
    assert message.link is not None and message.link.startswith("https://teams.microsoft.com/l/message/")
    assert "groupId=3f1c2e4d" in message.link and not message.private
    sent_rows = [r for r in await rows(teams, OutboxRow) if r.status == "sent"]
    assert {r.remote_id for r in sent_rows} == {
        f"{PRODUCT_TRIAGE};messageid=1700000000001",
        f"{CS_COMMUNITY};messageid=1700000000002",
    } or len(sent_rows) == 2


async def test_reply_and_a_channel_created_later(teams: TeamsBot) -> None:
    await teams.install()
    await teams.send("conversation_update_channel_created.json")  # CS/Voices appears
    await teams.send("channel_message.json")
    await teams.send("channel_reply.json")
    await teams.deliver()
    voices = [c for c in teams.connector.sent() if c.conversation_id == CS_VOICES]
    assert len(voices) == 1 and "I love this product" in voices[0].card_text()
    assert "利用許諾" in " ".join(a["title"] for a in voices[0].card["actions"])  # marketing: ask permission
    reply = next(m for m in await rows(teams, Message) if m.key.endswith(":1731830460000"))
    assert reply.thread_key == f"{COMMUNITY}:1731830400000"
    # the Slack half of marketing has no Slack sink in a Teams-only deployment
    dead = [r for r in await rows(teams, OutboxRow) if r.status == "dead"]
    assert [r.destination for r in dead] == ["slack:#dept-marketing"]


async def test_own_bot_and_department_channel_messages_are_not_routed(teams: TeamsBot) -> None:
    await teams.install()
    own = teams.activity("channel_message.json")
    own["from"] = {"id": BOT_ID, "name": "kakehashi"}
    await teams.post(own)
    in_dept = teams.activity("channel_message.json")
    in_dept["id"] = "1731830999999"
    in_dept["conversation"]["id"] = f"{CS_COMMUNITY};messageid=1731830999999"
    in_dept["channelData"]["channel"] = {"id": CS_COMMUNITY}
    in_dept["channelData"]["teamsChannelId"] = CS_COMMUNITY
    in_dept["channelData"]["team"] = {"id": "19:cs-team-0b8e4c1f@thread.tacv2"}
    response = await teams.post(in_dept)
    assert response.status in (200, 201)
    await teams.deliver()
    assert await rows(teams, Message) == []
    assert teams.connector.sent() == []


async def test_edit_updates_the_cards_and_routes_new_departments(teams: TeamsBot) -> None:
    await teams.install()
    await teams.send("channel_message.json")
    await teams.deliver()
    await teams.send("message_edit.json")
    await teams.deliver()
    updates = teams.connector.updates()
    assert {u.conversation_id for u in updates} == {
        f"{PRODUCT_TRIAGE};messageid=1700000000001",
        f"{CS_COMMUNITY};messageid=1700000000002",
    } or len(updates) == 2
    assert all("取材の依頼" in u.card_text() for u in updates)
    assert all(u.body is not None and u.body["id"] == u.activity_id for u in updates)
    dead = [r for r in await rows(teams, OutboxRow) if r.status == "dead"]
    assert len(dead) == 1 and dead[0].destination == "teams:PR/Press"
    assert "add the kakehashi app to the team 'PR'" in (dead[0].last_error or "")


async def test_delete_redacts_the_cards(teams: TeamsBot) -> None:
    await teams.install()
    await teams.send("channel_message.json")
    await teams.deliver()
    await teams.send("message_delete.json")
    await teams.deliver()
    updates = teams.connector.updates()
    assert len(updates) == 2
    for update in updates:
        text = update.card_text()
        assert "削除されました" in text and "アプリが落ちる" not in text
        assert not [a for a in update.card.get("actions", []) if a["type"] != "Action.OpenUrl"]


async def test_like_on_a_card_is_a_vote_and_refreshes_it(teams: TeamsBot) -> None:
    await teams.install()
    await teams.send("channel_message.json")
    await teams.deliver()
    card_id = await repost_id(teams, CS_COMMUNITY)
    await teams.send("message_reaction_like.json", REPOST_ID=card_id)
    await teams.send("message_reaction_like.json", REPOST_ID=card_id)  # resent
    await teams.deliver()
    items = {i.department: i for i in await rows(teams, Item)}
    assert items["cs"].votes == 1 and items["product"].votes == 0
    (update,) = teams.connector.updates()
    assert update.conversation_id == f"{CS_COMMUNITY};messageid={card_id}" and "👍 1" in update.card_text()
    removed = teams.activity("message_reaction_like.json", REPOST_ID=card_id)
    removed["id"] = "f:reaction-2"
    removed["reactionsRemoved"] = removed.pop("reactionsAdded")
    await teams.post(removed)
    await teams.deliver()
    items = {i.department: i for i in await rows(teams, Item)}
    assert items["cs"].votes == 0


async def test_likes_without_activity_ids_each_refresh_the_card(teams: TeamsBot) -> None:
    """``id`` is optional in the Activity schema: two people's likes without one are two votes,
    and the card shows both."""
    await teams.install()
    await teams.send("channel_message.json")
    await teams.deliver()
    card_id = await repost_id(teams, CS_COMMUNITY)
    for user in ("29:1UserOne", "29:1UserTwo"):
        like = teams.activity("message_reaction_like.json", REPOST_ID=card_id)
        del like["id"]
        like["from"] = {"id": user, "name": user}
        await teams.post(like)
        await teams.deliver()
    items = {i.department: i for i in await rows(teams, Item)}
    assert items["cs"].votes == 2
    assert "👍 2" in teams.connector.updates()[-1].card_text()


async def test_heart_on_a_community_post_flags_it(teams: TeamsBot) -> None:
    await teams.install()
    await teams.send("conversation_update_channel_created.json")
    post = teams.activity("channel_message.json")
    post["text"] = "<p>新しいダッシュボード、使いやすいです</p>"
    post["attachments"] = []
    await teams.post(post)
    reaction = teams.activity("message_reaction_like.json", REPOST_ID="1731830400000")
    reaction["conversation"]["id"] = f"{COMMUNITY};messageid=1731830400000"
    reaction["reactionsAdded"] = [{"type": "heart"}]
    await teams.post(reaction)
    await teams.deliver()
    (item,) = await rows(teams, Item)
    assert item.department == "marketing" and item.origin == "reaction" and "CS Agent" in item.reason
    assert [c.conversation_id for c in teams.connector.sent()] == [CS_VOICES]


async def test_card_submit_marks_done_once_and_updates_the_card(teams: TeamsBot) -> None:
    await teams.install()
    await teams.send("channel_message.json")
    await teams.deliver()
    card_id = await repost_id(teams, CS_COMMUNITY)
    cs_item = next(i for i in await rows(teams, Item) if i.department == "cs")
    submit = teams.activity("card_submit.json", REPOST_ID=card_id)
    submit["value"] = {"kakehashi": "done", "item_id": cs_item.id}
    await teams.post(submit)
    await teams.post(submit)  # resent
    await teams.deliver()
    cs_item = next(i for i in await rows(teams, Item) if i.department == "cs")
    assert cs_item.status == "done" and cs_item.status_by == "CS Agent"
    (update,) = teams.connector.updates()
    assert update.activity_id == card_id and "完了" in update.card_text()
    assert [a["title"] for a in update.card["actions"]][1] == "未対応に戻す"
    assert len(await rows(teams, Message)) == 1  # a submit is never a community message


async def test_card_submit_forward_sends_to_another_department(teams: TeamsBot) -> None:
    await teams.install()
    await teams.send("conversation_update_channel_created.json")
    await teams.send("channel_message.json")
    await teams.deliver()
    card_id = await repost_id(teams, CS_COMMUNITY)
    cs_item = next(i for i in await rows(teams, Item) if i.department == "cs")
    submit = teams.activity("card_submit.json", REPOST_ID=card_id)
    submit["value"] = {"kakehashi": "forward", "item_id": cs_item.id, "department": "marketing"}
    await teams.post(submit)
    await teams.deliver()
    departments = sorted(i.department for i in await rows(teams, Item))
    assert departments == ["cs", "marketing", "product"]
    assert CS_VOICES in [c.conversation_id for c in teams.connector.sent()]


async def test_later_parts_of_a_long_recap_reply_in_the_first_parts_thread(teams: TeamsBot) -> None:
    await teams.install()
    await teams.deliver()
    before = len(teams.connector.sent())
    part = {
        "title": "週次まとめ",
        "sections": [{"heading": "h", "lines": ["x"]}],
        "markdown": "x",
        "locale": "ja",
    }
    # the continuation is queued first: it must wait for part 1 instead of starting its own thread
    await teams.app.store.enqueue(
        kind="recap",
        destination="teams:Product/Triage",
        dedupe_key="recap:w:1#2",
        payload={**part, "part": 2, "continuation_of": "recap:w:1"},
    )
    await teams.app.store.enqueue(
        kind="recap", destination="teams:Product/Triage", dedupe_key="recap:w:1", payload={**part, "part": 1}
    )
    await teams.deliver()
    first, second = teams.connector.sent()[before:]
    assert first.conversation_id == PRODUCT_TRIAGE
    first_row = await teams.app.store.row_by_key("recap:w:1")
    assert first_row is not None and first_row.remote_id is not None
    assert second.conversation_id == first_row.remote_id  # "<channel>;messageid=<first part's id>"
    assert first_row.remote_id.startswith(f"{PRODUCT_TRIAGE};messageid=")


async def test_weekly_recap_card_shows_the_chart(teams: TeamsBot) -> None:
    """The scheduled weekly recap reaches the Bot Connector as one card under the size limit with
    the chart inside it as an Image (a PNG data URI; Adaptive Cards take data URIs since 1.2)."""
    import base64
    from datetime import timedelta

    from adapters.teams.cards import MAX_BYTES, card_size
    from bot.reports.periods import previous_period
    from bot.reports.recap import enqueue_recaps
    from tests.recap.conftest import FIRE, seed

    await teams.install()
    await teams.deliver()
    before = len(teams.connector.sent())
    await seed(teams.app.store)
    period = previous_period("week", FIRE, teams.app.rules.current.timezone)
    added = await enqueue_recaps(
        teams.app,
        schedule="weekly",
        departments=("product",),
        post_to=(),
        period=period,
        now=FIRE + timedelta(seconds=1),
    )
    assert added == 1
    await teams.deliver()
    [recap] = teams.connector.sent()[before:]
    assert recap.conversation_id == PRODUCT_TRIAGE
    card = recap.card
    assert card_size(card) <= MAX_BYTES
    assert card["body"][0]["text"] == "製品開発の週次まとめ（2026-11-16〜2026-11-22）"
    [image] = [b for b in card["body"] if b["type"] == "Image"]
    prefix = "data:image/png;base64,"
    assert image["url"].startswith(prefix)
    assert base64.b64decode(image["url"][len(prefix) :])[:8] == b"\x89PNG\r\n\x1a\n"
    assert image["altText"].startswith("製品開発の直近8週の件数")
