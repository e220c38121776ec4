"""What ``bench/fuzz_http.py`` still found answered 500 after the first hardening (issue 13), each
sent as the platform would sign it: the answer is a 4xx (or the 200 the platform expects as its
ack) and nothing is half-written.

* a Teams ``invoke`` whose ``value`` has the wrong nested types (botbuilder's model refused it);
* a Teams conversation id that is not ASCII (it goes back in the ``x-ms-conversation-id`` header,
  which only carries Latin-1);
* a Slack ``block_actions`` payload without ``action_id`` (Bolt's matcher: ``KeyError``) or
  with ``user`` as a string; blocks whose ``elements`` is a number; a button value of 40 digits
  (``OverflowError`` in the database driver);
* an inbound webhook ``time`` of ``10**400`` (``OverflowError`` turning it into a float);
* header values that are not UTF-8 or not ASCII in each signature scheme (``UnicodeEncodeError``,
  or ``TypeError`` from ``hmac.compare_digest``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import select

from storage.models import Item, ItemStatusChange, Message
from tests.conftest import FIXTURES
from tests.fuzz.conftest import (
    INBOUND_SECRET,
    Endpoints,
    discourse_headers,
    encode,
    inbound_headers,
    slack_headers,
    teams_activity,
)
from tests.slack.conftest import COMMUNITY, event_body

INBOUND_MESSAGE = {
    "id": "c-1",
    "text": "the app crashes",
    "author": "yamada",
    "channel": "general",
    "link": "https://community.example.org/c/1",
    "time": "2026-11-12T09:30:00+09:00",
}


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_teams_invoke_with_a_value_of_the_wrong_shape_gets_400(
    endpoints: Endpoints, caplog: pytest.LogCaptureFixture
) -> None:
    calls = len(endpoints.connector.calls)  # the install of the fixture asked for channels
    activity = teams_activity("invoke_task_fetch.json", endpoints.connector)
    activity["value"]["context"] = "default"  # an object in Teams' task/fetch
    status, text = await endpoints.post("/api/messages", encode(activity), {})
    assert status == 400, text
    assert "invoke task/fetch: value: malformed" in json.loads(text)["error"]
    assert errors(caplog) == []
    assert endpoints.connector.calls[calls:] == []  # nothing sent back to Teams
    assert await endpoints.rows() == {"messages": 0, "items": 0, "outbox": 0, "quarantine": 0}


@pytest.mark.parametrize("fixture", ["personal_command.json", "channel_message.json"])
async def test_teams_conversation_id_that_is_not_ascii_gets_400(
    endpoints: Endpoints, caplog: pytest.LogCaptureFixture, fixture: str
) -> None:
    calls = len(endpoints.connector.calls)
    activity = teams_activity(fixture, endpoints.connector)
    activity["conversation"]["id"] = "a:バグ"
    status, text = await endpoints.post("/api/messages", encode(activity), {})
    assert status == 400, text
    assert "conversation.id" in json.loads(text)["error"]
    assert errors(caplog) == []
    assert endpoints.connector.calls[calls:] == []  # nothing sent back to Teams
    assert (await endpoints.rows())["messages"] == 0


def block_actions(*, action: dict[str, Any] | None = None, **top: Any) -> bytes:
    """A click on a repost's "done" button (tests/fixtures/slack/block_actions.json), changed."""
    body = json.loads(
        event_body(
            "block_actions.json",
            user="U0MEMBER1",
            user_name="hana",
            channel=COMMUNITY,
            message_ts="1700000000.000100",
            response_url="",
        )
    )
    button = {
        "type": "button",
        "action_id": "kakehashi:done",
        "block_id": "b",
        "value": "1",
        "action_ts": "1.2",
    }
    body["actions"] = [{k: v for k, v in {**button, **(action or {})}.items() if v is not None}]
    body.update(top)
    return urlencode({"payload": json.dumps(body)}).encode()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"action": {"action_id": None}}, "actions[0].action_id: expected a string"),
        ({"user": "U0MEMBER1"}, "user: expected an object"),
    ],
)
async def test_slack_block_actions_without_action_id_or_user_object_get_400(
    endpoints: Endpoints, caplog: pytest.LogCaptureFixture, change: dict[str, Any], reason: str
) -> None:
    body = block_actions(**change)
    headers = {"Content-Type": "application/x-www-form-urlencoded", **slack_headers(body)}
    status, text = await endpoints.post("/slack/events", body, headers)
    assert status == 400, text
    assert reason in json.loads(text)["error"]
    assert errors(caplog) == []
    assert await endpoints.rows() == {"messages": 0, "items": 0, "outbox": 0, "quarantine": 0}


