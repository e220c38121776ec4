"""The /api/messages endpoint: authentication, bad payloads, and when the plugin refuses to start."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any

import jwt
import pytest
from aiohttp.test_utils import TestClient, TestServer
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func, select

from bot.core.errors import SettingsError
from bot.platforms.teams import plugin as teams_plugin
from bot.runtime.app import App
from bot.settings import Settings
from storage.models import Message
from tests.conftest import Database
from tests.fakes.bot_connector import FakeBotConnector, FakeBotFrameworkKeys
from tests.teams.conftest import RULES, TeamsBot, build, load


async def count_messages(app: App) -> int:
    async with app.store.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Message)) or 0)


@asynccontextmanager
async def http_client(app: App) -> AsyncIterator[TestClient[Any, Any]]:
    """``app``'s endpoints over HTTP (plugins not started: nothing is delivered)."""
    client: TestClient[Any, Any] = TestClient(TestServer(app.web_app()))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()
        await app.stop()


async def test_with_an_app_id_unauthenticated_requests_get_401(
    database: Database, connector: FakeBotConnector
) -> None:
    app = await build(
        database,
        connector,
        env="production",
        microsoft_app_id="0b6e4a3c-1111-4222-8333-444455556666",
        microsoft_app_type="MultiTenant",  # the tokens below are multi-tenant ones
        microsoft_app_password="secret",
    )
    async with http_client(app) as client:
        body = load("channel_message.json")
        body["serviceUrl"] = connector.url
        forged = jwt.encode(
            {"iss": "https://evil.example.com", "aud": "0b6e4a3c-1111-4222-8333-444455556666"},
            "not-microsofts-key-but-long-enough-for-hs256",
            algorithm="HS256",
        )
        for headers in (
            {},
            {"Authorization": "Bearer not-a-jwt"},
            {"Authorization": "Basic dXNlcjpwYXNz"},
            {"Authorization": f"Bearer {forged}"},
        ):
            response = await client.post("/api/messages", json=body, headers=headers)
            assert response.status == 401, (headers, await response.text())
        assert await count_messages(app) == 0
        assert connector.calls == []


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        ("{not json", "application/json", "body: not valid JSON"),
        ("[1, 2]", "application/json", "body: expected a JSON object, got list"),
        ('{"id": "1"}', "application/json", "expected an Activity"),
        ("type=message", "application/x-www-form-urlencoded", "Content-Type"),
    ],
)
async def test_malformed_requests_get_400(teams: TeamsBot, body: str, content_type: str, reason: str) -> None:
    response = await teams.client.post(
        "/api/messages", data=body.encode(), headers={"Content-Type": content_type}
    )
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
    settings = replace(
        Settings.from_env({}),
        rules_path=RULES,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db",
        microsoft_app_password="secret",
    )

    class Stub:
        pass

    stub: Any = Stub()
    stub.settings = settings
    with pytest.raises(SettingsError, match="MICROSOFT_APP_ID is empty"):
        teams_plugin.plugin(stub)
    stub.settings = replace(settings, microsoft_app_password=None)
    assert teams_plugin.plugin(stub) is None  # Teams not configured at all: no plugin, no endpoint


async def test_dev_mode_warns_loudly(
    database: Database, connector: FakeBotConnector, caplog: pytest.LogCaptureFixture
) -> None:
    app = await build(database, connector)
    try:
        await app.start(worker=False)
        assert "TEAMS AUTHENTICATION IS OFF" in caplog.text
    finally:
        await app.stop()


async def test_dev_mode_alone_mounts_teams_unauthenticated(
    database: Database, connector: FakeBotConnector
) -> None:
    app = await build(database, connector, microsoft_app_password=None)
    try:
        assert [p.name for p in app.plugins] == ["teams"]
    finally:
        await app.stop()


@dataclass(frozen=True)
class KeysConfig:
    """``ConfigurationBotFrameworkAuthentication``'s settings, with the OpenID metadata of the fake keys."""

    APP_ID: str
    APP_PASSWORD: str
    TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL: str
    TO_BOT_FROM_CHANNEL_TOKEN_ISSUER: str = FakeBotFrameworkKeys.ISSUER
    APP_TYPE: str = "MultiTenant"
    APP_TENANTID: str | None = None


