"""The Slack stack under test: real Bolt over HTTP, real store, a fake Slack Web API."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from slack_sdk.signature import SignatureVerifier

from bot.platforms.slack import plugin as slack_plugin
from bot.platforms.slack.plugin import SlackPlugin
from bot.runtime.app import App
from bot.settings import Settings
from storage.models import utcnow
from tests.conftest import Database
from tests.fakes.slack_api import (  # noqa: F401  (re-exported for the Slack tests)
    COMMUNITY,
    DEPT_CS,
    DEPT_MARKETING,
    DEPT_PR,
    DEPT_PRODUCT,
    QUESTIONS,
    RANDOM,
    SECRET_CLUB,
    TEAM_ID,
    FakeSlack,
    make_fake,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "slack"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TOKEN = "xoxb-test-token"


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def event_body(name: str, **replace: str) -> str:
    """A fixture envelope, with ``{{placeholders}}`` replaced."""
    text = fixture_text(name)
    for key, value in replace.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def sign(body: str, *, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature or ""}


@dataclass
class SlackBot:
    app: App
    client: TestClient[Any, Any]
    fake: FakeSlack

    async def post(
        self,
        body: str,
        *,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
        signed: bool = True,
        settle: bool = True,
    ) -> ClientResponse:
        all_headers = {"Content-Type": content_type, **(sign(body) if signed else {}), **(headers or {})}
        response = await self.client.post("/slack/events", data=body.encode(), headers=all_headers)
        if settle:
            await self.settle()
        return response

    async def settle(self) -> None:
        """Wait for events acked before the Web API answered (a busy machine) to be handled."""
        for plugin in self.app.plugins:
            if isinstance(plugin, SlackPlugin):
                assert await plugin.finish_pending(timeout=10)

    async def event(self, name: str, **replace: str) -> ClientResponse:
        response = await self.post(event_body(name, **replace))
        assert response.status == 200, await response.text()
        return response

    async def command(
        self,
        text: str,
        *,
        user_id: str = "U0MEMBER1",
        user_name: str = "hana",
        channel_id: str = RANDOM,
        channel_name: str = "random",
        response_url: str | None = "command",
    ) -> ClientResponse:
        form = {
            "token": "verification-token-unused",
            "team_id": TEAM_ID,
            "team_domain": "community",
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name,
            "command": "/kakehashi",
            "text": text,
            "api_app_id": "A0KAKEHASHI",
            "is_enterprise_install": "false",
            "response_url": self.fake.response_url(response_url or ""),
            "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        }
        if response_url is None:
            del form["response_url"]
        return await self.post(urlencode(form), content_type="application/x-www-form-urlencoded")

    async def click(self, payload: dict[str, Any]) -> ClientResponse:
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, content_type="application/x-www-form-urlencoded")

    async def deliver(self) -> dict[str, int]:
        return await self.app.worker.drain(timeout=10, horizon=3)


@pytest.fixture
def fake(slack_api: FakeSlack) -> FakeSlack:
    return slack_api


async def build_bot(
    db: Database, fake: FakeSlack, rules: Path | None = None, *, clock: Callable[[], datetime] = utcnow
) -> tuple[App, TestClient[Any, Any]]:
    settings = Settings(
        rules_path=rules or FIXTURES / "rules.yaml",
        database_url=db.url,
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=fake.url,
    )
    app = await App.build(settings, plugins=[slack_plugin.plugin], clock=clock)
    app.worker.sinks["slack"].min_interval = 0.0  # type: ignore[attr-defined]
    await app.start(worker=False)
    client = TestClient(TestServer(app.web_app()))
    await client.start_server()
    return app, client


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> Database:
    return Database("sqlite", tmp_path)


@pytest.fixture
async def bot(sqlite_db: Database, fake: FakeSlack) -> AsyncIterator[SlackBot]:
    app, client = await build_bot(sqlite_db, fake)
    try:
        yield SlackBot(app=app, client=client, fake=fake)
    finally:
        await client.close()
        await app.stop()
