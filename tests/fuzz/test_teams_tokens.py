"""Forged and garbled Bot Framework tokens get 401, never 500 (issue 13), through botbuilder's real
token validation pointed at a local OpenID metadata + JWKS stand-in; a real token still works."""

from __future__ import annotations

import base64
import json
import logging
import time
from typing import Any

import jwt
import pytest
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from cryptography.hazmat.primitives import serialization

from bot.platforms.teams import plugin as teams_plugin
from bot.runtime.app import App
from tests.conftest import Database
from tests.fakes.bot_connector import FakeBotConnector, FakeBotFrameworkKeys
from tests.teams.conftest import build, load
from tests.teams.test_http import KeysConfig, count_messages, http_client

APP_ID = "0b6e4a3c-1111-4222-8333-444455556666"


def b64(data: Any) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def forgeries(keys: FakeBotFrameworkKeys, service_url: str) -> dict[str, str]:
    now = int(time.time())
    claims = {
        "iss": keys.ISSUER,
        "aud": APP_ID,
        "serviceurl": service_url,
        "nbf": now - 60,
        "exp": now + 3600,
    }
    public_pem = keys.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    hs256_with_public_key = b64({"alg": "HS256", "typ": "JWT", "kid": keys.kid}) + "." + b64(claims)
    import hashlib
    import hmac

    mac = hmac.new(public_pem, hs256_with_public_key.encode(), hashlib.sha256).digest()
    return {
        "alg none": f"Bearer {b64({'alg': 'none', 'typ': 'JWT', 'kid': keys.kid})}.{b64(claims)}.",
        "alg none, no kid": f"Bearer {b64({'alg': 'none'})}.{b64(claims)}.",
        "HS256 keyed with the public key": f"Bearer {hs256_with_public_key}.{b64(mac)}",
        "unknown kid": "Bearer " + keys.token({"aud": APP_ID, "serviceurl": service_url}, kid="no-such-key"),
        "Bearer with nothing after it": "Bearer ",
        "Bearer alone": "Bearer",
        "garbage": "Bearer x",
        "three dots": "Bearer ..",
        "not base64": "Bearer %%%.%%%.%%%",
        "header not JSON": f"Bearer {b64(b'not json')}.{b64(claims)}.sig",
        "header a list": f"Bearer {b64([1, 2])}.{b64(claims)}.sig",
        "claims a string": "Bearer "
        + jwt.encode({}, "k" * 32, algorithm="HS256").split(".")[0]
        + "."
        + b64("x")
        + ".sig",
        "Basic": "Basic dXNlcjpwYXNz",
    }


async def test_forged_tokens_get_401_and_a_real_one_is_accepted(
    database: Database, connector: FakeBotConnector, caplog: pytest.LogCaptureFixture
) -> None:
    keys = FakeBotFrameworkKeys()
    keys.start()
    config = KeysConfig(
        APP_ID=APP_ID, APP_PASSWORD="secret", TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=keys.metadata_url
    )

    def signed_plugin(app: App) -> teams_plugin.TeamsPlugin:
        return teams_plugin.TeamsPlugin(app, auth=ConfigurationBotFrameworkAuthentication(config))

    app = await build(
        database,
        connector,
        plugins=[signed_plugin],
        env="production",
        microsoft_app_id=APP_ID,
        microsoft_app_password="secret",
    )
    try:
        async with http_client(app) as client:
            body = load("channel_message.json")
            body["serviceUrl"] = connector.url
            body["channelData"]["team"]["name"] = "Community"
            answers = {}
            for why, header in forgeries(keys, connector.url).items():
                response = await client.post("/api/messages", json=body, headers={"Authorization": header})
                answers[why] = response.status
            assert answers == {why: 401 for why in answers}
            assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
            assert await count_messages(app) == 0 and connector.calls == []
            good = keys.token({"aud": APP_ID, "serviceurl": connector.url})
            response = await client.post(
                "/api/messages", json=body, headers={"Authorization": f"Bearer {good}"}
            )
            assert response.status in (200, 201), await response.text()
            assert await count_messages(app) == 1
    finally:
        keys.close()
