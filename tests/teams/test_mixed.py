"""A mixed deployment: a Slack community feeding Teams departments and a Teams community feeding Slack.

Both halves go through their real stacks: a signed Slack event into Bolt (fake Slack Web API) and
Teams activities into the CloudAdapter (fake Bot Connector).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.platforms.slack import plugin as slack_plugin
from bot.platforms.teams import plugin as teams_plugin
from tests.conftest import Database
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_api import FakeSlack
from tests.slack.conftest import SECRET, TOKEN, event_body, sign
from tests.teams.conftest import CS_COMMUNITY, CS_VOICES, PRODUCT_TRIAGE, TeamsBot, build, serving


@pytest.fixture
def slack(slack_api: FakeSlack) -> FakeSlack:
    return slack_api


@pytest.fixture
async def mixed(database: Database, connector: FakeBotConnector, slack: FakeSlack) -> AsyncIterator[TeamsBot]:
    app = await build(
        database,
        connector,
        plugins=[slack_plugin.plugin, teams_plugin.plugin],
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=slack.url,
    )
    for sink in app.worker.sinks.values():
        sink.min_interval = 0.0  # type: ignore[attr-defined]
    async with serving(app, connector) as bot:
        yield bot


async def test_slack_community_reaches_teams_departments(mixed: TeamsBot, slack: FakeSlack) -> None:
    await mixed.install()
    body = event_body(
        "message.json",
        text="CSV export crashes with a bug",
        user="U0MEMBER1",
        ts="1700000000.000100",
        channel="C0COMMUNTY",
        channel_type="channel",
        event_id="1",
    )
    response = await mixed.client.post(
        "/slack/events", data=body.encode(), headers={"Content-Type": "application/json", **sign(body)}
    )
    assert response.status == 200
    await mixed.deliver()
    sent = {c.conversation_id: c for c in mixed.connector.sent()}
    assert set(sent) == {PRODUCT_TRIAGE, CS_COMMUNITY}
    text = sent[CS_COMMUNITY].card_text()
    assert "CSV export crashes" in text and "#community" in text


async def test_teams_community_reaches_slack_departments(mixed: TeamsBot, slack: FakeSlack) -> None:
    await mixed.install()
    await mixed.send("conversation_update_channel_created.json")
    await mixed.send("channel_reply.json")  # "I love this product" -> marketing: Slack and Teams
    await mixed.deliver()
    (post,) = slack.posts("C0DEPTMKTG")
    assert "I love this product" in str(post.get("blocks")) or "I love this product" in str(post.get("text"))
    assert [c.conversation_id for c in mixed.connector.sent()] == [CS_VOICES]


async def test_mark_done_on_the_teams_card_updates_the_slack_copy_too(
    mixed: TeamsBot, slack: FakeSlack
) -> None:
    await mixed.install()
    await mixed.send("conversation_update_channel_created.json")
    await mixed.send("channel_reply.json")  # marketing: a Slack post and a Teams card of one item
    await mixed.deliver()
    (card,) = mixed.connector.sent()
    assert len(slack.posts("C0DEPTMKTG")) == 1
    card_id = str(1_700_000_000_001)  # the fake's first id
    submit = mixed.activity("card_submit.json", REPOST_ID=card_id)
    submit["conversation"]["id"] = f"{CS_VOICES};messageid={card_id}"
    item_id = card.card["actions"][1]["data"]["item_id"]
    submit["value"] = {"kakehashi": "done", "item_id": item_id}
    await mixed.post(submit)
    await mixed.deliver()
    (update,) = mixed.connector.updates()
    assert update.activity_id == card_id and "完了" in update.card_text()
    (slack_update,) = slack.of("chat.update")
    assert slack_update.args["channel"] == "C0DEPTMKTG" and slack_update.args.get("ts")
    assert "完了" in str(slack_update.args.get("blocks"))
