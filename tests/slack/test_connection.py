"""Connecting to Slack with only the environment: start-up, Socket Mode, sparse envelopes, lookups."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from bot.core.errors import SettingsError
from bot.platforms.slack import plugin as slack_plugin
from bot.runtime.app import App
from bot.settings import Settings
from tests.conftest import Database
from tests.slack.conftest import (
    COMMUNITY,
    DEPT_PRODUCT,
    FIXTURES,
    SECRET,
    TEAM_ID,
    TOKEN,
    FakeSlack,
    SlackBot,
    build_bot,
    event_body,
)
from tests.slack.test_events import messages, msg


def socket_settings(db: Database, fake: FakeSlack) -> Settings:
    return Settings(
        rules_path=FIXTURES / "rules.yaml",
        database_url=db.url,
        slack_bot_token=TOKEN,
        slack_app_token="xapp-1-test",
        slack_api_url=fake.url,
    )


async def test_an_envelope_that_names_no_workspace_is_read_as_the_bots_own(bot: SlackBot) -> None:
    # Only the fields https://docs.slack.dev/apis/events-api/#callback-field calls essential:
    # no team_id, context_team_id, authorizations, nor the event's "team".
    body = json.dumps(
        {
            "type": "event_callback",
            "event_id": "Ev0SPARSE",
            "event_time": 1700000900,
            "event": {
                "type": "message",
                "user": "U0MEMBER1",
                "text": "the export crashes",
                "ts": "1700000900.000100",
                "channel": COMMUNITY,
            },
        }
    )
    response = await bot.post(body)
    assert response.status == 200, await response.text()
    [stored] = await messages(bot)
    assert stored.key == f"{TEAM_ID}:{COMMUNITY}:1700000900.000100"  # TEAM_ID: what auth.test said
    assert await bot.deliver() == {"sent": 1}
    assert "the export crashes" in bot.fake.posts(DEPT_PRODUCT)[0]["text"]


async def test_a_channel_conversations_list_leaves_out_is_asked_about_by_id(
    sqlite_db: Database, fake: FakeSlack
) -> None:
    fake.unlisted.add(COMMUNITY)  # e.g. a Slack Connect channel, or created after the last listing
    app, client = await build_bot(sqlite_db, fake)
    bot = SlackBot(app=app, client=client, fake=fake)
    try:
        await _asked_by_id(bot)
    finally:
        await client.close()
        await app.stop()


async def _asked_by_id(bot: SlackBot) -> None:
    bot.fake.calls.clear()  # start-up's check of rules.yaml's channels
    await bot.event("message.json", **msg("the export crashes", "1700000900.000200"))
    assert [c.args["channel"] for c in bot.fake.of("conversations.info")] == [COMMUNITY]
    [stored] = await messages(bot)
    assert stored.channel == "#community"
    assert await bot.deliver() == {"sent": 1}
    await bot.post(event_body("message.json", **msg("crash again", "1700000900.000300", event_id="2")))
    assert len(bot.fake.of("conversations.info")) == 1  # remembered
    assert await bot.deliver() == {"sent": 1}


async def test_a_socket_mode_token_slack_refuses_stops_start_up_naming_the_variable(
    sqlite_db: Database, fake: FakeSlack
) -> None:
    fake.fail("apps.connections.open", error="invalid_auth")
    app = await App.build(socket_settings(sqlite_db, fake), plugins=[slack_plugin.plugin])
    try:
        with pytest.raises(SettingsError) as caught:
            await app.start(worker=False)
        assert str(caught.value).startswith(
            "SLACK_APP_TOKEN: Slack refused to open a Socket Mode connection (invalid_auth)"
        )
        assert len(fake.of("apps.connections.open")) == 1  # one clear error, not a retry loop
    finally:
        await app.stop()


async def test_an_unreachable_socket_endpoint_does_not_hold_up_start(
    sqlite_db: Database, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake.socket_url = "ws://127.0.0.1:9/socket"  # nothing listens there
    app = await App.build(socket_settings(sqlite_db, fake), plugins=[slack_plugin.plugin])
    try:
        await app.start(worker=False)  # returns: /healthz and the outbox keep working meanwhile
        for _ in range(100):
            if any(r.getMessage().startswith("Failed to connect") for r in caplog.records):
                break
            await asyncio.sleep(0.05)
        [failed] = [r for r in caplog.records if r.getMessage().startswith("Failed to connect")]
        assert failed.exc_info is None  # one line per attempt, not a traceback every 10 s
        assert len(fake.of("apps.connections.open")) == 1  # the URL asked for at start was used
    finally:
        await app.stop()


async def test_an_unreachable_web_api_at_start_is_one_clear_line(
    sqlite_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(
        rules_path=FIXTURES / "rules.yaml",
        database_url=sqlite_db.url,
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url="http://127.0.0.1:9/api",
    )
    app = await App.build(settings, plugins=[slack_plugin.plugin])
    try:
        await app.start(worker=False)
        [line] = [r for r in caplog.records if r.name == "kakehashi.slack" and r.levelno == logging.ERROR]
        assert line.getMessage().startswith("Slack Web API at http://127.0.0.1:9/api/ cannot be reached (")
        assert "check SLACK_API_URL" in line.getMessage()
    finally:
        await app.stop()


async def test_events_are_handled_while_auth_test_fails(sqlite_db: Database, fake: FakeSlack) -> None:
    # Bolt's default authorization calls auth.test on the first request and drops the request
    # ("Please install this app", HTTP 200: Slack never redelivers it) when that call fails.
    fake.fail("auth.test", error="internal_error", times=10)
    app, client = await build_bot(sqlite_db, fake)
    bot = SlackBot(app=app, client=client, fake=fake)
    try:
        response = await bot.event("message.json", **msg("the export crashes", "1700000900.000400"))
        assert await response.text() == ""
        [stored] = await messages(bot)
        assert stored.key == f"{TEAM_ID}:{COMMUNITY}:1700000900.000400"  # the envelope's team_id
        assert await bot.deliver() == {"sent": 1}
        assert len(fake.of("auth.test")) == 1  # only kakehashi's own, at start
    finally:
        await client.close()
        await app.stop()


async def test_an_event_while_the_web_api_cannot_be_reached_is_left_for_slack_to_redeliver(
    sqlite_db: Database, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    app, client = await build_bot(sqlite_db, fake)
    bot = SlackBot(app=app, client=client, fake=fake)
    try:
        await fake.close()  # the Web API goes away between start-up and the event
        response = await bot.post(
            event_body("message.json", **msg("the export crashes", "1700000900.000500"))
        )
        assert response.status == 503  # not 500 with a traceback: Slack retries, nothing was stored
        assert await messages(bot) == []
        [line] = [r.getMessage() for r in caplog.records if "event left for Slack" in r.getMessage()]
        assert line.startswith("Slack Web API unavailable (ClientConnectorError: ")
    finally:
        await client.close()
        await app.stop()
