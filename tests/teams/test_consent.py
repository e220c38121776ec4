"""Reuse permission on Teams: a proactive 1:1 chat with the author (create conversation, then the
card), the author's Action.Submit answer, the department told in the repost's reply chain."""

from __future__ import annotations

import json

from storage.models import Consent, Item
from tests.teams.conftest import BOT_ID, CS_VOICES, TeamsBot
from tests.teams.test_flow import repost_id, rows

AUTHOR = "29:1XyZreplier"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


async def ask(teams: TeamsBot) -> tuple[Item, str]:
    await teams.install()
    await teams.send("conversation_update_channel_created.json")
    await teams.send("channel_message.json")
    await teams.send("channel_reply.json")  # "I love this product": marketing (CS/Voices)
    await teams.deliver()
    card_id = await repost_id(teams, CS_VOICES)
    item = next(i for i in await rows(teams, Item) if i.department == "marketing")
    submit = teams.activity("card_submit.json", REPOST_ID=card_id)
    submit["conversation"]["id"] = f"{CS_VOICES};messageid={card_id}"
    submit["value"] = {"kakehashi": "ask_permission", "item_id": item.id}
    await teams.post(submit)
    await teams.deliver()
    return item, card_id


def answer(
    teams: TeamsBot, chat: str, item_id: int, choice: str, *, sender: str = AUTHOR, n: int = 0
) -> dict:  # type: ignore[type-arg]
    body = teams.activity("card_submit_personal.json", CHAT_ID=chat, CARD_ID="1700000000099")
    body["id"] = f"17319000000{n:02d}"
    body["from"]["id"] = sender
    body["value"] = {"kakehashi": "consent", "item_id": item_id, "value": choice}
    return body


async def test_the_author_is_asked_in_a_1_1_chat_and_answers_with_the_card(teams: TeamsBot) -> None:
    item, card_id = await ask(teams)
    [create] = [c for c in teams.connector.created() if (c.body or {}).get("members")]
    assert create.body is not None
    assert create.body["isGroup"] is False
    assert create.body["members"] == [{"id": AUTHOR, "name": "Kenji Tanaka"}]
    assert create.body["bot"]["id"] == BOT_ID
    # the tenant in channelData, as Teams documents it (botbuilder also writes its "tenantID" field)
    assert create.body["channelData"] == {"tenant": {"id": TENANT}}
    assert create.body["tenantID"] == TENANT
    [chat] = list(teams.connector.chats)
    assert teams.connector.chats[chat] == [AUTHOR]
    [request] = [c for c in teams.connector.sent() if c.conversation_id == chat]
    text = request.card_text()
    assert (
        "Kenji Tanaka さん、Community/General でのあなたの投稿を、マーケティングがお客様の声・事例として"
        in text
    )
    assert "I love this product, it saved our team hours every week!" in text
    submits = [a for a in request.card["actions"] if a["type"] == "Action.Submit"]
    assert [(a["title"], a["data"]) for a in submits] == [
        ("許可する", {"kakehashi": "consent", "item_id": item.id, "value": "granted"}),
        ("匿名なら許可する", {"kakehashi": "consent", "item_id": item.id, "value": "anonymous"}),
        ("許可しない", {"kakehashi": "consent", "item_id": item.id, "value": "declined"}),
    ]
    # nothing was posted in the public community thread
    assert not [c for c in teams.connector.sent() if c.conversation_id and "Zk0Mm" in c.conversation_id]

    # the author answers "yes, without my name" from the 1:1 chat
    response = await teams.post(answer(teams, chat, item.id, "anonymous"))
    assert response.status in (200, 201)
    await teams.deliver()
    [consent] = await rows(teams, Consent)
    assert (consent.answer, consent.answered_by_id, consent.answered_by) == (
        "anonymous",
        AUTHOR,
        "Kenji Tanaka",
    )
    assert [i.permission for i in await rows(teams, Item) if i.id == item.id] == ["anonymous"]
    # the author is thanked in the chat
    [thanks] = [c for c in teams.connector.replies() if c.conversation_id == chat]
    assert thanks.body is not None and thanks.body["text"].startswith(
        "ご回答ありがとうございます: 匿名なら許可（"
    )
    # the marketing card shows it, and the department hears it in the card's reply chain
    update = [
        c for c in teams.connector.updates() if c.conversation_id and c.conversation_id.startswith(CS_VOICES)
    ]
    assert "許諾済み（匿名）" in json.dumps(update[-1].card, ensure_ascii=False)
    [note] = [c for c in teams.connector.sent() if c.conversation_id == f"{CS_VOICES};messageid={card_id}"]
    assert "Kenji Tanaka さんがこの投稿の利用を匿名でなら許可しました" in note.card_text()


async def test_someone_else_pressing_the_button_is_refused(teams: TeamsBot) -> None:
    item, _ = await ask(teams)
    [chat] = list(teams.connector.chats)
    await teams.post(answer(teams, chat, item.id, "granted", sender="29:1CsAgent"))
    await teams.deliver()
    [consent] = await rows(teams, Consent)
    assert consent.answer == "pending"
    [refusal] = [c for c in teams.connector.replies() if c.conversation_id == chat]
    assert refusal.body is not None
    assert refusal.body["text"] == "この依頼には投稿者の Kenji Tanaka さんだけが答えられます。"
