"""Answers back and threads kept whole on Teams, through the real botbuilder stack and the Bot
Connector stand-in.

An answer is ``POST /v3/conversations/{channel};messageid={root}/activities`` (a reply in the
community post's reply chain: Teams "Send proactive messages" / Bot Connector "Send to
conversation"); a mirrored reply goes the same way into the repost's reply chain.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from storage.models import Item
from tests.conftest import Database
from tests.fakes.bot_connector import FakeBotConnector
from tests.teams.conftest import COMMUNITY, CS_COMMUNITY, PRODUCT_TRIAGE, TeamsBot, build, serving
from tests.teams.test_flow import repost_id, rows

RULES = Path(__file__).parent / "teams_rules.yaml"
ROOT = "1731830400000"  # channel_message.json's id


@pytest.fixture
async def teams(database: Database, connector: FakeBotConnector) -> Any:
    app = await build(database, connector, rules=RULES)
    async with serving(app, connector) as bot:
        bot.plugin.sink.min_interval = 0.0
        yield bot


async def submit(teams: TeamsBot, card_id: str, item_id: int, action: str, n: int) -> None:
    body = teams.activity("card_submit.json", REPOST_ID=card_id)
    body["id"] = f"17318340000{n:02d}"
    body["value"] = {"kakehashi": action, "item_id": item_id}
    response = await teams.post(body)
    assert response.status in (200, 201)


async def test_done_answers_once_in_the_community_reply_chain(teams: TeamsBot) -> None:
    await teams.install()
    await teams.send("channel_message.json")
    await teams.deliver()
    product_card, cs_card = await repost_id(teams, PRODUCT_TRIAGE), await repost_id(teams, CS_COMMUNITY)
    cs, product = sorted(await rows(teams, Item), key=lambda i: i.department)
    await submit(teams, cs_card, cs.id, "done", 1)
    await submit(teams, product_card, product.id, "done", 2)  # the other department: no second answer
    await teams.deliver()
    answers = [c for c in teams.connector.sent() if c.conversation_id == f"{COMMUNITY};messageid={ROOT}"]
    assert len(answers) == 1
    body = answers[0].body or {}
    assert (
        body["text"]
        == "佐藤 花子 さん、ご報告ありがとうございます。カスタマーサクセスで対応が完了しました（CS Agent）。"
    )
    assert not body.get("attachments")


async def test_a_reply_joins_each_repost_reply_chain(teams: TeamsBot) -> None:
    await teams.install()
    await teams.send("channel_message.json")
    await teams.deliver()
    product_card, cs_card = await repost_id(teams, PRODUCT_TRIAGE), await repost_id(teams, CS_COMMUNITY)
    await teams.send("channel_reply.json")  # "I love this product": also a marketing item
    await teams.deliver()
    chains = {
        c.conversation_id: c
        for c in teams.connector.sent()
        if c.conversation_id
        in (f"{PRODUCT_TRIAGE};messageid={product_card}", f"{CS_COMMUNITY};messageid={cs_card}")
    }
    assert len(chains) == 2
    for call in chains.values():
        assert "I love this product" in call.card_text()
    assert sorted(i.department for i in await rows(teams, Item)) == ["cs", "marketing", "product"]


async def test_a_mirrored_reply_follows_its_edit_and_deletion(teams: TeamsBot) -> None:
    await teams.install()
    await teams.send("channel_message.json")
    await teams.deliver()
    product_card = await repost_id(teams, PRODUCT_TRIAGE)
    await teams.send("channel_reply.json")
    await teams.deliver()
    reply_key = f"{COMMUNITY}:1731830460000"
    reply = await teams.app.store.get_message("teams", reply_key)
    assert reply is not None
    mirrors = {m.destination: m for m in await teams.app.store.mirrors_of(reply.id)}
    product_mirror = mirrors["teams:Product/Triage"]
    assert product_mirror.status == "sent" and product_mirror.remote_id
    mirror_activity = product_mirror.remote_id.rpartition(";messageid=")[2]
    # the replier edits, then deletes the reply (editMessage / softDeleteMessage of the reply's id)
    edit = teams.activity("message_edit.json")
    edit["id"] = "1731830460000"
    edit["text"] = "<p>I love this product, and the new export too</p>"
    response = await teams.post(edit)
    assert response.status in (200, 201)
    await teams.deliver()
    thread = f"{PRODUCT_TRIAGE};messageid={product_card}"
    [put] = [c for c in teams.connector.updates() if c.activity_id == mirror_activity]
    assert put.conversation_id == thread and "and the new export too" in put.card_text()
    delete = teams.activity("message_delete.json")
    delete["id"] = "1731830460000"
    response = await teams.post(delete)
    assert response.status in (200, 201)
    await teams.deliver()
    deleted = [c for c in teams.connector.calls if c.method == "DELETE"]
    assert [(c.conversation_id, c.activity_id) for c in deleted if c.activity_id == mirror_activity] == [
        (thread, mirror_activity)
    ]