async def test_a_validly_signed_request_is_accepted_and_forgeries_are_not(
    database: Database, connector: FakeBotConnector
) -> None:
    """The real botbuilder token validation, pointed at a local OpenID metadata + JWKS stand-in."""
    app_id = "0b6e4a3c-1111-4222-8333-444455556666"
    keys = FakeBotFrameworkKeys()
    keys.start()
    config = KeysConfig(
        APP_ID=app_id, APP_PASSWORD="secret", TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=keys.metadata_url
    )

    def signed_plugin(app: App) -> teams_plugin.TeamsPlugin:
        return teams_plugin.TeamsPlugin(app, auth=ConfigurationBotFrameworkAuthentication(config))

    app = await build(
        database,
        connector,
        plugins=[signed_plugin],
        env="production",
        microsoft_app_id=app_id,
        microsoft_app_type="MultiTenant",  # the tokens below are multi-tenant ones
        microsoft_app_password="secret",
    )
    try:
        async with http_client(app) as client:
            body = load("channel_message.json")
            body["serviceUrl"] = connector.url
            body["channelData"]["team"]["name"] = "Community"  # no install: nothing calls out to Teams
            good = {"aud": app_id, "serviceurl": connector.url}
            other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            refused = {
                "another bot's token": keys.token({**good, "aud": "11111111-2222-4333-8444-555555555555"}),
                "a serviceUrl the token does not name": keys.token(
                    {**good, "serviceurl": "https://evil.example.com/"}
                ),
                "no serviceurl claim": keys.token({"aud": app_id}),
                "expired": keys.token(good, lifetime=-3600),
                "signed with another key": keys.token(good, key=other_key),
                "another issuer": keys.token({**good, "iss": "https://sts.windows.net/evil/"}),
            }
            for why, token in refused.items():
                response = await client.post(
                    "/api/messages", json=body, headers={"Authorization": f"Bearer {token}"}
                )
                assert response.status == 401, (why, response.status, await response.text())
            assert await count_messages(app) == 0
            response = await client.post(
                "/api/messages", json=body, headers={"Authorization": f"Bearer {keys.token(good)}"}
            )
            assert response.status in (200, 201), await response.text()
            async with app.store.sessions() as session:
                (message,) = (await session.scalars(select(Message))).all()
            assert message.channel == "Community/General" and "アプリが落ちる" in message.text
            assert any(
                path.endswith("/keys") for path in keys.requests
            )  # the signature was checked against the JWKS
    finally:
        keys.close()


async def test_a_token_that_cannot_be_verified_gets_401(
    database: Database, connector: FakeBotConnector
) -> None:
    """Bot Framework's signing keys unreachable (no network, an outage): the request is refused
    with 401, like any token that is not valid, and changes nothing."""
    app_id = "0b6e4a3c-1111-4222-8333-444455556666"
    keys = FakeBotFrameworkKeys()  # signs tokens, but its metadata server is never started
    with socket.socket() as probe:  # a local port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    config = KeysConfig(
        APP_ID=app_id,
        APP_PASSWORD="secret",
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=f"http://127.0.0.1:{closed_port}/v1/.well-known/openidconfiguration",
    )

    def unreachable_keys(app: App) -> teams_plugin.TeamsPlugin:
        return teams_plugin.TeamsPlugin(app, auth=ConfigurationBotFrameworkAuthentication(config))

    app = await build(
        database,
        connector,
        plugins=[unreachable_keys],
        env="production",
        microsoft_app_id=app_id,
        microsoft_app_type="MultiTenant",  # the tokens below are multi-tenant ones
        microsoft_app_password="secret",
    )
    async with http_client(app) as client:
        body = load("channel_message.json")
        body["serviceUrl"] = connector.url
        token = keys.token({"aud": app_id, "serviceurl": connector.url})
        response = await client.post("/api/messages", json=body, headers={"Authorization": f"Bearer {token}"})
        assert response.status == 401, await response.text()
        assert "could not be fetched" in (await response.json())["error"]
    assert await count_messages(app) == 0
    assert connector.calls == []


async def test_an_app_id_without_a_password_warns_that_posts_will_be_refused(
    database: Database, connector: FakeBotConnector, caplog: pytest.LogCaptureFixture
) -> None:
    app = await build(
        database,
        connector,
        env="production",
        microsoft_app_id="0b6e4a3c-1111-4222-8333-444455556666",
        microsoft_app_type="MultiTenant",  # the tokens below are multi-tenant ones
        microsoft_app_password=None,
    )
    try:
        assert [p.name for p in app.plugins] == ["teams"]
        assert "MICROSOFT_APP_PASSWORD is empty" in caplog.text
    finally:
        await app.stop()
