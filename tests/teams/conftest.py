"""The Teams stack under test: real botbuilder CloudAdapter over HTTP, real store, a fake Bot Connector."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from bot.platforms.teams import plugin as teams_plugin
from bot.runtime.app import App, PluginFactory
from bot.settings import Settings
from tests.conftest import Database
from tests.fakes.bot_connector import FakeBotConnector

FIXTURES = Path(__file__).parent.parent / "fixtures" / "teams"
RULES = Path(__file__).parent / "rules.yaml"

BOT_ID = "28:9e2c1c7a-0b6b-4c84-9d3f-6f7e6b1c0a11"
COMMUNITY = "19:Zk0MmNlOTU3NjE4NDc0ZmE1YjM3@thread.tacv2"  # the Community team and its General channel
CS_TEAM = "19:cs-team-0b8e4c1f@thread.tacv2"
CS_COMMUNITY = "19:cs-community-7d2a@thread.tacv2"
CS_VOICES = "19:cs-voices-51e0@thread.tacv2"
PRODUCT_TEAM = "19:product-team-3c9d@thread.tacv2"
PRODUCT_TRIAGE = "19:product-triage-88aa@thread.tacv2"


def load(name: str, **replace_text: str) -> dict[str, Any]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    for old, new in replace_text.items():
        text = text.replace(old, new)
    return dict(json.loads(text))


@dataclass
class TeamsBot:
    app: App
    client: TestClient[Any, Any]
    connector: FakeBotConnector
    plugin: teams_plugin.TeamsPlugin

    def activity(self, name: str, **replace_text: str) -> dict[str, Any]:
        """A fixture whose serviceUrl points at the fake Bot Connector."""
        body = load(name, **replace_text)
        body["serviceUrl"] = self.connector.url
        return body

    async def post(
        self, body: dict[str, Any] | str, *, headers: dict[str, str] | None = None
    ) -> ClientResponse:
        data = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        return await self.client.post("/api/messages", data=data.encode(), headers=all_headers)

    async def send(self, name: str, **replace_text: str) -> ClientResponse:
        response = await self.post(self.activity(name, **replace_text))
        assert response.status in (200, 201), await response.text()
        return response

    async def install(self) -> None:
        """Add the app to the Community and CS teams and the Product team (learn their channels)."""
        await self.send("installation_update_add.json")
        await self.send("conversation_update_bot_added.json")
        product = self.activity("conversation_update_bot_added.json")
        product["conversation"]["id"] = PRODUCT_TEAM
        product["channelData"]["team"] = {"id": PRODUCT_TEAM, "name": "Product"}
        response = await self.post(product)
        assert response.status in (200, 201)

    async def deliver(self) -> dict[str, int]:
        await self.plugin.idle()
        return await self.app.worker.drain(timeout=20, horizon=3)


def connector_with_teams() -> FakeBotConnector:
    connector = FakeBotConnector()
    connector.add_team(COMMUNITY, "Community", {COMMUNITY: None})
    connector.add_team(CS_TEAM, "CS", {CS_TEAM: None, CS_COMMUNITY: "Community"})
    connector.add_team(PRODUCT_TEAM, "Product", {PRODUCT_TEAM: None, PRODUCT_TRIAGE: "Triage"})
    return connector


async def build(
    database: Database,
    connector: FakeBotConnector,
    *,
    plugins: list[PluginFactory] | None = None,
    rules: Path = RULES,
    **settings: Any,
) -> App:
    base = replace(
        Settings.from_env({}),
        rules_path=rules,
        database_url=database.url,
        instance_id="test",
        outbox_max_attempts=4,
        env="dev",
        microsoft_app_password="dev-only",
    )
    return await App.build(replace(base, **settings), plugins=plugins or [teams_plugin.plugin])


@pytest.fixture
async def connector() -> AsyncIterator[FakeBotConnector]:
    fake = connector_with_teams()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


@asynccontextmanager
async def serving(app: App, connector: FakeBotConnector) -> AsyncIterator[TeamsBot]:
    """Serve ``app`` over real HTTP with its plugins started (outbox driven by the test)."""
    plugin = next(p for p in app.plugins if isinstance(p, teams_plugin.TeamsPlugin))
    client: TestClient[Any, Any] = TestClient(TestServer(app.web_app()))
    await client.start_server()
    await app.start(worker=False)
    try:
        yield TeamsBot(app=app, client=client, connector=connector, plugin=plugin)
    finally:
        await client.close()
        await app.stop()


@pytest.fixture
async def teams(database: Database, connector: FakeBotConnector) -> AsyncIterator[TeamsBot]:
    app = await build(database, connector)
    async with serving(app, connector) as bot:
        bot.plugin.sink.min_interval = 0.0  # spacing is tested on its own; keep the suite fast
        yield bot
