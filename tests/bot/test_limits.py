"""Server limits over real sockets: slow bodies, too many requests at once, clients that hang up."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.platforms import webhook as inbound_plugin
from bot.runtime.app import App
from bot.settings import Settings
from tests.conftest import FIXTURES, Database

SECRET = "s3cret"


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[App, TestClient]]:
    settings = replace(
        Settings.from_env({}),
        rules_path=FIXTURES / "bot" / "rules.yaml",
        database_url=Database("sqlite", tmp_path).url,
        inbound_webhook_secret=SECRET,
        max_concurrent_requests=2,
        body_timeout=0.5,
    )
    app = await App.build(settings, plugins=[inbound_plugin.plugin])
    async with TestClient(TestServer(app.web_app())) as client:
        yield app, client
    await app.stop()


async def open_request(client: TestClient, length: int, sent: bytes = b"{") -> asyncio.StreamWriter:
    """A POST whose headers promise ``length`` bytes of body, of which only ``sent`` arrive."""
    assert client.server.port is not None
    reader, writer = await asyncio.open_connection("127.0.0.1", client.server.port)
    writer.write(
        b"POST /hooks/inbound/forum HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {length}\r\n\r\n".encode()
        + sent
    )
    await writer.drain()
    writer.reader = reader  # type: ignore[attr-defined]
    return writer


async def answer(writer: asyncio.StreamWriter) -> bytes:
    reader: asyncio.StreamReader = writer.reader  # type: ignore[attr-defined]
    return await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)  # status and headers


async def test_a_body_that_never_arrives_gets_408_and_frees_its_slot(served: tuple[App, TestClient]) -> None:
    _, client = served
    slow = await open_request(client, 1000)
    got = await answer(slow)
    assert got.startswith(b"HTTP/1.1 408"), got[:80]
    slow.close()


async def test_beyond_the_bound_a_request_gets_503_with_retry_after_and_healthz_still_answers(
    served: tuple[App, TestClient],
) -> None:
    _, client = served
    holders = [await open_request(client, 1000) for _ in range(2)]  # both slots taken
    busy = None
    for _ in range(50):  # until the server has seen both slow requests
        response = await client.post("/hooks/inbound/forum", data=b"{}")
        if response.status == 503:
            busy = response
            break
        await asyncio.sleep(0.02)
    assert busy is not None
    assert busy.headers["Retry-After"] == "1"
    assert (await busy.json())["error"].startswith("busy")
    assert (await client.get("/healthz")).status == 200  # never refused
    for holder in holders:
        assert (await answer(holder)).startswith(b"HTTP/1.1 408")
        holder.close()
    assert (await client.post("/hooks/inbound/forum", data=b"{}")).status == 401  # a slot again


async def test_a_client_that_hangs_up_mid_body_is_not_an_error(
    served: tuple[App, TestClient], caplog: pytest.LogCaptureFixture
) -> None:
    _, client = served
    with caplog.at_level(logging.INFO):
        writer = await open_request(client, 1000)
        writer.close()
        await writer.wait_closed()
        # the server carries on, and the hang-up left no ERROR behind
        for _ in range(50):
            if "hung up" in caplog.text or "408" in caplog.text:
                break
            await asyncio.sleep(0.02)
        assert (await client.get("/healthz")).status == 200
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    assert "hung up" in caplog.text or "did not arrive" in caplog.text
