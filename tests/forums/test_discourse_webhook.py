"""Discourse webhooks through the real server: signed payloads shaped like WebHookPostSerializer."""

from __future__ import annotations

import copy
import json
from typing import Any

from adapters.discourse import Site, signature
from bot.platforms.discourse.plugin import DiscoursePlugin
from tests.fakes.discourse_api import FakeDiscourse
from tests.forums.conftest import WEBHOOK_SECRET, Harness, HarnessFactory, fixture

EVENT_TYPES = {
    "post_created": "post",
    "post_edited": "post",
    "post_destroyed": "post",
    "topic_created": "topic",
}


async def deliver(
    h: Harness,
    event: str,
    payload: dict[str, Any],
    *,
    event_id: int = 1,
    secret: str = WEBHOOK_SECRET,
    sign: bool = True,
    instance: str | None = None,
) -> tuple[int, dict[str, Any]]:
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Discourse-Instance": instance or "https://forum.example.com",
        "X-Discourse-Event-Id": str(event_id),
        "X-Discourse-Event-Type": EVENT_TYPES.get(event, "post"),
        "X-Discourse-Event": event,
        "User-Agent": "Discourse/3.4.0",
    }
    if sign:
        headers["X-Discourse-Event-Signature"] = signature(secret, body)
    resp = await h.client.post("/discourse/webhook", data=body, headers=headers)
    return resp.status, await resp.json()


def post(**changes: Any) -> dict[str, Any]:
    payload = copy.deepcopy(fixture("post_created.json"))
    payload["post"].update(changes)
    return payload


def reply(post_id: int, number: int, cooked: str, **changes: Any) -> dict[str, Any]:
    return post(
        id=post_id, post_number=number, cooked=cooked, raw=cooked, topic_posts_count=number, **changes
    )


async def make(harness: HarnessFactory, fake: FakeDiscourse) -> Harness:
    h = await harness(
        DISCOURSE_WEBHOOK_SECRET=WEBHOOK_SECRET, DISCOURSE_URL=fake.url, DISCOURSE_POLL_SECONDS="0"
    )
    plugin = next(p for p in h.app.plugins if isinstance(p, DiscoursePlugin))
    assert plugin.client is not None
    plugin.client.min_interval = 0.0
    return h


async def test_post_created_is_stored_and_routed(
    harness: HarnessFactory, fake_discourse: FakeDiscourse
) -> None:
    fake_discourse.topics[311] = fixture("topic_created.json")["topic"]
    h = await make(harness, fake_discourse)
    host = fake_discourse.url.split("://", 1)[1]
    status, body = await deliver(h, "topic_created", fixture("topic_created.json"), event_id=10)
    assert (status, body["status"]) == (200, "topic remembered")
    status, body = await deliver(h, "post_created", post(), event_id=11)
    assert (status, body["status"]) == (200, "stored")

    message = await h.app.store.get_message("discourse", f"{host}:post:1201")
    assert message is not None
    assert message.channel == "discourse:feedback" and message.channel_id == "discourse:5"
    assert message.text.startswith(
        "CSVエクスポートが文字化けする\n\nスマホアプリで CSV をエクスポートすると文字化けします。"
    )
    assert (
        ":sweat_smile:" in message.text and "料金プラン" not in message.text
    )  # quote of another post dropped
    assert "- iOS 17" in message.text
    assert message.tags == ["mobile", "csv"] and message.private is False
    assert message.link == f"{fake_discourse.url}/t/csv-export-mojibake/311/1"

    await h.app.worker.drain(horizon=0)
    posted = {(p["destination"], p["payload"]["tag"]) for p in h.posts()}
    assert posted == {("slack:#dept-product", "bug"), ("slack:#dept-cs", "bug")}
    # topic_created gave the tags: no topic lookup was needed
    assert fake_discourse.calls("/t/311.json") == []


async def test_redelivery_and_webhook_plus_poller_route_once(
    harness: HarnessFactory, fake_discourse: FakeDiscourse
) -> None:
    h = await make(harness, fake_discourse)
    fake_discourse.topics[311] = fixture("topic_created.json")["topic"]
    for event_id in (21, 22, 23):  # Discourse gives every redelivery a new event id
        status, _ = await deliver(h, "post_created", post(), event_id=event_id)
        assert status == 200
    assert (await h.app.store.stats())["messages"] == 1
    await h.app.worker.drain(horizon=0)
    assert len(h.posts()) == 2


