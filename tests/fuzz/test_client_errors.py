"""What a client sends wrong is answered 400 (or 401 before authentication, 413 when too large),
never 500, and never logged as an ERROR with a traceback (issue 13).  Each case below got a 500
with a traceback before the middleware in ``bot.runtime.server`` and the checks feeding it."""

from __future__ import annotations

import json
import logging
import time

import pytest

from tests.fuzz.conftest import (
    Endpoints,
    discourse_headers,
    encode,
    inbound_headers,
    slack_headers,
    teams_activity,
)
from tests.slack.conftest import COMMUNITY, event_body

DEEP = b"[" * 1500 + b"]" * 1500
MESSAGE = {
    "id": "c-1",
    "text": "the app crashes",
    "author": "yamada",
    "channel": "general",
    "link": "https://community.example.org/c/1",
    "time": "2026-11-12T09:30:00+09:00",
}


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def slack_message(**replace: str) -> str:
    values = {"text": "the export crashes", "user": "U0MEMBER1", "ts": "1700000000.000100"}
    values.update(replace)
    return event_body("message.json", channel=COMMUNITY, channel_type="channel", event_id="X1", **values)


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b"[1,2,3]", {}),
        (b'"x"', {}),
        (b"{}", {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=00"}),
        (b"{}", {"X-Slack-Request-Timestamp": "1e400", "X-Slack-Signature": "v0=00"}),
        (b"{}", {"X-Slack-Request-Timestamp": "nan", "X-Slack-Signature": "v0=00"}),
        (b"{}", {"X-Slack-Request-Timestamp": "9" * 5000, "X-Slack-Signature": "v0=00"}),
        (b"payload=[1]", {"Content-Type": "application/x-www-form-urlencoded"}),
        (b"\xff\xfe{}", {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=00"}),
    ],
)
async def test_slack_unsigned_odd_requests_get_401(
    endpoints: Endpoints, caplog: pytest.LogCaptureFixture, body: bytes, headers: dict[str, str]
) -> None:
    status, text = await endpoints.post("/slack/events", body, headers)
    assert status == 401, text
    assert errors(caplog) == []


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"[1,2,3]", "application/json", "body: expected an object, got list"),
        (b'"x"', "application/json", "body: expected an object, got str"),
        (DEEP, "application/json", "body: nested more than 64 levels deep"),
        (b"payload=[1]", "application/x-www-form-urlencoded", "payload: expected an object, got list"),
        (
            b"payload=x",
            "application/x-www-form-urlencoded",
            "payload: not valid JSON (Expecting value at line 1 column 1)",
        ),
        (
            json.dumps({"type": "event_callback", "team_id": "T0COMMUNITY", "event": "message"}).encode(),
            "application/json",
            "event: expected an object, got str",
        ),
        (
            json.dumps({"type": "event_callback", "team": 7, "event": {"type": "message"}}).encode(),
            "application/json",
            "team: expected an id or an object, got int",
        ),
        (slack_message(ts="1e400").encode(), "application/json", "event.ts: expected a Slack timestamp"),
        (
            slack_message().replace('"text"', '"text": 1e400, "x"', 1).encode(),
            "application/json",
            "number 1e400: out of range",
        ),
    ],
)
async def test_slack_signed_malformed_bodies_get_400_with_the_reason(
    endpoints: Endpoints, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str, reason: str
) -> None:
    status, text = await endpoints.post(
        "/slack/events", body, {"Content-Type": content_type, **slack_headers(body)}
    )
    assert status == 400, text
    assert reason in json.loads(text)["error"]
    assert errors(caplog) == []
    assert (await endpoints.rows())["messages"] == 0


