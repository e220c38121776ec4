"""An answer back to a Discourse topic: a signed ``post_created`` webhook is routed to a Slack
department, the department marks it done with the button, and kakehashi replies in the topic
through the Discourse API stand-in (``GET /posts/{id}.json`` for the topic, then
``POST /posts.json`` with ``topic_id``, ``raw``, ``reply_to_post_number``:
https://docs.discourse.org "Create a topic, post, or private message"; fixtures/discourse/README.md).
"""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.discourse import signature
from bot.platforms.discourse import plugin as discourse_plugin
from bot.platforms.discourse.plugin import DiscoursePlugin
from bot.platforms.slack import plugin as slack_plugin
from bot.runtime.app import App
from bot.settings import Settings
from tests.conftest import Database
from tests.fakes.discourse_api import FakeDiscourse
from tests.fakes.slack_api import DEPT_PRODUCT, FakeSlack
from tests.forums.conftest import fixture
from tests.loop.conftest import RULES, click, items, posted_ts
from tests.slack.conftest import SECRET, TOKEN, SlackBot

HOOK_SECRET = "discourse-hook-secret"


@pytest.fixture
async def forum() -> AsyncIterator[FakeDiscourse]:
    fake = FakeDiscourse(categories=fixture("site.json")["categories"])
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


@pytest.fixture
async def bot(database: Database, slack_api: FakeSlack, forum: FakeDiscourse) -> AsyncIterator[SlackBot]:
    settings = replace(
        Settings.from_env({}),
        rules_path=RULES,
        database_url=database.url,
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=slack_api.url,
        discourse_url=forum.url,
        discourse_api_key="answer-key",
        discourse_api_username="kakehashi",
        discourse_webhook_secret=HOOK_SECRET,
        discourse_poll_interval=0,
    )
    app = await App.build(settings, plugins=[slack_plugin.plugin, discourse_plugin.plugin])
    for name in ("slack", "discourse"):
        app.worker.sinks[name].min_interval = 0.0  # type: ignore[attr-defined]
    plugin = next(p for p in app.plugins if isinstance(p, DiscoursePlugin))
    assert plugin.client is not None
    plugin.client.min_interval = 0.0
    await app.start(worker=False)
    client = TestClient(TestServer(app.web_app()))
    await client.start_server()
    try:
        yield SlackBot(app=app, client=client, fake=slack_api)
    finally:
        await client.close()
        await app.stop()


async def test_done_posts_one_reply_in_the_discourse_topic(bot: SlackBot, forum: FakeDiscourse) -> None:
    payload = copy.deepcopy(fixture("post_created.json"))
    forum.add_post(payload["post"])
    body = json.dumps(payload, ensure_ascii=False).encode()
    response = await bot.client.post(
        "/discourse/webhook",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Discourse-Instance": forum.url,
            "X-Discourse-Event-Id": "1",
            "X-Discourse-Event-Type": "post",
            "X-Discourse-Event": "post_created",
            "X-Discourse-Event-Signature": signature(HOOK_SECRET, body),
        },
    )
    assert response.status == 200, await response.text()
    await bot.deliver()
    [repost_ts] = posted_ts(bot.fake, DEPT_PRODUCT)
    [item] = await items(bot)
    await click(bot, "done", item.id, message_ts=repost_ts)
    await click(bot, "decline", item.id, message_ts=repost_ts)
    await bot.deliver()
    assert forum.created == [
        {"topic_id": 311, "raw": "Thanks sato.k: Product fixed this (taro).", "reply_to_post_number": 1}
    ]
    [create] = forum.calls("/posts.json")[-1:]
    assert create.headers["Api-Key"] == "answer-key" and create.headers["Api-Username"] == "kakehashi"