async def test_reply_threads_to_first_post_and_tags_come_from_topic(
    harness: HarnessFactory, fake_discourse: FakeDiscourse
) -> None:
    h = await make(harness, fake_discourse)
    host = fake_discourse.url.split("://", 1)[1]
    fake_discourse.topics[311] = {
        "id": 311,
        "tags": [{"name": "mobile"}],
        "category_id": 5,
        "archetype": "regular",
    }
    fake_discourse.add_post({"id": 1201, "topic_id": 311})
    fake_discourse.add_post({"id": 1202, "topic_id": 311})
    status, body = await deliver(h, "post_created", reply(1202, 2, "<p>Same crash here on Android.</p>"))
    assert (status, body["status"]) == (200, "stored")
    message = await h.app.store.get_message("discourse", f"{host}:post:1202")
    assert message is not None
    assert message.thread_key == f"{host}:post:1201"
    assert message.text == "Same crash here on Android."  # no title on replies
    assert message.tags == ["mobile"]
    assert len(fake_discourse.calls("/t/311.json")) == 1


async def test_private_message_and_restricted_category_are_not_routed(
    harness: HarnessFactory, fake_discourse: FakeDiscourse
) -> None:
    h = await make(harness, fake_discourse)
    host = fake_discourse.url.split("://", 1)[1]
    pm = post(
        id=1301,
        topic_id=400,
        category_id=None,
        category_slug=None,
        topic_archetype="private_message",
        topic_tags=[],
        cooked="<p>This is a bug, privately.</p>",
    )
    restricted = post(
        id=1302,
        topic_id=401,
        category_id=9,
        category_slug="staff",
        topic_tags=[],
        cooked="<p>Internal: crash in billing.</p>",
    )
    opted_in = post(
        id=1303,
        topic_id=402,
        category_id=9,
        category_slug="staff",
        topic_tags=[],
        cooked="<p>Please escalate this customer.</p>",
    )
    for payload in (pm, restricted, opted_in):
        status, body = await deliver(h, "post_created", payload)
        assert (status, body["status"]) == (200, "stored")
    for post_id in (1301, 1302, 1303):
        message = await h.app.store.get_message("discourse", f"{host}:post:{post_id}")
        assert message is not None and message.private is True
    assert (await h.app.store.get_message("discourse", f"{host}:post:1302")).channel == "discourse:staff"  # type: ignore[union-attr]
    await h.app.worker.drain(horizon=0)
    # only the route with allow_private: true carried a private post
    assert [(p["destination"], p["payload"]["text"]) for p in h.posts()] == [
        ("slack:#dept-cs", "CSVエクスポートが文字化けする\n\nPlease escalate this customer.")
    ]


async def test_edit_refreshes_and_delete_redacts(
    harness: HarnessFactory, fake_discourse: FakeDiscourse
) -> None:
    h = await make(harness, fake_discourse)
    host = fake_discourse.url.split("://", 1)[1]
    first = post(
        topic_tags=[], topic_title="Thank you", cooked="<p>Thanks, this helped a lot. 助かりました</p>"
    )
    assert (await deliver(h, "post_created", first))[1]["status"] == "stored"
    await h.app.worker.drain(horizon=0)
    assert [p["destination"] for p in h.posts()] == ["slack:#dept-marketing"]

    edited = post(
        topic_tags=[],
        topic_title="Thank you",
        cooked="<p>助かりました. Update: now the export has a bug.</p>",
        updated_at="2026-11-10T02:00:00.000Z",
        version=2,
    )
    status, body = await deliver(h, "post_edited", edited, event_id=2)
    assert (status, body["status"]) == (200, "edited")
    status, body = await deliver(h, "post_edited", edited, event_id=3)  # redelivered edit: no-op
    assert status == 200
    message = await h.app.store.get_message("discourse", f"{host}:post:1201")
    assert message is not None and "now the export has a bug" in message.text
    await h.app.worker.drain(horizon=0)
    kinds = sorted((p["kind"], p["destination"]) for p in h.posts())
    assert kinds == [
        ("repost", "slack:#dept-cs"),
        ("repost", "slack:#dept-marketing"),
        ("repost", "slack:#dept-product"),
        ("update", "slack:#dept-marketing"),
    ]

    destroyed = post(topic_tags=[], topic_title="Thank you", deleted_at="2026-11-10T03:00:00.000Z")
    status, body = await deliver(h, "post_destroyed", destroyed, event_id=4)
    assert (status, body["status"]) == (200, "deleted")
    status, body = await deliver(h, "post_destroyed", destroyed, event_id=5)
    assert (status, body["status"]) == (200, "ignored")
    message = await h.app.store.get_message("discourse", f"{host}:post:1201")
    assert message is not None and message.deleted and message.text == ""
    await h.app.worker.drain(horizon=0)
    deletes = [p for p in h.posts() if p["kind"] == "delete"]
    assert len(deletes) == 3 and all(p["payload"]["text"] == "" for p in deletes)


