"""Dispatcher and outbox through the real store, with a recording sink at the network edge."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner, Result

from bot.cli.main import main
from bot.core.domain import InboundMessage, Post, ReactionEvent, Receipt
from bot.core.errors import PermanentDeliveryError, TransientDeliveryError
from bot.pipeline.outbox import backoff
from bot.runtime.app import App
from bot.settings import Settings
from tests.conftest import FIXTURES, Database


class RecordingSink:
    """Plays a platform: records posts, can fail the next N sends."""

    min_interval = 0.0

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.posts: list[Post] = []
        self.failures: list[Exception] = []

    async def send(self, post: Post) -> Receipt:
        if self.failures:
            raise self.failures.pop(0)
        self.posts.append(post)
        return Receipt(
            remote_id=f"{self.platform}-{len(self.posts)}", remote_channel=post.destination.channel
        )


@pytest.fixture
async def app(database: Database) -> AsyncIterator[App]:
    settings = replace(
        Settings.from_env({}),
        rules_path=FIXTURES / "bot" / "rules.yaml",
        database_url=database.url,
        instance_id="test",
        outbox_max_attempts=3,
    )
    built = await App.build(
        settings, sinks={"slack": RecordingSink("slack"), "teams": RecordingSink("teams")}, plugins=[]
    )
    try:
        yield built
    finally:
        await built.stop()


def sink(app: App, platform: str) -> RecordingSink:
    found = app.worker.sinks[platform]
    assert isinstance(found, RecordingSink)
    return found


def msg(key: str = "m1", text: str = "アプリが落ちるバグがあります", **kw: object) -> InboundMessage:
    fields: dict[str, object] = dict(
        platform="slack",
        key=key,
        channel_id="C1",
        channel="#community",
        author_id="U1",
        author="sato",
        text=text,
        created_at=datetime(2026, 11, 16, 1, tzinfo=UTC),
        link="https://x.slack.com/p1",
    )
    fields.update(kw)
    return InboundMessage(**fields)  # type: ignore[arg-type]


async def test_one_message_in_reposts_out_once(app: App) -> None:
    first = await app.dispatcher.handle_message(msg())
    second = await app.dispatcher.handle_message(msg())  # a platform retry
    assert first.status == "stored" and second.status == "duplicate"
    assert (await app.worker.drain())["sent"] == 3
    slack, teams = sink(app, "slack"), sink(app, "teams")
    assert sorted(str(p.destination) for p in slack.posts) == ["slack:#dept-cs", "slack:#dept-product"]
    assert [str(p.destination) for p in teams.posts] == ["teams:CS/Community"]
    post = slack.posts[0]
    assert post.payload["text"] == "アプリが落ちるバグがあります"
    assert post.payload["tag"] == "bug" and post.payload["link"] == "https://x.slack.com/p1"
    assert "bug" in post.payload["reason"] and "落ちる" in post.payload["reason"]
    assert (await app.worker.drain()) == {}


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"channel": "#dept-product", "channel_id": "C9"}, "posted in a department channel"),
        ({"channel": "#random", "channel_id": "C8"}, "not a source channel"),
    ],
)
async def test_loops_and_foreign_channels_are_ignored(app: App, changes: dict[str, str], reason: str) -> None:
    outcome = await app.dispatcher.handle_message(msg(**changes))
    assert (outcome.status, outcome.reason) == ("ignored", reason)
    assert (await app.store.stats())["messages"] == 0


async def test_own_and_bot_posts_are_not_routed(app: App) -> None:
    app.dispatcher.add_self_id("UBOT")
    assert (await app.dispatcher.handle_message(msg(author_id="UBOT"))).reason == "own post"
    other_bot = await app.dispatcher.handle_message(msg(key="m2", is_bot=True))
    assert other_bot.status == "stored" and other_bot.item_ids == ()


async def test_transient_failures_retry_then_dead_letter(app: App) -> None:
    slack = sink(app, "slack")
    slack.failures = [TransientDeliveryError("HTTP 500", retry_after=0)] * 3
    await app.dispatcher.handle_message(msg(text="I love it"))  # marketing: one Slack destination
    await app.worker.drain()
    [dead] = await app.store.outbox_rows(status="dead")
    assert dead.last_error == "gave up after 3 attempts: HTTP 500" and dead.attempts == 3
    assert slack.posts == []


async def test_transient_failure_then_success(app: App) -> None:
    slack = sink(app, "slack")
    slack.failures = [TransientDeliveryError("ratelimited", retry_after=0)]
    await app.dispatcher.handle_message(msg(text="I love it"))
    await app.worker.drain()
    [row] = await app.store.outbox_rows(status="sent")
    assert row.attempts == 2 and len(slack.posts) == 1


async def test_permanent_failure_dead_letters_with_reason(app: App) -> None:
    sink(app, "slack").failures = [PermanentDeliveryError("channel_not_found: #dept-product")]
    await app.dispatcher.handle_message(msg(text="crash"))
    await app.worker.drain()
    [dead] = await app.store.outbox_rows(status="dead")
    assert dead.last_error == "channel_not_found: #dept-product" and dead.attempts == 1
    assert await app.store.retry_dead() == 1
    await app.worker.drain()
    assert await app.store.outbox_rows(status="dead") == []


async def test_emoji_flag_routes_and_status_reaction_updates(app: App) -> None:
    await app.dispatcher.handle_message(msg(key="m3", text="just chatting"))
    got = await app.dispatcher.handle_reaction(
        ReactionEvent(
            platform="slack",
            message_key="m3",
            remote_id="m3",
            emoji_names=("bulb",),
            user_id="U5",
            user_name="pm",
            added=True,
            stamp="1",
        )
    )
    assert got == "flagged:product"
    await app.worker.drain()
    [post] = sink(app, "slack").posts
    assert post.payload["reason"] == "flagged by @pm with :bulb:" and post.payload["tag"] == "idea"
    done = await app.dispatcher.handle_reaction(
        ReactionEvent(
            platform="slack",
            message_key="slack-1",
            remote_id="slack-1",
            emoji_names=("white_check_mark",),
            user_id="U5",
            user_name="pm",
            added=True,
            stamp="2",
        )
    )
    assert done == "status:done"
    await app.worker.drain()
    update = sink(app, "slack").posts[-1]
    assert update.kind == "update" and update.remote_id == "slack-1" and update.payload["status"] == "done"


async def test_deleted_message_does_not_live_on(app: App) -> None:
    await app.dispatcher.handle_message(msg())
    await app.worker.drain()
    await app.dispatcher.handle_delete("slack", "m1")
    await app.worker.drain()
    deletes = [p for p in sink(app, "slack").posts if p.kind == "delete"]
    assert len(deletes) == 2 and all(p.payload["text"] == "" and p.payload["deleted"] for p in deletes)


async def test_outbox_cli_lists_the_dead_letter_and_retries_it(app: App) -> None:
    sink(app, "slack").failures = [PermanentDeliveryError("channel_not_found: #dept-marketing")]
    await app.dispatcher.handle_message(msg(text="I love it"))
    await app.worker.drain()
    [dead] = await app.store.outbox_rows(status="dead")
    env = {"DATABASE_URL": app.settings.database_url, "COLUMNS": "250", "KAKEHASHI_LOCALE": "en"}

    def cli(*args: str) -> Result:
        return CliRunner().invoke(main, ["outbox", *args], env=env)

    listed = await asyncio.to_thread(cli, "list", "--status", "dead")
    assert listed.exit_code == 0, listed.output
    assert "outbox dead=1" in listed.output and "channel_not_found: #dept-marketing" in listed.output
    assert (await asyncio.to_thread(cli, "retry")).exit_code == 2  # ids or --all, never a silent no-op
    retried = await asyncio.to_thread(cli, "retry", str(dead.id), "99999")
    assert retried.exit_code == 0, retried.output
    assert "row 99999: no such outbox row" in retried.output and "1 row queued again" in retried.output
    again = await asyncio.to_thread(cli, "retry", str(dead.id))
    assert (
        f"row {dead.id}: pending, not dead-lettered" in again.output and "0 rows queued again" in again.output
    )
    assert (await app.worker.drain()) == {"sent": 1}
    assert [str(p.destination) for p in sink(app, "slack").posts] == ["slack:#dept-marketing"]


def test_backoff_grows_exponentially_with_full_jitter() -> None:
    rng = random.Random(7)
    for attempt in range(1, 12):
        ceiling = min(900.0, 2.0 * 2**attempt) + 0.5
        delays = [backoff(attempt, rng=rng) for _ in range(200)]
        assert all(0.5 <= d <= ceiling for d in delays)
        assert len(set(delays)) == len(delays)  # jittered: replicas retrying together spread out
        assert max(delays) > 0.8 * ceiling and min(delays) < 0.2 * ceiling + 0.5  # the full range
