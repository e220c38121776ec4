"""The poller against a local server playing the Discourse API: paging, 429, 500, cursor, dedupe."""

from __future__ import annotations

import json
from typing import Any

from adapters.discourse import signature
from bot.platforms.discourse.plugin import DiscoursePlugin
from bot.platforms.discourse.source import DiscoursePoller
from tests.fakes.discourse_api import FakeDiscourse
from tests.forums.conftest import WEBHOOK_SECRET, Harness, HarnessFactory


def latest_post(
    post_id: int,
    *,
    topic_id: int | None = None,
    number: int = 1,
    category_id: int = 6,
    text: str = "How do I invite my team?",
) -> dict[str, Any]:
    """One entry of /posts.json's latest_posts (PostSerializer with add_raw and add_title)."""
    topic_id = topic_id or 5000 + post_id
    return {
        "id": post_id,
        "name": "",
        "username": f"user{post_id % 7}",
        "avatar_template": "/a/{size}.png",
        "created_at": f"2026-11-{10 + post_id % 10:02d}T0{post_id % 9}:00:00.000Z",
        "cooked": f"<p>{text}</p>",
        "post_number": number,
        "post_type": 1,
        "updated_at": "2026-11-20T00:00:00.000Z",
        "reply_count": 0,
        "reply_to_post_number": None,
        "quote_count": 0,
        "incoming_link_count": 0,
        "reads": 1,
        "score": 0,
        "yours": False,
        "topic_id": topic_id,
        "topic_slug": f"topic-{topic_id}",
        "topic_title": f"Topic {topic_id}",
        "topic_html_title": f"Topic {topic_id}",
        "category_id": category_id,
        "display_username": "",
        "primary_group_name": None,
        "version": 1,
        "can_edit": False,
        "can_delete": False,
        "can_recover": False,
        "user_title": None,
        "raw": text,
        "moderator": False,
        "admin": False,
        "staff": False,
        "user_id": post_id % 7 + 10,
        "hidden": False,
        "trust_level": 1,
        "deleted_at": None,
        "user_deleted": False,
        "edit_reason": None,
        "wiki": False,
    }


async def setup(harness: HarnessFactory, fake: FakeDiscourse) -> tuple[Harness, DiscoursePoller, list[float]]:
    h = await harness(
        DISCOURSE_URL=fake.url,
        DISCOURSE_API_KEY="k",
        DISCOURSE_API_USERNAME="system",
        DISCOURSE_WEBHOOK_SECRET=WEBHOOK_SECRET,
    )
    plugin = next(p for p in h.app.plugins if isinstance(p, DiscoursePlugin))
    assert plugin.client is not None and plugin.poller is not None
    waits: list[float] = []

    async def record_sleep(seconds: float) -> None:
        waits.append(seconds)

    plugin.client.min_interval = 0.0
    plugin.client.sleep = record_sleep
    return h, plugin.poller, waits