async def test_slack_signed_but_not_utf8_is_401(
    endpoints: Endpoints, caplog: pytest.LogCaptureFixture
) -> None:
    """slack_sdk signs text; bytes that are not UTF-8 cannot be verified, so they are not authentic."""
    body = b'{"type": "event_callback", "x": "\xff"}'
    ts = str(int(time.time()))
    import hashlib
    import hmac

    mac = hmac.new(b"8f742231b10e8888abcd99yyyzzz85a5", b"v0:" + ts.encode() + b":" + body, hashlib.sha256)
    headers = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + mac.hexdigest()}
    status, text = await endpoints.post("/slack/events", body, headers)
    assert status == 401 and "not UTF-8" in json.loads(text)["error"]
    assert errors(caplog) == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (DEEP, "body: nested more than 64 levels deep"),
        (b'{"type": "message", "text": NaN}', "NaN: not a JSON number"),
        (b'{"type": "message", "id": 1e400}', "number 1e400: out of range"),
        (b'{"type": "message", "text": "\xff"}', "body: not UTF-8"),
    ],
)
async def test_teams_malformed_bodies_get_400(
    endpoints: Endpoints, caplog: pytest.LogCaptureFixture, body: bytes, reason: str
) -> None:
    status, text = await endpoints.post("/api/messages", body, {})
    assert status == 400, text
    assert reason in json.loads(text)["error"]
    assert errors(caplog) == []


async def test_teams_channel_data_of_the_wrong_shape_gets_400(
    endpoints: Endpoints, caplog: pytest.LogCaptureFixture
) -> None:
    """botbuilder reads channelData lazily (TeamsChannelData().deserialize) in its handlers."""
    for name in ("message_delete.json", "channel_message.json", "conversation_update_team_renamed.json"):
        body = teams_activity(name, endpoints.connector)
        body["channelData"] = {"team": 7, "channel": "x", "tenant": [1]}
        status, text = await endpoints.post("/api/messages", encode(body), {})
        assert status == 400, (name, text)
    assert errors(caplog) == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (DEEP, "body: nested more than 64 levels deep"),
        (b'{"post": {"id": NaN}}', "NaN: not a JSON number"),
        (b"[1, 2, 3]", "body: expected a JSON object, got list"),
        (b'{"post": "\xff"}', "body: not UTF-8"),
    ],
)
async def test_discourse_malformed_bodies_get_400(
    endpoints: Endpoints, caplog: pytest.LogCaptureFixture, body: bytes, reason: str
) -> None:
    status, text = await endpoints.post("/discourse/webhook", body, discourse_headers(body))
    assert status == 400, text
    assert reason in json.loads(text)["error"]
    assert errors(caplog) == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (DEEP, "body: nested more than 64 levels deep"),
        (b'{"a":' * 1200 + b"1" + b"}" * 1200, "body: nested more than 64 levels deep"),
        (encode({**MESSAGE, "time": 1e300}), "time: expected ISO 8601"),
        (b'{"id": "1", "time": 1e400}', "number 1e400: out of range"),
    ],
)
async def test_inbound_malformed_bodies_get_400(
    endpoints: Endpoints, caplog: pytest.LogCaptureFixture, body: bytes, reason: str
) -> None:
    status, text = await endpoints.post("/hooks/inbound/forum", body, inbound_headers(body))
    assert status == 400, text
    assert reason in json.loads(text)["error"]
    assert errors(caplog) == []


@pytest.mark.parametrize("stamp", ["nan", "NaN", "inf", "-inf", "1e400", "abc"])
async def test_inbound_odd_timestamps_are_refused_even_when_the_hmac_matches(
    endpoints: Endpoints, stamp: str
) -> None:
    """``nan`` compared false with everything, so a signed request with it skipped the freshness
    check and could be replayed forever."""
    body = encode(MESSAGE)
    status, text = await endpoints.post("/hooks/inbound/forum", body, inbound_headers(body, timestamp=stamp))
    assert status == 401, text
    assert json.loads(text)["error"] == "X-Kakehashi-Timestamp: expected unix seconds"
    assert (await endpoints.rows())["messages"] == 0


async def test_bodies_over_the_limit_get_413(endpoints: Endpoints) -> None:
    big = b'{"a": "' + b"x" * (4 * 1024 * 1024) + b'"}'
    for path in ("/slack/events", "/api/messages", "/discourse/webhook", "/hooks/inbound/forum"):
        status, _ = await endpoints.post(path, big, {})
        assert status == 413, path
    assert await endpoints.healthy()
