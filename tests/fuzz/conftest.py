"""One server with every endpoint (Slack over HTTP, Teams, Discourse, the inbound webhook), the
platform stand-ins at the network edge, and signing helpers for each platform's scheme."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from adapters.discourse import signature as discourse_signature
from adapters.inbound_webhook import sign as inbound_sign
from bot.platforms import webhook as inbound_plugin
from bot.platforms.discourse import plugin as discourse_plugin
from bot.platforms.discourse.plugin import DiscoursePlugin
from bot.platforms.slack import plugin as slack_plugin
from bot.platforms.teams import plugin as teams_plugin
from bot.runtime.app import App
from bot.settings import Settings
from storage.models import Item, Message, OutboxRow, Quarantined
from tests.conftest import FIXTURES, Database
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.discourse_api import FakeDiscourse
from tests.fakes.slack_api import FakeSlack
from tests.slack.conftest import sign as slack_sign
from tests.teams.conftest import COMMUNITY as TEAMS_COMMUNITY

RULES = Path(__file__).parent / "rules.yaml"
DISCOURSE_SECRET = "fuzz-discourse-secret"
INBOUND_SECRET = "fuzz-inbound-secret"


def slack_headers(body: bytes) -> dict[str, str]:
    return slack_sign(body.decode("utf-8"))


def discourse_headers(body: bytes, event: str = "post_created") -> dict[str, str]:
    return {
        "X-Discourse-Event": event,
        "X-Discourse-Event-Type": "post",
        "X-Discourse-Event-Id": "1",
        "X-Discourse-Event-Signature": discourse_signature(DISCOURSE_SECRET, body),
    }


def inbound_headers(body: bytes, timestamp: str | None = None) -> dict[str, str]:
    stamp = timestamp or str(int(time.time()))
    return {
        "X-Kakehashi-Timestamp": stamp,
        "X-Kakehashi-Signature": inbound_sign(INBOUND_SECRET, stamp, body),
    }


def encode(value: Any) -> bytes:
    """JSON as senders write it; a lone surrogate can only travel as an escape (``"\\ud800"``)."""
    return json.dumps(value).encode()


@dataclass
class Endpoints:
    app: App
    client: TestClient[Any, Any]
    slack: FakeSlack
    connector: FakeBotConnector
    discourse: FakeDiscourse

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        response = await self.client.post(
            path, data=body, headers={"Content-Type": "application/json", **headers}
        )
        return response.status, await response.text()

    async def rows(self) -> dict[str, int]:
        """How many messages, items, outbox rows and quarantined messages are stored."""
        async with self.app.store.sessions() as session:
            return {
                model.__tablename__: int(await session.scalar(select(func.count()).select_from(model)) or 0)
                for model in (Message, Item, OutboxRow, Quarantined)
            }

    async def half_written(self) -> list[str]:
        """Messages of a source channel stored without their items, or items without outbox rows."""
        async with self.app.store.sessions() as session:
            items_without_rows = await session.scalars(
                select(Item.id).where(
                    ~Item.id.in_(select(OutboxRow.item_id).where(OutboxRow.item_id.is_not(None)))
                )
            )
            return [f"item {i} has no outbox row" for i in items_without_rows.all()]

    async def healthy(self) -> bool:
        response = await self.client.get("/healthz")
        return response.status == 200 and (await response.json())["status"] == "ok"


def teams_activity(name: str, connector: FakeBotConnector) -> dict[str, Any]:
    body = json.loads((FIXTURES / "teams" / name).read_text(encoding="utf-8"))
    body["serviceUrl"] = connector.url
    return dict(body)


async def build_endpoints(
    database: Database, slack: FakeSlack, connector: FakeBotConnector, discourse: FakeDiscourse
) -> Endpoints:
    settings = replace(
        Settings.from_env({}),
        rules_path=RULES,
        database_url=database.url,
        instance_id="fuzz",
        env="dev",  # Teams without a token: bodies reach the parsers (tokens: tests/fuzz/test_teams_tokens.py)
        microsoft_app_password="dev-only",
        slack_bot_token="xoxb-test-token",
        slack_signing_secret="8f742231b10e8888abcd99yyyzzz85a5",
        slack_api_url=slack.url,
        discourse_url=discourse.url,
        discourse_webhook_secret=DISCOURSE_SECRET,
        discourse_poll_interval=0,
        inbound_webhook_secret=INBOUND_SECRET,
    )
    app = await App.build(
        settings,
        plugins=[slack_plugin.plugin, teams_plugin.plugin, discourse_plugin.plugin, inbound_plugin.plugin],
    )
    for plugin in app.plugins:
        if isinstance(plugin, DiscoursePlugin) and plugin.client is not None:
            plugin.client.min_interval = 0.0
    await app.start(worker=False)
    client: TestClient[Any, Any] = TestClient(TestServer(app.web_app()))
    await client.start_server()
    # the app installed in the Community team: Teams' channels of rules.yaml are known
    install = encode(teams_activity("installation_update_add.json", connector))
    answer = await client.post("/api/messages", data=install, headers={"Content-Type": "application/json"})
    assert answer.status in (200, 201), await answer.text()
    return Endpoints(app=app, client=client, slack=slack, connector=connector, discourse=discourse)


@pytest.fixture
async def connector() -> AsyncIterator[FakeBotConnector]:
    fake = FakeBotConnector()
    fake.add_team(TEAMS_COMMUNITY, "Community", {TEAMS_COMMUNITY: None})
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


@pytest.fixture
async def forum() -> AsyncIterator[FakeDiscourse]:
    site = json.loads((FIXTURES / "discourse" / "site.json").read_text(encoding="utf-8"))
    fake = FakeDiscourse(categories=site["categories"])
    fake.topics[311] = json.loads(
        (FIXTURES / "discourse" / "topic_created.json").read_text(encoding="utf-8")
    )["topic"]
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


@pytest.fixture
async def endpoints(
    database: Database, slack_api: FakeSlack, connector: FakeBotConnector, forum: FakeDiscourse
) -> AsyncIterator[Endpoints]:
    built = await build_endpoints(database, slack_api, connector, forum)
    try:
        yield built
    finally:
        await built.client.close()
        await built.app.stop()
