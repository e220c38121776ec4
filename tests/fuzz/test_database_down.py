"""The database goes away while the server runs, then comes back (issue 13).

A real PostgreSQL database stops accepting connections (``ALLOW_CONNECTIONS false``) and its
open connections are cut (``pg_terminate_backend``), as in a fail-over or a restart.  Meanwhile
every endpoint that writes answers 503 with ``Retry-After`` (not 500 with a traceback), stores
nothing, and ``/healthz`` answers 503 naming the database problem without its host.  When the
database is back, the platforms' redeliveries (the same signed requests again) are stored: no
event was lost.  PostgreSQL only: the tests run as root, whom a read-only SQLite file does not stop.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from storage.models import Message
from tests.conftest import FIXTURES, Database
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.discourse_api import FakeDiscourse
from tests.fakes.slack_api import FakeSlack
from tests.fuzz.conftest import (
    Endpoints,
    build_endpoints,
    discourse_headers,
    encode,
    inbound_headers,
    slack_headers,
    teams_activity,
)
from tests.slack.conftest import COMMUNITY, event_body


@pytest.fixture
async def served(
    postgres: Database, slack_api: FakeSlack, connector: FakeBotConnector, forum: FakeDiscourse
) -> AsyncIterator[Endpoints]:
    built = await build_endpoints(postgres, slack_api, connector, forum)
    try:
        yield built
    finally:
        await built.client.close()
        await built.app.stop()


def slack_message(ts: str, text: str) -> bytes:
    return event_body(
        "message.json",
        channel=COMMUNITY,
        channel_type="channel",
        event_id=f"Ev{ts}",
        text=text,
        user="U0MEMBER1",
        ts=ts,
    ).encode()


def events(served: Endpoints) -> list[tuple[str, bytes, dict[str, str]]]:
    """One new community message per platform, as each sends it (headers made per attempt)."""
    teams = teams_activity("channel_message.json", served.connector)
    teams["channelData"]["team"]["name"] = "Community"  # Community/General is a source
    discourse = json.loads((FIXTURES / "discourse" / "post_created.json").read_text(encoding="utf-8"))
    discourse["post"]["id"] = 1299
    discourse["post"]["post_number"] = 9
    discourse["post"]["raw"] = discourse["post"]["cooked"] = "the app crashes when I export"
    inbound = {
        "id": "c-down-1",
        "text": "the app crashes, a bug?",
        "author": "yamada",
        "channel": "general",
        "link": "https://community.example.org/c/down-1",
        "time": "2026-11-12T09:30:00+09:00",
    }
    slack = slack_message("1700000100.000100", "the export crashes, is this a bug?")
    return [
        ("/slack/events", slack, {}),
        ("/api/messages", encode(teams), {}),
        ("/discourse/webhook", encode(discourse), {}),
        ("/hooks/inbound/forum", encode(inbound), {}),
    ]


def signed(path: str, body: bytes) -> dict[str, str]:
    if path == "/slack/events":
        return slack_headers(body)
    if path == "/discourse/webhook":
        return discourse_headers(body)
    if path.startswith("/hooks/inbound/"):
        return inbound_headers(body)
    return {}


async def stored_keys(served: Endpoints) -> set[str]:
    async with served.app.store.sessions() as session:
        return {f"{m.platform}:{m.key}" for m in (await session.scalars(select(Message))).all()}


async def test_database_down_answers_503_and_the_redelivered_events_are_stored(
    served: Endpoints, postgres: Database, caplog: pytest.LogCaptureFixture
) -> None:
    # the database works: one message through, so the pool holds connections the outage will cut
    warm = slack_message("1700000000.000100", "the export crashes")
    assert (await served.post("/slack/events", warm, slack_headers(warm)))[0] == 200
    before = await stored_keys(served)
    assert len(before) == 1

    await postgres.take_down()
    caplog.clear()
    for path, body, headers in events(served):
        response = await served.client.post(
            path, data=body, headers={"Content-Type": "application/json", **headers, **signed(path, body)}
        )
        assert response.status == 503, (path, await response.text())
        assert response.headers["Retry-After"] == "5", path
    health = await served.client.get("/healthz")
    assert health.status == 503
    answer = await health.json()
    assert answer["status"] == "error" and answer["database"]
    assert "127.0.0.1" not in json.dumps(answer) and "5432" not in json.dumps(answer)
    assert (await served.client.get("/metrics")).status == 503
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []
    assert any("the database is unavailable" in r.getMessage() for r in caplog.records)

    await postgres.bring_back()
    for path, body, headers in events(served):  # the platforms redeliver
        response = await served.client.post(
            path, data=body, headers={"Content-Type": "application/json", **headers, **signed(path, body)}
        )
        assert response.status in (200, 201), (path, await response.text())
    after = await stored_keys(served) - before
    assert sorted(key.split(":", 1)[0] for key in after) == ["discourse", "slack", "teams", "webhook"]
    for _ in range(300):  # the background check that finds the database back runs every 2 s
        if (await served.client.get("/healthz")).status == 200:
            break
        await asyncio.sleep(0.1)
    assert (await served.client.get("/healthz")).status == 200