async def test_bad_signature_and_bad_payloads(harness: HarnessFactory, fake_discourse: FakeDiscourse) -> None:
    h = await make(harness, fake_discourse)
    status, body = await deliver(h, "post_created", post(), sign=False)
    assert status == 401
    status, body = await deliver(h, "post_created", post(), secret="wrong")
    assert status == 401
    resp = await h.client.post(
        "/discourse/webhook",
        data=b"{not json",
        headers={
            "X-Discourse-Event": "post_created",
            "X-Discourse-Event-Signature": signature(WEBHOOK_SECRET, b"{not json"),
        },
    )
    assert resp.status == 400 and (await resp.json())["error"] == (
        "body: not valid JSON (Expecting property name enclosed in double quotes at line 1 column 2)"
    )
    status, body = await deliver(h, "post_created", post(id="1201"))
    assert (status, body["error"]) == (400, "post.id: expected an integer, got str")
    status, body = await deliver(h, "post_created", post(created_at="yesterday"))
    assert (status, body["error"]) == (400, "post.created_at: expected an ISO 8601 time, got 'yesterday'")
    status, body = await deliver(h, "post_created", {"topic": {}})
    assert (status, body["error"]) == (400, "post: expected an object, got NoneType")
    assert (await h.app.store.stats())["messages"] == 0  # nothing half-written

    # signed but uninteresting events are acknowledged with 200, never 404/410
    for event in ("ping", "user_created", "topic_edited", "user_updated"):
        status, _ = await deliver(h, event, {"ping": "OK"} if event == "ping" else {"user": {"id": 1}})
        assert status == 200
    status, body = await deliver(h, "post_created", post(post_type=3, cooked="<p>closed the topic</p>"))
    assert (status, body["status"]) == (200, "ignored")


async def test_category_lookup_failure_asks_for_redelivery(
    harness: HarnessFactory, fake_discourse: FakeDiscourse
) -> None:
    h = await make(harness, fake_discourse)
    plugin = next(p for p in h.app.plugins if isinstance(p, DiscoursePlugin))
    assert plugin.client is not None
    waits: list[float] = []

    async def no_sleep(seconds: float) -> None:
        waits.append(seconds)

    plugin.client.sleep = no_sleep
    fake_discourse.fail("/site.json", 500, times=3)
    status, body = await deliver(h, "post_created", post(topic_tags=[]))
    assert status == 503 and "HTTP 500" in body["error"]
    assert (await h.app.store.stats())["messages"] == 0
    status, body = await deliver(h, "post_created", post(topic_tags=[]), event_id=2)  # Discourse retries
    assert (status, body["status"]) == (200, "stored")


async def test_forum_without_category_lists_reads_categories_one_by_one(
    harness: HarnessFactory, fake_discourse: FakeDiscourse
) -> None:
    """A server answering 404 for /site.json and /categories.json still gets 200s, never 503s:
    each category is read from /c/{id}/show.json (a restricted one, not shown, stays private)."""
    fake_discourse.missing = {"/site.json", "/categories.json"}
    h = await make(harness, fake_discourse)
    site = Site(fake_discourse.url)
    status, body = await deliver(h, "post_created", post(topic_tags=[]))
    assert (status, body["status"]) == (200, "stored")
    public = await h.app.store.get_message("discourse", site.post_key(1201))
    assert public is not None and not public.private and public.channel == "discourse:feedback"
    restricted = post(id=1300, topic_id=400, category_id=9, category_slug="staff", topic_tags=[])
    status, body = await deliver(h, "post_created", restricted, event_id=2)
    assert (status, body["status"]) == (200, "stored")
    staff = await h.app.store.get_message("discourse", site.post_key(1300))
    assert staff is not None and staff.private
    assert await h.app.store.counts_by_department() == {"product": {"open": 1}, "cs": {"open": 1}}
    assert [r.path for r in fake_discourse.requests].count("/c/5/show.json") == 1
