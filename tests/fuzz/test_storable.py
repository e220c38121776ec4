"""Text and ids PostgreSQL refused are stored and routed on both databases (issue 13): a NUL
character, a lone surrogate, ids and names over the schema's 255 characters, from Slack, Teams
and Discourse.  Before ``storage.models``' storable column types these got a 500 on every retry
on PostgreSQL and were lost once the platform gave up."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from sqlalchemy import select, text

from bot.core.domain import InboundMessage
from storage.models import Item, Message, OutboxRow
from tests.conftest import FIXTURES, Database
from tests.fuzz.conftest import Endpoints, discourse_headers, encode, slack_headers, teams_activity
from tests.slack.conftest import COMMUNITY, event_body

ODD = "the export crashes\u0000 here \ud800 and \udfff there, a bug?"
STORED = "the export crashes here \ufffd and \ufffd there, a bug?"
LONG_ID = "U" + "X" * 299


async def routed(endpoints: Endpoints, platform: str) -> tuple[Message, int, int]:
    async with endpoints.app.store.sessions() as session:
        (message,) = (await session.scalars(select(Message).where(Message.platform == platform))).all()
        items = (await session.scalars(select(Item).where(Item.message_id == message.id))).all()
        rows = (
            await session.scalars(select(OutboxRow).where(OutboxRow.item_id.in_([i.id for i in items])))
        ).all()
    return message, len(items), len(rows)


async def test_slack_message_with_nul_surrogates_and_a_long_user_id(endpoints: Endpoints) -> None:
    raw = event_body(
        "message.json",
        channel=COMMUNITY,
        channel_type="channel",
        event_id="S1",
        user=LONG_ID,
        ts="1700000000.000100",
        text="x",
    )
    body = json.loads(raw)
    body["event"]["text"] = ODD
    body["event"]["blocks"] = []
    data = encode(body)  # ensure_ascii: "\u0000" and "\ud800" travel as escapes, as Slack would send them
    status, answer = await endpoints.post("/slack/events", data, slack_headers(data))
    assert status == 200, answer
    message, items, rows = await routed(endpoints, "slack")
    assert message.text == STORED
    assert len(message.author_id) == 255 and message.author_id.startswith("UXXX")
    assert (items, rows) == (2, 2)  # bug: product and cs; question: cs (one item per department)


async def test_teams_message_with_nul_surrogates_long_ids_and_names(endpoints: Endpoints) -> None:
    body = teams_activity("channel_message.json", endpoints.connector)
    body["channelData"]["team"]["name"] = "Community"
    body["text"] = ODD
    body["attachments"] = []
    body["id"] = "1" * 300
    body["from"] = {"id": "29:" + "a" * 300, "name": "名" * 300, "aadObjectId": "b" * 300}
    for attempt in ("first", "resent"):
        status, answer = await endpoints.post("/api/messages", encode(body), {})
        assert status in (200, 201), (attempt, answer)
    message, items, rows = await routed(endpoints, "teams")  # the resend found the one stored message
    assert "\x00" not in message.text and "\ufffd" in message.text
    assert len(message.key) == 255 and len(message.author) == 255 and len(message.author_id) == 255
    assert items >= 1 and rows >= 1


async def test_discourse_post_with_nul_surrogates_and_long_names(endpoints: Endpoints) -> None:
    payload: dict[str, Any] = copy.deepcopy(
        json.loads((FIXTURES / "discourse" / "post_created.json").read_text(encoding="utf-8"))
    )
    payload["post"].update(
        cooked=f"<p>{ODD}</p>", raw=ODD, username="u" * 300, name="名" * 300, display_username="名" * 300
    )
    data = encode(payload)
    status, answer = await endpoints.post("/discourse/webhook", data, discourse_headers(data))
    assert status == 200 and json.loads(answer)["status"] == "stored", answer
    message, items, rows = await routed(endpoints, "discourse")
    assert "\x00" not in message.text and "\ufffd" in message.text
    assert len(message.author) == 255
    assert items >= 1 and rows >= 1


async def test_a_message_the_database_still_refuses_is_quarantined_not_lost(
    endpoints: Endpoints, database: Database
) -> None:
    """A refusal no cleaning can foresee (here a PostgreSQL trigger raising a data exception, as a
    CHECK or an extension might): the message is kept whole in quarantine, counted, and the
    platform is answered 200 so its retries stop instead of dropping it after the last one."""
    if database.kind != "postgresql":
        pytest.skip("SQLite raises no data exceptions that cleaning does not already prevent")
    async with endpoints.app.engine.begin() as conn:
        await conn.execute(
            text(
                "CREATE FUNCTION refuse_poison() RETURNS trigger AS $$ BEGIN "
                "IF NEW.text LIKE '%poison%' THEN RAISE EXCEPTION 'refused' USING ERRCODE = '22023'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
        )
        await conn.execute(
            text(
                "CREATE TRIGGER refuse_poison BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_poison()"
            )
        )
    message = {
        "id": "q-1",
        "text": "poison: the app crashes",
        "author": "yamada",
        "channel": "general",
        "link": "https://community.example.org/c/1",
        "time": "2026-11-12T09:30:00+09:00",
    }
    from tests.fuzz.conftest import inbound_headers

    data = encode(message)
    status, answer = await endpoints.post("/hooks/inbound/forum", data, inbound_headers(data))
    assert status == 200 and json.loads(answer)["status"] == "quarantined", answer
    assert (await endpoints.rows())["messages"] == 0
    (kept,) = await endpoints.app.store.quarantined()
    assert (kept.platform, kept.key) == ("webhook", "forum:q-1") and "DataError" in kept.reason
    assert json.loads(kept.payload)["text"] == "poison: the app crashes"
    metrics = await (await endpoints.client.get("/metrics")).text()
    assert 'kakehashi_messages_total{outcome="quarantined"} 1.0' in metrics
    assert await endpoints.healthy()
    _ = InboundMessage  # the payload keeps every field of the domain value
