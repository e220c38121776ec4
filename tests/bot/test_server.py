"""The HTTP server: health and metrics over real HTTP; a bad setting stops start-up clearly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App
from bot.settings import Settings
from tests.conftest import FIXTURES, Database


@pytest.fixture
async def client(database: Database) -> AsyncIterator[TestClient]:
    settings = replace(
        Settings.from_env({}), rules_path=FIXTURES / "bot" / "rules.yaml", database_url=database.url
    )
    app = await App.build(settings, plugins=[])
    async with TestClient(TestServer(app.web_app())) as client:
        yield client
    await app.stop()


async def test_healthz_and_metrics(client: TestClient) -> None:
    health = await client.get("/healthz")
    assert health.status == 200
    body = await health.json()
    assert body["status"] == "ok" and len(body["rules"]) == 12
    metrics = await client.get("/metrics")
    assert metrics.status == 200
    text = await metrics.text()
    assert "kakehashi_messages_total" in text or "# HELP kakehashi_messages" in text


def test_settings_errors_name_the_variable() -> None:
    with pytest.raises(Exception, match=r"DATABASE_URL: unsupported database 'mysql'"):
        Settings.from_env({"DATABASE_URL": "mysql://x@y/z"})
    with pytest.raises(Exception, match=r"SLACK_APP_TOKEN: expected an app-level token starting with xapp-"):
        Settings.from_env({"SLACK_APP_TOKEN": "xoxb-1"})
    with pytest.raises(
        Exception, match=r"MICROSOFT_APP_TYPE='Both': expected one of MultiTenant, SingleTenant"
    ):
        Settings.from_env({"MICROSOFT_APP_TYPE": "Both"})
    assert (
        Settings.from_env({"DATABASE_URL": "postgres://u@h/db"}).database_url == "postgresql+asyncpg://u@h/db"
    )
