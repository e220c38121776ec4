"""The whole Slack path on both databases: route, flag, click, edit, delete, command."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import select

from storage.models import Item, OutboxRow
from tests.conftest import Database
from tests.fakes.slack_api import FakeSlack
from tests.slack.conftest import COMMUNITY, DEPT_CS, DEPT_PRODUCT, TOKEN, SlackBot, build_bot, event_body
from tests.slack.test_events import msg
from tests.slack.test_interactions import click, reaction


async def test_full_round_trip(database: Database, fake: FakeSlack) -> None:
    app, client = await build_bot(database, fake)
    bot = SlackBot(app=app, client=client, fake=fake)
    try:
        await bot.event("message.json", **msg("不具合: 保存するとエラーになります", "1700000050.000100"))
        retry = await bot.post(
            event_body("message.json", **msg("不具合: 保存するとエラーになります", "1700000050.000100")),
            headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
        )
        assert retry.status == 200
        await bot.event(
            "message.json", **msg("how do I reset my password?", "1700000050.000200", event_id="2")
        )
        await bot.event("reaction.json", **reaction("reaction_added", "bulb", COMMUNITY, "1700000050.000200"))
        await bot.deliver()
        # one delivery lane per channel: the channels' order between them is not fixed, each one's is
        assert sorted(p["channel"] for p in fake.posts()) == sorted([DEPT_PRODUCT, DEPT_CS, DEPT_PRODUCT])
        bug_ts, flag_ts = [ts for channel, ts in fake.posted if channel == DEPT_PRODUCT]
        [question_ts] = [ts for channel, ts in fake.posted if channel == DEPT_CS]

        async with app.store.sessions() as session:
            first = (await session.scalars(select(Item).order_by(Item.id))).first()
        assert first is not None
        assert (
            await bot.click(
                click(
                    bot,
                    {"action_id": "kakehashi:done", "value": str(first.id)},
                    message_ts=bug_ts,
                )
            )
        ).status == 200
        await bot.event(
            "message_deleted.json",
            previous_text="how do I reset my password?",
            deleted_ts="1700000050.000200",
            ts="1700000060.000000",
            channel=COMMUNITY,
            event_id="3",
        )
        await bot.deliver()
        updates = {c.args["ts"]: c.args for c in fake.of("chat.update")}
        assert "Status: Done" in json.dumps(updates[bug_ts]["blocks"])
        assert "the original post was deleted" in json.dumps(updates[question_ts]["blocks"])
        assert "the original post was deleted" in json.dumps(updates[flag_ts]["blocks"])

        stats = await (await bot.command("stats")).json()
        assert "3 routed items" in json.dumps(stats["blocks"])
        async with app.store.sessions() as session:
            statuses = sorted(r.status for r in (await session.scalars(select(OutboxRow))).all())
        assert statuses == ["sent"] * 6
    finally:
        await client.close()
        await app.stop()


async def test_socket_mode_settings_mount_no_unverified_http_endpoint(
    sqlite_db: Database, fake: FakeSlack
) -> None:
    from bot.platforms.slack import plugin as slack_plugin
    from bot.runtime.app import App
    from bot.settings import Settings
    from tests.slack.conftest import FIXTURES

    settings = Settings(
        rules_path=FIXTURES / "rules.yaml",
        database_url=sqlite_db.url,
        slack_bot_token="xoxb-test-token",
        slack_app_token="xapp-1-test",
        slack_api_url=fake.url,
    )
    app = await App.build(settings, plugins=[slack_plugin.plugin])
    try:
        assert [p.name for p in app.plugins] == ["slack"]
        routes = [r.resource.canonical for r in app.web_app().router.routes() if r.resource is not None]
        assert "/slack/events" not in routes
    finally:
        await app.stop()


async def test_socket_mode_delivers_events_to_the_same_handlers(sqlite_db: Database, fake: FakeSlack) -> None:
    from bot.platforms.slack import plugin as slack_plugin
    from bot.runtime.app import App
    from bot.settings import Settings
    from tests.slack.conftest import FIXTURES

    body = json.loads(event_body("message.json", **msg("crash over the socket", "1700000070.000100")))
    fake.socket_envelopes.append(
        {
            "envelope_id": "env-1",
            "type": "events_api",
            "accepts_response_payload": False,
            "retry_attempt": 0,
            "retry_reason": "",
            "payload": body,
        }
    )
    settings = Settings(
        rules_path=FIXTURES / "rules.yaml",
        database_url=sqlite_db.url,
        slack_bot_token="xoxb-test-token",
        slack_app_token="xapp-1-test",
        slack_api_url=fake.url,
    )
    app = await App.build(settings, plugins=[slack_plugin.plugin])
    app.worker.sinks["slack"].min_interval = 0.0  # type: ignore[attr-defined]
    try:
        await app.start(worker=False)
        await fake.wait_for(lambda f: f.socket_acks)
        assert fake.socket_acks[0]["envelope_id"] == "env-1"
        assert [c.token for c in fake.of("apps.connections.open")] == ["xapp-1-test"]
        await app.worker.drain(timeout=10, horizon=3)
        [post] = fake.posts(DEPT_PRODUCT)
        assert "crash over the socket" in post["text"]
    finally:
        await app.stop()


async def test_start_up_log_has_no_warning_about_the_token_from_the_environment(
    sqlite_db: Database, fake: FakeSlack, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """README's set-up exports SLACK_BOT_TOKEN; bolt reads it too and used to warn it 'will be unused'."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    caplog.set_level(logging.INFO)
    app, client = await build_bot(sqlite_db, fake)
    try:
        assert not [r for r in caplog.records if r.levelno >= logging.WARNING and "slack" in r.name]
        assert fake.of("auth.test")  # the client that bolt kept is the one with the token
    finally:
        await client.close()
        await app.stop()
