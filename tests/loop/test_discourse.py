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
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.discourse import signature
from bot.chat.consent import parse_reply
from bot.platforms.discourse import plugin as discourse_plugin
from bot.platforms.discourse.plugin import DiscoursePlugin
from bot.platforms.slack import plugin as slack_plugin
from bot.runtime.app import App
from bot.settings import Settings
from storage.models import Consent
from tests.conftest import Database
from tests.fakes.discourse_api import FakeDiscourse
from tests.fakes.slack_api import DEPT_MARKETING, DEPT_PRODUCT, FakeSlack
from tests.forums.conftest import fixture
from tests.loop.conftest import RULES, click, items, posted_ts
from tests.slack.conftest import SECRET, TOKEN, SlackBot
from tests.teams.test_flow import rows

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


async def webhook(bot: SlackBot, forum: FakeDiscourse, post: dict[str, Any], event_id: str) -> None:
    body = json.dumps({"post": post}, ensure_ascii=False).encode()
    response = await bot.client.post(
        "/discourse/webhook",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Discourse-Instance": forum.url,
            "X-Discourse-Event-Id": event_id,
            "X-Discourse-Event-Type": "post",
            "X-Discourse-Event": "post_created",
            "X-Discourse-Event-Signature": signature(HOOK_SECRET, body),
        },
    )
    assert response.status == 200, await response.text()
    await bot.deliver()


def pm_post(
    forum: FakeDiscourse, topic_id: int, post_id: int, raw: str, *, user_id: int, username: str
) -> dict[str, Any]:
    """A post in the private-message topic, as the webhook sends it (``topic_archetype``, no category)."""
    post = copy.deepcopy(fixture("post_created.json")["post"])
    post.update(
        id=post_id,
        topic_id=topic_id,
        post_number=2,
        raw=raw,
        cooked=f"<p>{raw}</p>",
        user_id=user_id,
        username=username,
        topic_archetype="private_message",
        category_id=None,
        reply_to_post_number=1,
    )
    forum.add_post(post)
    return post


async def test_a_discourse_author_is_asked_by_private_message_and_answers_by_replying(
    bot: SlackBot, forum: FakeDiscourse
) -> None:
    payload = copy.deepcopy(fixture("post_created.json"))
    payload["post"].update(
        raw="We love the new CSV export",
        cooked="<p>We love the new CSV export</p>",
        topic_title="CSV export",
        topic_html_title="CSV export",
    )
    forum.add_post(payload["post"])
    await webhook(bot, forum, payload["post"], "1")
    [repost_ts] = posted_ts(bot.fake, DEPT_MARKETING)
    [item] = await items(bot)
    await click(bot, "ask_permission", item.id, message_ts=repost_ts, channel=DEPT_MARKETING)
    await bot.deliver()
    [pm] = forum.created
    assert (pm["archetype"], pm["target_recipients"], pm["title"]) == (
        "private_message",
        "sato.k",
        "May we reuse your post?",
    )
    assert pm["raw"].startswith(
        "Hi sato.k, Marketing would like to share your post in discourse:feedback as a customer story"
    )
    assert "> We love the new CSV export" in pm["raw"]
    assert "Please reply to this message with “yes”, “yes, without my name” or “no”." in pm["raw"]
    topic_id = next(
        p["topic_id"] for p in forum.posts.values() if p.get("topic_archetype") == "private_message"
    )

    # our own request coming back through the webhook, and someone else's reply: no answer
    await webhook(bot, forum, pm_post(forum, topic_id, 9501, "yes", user_id=7, username="moderator"), "2")
    [consent] = await rows(bot, Consent)
    assert consent.answer == "pending" and len(forum.created) == 1

    # the author: unclear first, then "yes, but without my name"
    await webhook(
        bot, forum, pm_post(forum, topic_id, 9502, "hmm, let me think", user_id=42, username="sato.k"), "3"
    )
    assert forum.created[-1]["raw"].startswith("Sorry, I could not read an answer there.")
    await webhook(
        bot,
        forum,
        pm_post(forum, topic_id, 9503, "Yes, without my name please", user_id=42, username="sato.k"),
        "4",
    )
    [consent] = await rows(bot, Consent)
    assert (consent.answer, consent.answered_by_id, consent.answered_by) == ("anonymous", "42", "sato.k")
    assert forum.created[-1]["raw"].startswith("Thank you for your answer: yes, without my name (")
    assert forum.created[-1]["topic_id"] == topic_id
    notes = [p["text"] for p in bot.fake.posts(DEPT_MARKETING) if p.get("thread_ts") == repost_ts]
    assert notes[-1].startswith("sato.k allowed reuse of this post without their name (")
    # a later "no" revokes it
    await webhook(
        bot, forum, pm_post(forum, topic_id, 9504, "Actually no, sorry", user_id=42, username="sato.k"), "5"
    )
    assert [i.permission for i in await items(bot)] == ["declined"]


def test_a_reply_is_read_as_an_answer() -> None:
    assert [
        parse_reply(text)
        for text in (
            "yes",
            "はい",
            "OK!",
            "匿名ならはい",
            "Yes, without my name",
            "no",
            "いいえ",
            "匿名でも許可しません",
            "anonymous",
            "maybe",
        )
    ] == [
        "granted",
        "granted",
        "granted",
        "anonymous",
        "anonymous",
        "declined",
        "declined",
        "declined",
        "anonymous",
        None,
    ]
