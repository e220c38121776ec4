"""TeamsSink against the fake Bot Connector: throttling, server errors, refusals, missing references."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime

from sqlalchemy import select

from adapters.teams.limits import WindowLimiter
from storage.models import OutboxRow
from tests.teams.conftest import CS_COMMUNITY, PRODUCT_TRIAGE, TeamsBot


async def outbox(teams: TeamsBot) -> list[OutboxRow]:
    async with teams.app.store.sessions() as session:
        return list((await session.scalars(select(OutboxRow).order_by(OutboxRow.id))).all())


async def test_429_is_retried_after_retry_after_without_hidden_retries(teams: TeamsBot) -> None:
    await teams.install()
    await teams.send("channel_message.json")
    teams.connector.fail(429, headers={"Retry-After": "7"})
    counts = await teams.app.worker.run_once()
    assert counts == {"retry": 1, "sent": 1}
    assert len(teams.connector.sent()) == 2  # one request per row: the SDK did not retry on its own
    (pending,) = [r for r in await outbox(teams) if r.status == "pending"]
    assert pending.attempts == 0 and "HTTP 429" in (pending.last_error or "")  # waiting is no attempt
    delay = (pending.next_attempt_at - teams.app.clock()).total_seconds()
    assert 5 < delay <= 7


async def test_502_and_412_are_transient_and_delivered_later(teams: TeamsBot) -> None:
    await teams.install()
    await teams.send("channel_message.json")
    teams.connector.fail(502)
    teams.connector.fail(412)
    assert await teams.app.worker.run_once() == {"retry": 2}
    assert len(teams.connector.sent()) == 2
    assert {
        "HTTP 502" in (r.last_error or "") or "HTTP 412" in (r.last_error or "") for r in await outbox(teams)
    } == {True}
    for row in await outbox(teams):  # make them due now instead of waiting for the backoff
        await teams.app.store.release(row.id, teams.app.clock())
    assert await teams.app.worker.run_once() == {"sent": 2}


async def test_403_is_dead_lettered_with_a_hint(teams: TeamsBot) -> None:
    await teams.install()
    await teams.send("channel_message.json")
    teams.connector.fail(403, times=2)
    assert await teams.app.worker.run_once() == {"dead": 2}
    errors = {r.last_error for r in await outbox(teams)}
    assert all(e and "HTTP 403" in e and "still installed" in e for e in errors)


async def test_department_without_a_reference_dead_letters_with_the_fix(teams: TeamsBot) -> None:
    await teams.send("channel_message.json")  # nothing installed: no references, no channel names
    await teams.deliver()
    rows = await outbox(teams)
    assert rows == [] or all(r.status == "dead" for r in rows)
    # the community channel itself is unknown too, so nothing matched its source: install, then retry
    await teams.install()
    post = teams.activity("channel_message.json")
    post["id"] = "1731830400001"
    post["conversation"]["id"] = post["conversation"]["id"].replace("1731830400000", "1731830400001")
    post["text"] = "<p>取材の依頼です</p>"
    post["attachments"] = []
    await teams.post(post)
    await teams.deliver()
    (dead,) = [r for r in await outbox(teams) if r.status == "dead"]
    assert dead.destination == "teams:PR/Press"
    assert dead.last_error and "no conversation reference for Teams channel 'PR/Press'" in dead.last_error
    assert "add the kakehashi app to the team 'PR'" in dead.last_error


def test_window_limiter_keeps_teams_per_conversation_limits() -> None:
    now = [0.0]
    limiter = WindowLimiter(clock=lambda: now[0])
    for _ in range(7):
        assert limiter.delay("c") == 0
    assert limiter.delay("c") > 0  # the 8th in the same second waits
    assert limiter.delay("other") == 0  # per conversation
    # steady 2/s (the outbox's min_interval) never trips the 1 s / 2 s / 30 s windows
    steady = WindowLimiter(clock=lambda: now[0])
    for i in range(60):
        now[0] = 100 + i * 0.5
        assert steady.delay("c") == 0
    now[0] = 100 + 60 * 0.5 - 0.01
    assert steady.delay("c") > 0  # a 61st within 30 s would break 60/30 s
    now[0] = 100 + 60 * 0.5
    assert steady.delay("c") == 0  # the next paced slot is fine
    # ... but the hourly window does: 1800 an hour
    hourly = WindowLimiter(limits=((3, 3600.0),), clock=lambda: now[0])
    assert [hourly.delay("c") for _ in range(3)] == [0, 0, 0]
    assert 3599 < hourly.delay("c") <= 3600


async def test_bot_not_in_roster_is_dead_lettered_with_teams_error_code(teams: TeamsBot) -> None:
    await teams.install()
    await teams.send("channel_message.json")
    teams.connector.fail(
        403,
        times=2,
        code="BotNotInConversationRoster",
        message="The bot is not part of the conversation roster.",
    )
    assert await teams.app.worker.run_once() == {"dead": 2}
    for row in await outbox(teams):
        assert (
            row.last_error and "HTTP 403 (BotNotInConversationRoster: The bot is not part" in row.last_error
        )
        assert "still installed" in row.last_error


async def test_retry_after_as_an_http_date_and_504_are_retried(teams: TeamsBot) -> None:
    await teams.install()
    await teams.send("channel_message.json")
    when = teams.app.clock() + timedelta(seconds=40)
    teams.connector.fail(429, headers={"Retry-After": format_datetime(when, usegmt=True)})
    teams.connector.fail(504, code="GatewayTimeout")
    assert await teams.app.worker.run_once() == {"retry": 2}
    throttled, timed_out = sorted(await outbox(teams), key=lambda r: "HTTP 429" not in (r.last_error or ""))
    assert "HTTP 429" in (throttled.last_error or "") and "HTTP 504" in (timed_out.last_error or "")
    delay = (throttled.next_attempt_at - teams.app.clock()).total_seconds()
    assert 30 < delay <= 41  # the date, not the default backoff


async def test_a_card_gone_from_teams_dead_letters_its_update_only(teams: TeamsBot) -> None:
    await teams.install()
    await teams.send("channel_message.json")
    await teams.deliver()
    teams.connector.fail(404, times=2, code="ConversationNotFound", message="Conversation not found.")
    await teams.send("message_edit.json")
    await teams.deliver()
    updates = [r for r in await outbox(teams) if r.kind == "update"]
    assert len(updates) == 2 and {r.status for r in updates} == {"dead"}
    assert all(
        "HTTP 404 (ConversationNotFound" in (r.last_error or "") and "deleted" in (r.last_error or "")
        for r in updates
    )
    assert {r.status for r in await outbox(teams) if r.kind == "repost"} == {
        "sent",
        "dead",
    }  # PR/Press: no reference


async def test_a_post_accepted_without_an_id_is_not_sent_twice(teams: TeamsBot) -> None:
    await teams.install()
    await teams.send("channel_message.json")
    teams.connector.accept_without_id(times=2)
    await teams.deliver()
    assert len(teams.connector.sent()) == 2  # one request per card: no retry after the empty 202
    reposts = [r for r in await outbox(teams) if r.kind == "repost"]
    assert {r.status for r in reposts} == {"sent"} and {r.remote_id for r in reposts} == {""}
    await teams.send("message_edit.json")
    await teams.deliver()
    updates = [r for r in await outbox(teams) if r.kind == "update"]
    assert {r.status for r in updates} == {"dead"}  # nothing to update in place, and it says why
    assert all("Teams gave no id when it was posted" in (r.last_error or "") for r in updates)
    assert teams.connector.updates() == []


async def test_a_long_japanese_post_arrives_as_cards_under_25_kb_on_the_wire(teams: TeamsBot) -> None:
    """The size Teams sees is the request body botbuilder sends (JSON with ASCII escapes: a
    Japanese character is 6 bytes there, an emoji 12), not the card's UTF-8 size; the 2,500
    characters a repost quotes at most fit in UTF-8 but not escaped."""
    await teams.install()
    post = teams.activity("channel_message.json")
    post["text"] = "<p>アプリが落ちるバグです" + "😢" * 3000 + "</p>"
    post["attachments"] = []
    await teams.post(post)
    await teams.deliver()
    cards = teams.connector.sent()
    assert len(cards) == 2
    for call in cards:
        size = int(call.headers["Content-Length"])
        assert size < 25 * 1024, size
        assert "…" in call.card_text() and "アプリが落ちるバグです😢😢" in call.card_text()


async def test_a_connector_that_starts_channel_threads_only_by_create_conversation(teams: TeamsBot) -> None:
    """``POST /v3/conversations/{channel}/activities`` answered 404: the card goes out as
    ``POST /v3/conversations`` with ``channelData.channel.id``, and the id from the minimal
    ``ConversationResourceResponse`` is what later updates use."""
    await teams.install()
    teams.connector.threads_by_create_only = True
    await teams.send("channel_message.json")
    await teams.deliver()
    created = teams.connector.created()
    assert len(created) == 2
    for call in created:
        assert call.body is not None and call.body["isGroup"] is True
        assert call.body["channelData"]["channel"]["id"] in {PRODUCT_TRIAGE, CS_COMMUNITY}
        assert call.body["channelData"]["tenant"]["id"] == "72f988bf-86f1-41af-91ab-2d7cd011db47"
        assert (
            call.body["activity"]["attachments"][0]["contentType"]
            == "application/vnd.microsoft.card.adaptive"
        )
    reposts = [r for r in await outbox(teams) if r.kind == "repost" and r.status == "sent"]
    assert len(reposts) == 2 and all(";messageid=17" in (r.remote_id or "") for r in reposts)
    await teams.send("message_edit.json")
    await teams.deliver()
    updated = {u.conversation_id for u in teams.connector.updates()}
    assert {r.remote_id for r in reposts} <= updated
