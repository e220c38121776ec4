"""The ack never waits on the Web API: held lookups answer after it, the repost still arrives whole.

``FakeSlack.hold(method)`` keeps every call of that method unanswered until the test lets it go,
so "acked before users.info answered" is an ordering, not a timing.  Socket Mode envelopes:
https://docs.slack.dev/apis/events-api/using-socket-mode (``envelope_id`` is what an ack names).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import pytest

from bot.platforms.slack import plugin as slack_plugin
from bot.platforms.slack.plugin import SlackPlugin
from bot.runtime.app import App
from tests.conftest import Database
from tests.slack.conftest import (
    COMMUNITY,
    DEPT_MARKETING,
    DEPT_PRODUCT,
    FakeSlack,
    SlackBot,
    build_bot,
    event_body,
)
from tests.slack.test_connection import socket_settings
from tests.slack.test_events import messages, msg
from tests.slack.test_interactions import reaction

# chat.getPermalink is asked only when auth.test gave no workspace URL (held in its own test)
HELD = ["users.info", "conversations.list", "conversations.info"]


def plugin_of(app: App) -> SlackPlugin:
    [plugin] = [p for p in app.plugins if isinstance(p, SlackPlugin)]
    return plugin


async def acked(response: Awaitable[Any]) -> Any:
    """The answer, which must come while the held calls wait (10 s: only a hung ack gets near it)."""
    return await asyncio.wait_for(response, timeout=10)


def whole_repost(fake: FakeSlack, text: str) -> dict[str, Any]:
    [post] = fake.posts(DEPT_PRODUCT)
    rendered = json.dumps(post, ensure_ascii=False)
    assert text in rendered
    assert "Hana" in rendered or "hana" in rendered  # the author's name, not U0MEMBER1
    assert "#community" in rendered  # the channel's name, not its id
    assert f"archives/{COMMUNITY}/p1700000900000100" in rendered  # the permalink
    return post


@pytest.mark.parametrize("method", HELD)
async def test_an_event_is_acked_while_the_web_api_holds_a_lookup(bot: SlackBot, method: str) -> None:
    if method == "conversations.info":
        bot.fake.unlisted.add(COMMUNITY)  # only conversations.info can name it
    gate = bot.fake.hold(method)
    response = await acked(
        bot.post(event_body("message.json", **msg("the export crashes", "1700000900.000100")), settle=False)
    )
    assert response.status == 200
    assert bot.fake.of(method) and not gate.is_set()  # asked, unanswered, and yet acked
    assert await messages(bot) == []
    gate.set()
    assert await plugin_of(bot.app).finish_pending(timeout=10)
    [stored] = await messages(bot)
    assert (stored.author, stored.channel) == ("hana", "#community")
    assert await bot.deliver() == {"sent": 1}
    whole_repost(bot.fake, "the export crashes")


async def test_the_link_back_needs_no_web_api_call_per_event(bot: SlackBot) -> None:
    response = await bot.post(event_body("message.json", **msg("the export crashes", "1700000900.000100")))
    assert response.status == 200
    assert await bot.deliver() == {"sent": 1}
    whole_repost(bot.fake, "the export crashes")
    assert bot.fake.of("chat.getPermalink") == []  # built from auth.test's workspace URL


async def test_without_a_workspace_url_the_permalink_is_asked_and_acked_while_held(
    fake: FakeSlack, sqlite_db: Database
) -> None:
    fake.auth_url = False
    app, client = await build_bot(sqlite_db, fake)
    try:
        bot = SlackBot(app=app, client=client, fake=fake)
        gate = fake.hold("chat.getPermalink")
        response = await acked(
            bot.post(
                event_body("message.json", **msg("the export crashes", "1700000900.000100")), settle=False
            )
        )
        assert response.status == 200
        await fake.wait_for(lambda f: f.of("chat.getPermalink"), timeout=10)
        assert not gate.is_set()
        gate.set()
        assert await plugin_of(app).finish_pending(timeout=10)
        assert await bot.deliver() == {"sent": 1}
        whole_repost(fake, "the export crashes")
    finally:
        await client.close()
        await app.stop()


async def test_a_flag_is_acked_while_conversations_history_is_held(bot: SlackBot) -> None:
    bot.fake.history[COMMUNITY] = [
        {"type": "message", "user": "U0MEMBER1", "text": "dark mode please", "ts": "1700000900.000100"}
    ]
    gate = bot.fake.hold("conversations.history")
    response = await acked(
        bot.post(
            event_body("reaction.json", **reaction("reaction_added", "bulb", COMMUNITY, "1700000900.000100")),
            settle=False,
        )
    )
    assert response.status == 200
    # the ack came back while the fetch was held (on a busy machine the fetch may even start
    # after the ack): it is made, and still waiting, after the ack
    await bot.fake.wait_for(lambda f: f.of("conversations.history"), timeout=10)
    assert not gate.is_set()
    gate.set()
    assert await plugin_of(bot.app).finish_pending(timeout=10)
    assert await bot.deliver() == {"sent": 1}
    whole_repost(bot.fake, "dark mode please")


async def test_every_lookup_held_at_once_still_acks_and_reposts_whole(bot: SlackBot) -> None:
    gates = [bot.fake.hold(method) for method in HELD]
    response = await acked(
        bot.post(event_body("message.json", **msg("the export crashes", "1700000900.000100")), settle=False)
    )
    assert response.status == 200 and not any(g.is_set() for g in gates)
    for gate in gates:
        gate.set()
    assert await plugin_of(bot.app).finish_pending(timeout=10)
    assert await bot.deliver() == {"sent": 1}
    whole_repost(bot.fake, "the export crashes")


def envelope(envelope_id: str, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "envelope_id": envelope_id,
        "type": kind,
        "accepts_response_payload": kind != "events_api",
        "payload": payload,
    }


@pytest.fixture
async def socket_app(sqlite_db: Database, fake: FakeSlack) -> AsyncIterator[App]:
    app = await App.build(socket_settings(sqlite_db, fake), plugins=[slack_plugin.plugin])
    app.worker.sinks["slack"].min_interval = 0.0  # type: ignore[attr-defined]
    yield app
    await app.stop()


async def test_socket_mode_acks_while_the_web_api_holds_every_lookup(
    socket_app: App, fake: FakeSlack
) -> None:
    body = json.loads(event_body("message.json", **msg("the export crashes", "1700000900.000100")))
    fake.socket_envelopes.append(envelope("env-held", "events_api", body))
    gates = [fake.hold(method) for method in HELD]
    # connected before the start-up checks, which wait on the held lookups too
    starting = asyncio.create_task(socket_app.start(worker=False))
    await fake.wait_for(lambda f: f.socket_acks, timeout=10)
    assert fake.socket_acks[0]["envelope_id"] == "env-held" and not any(g.is_set() for g in gates)
    assert not starting.done()
    for gate in gates:
        gate.set()
    await asyncio.wait_for(starting, timeout=10)
    assert await plugin_of(socket_app).finish_pending(timeout=10)
    assert await socket_app.worker.drain(timeout=10, horizon=3) == {"sent": 1}
    whole_repost(fake, "the export crashes")


async def test_socket_mode_acks_a_command_and_an_action_it_does_not_know(
    socket_app: App, fake: FakeSlack
) -> None:
    command = {
        "team_id": "T0COMMUNITY",
        "channel_id": COMMUNITY,
        "user_id": "U0MEMBER1",
        "user_name": "hana",
        "command": "/someone-elses",
        "text": "hello",
        "api_app_id": "A0KAKEHASHI",
        "response_url": fake.response_url("other"),
        "trigger_id": "1.2.3",
    }
    action = {
        "type": "block_actions",
        "team": {"id": "T0COMMUNITY", "domain": "community"},
        "user": {"id": "U0MEMBER1", "username": "hana", "team_id": "T0COMMUNITY"},
        "api_app_id": "A0KAKEHASHI",
        "container": {"type": "message", "message_ts": "1700000900.000100", "channel_id": COMMUNITY},
        "trigger_id": "1.2.4",
        "channel": {"id": COMMUNITY, "name": "community"},
        "actions": [
            {
                "type": "button",
                "action_id": "survey:vote",
                "block_id": "b1",
                "value": "yes",
                "action_ts": "1700000901.000100",
            }
        ],
    }
    fake.socket_envelopes.extend(
        [envelope("env-command", "slash_commands", command), envelope("env-action", "interactive", action)]
    )
    await socket_app.start(worker=False)
    await fake.wait_for(lambda f: len(f.socket_acks) == 2)
    assert sorted(a["envelope_id"] for a in fake.socket_acks) == ["env-action", "env-command"]


async def test_a_route_command_is_acked_while_conversations_history_holds_the_linked_post(
    bot: SlackBot,
) -> None:
    """``/kakehashi route LINK dept`` to a post from before the bot listened: the fetch waited up to
    two seconds before the ack; now the ack says it is working and the answer follows."""
    bot.fake.history[COMMUNITY] = [
        {
            "type": "message",
            "user": "U0MEMBER2",
            "text": "our team story, happy to share",
            "ts": "1690000000.000100",
        }
    ]
    gate = bot.fake.hold("conversations.history")
    link = "https://community.slack.com/archives/C0COMMUNTY/p1690000000000100"
    response = await acked(bot.command(f"route <{link}> marketing", user_id="U0ADMIN", user_name="aiko"))
    assert await response.json() == {"text": "⏳ Working on it…", "response_type": "ephemeral"}
    assert bot.fake.of("conversations.history") and not gate.is_set()  # asked, unanswered, acked
    gate.set()
    await bot.fake.wait_for(lambda f: f.responses)
    [reply] = bot.fake.responses
    assert reply["text"] == "Routed to Marketing." and reply["response_type"] == "ephemeral"
    assert await bot.deliver() == {"sent": 1}
    [post] = bot.fake.posts(DEPT_MARKETING)
    assert "our team story" in post["text"]
