"""The generic inbound webhook: accept and reject paths over real HTTP."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from adapters.inbound_webhook import sign
from tests.forums.conftest import INBOUND_SECRET, Harness, HarnessFactory

MESSAGE = {
    "id": "c-981",
    "text": "アプリが crash します。バグですか？",
    "author": "yamada",
    "channel": "general",
    "link": "https://community.example.org/c/981",
    "time": "2026-11-12T09:30:00+09:00",
    "author_id": "u-17",
    "tags": ["mobile"],
}


async def send(
    h: Harness,
    body: Any,
    *,
    source: str = "forum",
    ts: float | None = None,
    secret: str = INBOUND_SECRET,
    signature: str | None = None,
) -> tuple[int, dict[str, Any]]:
    if isinstance(body, bytes):
        raw = body
    else:
        # a lone surrogate can only travel as a JSON escape ("\ud800"), as senders do
        lone = any(0xD800 <= ord(c) <= 0xDFFF for c in json.dumps(body, ensure_ascii=False))
        raw = json.dumps(body, ensure_ascii=lone).encode()
    stamp = str(int(ts if ts is not None else time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Kakehashi-Timestamp": stamp,
        "X-Kakehashi-Signature": signature or sign(secret, stamp, raw),
    }
    resp = await h.client.post(f"/hooks/inbound/{source}", data=raw, headers=headers)
    return resp.status, await resp.json()


async def test_signed_message_is_stored_routed_and_deduplicated(harness: HarnessFactory) -> None:
    h = await harness(KAKEHASHI_INBOUND_SECRET=INBOUND_SECRET)
    status, body = await send(h, MESSAGE)
    assert (status, body["status"], body["key"]) == (200, "stored", "forum:c-981")
    status, body = await send(h, MESSAGE)
    assert (status, body["status"]) == (200, "duplicate")
    message = await h.app.store.get_message("webhook", "forum:c-981")
    assert message is not None
    assert (message.channel, message.author, message.author_id, message.tags) == (
        "webhook:forum",
        "yamada",
        "u-17",
        ["mobile"],
    )
    assert message.created_at.isoformat() == "2026-11-12T00:30:00+00:00"
    reply = {**MESSAGE, "id": "c-982", "thread_id": "c-981", "text": "同じく", "tags": []}
    assert (await send(h, reply))[1]["status"] == "stored"
    stored_reply = await h.app.store.get_message("webhook", "forum:c-982")
    assert stored_reply is not None and stored_reply.thread_key == "forum:c-981"
    # a source that rules.yaml does not list is stored nowhere
    status, body = await send(h, {**MESSAGE, "id": "x-1"}, source="other-tool")
    assert (status, body["status"], body["reason"]) == (200, "ignored", "not a source channel")
    await h.app.worker.drain(horizon=0)
    assert sorted(p["destination"] for p in h.posts()) == ["slack:#dept-cs", "slack:#dept-product"]


async def test_bad_signatures_are_401(harness: HarnessFactory) -> None:
    h = await harness(KAKEHASHI_INBOUND_SECRET=INBOUND_SECRET)
    status, body = await send(h, MESSAGE, secret="wrong")
    assert (status, body["error"]) == (401, "X-Kakehashi-Signature: does not match")
    status, body = await send(h, MESSAGE, ts=time.time() - 301)
    assert (status, body["error"]) == (401, "X-Kakehashi-Timestamp: older than 5 minutes (or in the future)")
    resp = await h.client.post("/hooks/inbound/forum", json=MESSAGE)
    assert resp.status == 401
    # a signature over the body alone (no timestamp in the base string) is refused too
    import hashlib
    import hmac

    raw = json.dumps(MESSAGE).encode()
    bare = "sha256=" + hmac.new(INBOUND_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    assert (await send(h, raw, signature=bare))[0] == 401
    assert (await h.app.store.stats())["messages"] == 0


@pytest.mark.parametrize("stamp", ["nan", "NaN", "inf", "-inf", "Infinity", "1e400"])
async def test_a_timestamp_that_is_not_a_finite_number_is_401(harness: HarnessFactory, stamp: str) -> None:
    """Correctly signed, but ``nan`` compares false with everything: freshness must not be skipped."""
    h = await harness(KAKEHASHI_INBOUND_SECRET=INBOUND_SECRET)
    raw = json.dumps(MESSAGE).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Kakehashi-Timestamp": stamp,
        "X-Kakehashi-Signature": sign(INBOUND_SECRET, stamp, raw),
    }
    resp = await h.client.post("/hooks/inbound/forum", data=raw, headers=headers)
    assert (resp.status, (await resp.json())["error"]) == (
        401,
        "X-Kakehashi-Timestamp: expected unix seconds",
    )
    assert (await h.app.store.stats())["messages"] == 0


async def test_malformed_messages_are_400_naming_the_field(harness: HarnessFactory) -> None:
    h = await harness(KAKEHASHI_INBOUND_SECRET=INBOUND_SECRET)
    cases = [
        (b"[1, 2", "body: not valid JSON (Expecting ',' delimiter at line 1 column 6)"),
        ([], "body: expected a JSON object"),
        ({k: v for k, v in MESSAGE.items() if k != "text"}, "text: expected a non-empty string, got nothing"),
        ({**MESSAGE, "author": 7}, "author: expected a non-empty string, got int"),
        (
            {**MESSAGE, "time": "2026-11-12 09:30"},
            "time: expected ISO 8601 with a UTC offset or unix seconds, got '2026-11-12 09:30'",
        ),
        (
            {**MESSAGE, "time": "next tuesday"},
            "time: expected ISO 8601 with a UTC offset or unix seconds, got 'next tuesday'",
        ),
        ({**MESSAGE, "link": "javascript:alert(1)"}, "link: expected an http(s) URL"),
        ({**MESSAGE, "tags": "bug"}, "tags: expected a list of strings"),
        ({**MESSAGE, "channel": ""}, "channel: expected a non-empty string, got str"),
    ]
    for body, error in cases:
        status, answer = await send(h, body)
        assert (status, answer["error"]) == (400, error), body
    status, answer = await send(h, MESSAGE, source="bad source!")
    assert status in (400, 404)  # aiohttp may not even match the route for some characters
    assert (await h.app.store.stats())["messages"] == 0


async def test_not_mounted_without_a_secret(harness: HarnessFactory) -> None:
    h = await harness()
    assert [p.name for p in h.app.plugins] == []


async def test_unusual_but_valid_messages(harness: HarnessFactory) -> None:
    h = await harness(KAKEHASHI_INBOUND_SECRET=INBOUND_SECRET)
    cases: list[tuple[dict[str, Any], str]] = [
        ({**MESSAGE, "id": 42, "time": "2026-11-12T00:30:00Z"}, "2026-11-12T00:30:00+00:00"),  # int id, Zulu
        ({**MESSAGE, "id": "e-1", "time": 1794443400}, "2026-11-12T00:30:00+00:00"),  # unix seconds
        ({**MESSAGE, "id": "e-2", "time": 1794443400123}, "2026-11-12T00:30:00.123000+00:00"),  # milliseconds
        (
            {**MESSAGE, "id": "e-3", "time": "2026-11-12T09:30:00.123456789+09:00"},
            "2026-11-12T00:30:00.123456+00:00",
        ),
        ({**MESSAGE, "id": "e-4", "extra": {"nested": [1, 2]}, "author_id": None, "thread_id": None}, ""),
        (
            {
                **MESSAGE,
                "id": "e-5",
                "text": "NUL\u0000 in the middle, a lone \ud800 surrogate, emoji 🐛 and ｶﾀｶﾅ",
            },
            "",
        ),
    ]
    for body, created in cases:
        status, answer = await send(h, body)
        assert (status, answer["status"]) == (200, "stored"), (body, answer)
        message = await h.app.store.get_message("webhook", answer["key"])
        assert message is not None
        if created:
            assert message.created_at.isoformat() == created
    odd = await h.app.store.get_message("webhook", "forum:e-5")
    assert odd is not None and odd.text == "NUL in the middle, a lone \ufffd surrogate, emoji 🐛 and ｶﾀｶﾅ"
    assert (await h.app.store.get_message("webhook", "forum:e-4")).author_id == "yamada"  # type: ignore[union-attr]


async def test_empty_huge_and_non_json_bodies(harness: HarnessFactory) -> None:
    h = await harness(KAKEHASHI_INBOUND_SECRET=INBOUND_SECRET)
    assert await send(h, b"") == (
        400,
        {"status": "bad_request", "error": "body: not valid JSON (Expecting value at line 1 column 1)"},
    )
    assert (await send(h, b"\xff\xfe{}"))[0] == 400
    assert (await send(h, b"id=1&text=hi"))[0] == 400
    status, answer = await send(h, {**MESSAGE, "text": "x" * 40_001})
    assert (status, answer["error"]) == (400, "text: longer than 40000 characters")
    status, answer = await send(h, {**MESSAGE, "time": 10**15})
    assert (status, answer["error"]) == (
        400,
        "time: expected ISO 8601 with a UTC offset or unix seconds, got 1000000000000000",
    )
    status, answer = await send(h, {**MESSAGE, "time": True})
    assert status == 400 and answer["error"].startswith("time: expected ISO 8601")
    huge = json.dumps({**MESSAGE, "padding": "x" * (2 * 1024 * 1024)}).encode()
    status, answer = await send(h, huge)
    assert status == 413 and "body" in answer["error"]
    assert (await h.app.store.stats())["messages"] == 0