async def test_slack_button_with_an_item_id_no_database_can_hold_is_an_unknown_item(
    endpoints: Endpoints, caplog: pytest.LogCaptureFixture
) -> None:
    """Slack wants the ack (200); the item cannot exist, so nothing changes."""
    body = block_actions(action={"value": "9" * 40})
    headers = {"Content-Type": "application/x-www-form-urlencoded", **slack_headers(body)}
    status, text = await endpoints.post("/slack/events", body, headers)
    assert status == 200, text
    assert errors(caplog) == []
    assert await endpoints.rows() == {"messages": 0, "items": 0, "outbox": 0, "quarantine": 0}


async def test_slack_blocks_with_elements_of_the_wrong_type_are_read_around(
    endpoints: Endpoints, caplog: pytest.LogCaptureFixture
) -> None:
    """A rich text block whose ``elements`` is a number: the words that are there still route."""
    body = json.loads(
        event_body("message_blocks_only.json", channel=COMMUNITY, ts="1700000000.000200", event_id="B1")
    )
    blocks = body["event"]["blocks"][0]["elements"]
    blocks[1]["elements"] = 7
    blocks[2]["elements"] = "x"
    raw = encode(body)
    status, text = await endpoints.post("/slack/events", raw, slack_headers(raw))
    assert status == 200, text
    assert errors(caplog) == []
    async with endpoints.app.store.sessions() as session:
        (message,) = (await session.scalars(select(Message))).all()
    assert message.text.startswith("Two things after the update")
    assert "Traceback: KeyError 'id'" in message.text


async def test_inbound_time_as_an_integer_too_large_for_a_float_gets_400(
    endpoints: Endpoints, caplog: pytest.LogCaptureFixture
) -> None:
    """``10**400`` is valid JSON (an integer); dividing it by 1000 raised OverflowError."""
    raw = encode({**INBOUND_MESSAGE, "time": 10**400})
    status, text = await endpoints.post("/hooks/inbound/forum", raw, inbound_headers(raw))
    assert status == 400, text
    assert json.loads(text)["error"].startswith("time: expected ISO 8601")
    assert errors(caplog) == []
    assert (await endpoints.rows())["messages"] == 0


# -- header values that are not UTF-8 or not ASCII --------------------------------------------

NOT_UTF8 = b"\xed\xa0\x80"  # a UTF-8-encoded lone surrogate: aiohttp hands it on as "\udced..."
FULL_WIDTH = "１７００００００００".encode()  # int() and float() take these digits


async def raw_post(
    endpoints: Endpoints, path: str, body: bytes, headers: dict[str, bytes]
) -> tuple[int, str]:
    """aiohttp's client only writes UTF-8 headers; httpx sends the bytes as they are."""
    async with httpx.AsyncClient() as client:
        response = await client.post(str(endpoints.client.make_url(path)), content=body, headers=headers)
    return response.status_code, response.text


def as_bytes(headers: dict[str, str]) -> dict[str, bytes]:
    return {k: v.encode() for k, v in headers.items()}


