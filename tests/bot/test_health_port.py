"""``KAKEHASHI_HEALTH_PORT``: ``/healthz`` answered by a thread of its own says what the main port
says (database, degraded problems), and a port already taken stops start-up with its name."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import replace

import httpx
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.core.errors import SettingsError
from bot.platforms import webhook as inbound_plugin
from bot.runtime.app import App
from bot.runtime.health_port import HealthPort
from bot.settings import Settings
from tests.conftest import FIXTURES, Database


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_the_health_port_answers_what_healthz_answers(database: Database) -> None:
    settings = replace(
        Settings.from_env({}),
        rules_path=FIXTURES / "bot" / "rules.yaml",
        database_url=database.url,
        inbound_webhook_secret="s3cret",
    )
    app = await App.build(settings, plugins=[inbound_plugin.plugin])
    await app.start(worker=False, watch_rules=False)
    port = HealthPort(app, host="127.0.0.1", port=free_port())
    await asyncio.to_thread(port.start)
    try:
        async with TestClient(TestServer(app.web_app())) as client, httpx.AsyncClient() as http:
            main = await (await client.get("/healthz")).json()
            own = (await http.get(f"http://127.0.0.1:{port.port}/healthz")).json()
            assert main == own and own["status"] == "ok"
            app.services.health.report(
                "slack:source:#gone", "rules.yaml sources: Slack channel #gone not found"
            )
            own = (await http.get(f"http://127.0.0.1:{port.port}/healthz")).json()
            assert (own["status"], own["problems"]) == (
                "degraded",
                ["rules.yaml sources: Slack channel #gone not found"],
            )
            app.services.health.report("slack:token", "Slack refused SLACK_BOT_TOKEN", fatal=True)
            answer = await http.get(f"http://127.0.0.1:{port.port}/healthz")
            assert answer.status_code == 503 and answer.json()["status"] == "error"
    finally:
        await asyncio.to_thread(port.stop)
        await app.stop()


async def test_a_health_port_in_use_is_named(tmp_path: object) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        number = taken.getsockname()[1]
        port = HealthPort(object(), host="127.0.0.1", port=number)  # type: ignore[arg-type]
        with pytest.raises(SettingsError, match=rf"KAKEHASHI_HEALTH_PORT={number}: cannot listen"):
            await asyncio.to_thread(port.start)
