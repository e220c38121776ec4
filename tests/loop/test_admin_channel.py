"""Operators hear about problems in ``admin_channel:`` (issue 12), through the real Slack stack and
the Web API stand-in: a dead letter once with a Retry button that only admins may press, a
channel the bot cannot post to the moment it is found, and a rules reload that failed.

Slack ``block_actions`` with a button's ``value``:
https://docs.slack.dev/reference/interaction-payloads/block_actions-payload ; ``chat.postMessage``
errors (``is_archived`` is permanent): https://docs.slack.dev/reference/methods/chat.postMessage
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import Database
from tests.fakes.slack_api import ADMIN, DEPT_PRODUCT, FakeSlack
from tests.loop.conftest import RULES, click, post
from tests.slack.conftest import SlackBot, build_bot

POST_TS = "1700000030.000100"


def _rules(tmp_path: Path, extra: str = "") -> Path:
    text = RULES.read_text(encoding="utf-8").replace(
        "admins: [U0ADMIN]\n", 'admins: [U0ADMIN]\nadmin_channel: {slack: "#kakehashi-admin"}\n', 1
    )
    path = tmp_path / "rules.yaml"
    path.write_text(text + extra, encoding="utf-8")
    return path


@pytest.fixture
async def admin_bot(database: Database, slack_api: FakeSlack, tmp_path: Path) -> AsyncIterator[SlackBot]:
    app, client = await build_bot(database, slack_api, _rules(tmp_path))
    try:
        yield SlackBot(app=app, client=client, fake=slack_api)
    finally:
        await client.close()
        await app.stop()


async def _admin_posts(bot: SlackBot, count: int) -> None:
    """Deliver until ``count`` messages reached the admin channel (or give up after ~5 s)."""
    for _ in range(100):
        await bot.app.worker.drain(timeout=1)
        if len(bot.fake.posts(ADMIN)) >= count:
            return
        await asyncio.sleep(0.05)


def _button(post: dict[str, object]) -> dict[str, object]:
    blocks = post.get("blocks")
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    assert isinstance(blocks, list)
    [actions] = [b for b in blocks if b["type"] == "actions"]
    [button] = actions["elements"]
    return dict(button)


async def test_a_dead_letter_is_announced_once_and_retried_by_an_admin(admin_bot: SlackBot) -> None:
    bot = admin_bot
    bot.fake.fail("chat.postMessage", error="is_archived", channel=DEPT_PRODUCT)
    await post(bot, "the export crashes on big files", POST_TS)
    await bot.deliver()
    [dead] = await bot.app.store.outbox_rows(status="dead")
    [notice] = bot.fake.posts(ADMIN)
    text = json.dumps(notice, ensure_ascii=False)
    assert f"outbox row {dead.id} (repost) → slack:#dept-product" in text
    assert "is_archived" in text and f"kakehashi outbox retry {dead.id}" in text
    button = _button(notice)
    assert (button["action_id"], button["value"]) == ("kakehashi:retry_dead", str(dead.id))
    await bot.deliver()
    assert len(bot.fake.posts(ADMIN)) == 1  # once per problem

    # a member of staff who is not an admin may not retry
    await click(bot, "retry_dead", dead.id, message_ts="1", channel=ADMIN, user="U0STAFF")
    await bot.fake.wait_for(lambda f: f.responses)
    assert "only for admins" in bot.fake.responses[-1]["text"]
    assert (await bot.app.store.get_row(dead.id)).status == "dead"  # type: ignore[union-attr]

    await click(bot, "retry_dead", dead.id, message_ts="1", channel=ADMIN, user="U0ADMIN", user_name="aiko")
    await bot.fake.wait_for(lambda f: len(f.responses) >= 2)
    assert bot.fake.responses[-1]["text"] == f"Outbox row {dead.id} is queued again."
    await bot.deliver()  # the failure was for one attempt only: this time it goes out
    assert len(bot.fake.posts(DEPT_PRODUCT)) == 1
    assert (await bot.app.store.get_row(dead.id)).status == "sent"  # type: ignore[union-attr]
    assert len(bot.fake.posts(ADMIN)) == 1


async def test_a_channel_the_bot_cannot_find_is_announced_once(
    database: Database, slack_api: FakeSlack, tmp_path: Path
) -> None:
    rules = _rules(tmp_path).read_text(encoding="utf-8").replace('"#dept-cs"', '"#dept-nowhere"')
    (tmp_path / "rules.yaml").write_text(rules, encoding="utf-8")
    app, client = await build_bot(database, slack_api, tmp_path / "rules.yaml")
    try:
        await _admin_posts(SlackBot(app=app, client=client, fake=slack_api), 1)
        posts = slack_api.posts(ADMIN)
        assert len(posts) == 1, posts
        assert "dept-nowhere" in json.dumps(posts[0], ensure_ascii=False)
        app.rules.reload()  # the same problem found again: no second notice
        await app.worker.drain()
        assert len(slack_api.posts(ADMIN)) == 1
    finally:
        await client.close()
        await app.stop()


async def test_a_failed_reload_is_announced_with_its_positions(admin_bot: SlackBot, tmp_path: Path) -> None:
    bot = admin_bot
    path = tmp_path / "rules.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("to: [product]", "to: [prodcut]", 1), encoding="utf-8"
    )
    # as the file watcher reloads: read and compiled in the rules thread, told on the event loop
    assert await bot.app.rules.reload_async() is False
    await _admin_posts(bot, 1)
    [notice] = bot.fake.posts(ADMIN)
    text = json.dumps(notice, ensure_ascii=False)
    assert "rules.yaml could not be loaded" in text
    assert "rules.yaml:" in text and "unknown department 'prodcut'; did you mean 'product'?" in text


async def test_without_an_admin_channel_nothing_is_posted(bot: SlackBot) -> None:
    bot.fake.fail("chat.postMessage", error="is_archived", channel=DEPT_PRODUCT)
    await post(bot, "the export crashes on big files", POST_TS)
    await bot.deliver()
    assert len(await bot.app.store.outbox_rows(status="dead")) == 1
    assert bot.fake.posts(ADMIN) == []
