"""Fixtures for the forum tests: the real app and server, a fake Discourse API, local sinks."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.local import JsonlSink
from bot.platforms import webhook as inbound_plugin
from bot.platforms.discourse import plugin as discourse_plugin
from bot.runtime.app import App
from bot.settings import Settings
from tests.conftest import FIXTURES, Database
from tests.fakes.discourse_api import FakeDiscourse

RULES = FIXTURES / "forums" / "rules.yaml"
DISCOURSE = FIXTURES / "discourse"
WEBHOOK_SECRET = "discourse-webhook-secret"
INBOUND_SECRET = "inbound-secret"


def fixture(name: str) -> Any:
    return json.loads((DISCOURSE / name).read_text(encoding="utf-8"))


@dataclass
class Harness:
    app: App
    client: TestClient
    posted: Path

    def posts(self) -> list[dict[str, Any]]:
        if not self.posted.exists():
            return []
        return [json.loads(line) for line in self.posted.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
async def fake_discourse() -> AsyncIterator[FakeDiscourse]:
    fake = FakeDiscourse(categories=fixture("site.json")["categories"])
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


HarnessFactory = Callable[..., Awaitable[Harness]]


@pytest.fixture
async def harness(database: Database, tmp_path: Path) -> AsyncIterator[HarnessFactory]:
    made: list[Harness] = []

    async def make(**env: str) -> Harness:
        settings = replace(
            Settings.from_env(env),
            rules_path=RULES,
            database_url=database.url,
        )
        posted = tmp_path / f"posted-{len(made)}.jsonl"
        app = await App.build(
            settings,
            plugins=[discourse_plugin.plugin, inbound_plugin.plugin],
            sinks={"slack": JsonlSink(posted, platform="slack")},
        )
        client = TestClient(TestServer(app.web_app()))
        await client.start_server()
        h = Harness(app=app, client=client, posted=posted)
        made.append(h)
        return h

    yield make
    for h in made:
        await h.client.close()
        await h.app.stop()