async def test_poller_pages_to_cursor_honours_429_and_dedupes_with_webhook(
    harness: HarnessFactory, fake_discourse: FakeDiscourse
) -> None:
    fake = fake_discourse
    fake.page_size = 50
    for i in range(1, 31):
        fake.add_post(latest_post(i))
    h, poller, waits = await setup(harness, fake)

    first = await poller.run_once()  # first run only records where the forum is
    assert (first.status, first.cursor, first.stored) == ("initialised", 30, 0)

    for i in range(31, 151):  # 120 new posts: three pages
        fake.add_post(
            latest_post(i, text="The app crashes on login" if i % 2 else "How do I invite my team?")
        )
    # post 150 also arrives through the webhook first
    webhook_body = {"post": {**fake.posts[150], "topic_archetype": "regular", "category_slug": "howto"}}
    raw = json.dumps(webhook_body).encode()
    resp = await h.client.post(
        "/discourse/webhook",
        data=raw,
        headers={
            "X-Discourse-Event": "post_created",
            "X-Discourse-Event-Signature": signature(WEBHOOK_SECRET, raw),
        },
    )
    assert (await resp.json())["status"] == "stored"

    fake.fail("/posts.json", 429, {"Retry-After": "7"})
    result = await poller.run_once()
    assert (result.status, result.seen, result.stored, result.cursor) == ("ok", 120, 119, 150)
    assert waits == [7.0]  # Retry-After honoured
    befores = [r.query.get("before") for r in fake.calls("/posts.json")]
    assert befores == [
        None,
        None,
        None,
        "101",
        "51",
    ]  # init, 429, retry, then paging back (before = lowest id seen)
    assert all(
        r.headers.get("Api-Key") == "k" and r.headers.get("Api-Username") == "system" for r in fake.requests
    )
    assert await h.app.store.get_cursor(poller.cursor_name) == "150"
    stats = await h.app.store.stats()
    assert stats["messages"] == 120
    by_dept = await h.app.store.counts_by_department()
    assert by_dept["product"]["open"] == 60 and by_dept["cs"]["open"] == 60

    again = await poller.run_once()
    assert (again.status, again.seen, again.stored) == ("ok", 0, 0)


async def test_poller_backs_off_after_server_errors_and_resumes(
    harness: HarnessFactory, fake_discourse: FakeDiscourse
) -> None:
    fake = fake_discourse
    fake.add_post(latest_post(1))
    h, poller, waits = await setup(harness, fake)
    now = [1000.0]
    poller.clock = lambda: now[0]
    assert (await poller.run_once()).status == "initialised"
    fake.add_post(latest_post(2, text="crash after update"))
    fake.fail("/posts.json", 500, times=3)  # first try + 2 retries
    failed = await poller.run_once()
    assert failed.status == "error" and "HTTP 500" in failed.error
    assert len(waits) == 2  # two backoff waits inside the client
    assert (await poller.run_once()).status == "backing_off"
    assert await h.app.store.get_cursor(poller.cursor_name) == "1"
    now[0] += 3600
    resumed = await poller.run_once()
    assert (resumed.status, resumed.stored, resumed.cursor) == ("ok", 1, 2)


async def test_poller_runs_as_an_apscheduler_interval_job(
    harness: HarnessFactory, fake_discourse: FakeDiscourse
) -> None:
    h, _poller, _ = await setup(harness, fake_discourse)
    plugin = next(p for p in h.app.plugins if isinstance(p, DiscoursePlugin))
    await plugin.start()
    try:
        assert plugin.scheduler is not None
        job = plugin.scheduler.get_job("discourse-poller")
        assert job is not None and job.trigger.interval.total_seconds() == 300.0
    finally:
        plugin.scheduler.shutdown(wait=False)  # type: ignore[union-attr]
        plugin.scheduler = None


async def test_poller_pages_without_gaps_on_older_discourse_too(
    harness: HarnessFactory, fake_discourse: FakeDiscourse
) -> None:
    """Discourse 3.x read ``before`` as ``posts.id <= before``: the page boundary post comes
    twice (a duplicate), never zero times."""
    fake = fake_discourse
    fake.before_inclusive = True
    fake.page_size = 10
    fake.add_post(latest_post(1))
    _h, poller, _ = await setup(harness, fake)
    poller.recheck = 0
    assert (await poller.run_once()).status == "initialised"
    for i in range(2, 33):
        fake.add_post(latest_post(i, text="crash"))
    result = await poller.run_once()
    assert (result.status, result.seen, result.stored, result.cursor) == ("ok", 31, 31, 32)
    assert [r.query.get("before") for r in fake.calls("/posts.json")][1:] == [None, "23", "14", "5"]