@pytest.mark.parametrize("odd", [NOT_UTF8, FULL_WIDTH, "v0=ｆｆ".encode()])
@pytest.mark.parametrize("header", ["X-Slack-Request-Timestamp", "X-Slack-Signature"])
async def test_slack_signature_headers_that_are_not_ascii_get_401(
    endpoints: Endpoints, caplog: pytest.LogCaptureFixture, header: str, odd: bytes
) -> None:
    raw = event_body(
        "message.json",
        channel=COMMUNITY,
        channel_type="channel",
        event_id="H1",
        text="a bug",
        user="U0MEMBER1",
        ts="1700000000.000300",
    ).encode()
    headers = {**as_bytes({"Content-Type": "application/json", **slack_headers(raw)}), header: odd}
    status, text = await raw_post(endpoints, "/slack/events", raw, headers)
    assert status == 401, text
    assert errors(caplog) == []
    assert (await endpoints.rows())["messages"] == 0


@pytest.mark.parametrize("odd", [NOT_UTF8, "sha256=ｆｆ".encode()])
async def test_discourse_signature_header_that_is_not_ascii_gets_401(
    endpoints: Endpoints, caplog: pytest.LogCaptureFixture, odd: bytes
) -> None:
    raw = (FIXTURES / "discourse" / "post_created.json").read_bytes()
    headers = {
        **as_bytes({"Content-Type": "application/json", **discourse_headers(raw)}),
        "X-Discourse-Event-Signature": odd,
    }
    status, text = await raw_post(endpoints, "/discourse/webhook", raw, headers)
    assert status == 401, text
    assert errors(caplog) == []
    assert (await endpoints.rows())["messages"] == 0


@pytest.mark.parametrize("header", ["X-Kakehashi-Timestamp", "X-Kakehashi-Signature"])
@pytest.mark.parametrize("odd", [NOT_UTF8, FULL_WIDTH])
async def test_inbound_signature_headers_that_are_not_ascii_get_401(
    endpoints: Endpoints, caplog: pytest.LogCaptureFixture, header: str, odd: bytes
) -> None:
    raw = encode(INBOUND_MESSAGE)
    stamp = odd if header == "X-Kakehashi-Timestamp" else str(int(time.time())).encode()
    # a valid HMAC over whatever the timestamp is: only the header's bytes are wrong
    mac = hmac.new(INBOUND_SECRET.encode(), stamp + b"." + raw, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": b"application/json",
        "X-Kakehashi-Timestamp": stamp,
        "X-Kakehashi-Signature": odd if header == "X-Kakehashi-Signature" else b"sha256=" + mac.encode(),
    }
    status, text = await raw_post(endpoints, "/hooks/inbound/forum", raw, headers)
    assert status == 401, text
    assert errors(caplog) == []
    assert (await endpoints.rows())["messages"] == 0


async def test_slack_button_clicked_by_a_user_id_with_a_lone_surrogate_is_stored(
    endpoints: Endpoints, caplog: pytest.LogCaptureFixture
) -> None:
    """Who changed a status is stored like every other id (the status history's columns were not
    storable: the click got a 500 on every retry)."""
    raw = event_body(
        "message.json",
        channel=COMMUNITY,
        channel_type="channel",
        event_id="S1",
        text="the export crashes",
        user="U0MEMBER1",
        ts="1700000000.000400",
    ).encode()
    assert (await endpoints.post("/slack/events", raw, slack_headers(raw)))[0] == 200
    async with endpoints.app.store.sessions() as session:
        item_id = (await session.scalars(select(Item.id).order_by(Item.id))).first()
    clicker = "U\udfff" + "X" * 300
    body = block_actions(action={"value": str(item_id)}, user={"id": clicker, "username": "hana"})
    headers = {"Content-Type": "application/x-www-form-urlencoded", **slack_headers(body)}
    status, text = await endpoints.post("/slack/events", body, headers)
    assert status == 200, text
    assert errors(caplog) == []
    async with endpoints.app.store.sessions() as session:
        item = await session.get(Item, item_id)
        (change,) = (await session.scalars(select(ItemStatusChange))).all()
    assert item is not None and item.status == "done"
    assert change.status == "done" and change.by_id is not None
    assert change.by_id.startswith("U\ufffdXXX") and len(change.by_id) == 255
