"""The Slack stack (real Bolt over HTTP, fake Web API) on SQLite and PostgreSQL, with the rules
of tests/fixtures/slack/rules_loop.yaml, plus helpers to post events and click buttons."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from storage.models import Item
from tests.conftest import FIXTURES, Database
from tests.fakes.slack_api import COMMUNITY, DEPT_PRODUCT, FakeSlack
from tests.slack.conftest import SlackBot, build_bot, event_body
from tests.teams.conftest import connector  # noqa: F401  (the Bot Connector stand-in, for test_teams)

RULES = FIXTURES / "slack" / "rules_loop.yaml"


@pytest.fixture
async def bot(database: Database, slack_api: FakeSlack) -> AsyncIterator[SlackBot]:
    app, client = await build_bot(database, slack_api, RULES)
    try:
        yield SlackBot(app=app, client=client, fake=slack_api)
    finally:
        await client.close()
        await app.stop()


async def post(bot: SlackBot, text: str, ts: str, *, user: str = "U0MEMBER1", n: str = "1") -> None:
    await bot.event(
        "message.json",
        text=text,
        ts=ts,
        channel=COMMUNITY,
        user=user,
        event_id=f"M{n}",
        channel_type="channel",
    )


async def reply(
    bot: SlackBot, text: str, ts: str, thread_ts: str, *, user: str = "U0MEMBER2", n: str = "1"
) -> None:
    await bot.event(
        "thread_reply.json",
        text=text,
        ts=ts,
        thread_ts=thread_ts,
        channel=COMMUNITY,
        user=user,
        event_id=f"R{n}",
    )


async def edit(
    bot: SlackBot, text: str, ts: str, edited_ts: str, *, user: str = "U0MEMBER1", n: str = "1"
) -> None:
    await bot.event(
        "message_changed.json",
        text=text,
        previous_text="",
        ts=ts,
        edited_ts=edited_ts,
        user=user,
        channel=COMMUNITY,
        event_id=f"E{n}",
    )


async def delete(bot: SlackBot, ts: str, deleted_ts: str, *, n: str = "1") -> None:
    await bot.event(
        "message_deleted.json",
        ts=ts,
        deleted_ts=deleted_ts,
        previous_text="",
        channel=COMMUNITY,
        event_id=f"D{n}",
    )


async def click(
    bot: SlackBot,
    action: str,
    item_id: int,
    *,
    message_ts: str,
    channel: str = DEPT_PRODUCT,
    user: str = "U0STAFF",
    user_name: str = "taro",
) -> None:
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
    body["actions"] = [
        {
            "action_id": f"kakehashi:{action}",
            "block_id": "b1",
            "type": "button",
            "value": str(item_id),
            "action_ts": "1700002000.000001",
        }
    ]
    from urllib.parse import urlencode

    response = await bot.post(
        urlencode({"payload": json.dumps(body)}), content_type="application/x-www-form-urlencoded"
    )
    assert response.status == 200, await response.text()


async def items(bot: SlackBot) -> list[Item]:
    async with bot.app.store.sessions() as session:
        return list((await session.scalars(select(Item).order_by(Item.id))).all())


def posted_ts(fake: FakeSlack, channel: str) -> list[str]:
    return [ts for ch, ts in fake.posted if ch == channel]


def rendered(args: dict[str, Any]) -> str:
    return json.dumps(args.get("blocks") or args.get("text"), ensure_ascii=False)