async def test_poller_catches_edits_deletions_and_posts_leaving_public_view(
    harness: HarnessFactory, fake_discourse: FakeDiscourse
) -> None:
    fake = fake_discourse
    fake.add_post(latest_post(1))
    h, poller, _ = await setup(harness, fake)
    host = fake.url.split("://", 1)[1]
    assert (await poller.run_once()).status == "initialised"
    for i in range(2, 8):
        fake.add_post(latest_post(i, text=f"The app crashes, case {i}"))
    # a private message the webhook stored: /posts.json never lists those
    pm = {
        **latest_post(8, text="crash, privately"),
        "category_id": None,
        "topic_archetype": "private_message",
    }
    body = json.dumps({"post": pm}).encode()
    resp = await h.client.post(
        "/discourse/webhook",
        data=body,
        headers={
            "X-Discourse-Event-Type": "post",
            "X-Discourse-Event": "post_created",
            "X-Discourse-Event-Signature": signature(WEBHOOK_SECRET, body),
        },
    )
    assert (await resp.json())["status"] == "stored"
    first = await poller.run_once()
    assert (first.stored, first.edited, first.deleted) == (6, 0, 0)
    await h.app.worker.drain(horizon=0)

    # 2: edited (a "ninja edit" keeps version 1, only cooked and updated_at change)
    fake.posts[2] = {
        **fake.posts[2],
        "cooked": "<p>Fixed now, thanks! 助かりました</p>",
        "raw": "Fixed now",
        "updated_at": "2026-11-21T00:00:00.000Z",
    }
    # 3: deleted by its author (Discourse keeps it until purged, flagged user_deleted)
    fake.posts[3] = {**fake.posts[3], "user_deleted": True, "cooked": "<p>(post deleted by author)</p>"}
    # 4: deleted by a moderator: gone from the listing
    del fake.posts[4]
    # 5: its topic moved to a restricted category
    fake.posts[5] = {**fake.posts[5], "category_id": 9}
    second = await poller.run_once()
    assert (second.stored, second.edited, second.deleted) == (0, 1, 2)  # 4 is only missing once so far
    third = await poller.run_once()
    assert (third.stored, third.edited, third.deleted) == (0, 0, 1)
    fourth = await poller.run_once()
    assert (fourth.edited, fourth.deleted) == (0, 0)

    def key(i: int) -> str:
        return f"{host}:post:{i}"

    edited = await h.app.store.get_message("discourse", key(2))
    assert edited is not None and edited.text == "Topic 5002\n\nFixed now, thanks! 助かりました"
    for i in (3, 4, 5):
        gone = await h.app.store.get_message("discourse", key(i))
        assert gone is not None and gone.deleted and gone.text == "", i
    for i in (6, 7, 8):
        kept = await h.app.store.get_message("discourse", key(i))
        assert kept is not None and not kept.deleted, i
    await h.app.worker.drain(horizon=0)
    kinds = sorted((p["kind"], p["payload"].get("text", "")[:20]) for p in h.posts() if p["kind"] != "repost")
    assert ("update", "Topic 5002\n\nFixed no") in kinds
    assert [k for k, _ in kinds].count("delete") == 6  # 3, 4, 5 each had a product and a cs repost


async def test_api_key_without_scope_is_a_clear_error_and_categories_fall_back(
    harness: HarnessFactory, fake_discourse: FakeDiscourse
) -> None:
    fake = fake_discourse
    fake.add_post(latest_post(1))
    h, poller, _ = await setup(harness, fake)
    assert (await poller.run_once()).status == "initialised"
    fake.add_post(latest_post(2, text="crash on start"))
    fake.deny = {"/posts.json"}
    failed = await poller.run_once()
    assert failed.status == "error"
    assert "GET /posts.json: HTTP 403 (invalid_access: You are not permitted" in failed.error
    assert "'global: read' scope" in failed.error

    # a key scoped to "categories: list" reads /categories.json when /site.json is refused
    fake.deny = {"/site.json"}
    poller.resume_at = 0.0
    resumed = await poller.run_once()
    assert (resumed.status, resumed.stored) == ("ok", 1)
    assert fake.calls("/categories.json")[0].query == {"include_subcategories": "true"}
    host = fake.url.split("://", 1)[1]
    message = await h.app.store.get_message("discourse", f"{host}:post:2")
    assert message is not None and message.channel == "discourse:howto" and not message.private


