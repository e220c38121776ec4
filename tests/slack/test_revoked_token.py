"""A token Slack revokes while kakehashi runs: one clear line, Socket Mode stopped, /healthz 503.

Error names from https://docs.slack.dev/reference/methods/users.info#errors (``token_revoked``,
``invalid_auth``).
"""

from __future__ import annotations

import json
import logging

import pytest

from bot.runtime.app import App
from tests.slack.conftest import FakeSlack, SlackBot, event_body
from tests.slack.test_events import msg
from tests.slack.test_fast_ack import envelope, plugin_of, socket_app  # noqa: F401  (fixture)

REASON = (
    "Slack refused SLACK_BOT_TOKEN (token_revoked from users.info): Slack is stopped; reinstall the "
    "app, update SLACK_BOT_TOKEN and restart kakehashi"
)


async def test_a_revoked_bot_token_is_one_error_line_and_healthz_503(
    bot: SlackBot, caplog: pytest.LogCaptureFixture
) -> None:
    assert (await bot.client.get("/healthz")).status == 200
    bot.fake.fail("users.info", error="token_revoked", times=100)
    with caplog.at_level(logging.INFO):
        for n in range(3):
            await bot.post(
                event_body("message.json", **msg("crash", f"1700000900.00010{n}", event_id=f"{n}"))
            )
            bot.app.plugins[0].directory._users.clear()  # type: ignore[attr-defined]  # ask again
    health = await bot.client.get("/healthz")
    assert health.status == 503
    body = await health.json()
    # the stand-in lacks #dept-pr, so the channel check reports it too (tests/slack/test_checks.py)
    token = [problem for problem in body["problems"] if "SLACK_BOT_TOKEN" in problem]
    assert (body["status"], token) == ("error", [REASON])
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [REASON]


async def test_a_revoked_token_in_socket_mode_closes_the_connection_for_good(
    socket_app: App,  # noqa: F811
    fake: FakeSlack,
) -> None:
    body = json.loads(event_body("message.json", **msg("the export crashes", "1700000900.000100")))
    fake.socket_envelopes.append(envelope("env-1", "events_api", body))
    fake.fail("users.info", error="invalid_auth", times=100)
    await socket_app.start(worker=False)
    await fake.wait_for(lambda f: f.socket_acks and f.socket_closes, timeout=10)
    assert await plugin_of(socket_app).finish_pending(timeout=10)
    assert len(fake.of("apps.connections.open")) == 1  # not reopened
    [problem] = [p for p in socket_app.services.health.problems() if "SLACK_BOT_TOKEN" in p]
    assert problem.startswith("Slack refused SLACK_BOT_TOKEN (invalid_auth")
