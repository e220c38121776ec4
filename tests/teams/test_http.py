"""The /api/messages endpoint: authentication, bad payloads, and when the plugin refuses to start."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import jwt
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot import teams_plugin
from bot.app import App
from bot.errors import SettingsError
from bot.settings import Settings
from storage.models import Message
from tests.conftest import Database
from tests.fakes.bot_connector import FakeBotConnector
from tests.teams.conftest import RULES, TeamsBot, build, load


async def count_messages(app: App) -> int:
    async with app.store.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Message)) or 0)


async def test_with_an_app_id_unauthenticated_requests_get_401(database: Database, connector: FakeBotConnector) -> None:
    app = await build(database, connector, env="production", microsoft_app_id="0b6e4a3c-1111-4222-8333-444455556666",
                      microsoft_app_password="secret")
    client: TestClient[Any, Any] = TestClient(TestServer(app.web_app()))
    await client.start_server()
    try:
        body = load("channel_message.json")
        body["serviceUrl"] = connector.url
        forged = jwt.encode({"iss": "https://evil.example.com", "aud": "0b6e4a3c-1111-4222-8333-444455556666"},
                            "not-microsofts-key-but-long-enough-for-hs256", algorithm="HS256")
        for headers in ({}, {"Authorization": "Bearer not-a-jwt"}, {"Authorization": "Basic dXNlcjpwYXNz"},
                        {"Authorization": f"Bearer {forged}"}):
            response = await client.post("/api/messages", json=body, headers=headers)
            assert response.status == 401, (headers, await response.text())
        assert await count_messages(app) == 0
        assert connector.calls == []
    finally:
        await client.close()
        await app.stop()


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        ("{not json", "application/json", "malformed JSON"),
        ("[1, 2]", "application/json", "expected an Activity"),
        ('{"id": "1"}', "application/json", "expected an Activity"),
        ("type=message", "application/x-www-form-urlencoded", "Content-Type"),
    ],
)
async def test_malformed_requests_get_400(teams: TeamsBot, body: str, content_type: str, reason: str) -> None:
    response = await teams.client.post("/api/messages", data=body.encode(), headers={"Content-Type": content_type})
    assert response.status == 400
    assert reason in (await response.json())["error"]


async def test_activity_missing_fields_gets_400_and_changes_nothing(teams: TeamsBot) -> None:
    await teams.install()
    body = teams.activity("channel_message.json")
    del body["from"]
    response = await teams.post(body)
    assert response.status == 400 and "from.id" in (await response.json())["error"]
    bad_time = teams.activity("channel_message.json", **{"2024-11-17T08:00:00.000Z": "yesterday"})
    response = await teams.post(bad_time)
    assert response.status == 400
    assert await count_messages(teams.app) == 0


def test_empty_app_id_refuses_to_start_outside_dev(tmp_path: Any) -> None:
    settings = replace(Settings.from_env({}), rules_path=RULES, database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db",
                       microsoft_app_password="secret")

    class Stub:
        pass

    stub: Any = Stub()
    stub.settings = settings
    with pytest.raises(SettingsError, match="MICROSOFT_APP_ID is empty"):
        teams_plugin.plugin(stub)
    stub.settings = replace(settings, microsoft_app_password=None)
    assert teams_plugin.plugin(stub) is None  # Teams not configured at all: no plugin, no endpoint


async def test_dev_mode_warns_loudly(database: Database, connector: FakeBotConnector,
                                     caplog: pytest.LogCaptureFixture) -> None:
    app = await build(database, connector)
    try:
        await app.start(worker=False)
        assert "TEAMS AUTHENTICATION IS OFF" in caplog.text
    finally:
        await app.stop()


async def test_dev_mode_alone_mounts_teams_unauthenticated(database: Database, connector: FakeBotConnector) -> None:
    app = await build(database, connector, microsoft_app_password=None)
    try:
        assert [p.name for p in app.plugins] == ["teams"]
    finally:
        await app.stop()