async def test_poller_never_routes_whispers_or_small_actions_and_honours_long_retry_after(
    harness: HarnessFactory, fake_discourse: FakeDiscourse
) -> None:
    """Discourse lists regular posts only, but a stand-in or an older forum may list a whisper
    (post_type 4) or a small action (3, "closed this topic"): neither is stored.  Retry-After is
    read as seconds or as an HTTP date; one longer than two minutes ends the run, and no request
    is sent before it has passed."""
    fake = fake_discourse
    fake.add_post(latest_post(1))
    h, poller, waits = await setup(harness, fake)
    now = [1000.0]
    poller.clock = lambda: now[0]
    assert (await poller.run_once()).status == "initialised"
    fake.add_post(latest_post(2, text="The app crashes on login"))
    fake.add_post(
        {**latest_post(3, topic_id=5002, number=2, text="staff only: crash confirmed"), "post_type": 4}
    )
    fake.add_post(
        {
            **latest_post(4, topic_id=5002, number=3, text="closed crash"),
            "post_type": 3,
            "action_code": "closed.enabled",
        }
    )
    fake.fail("/posts.json", 429, {"Retry-After": "3600"})
    limited = await poller.run_once()
    assert limited.status == "error" and "Retry-After 3600 s" in limited.error
    requests = len(fake.requests)
    now[0] += 3500
    assert (await poller.run_once()).status == "backing_off"
    assert len(fake.requests) == requests  # nothing asked before the hour is over
    now[0] += 101
    fake.fail("/posts.json", 429, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})  # a date, passed
    result = await poller.run_once()
    assert (result.status, result.seen, result.stored, result.cursor) == ("ok", 3, 1, 4)
    assert waits == [0.0]
    site = poller.lookups.site
    assert await h.app.store.message_id("discourse", site.post_key(2)) is not None
    assert await h.app.store.message_id("discourse", site.post_key(3)) is None
    assert await h.app.store.message_id("discourse", site.post_key(4)) is None


async def test_first_run_handles_the_last_day_then_keeps_its_cursor(
    harness: HarnessFactory, fake_discourse: FakeDiscourse
) -> None:
    """A poller turned on for the first time routes what was posted in the last 24 hours
    (paging back as far as that goes), not the forum's whole history, and records the newest id."""
    from datetime import UTC, datetime

    fake = fake_discourse
    fake.page_size = 5
    for i in range(1, 21):  # posts 1-8 were written days ago, 9-20 in the last hours
        day, hour = (12, 10) if i <= 8 else (20, i - 8)
        fake.add_post(
            {
                **latest_post(i, text="The app crashes on login"),
                "created_at": f"2026-11-{day}T{hour:02d}:00:00.000Z",
            }
        )
    h, poller, _ = await setup(harness, fake)
    poller.now = lambda: datetime(2026, 11, 20, 23, 0, tzinfo=UTC)
    first = await poller.run_once()
    assert (first.status, first.seen, first.stored, first.cursor) == ("initialised", 12, 12, 20)
    assert [r.query.get("before") for r in fake.calls("/posts.json")] == [None, "16", "11"]
    site = poller.lookups.site
    assert await h.app.store.message_id("discourse", site.post_key(8)) is None
    assert await h.app.store.message_id("discourse", site.post_key(9)) is not None
    assert (await h.app.store.counts_by_department())["product"]["open"] == 12
    assert await h.app.store.get_cursor(poller.cursor_name) == "20"
    again = await poller.run_once()
    assert (again.status, again.stored, again.cursor) == ("ok", 0, 20)
