"""Web API answers kakehashi has to live with: error bodies, rate limits on lookups, odd users."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import OutboxRow
from tests.slack.conftest import COMMUNITY, DEPT_PRODUCT, RANDOM, SlackBot, event_body
from tests.slack.test_delivery import enqueue, retry_now
from tests.slack.test_events import items, messages, msg


async def all_rows(bot: SlackBot) -> list[OutboxRow]:
    async with bot.app.store.sessions() as session:
        return list((await session.scalars(select(OutboxRow).order_by(OutboxRow.id))).all())


async def test_missing_scope_names_the_scope_to_add(bot: SlackBot) -> None:
    # https://docs.slack.dev/reference/methods/chat.postMessage: missing_scope carries needed / provided
    bot.fake.fail(
        "chat.postMessage", error="missing_scope", needed="chat:write.public", provided="chat:write"
    )
    await bot.event("message.json", **msg("crash on save", "1700000500.000100"))
    assert await bot.app.worker.run_once() == {"dead": 1}
    [row] = await all_rows(bot)
    assert row.last_error == (
        "missing_scope: #dept-product — the app needs the chat:write.public scope; "
        "add it (slack-manifest.yml) and reinstall the app"
    )


async def test_ratelimited_in_the_body_without_retry_after_is_retried(bot: SlackBot) -> None:
    bot.fake.fail("chat.postMessage", error="ratelimited")  # ok:false, HTTP 200, no Retry-After header
    await bot.event("message.json", **msg("crash on save", "1700000500.000200"))
    assert await bot.app.worker.run_once() == {"retry": 1}
    await retry_now(bot)
    assert await bot.app.worker.run_once() == {"sent": 1}
    assert len(bot.fake.posts(DEPT_PRODUCT)) == 1


async def test_a_repost_deleted_in_slack_is_not_a_failure_to_redact(bot: SlackBot) -> None:
    await bot.event("message.json", **msg("crash with my phone number", "1700000500.000300"))
    await bot.deliver()
    bot.fake.fail("chat.update", error="message_not_found", times=2)
    await bot.event(
        "message_changed.json",
        text="crash with my phone number 090",
        previous_text="x",
        user="U0MEMBER1",
        ts="1700000500.000300",
        edited_ts="1700000501.000000",
        channel=COMMUNITY,
        event_id="e1",
    )
    assert await bot.app.worker.run_once() == {"dead": 1}  # an edit of a repost that is gone: say so
    await bot.event(
        "message_deleted.json",
        previous_text="x",
        deleted_ts="1700000500.000300",
        ts="1700000502.000000",
        channel=COMMUNITY,
        event_id="e2",
    )
    assert await bot.app.worker.run_once() == {"sent": 1}  # a redaction of a repost that is gone: done
    kinds = [(r.kind, r.status) for r in await all_rows(bot)]
    assert kinds == [("repost", "sent"), ("update", "dead"), ("delete", "sent")]


async def test_a_rate_limited_channel_list_delays_a_post_instead_of_guessing(bot: SlackBot) -> None:
    bot.fake.fail("conversations.list", status=429, retry_after=4)
    await enqueue(bot, "notice", {"markdown": "hello"}, destination="slack:#random")
    assert await bot.app.worker.run_once() == {"retry": 1}
    [row] = await all_rows(bot)
    assert row.status == "pending" and row.last_error == "ratelimited: #random"
    assert bot.fake.of("chat.postMessage") == []
    await retry_now(bot)
    assert await bot.app.worker.run_once() == {"sent": 1}
    assert len(bot.fake.posts(RANDOM)) == 1


async def test_an_event_that_cannot_be_placed_is_left_for_slack_to_redeliver(bot: SlackBot) -> None:
    # the channel id cannot be named while conversations.list is rate limited, so whether #community is a
    # source is unknown: answer non-200 (Slack redelivers, https://docs.slack.dev/apis/events-api/#retries)
    bot.fake.fail("conversations.list", status=429, retry_after=1)
    body = event_body("message.json", **msg("crash on export", "1700000500.000400"))
    first = await bot.post(body)
    assert first.status == 503
    assert await messages(bot) == []
    again = await bot.post(body, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"})
    assert again.status == 200
    assert [(i.department, i.tag) for i in await items(bot)] == [("product", "bug")]


async def test_deleted_and_bot_users_are_named_sensibly(bot: SlackBot) -> None:
    # users.info for a deactivated account: deleted true, display_name empty
    # (https://docs.slack.dev/reference/objects/user-object)
    bot.fake.users["U0GONE"] = {
        "id": "U0GONE",
        "name": "former.member",
        "deleted": True,
        "real_name": "Mio Former",
        "profile": {"display_name": "", "real_name": "Mio Former"},
    }
    bot.fake.users["U0APPUSER"] = {
        "id": "U0APPUSER",
        "name": "helperbot",
        "is_bot": True,
        "profile": {"display_name": "", "real_name": "Helper Bot", "bot_id": "B0HELPER"},
    }
    await bot.event("message.json", **msg("crash when I log in", "1700000500.000500", user="U0GONE"))
    # Slack Connect guest users.info cannot see: the event's user_profile names them
    body = event_body(
        "message.json", **msg("crash on import", "1700000500.000600", user="U0EXTERNAL", event_id="x")
    )
    body = body.replace(
        '"user": "U0EXTERNAL",',
        '"user": "U0EXTERNAL", "user_profile": {"display_name": "guest-ann", '
        '"real_name": "Ann Guest", "name": "ann", "team": "T0OTHERTEAM"},',
    )
    assert (await bot.post(body)).status == 200
    authors = [m.author for m in await messages(bot)]
    assert authors == ["Mio Former", "guest-ann"]


async def test_warnings_on_a_successful_post_are_not_failures(bot: SlackBot) -> None:
    bot.fake.warnings = [
        "missing_charset"
    ]  # chat.postMessage answers ok:true plus warning / response_metadata
    await bot.event("message.json", **msg("crash on save", "1700000500.000700"))
    assert await bot.app.worker.run_once() == {"sent": 1}
