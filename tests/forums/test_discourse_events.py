"""Discourse webhook events beyond the happy path, shaped like Discourse sends them.

Headers and bodies follow ``Jobs::EmitWebHookEvent`` (``ping`` has X-Discourse-Event-Type
``ping`` and the body ``{"ping": "OK"}``), the event list of
``config/initializers/012-web_hook_events.rb`` and ``PostDestroyer`` (an author's own deletion
keeps the post as "(post deleted by author)" with ``user_deleted``; deleting a topic sends
``post_destroyed`` for the first post and ``topic_destroyed``).  See
tests/fixtures/discourse/README.md.
"""

from __future__ import annotations

import json
from typing import Any

from adapters.discourse import signature
from tests.fakes.discourse_api import FakeDiscourse
from tests.forums.conftest import WEBHOOK_SECRET, Harness, HarnessFactory, fixture
from tests.forums.test_discourse_webhook import deliver, make, post, reply


async def send_raw(h: Harness, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    headers = {"X-Discourse-Event-Signature": signature(WEBHOOK_SECRET, body), **headers}
    resp = await h.client.post("/discourse/webhook", data=body, headers=headers)
    return resp.status, await resp.json()


def host_of(fake: FakeDiscourse) -> str:
    return fake.url.split("://", 1)[1]


async def test_ping_and_events_kakehashi_does_not_handle_are_200(
    harness: HarnessFactory, fake_discourse: FakeDiscourse
) -> None:
    h = await make(harness, fake_discourse)
    # the real ping: no X-Discourse-Event header at all
    status, body = await send_raw(
        h,
        b'{"ping":"OK"}',
        {"Content-Type": "application/json", "X-Discourse-Event-Type": "ping", "X-Discourse-Event-Id": "1"},
    )
    assert (status, body["status"]) == (200, "pong")
    others = [
        ("user", "user_created", {"user": {"id": 7, "username": "new"}}),
        ("category", "category_created", {"category": {"id": 12, "slug": "new"}}),
        ("like", "post_liked", {"like": {"post": {"id": 1201}, "user": {"id": 3}}}),
        ("reviewable", "reviewable_created", {"reviewable": {"id": 4, "type": "ReviewableFlaggedPost"}}),
        ("solved", "accepted_solution", {"solved": {"id": 1202, "topic_id": 311}}),
        ("user_badge", "user_badge_granted", {"user_badge": {"id": 9}}),
        ("chat_message", "chat_message_created", {"chat_message": {"message": {"id": 1}}}),
        ("topic", "topic_closed_status_updated", {"topic": {"id": 311}}),
    ]
    for event_type, event, payload in others:
        status, body = await send_raw(
            h,
            json.dumps(payload).encode(),
            {
                "X-Discourse-Event-Type": event_type,
                "X-Discourse-Event": event,
                "Content-Type": "application/json",
            },
        )
        assert (status, body["status"]) == (200, "ignored"), event
    assert (await h.app.store.stats())["messages"] == 0


async def test_form_content_type_whispers_and_small_actions(
    harness: HarnessFactory, fake_discourse: FakeDiscourse
) -> None:
    h = await make(harness, fake_discourse)
    # a webhook saved with content type x-www-form-urlencoded still gets the JSON body
    body = json.dumps(post(topic_tags=[])).encode()
    status, answer = await send_raw(
        h,
        body,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Discourse-Event-Type": "post",
            "X-Discourse-Event": "post_created",
        },
    )
    assert (status, answer["status"]) == (200, "stored")
    for number, post_type in ((2, 4), (3, 3), (4, 2)):  # whisper, small action, moderator action
        payload = reply(1300 + number, number, "<p>crash bug (staff only)</p>", post_type=post_type)
        for event in ("post_created", "post_edited"):
            status, answer = await deliver(h, event, payload)
            assert (status, answer["status"]) == (200, "ignored"), (post_type, event)
    assert (await h.app.store.stats())["messages"] == 1


async def test_category_id_alone_is_resolved_and_replies_fetch_their_topic(
    harness: HarnessFactory, fake_discourse: FakeDiscourse
) -> None:
    h = await make(harness, fake_discourse)
    fake_discourse.topics[320] = {"id": 320, "tags": [], "category_id": 6, "archetype": "regular"}
    fake_discourse.add_post({"id": 1400, "topic_id": 320})
    fake_discourse.add_post({"id": 1401, "topic_id": 320})
    payload = reply(
        1401,
        2,
        "<p>Same here: バグ？</p>",
        topic_id=320,
        topic_slug="howto-q",
        category_id=6,
        reply_to_post_number=1,
    )
    del payload["post"]["category_slug"]  # absent in payloads of some versions: only the id is left
    status, answer = await deliver(h, "post_created", payload)
    assert (status, answer["status"]) == (200, "stored")
    message = await h.app.store.get_message("discourse", f"{host_of(fake_discourse)}:post:1401")
    assert message is not None
    assert (message.channel, message.channel_id, message.private) == ("discourse:howto", "discourse:6", False)
    assert message.thread_key == f"{host_of(fake_discourse)}:post:1400"
    assert message.link == f"{fake_discourse.url}/t/howto-q/320/2"
    assert len(fake_discourse.calls("/site.json")) == 1


async def test_author_deletion_hiding_recovery_and_leaving_public_view(
    harness: HarnessFactory, fake_discourse: FakeDiscourse
) -> None:
    h = await make(harness, fake_discourse)
    host = host_of(fake_discourse)
    posts = {
        i: post(id=i, topic_id=500 + i, topic_tags=[], cooked=f"<p>crash number {i}</p>") for i in range(1, 5)
    }
    for payload in posts.values():
        assert (await deliver(h, "post_created", payload))[1]["status"] == "stored"
    await h.app.worker.drain(horizon=0)
    # 1: its author deleted it: Discourse revises it and flags user_deleted
    author_deleted = post(
        id=1,
        topic_id=501,
        topic_tags=[],
        user_deleted=True,
        cooked="<p>(post deleted by author)</p>",
        raw="(post deleted by author)",
    )
    assert (await deliver(h, "post_edited", author_deleted))[1]["status"] == "deleted"
    # 2: hidden after flags
    assert (await deliver(h, "post_edited", post(id=2, topic_id=502, topic_tags=[], hidden=True)))[1][
        "status"
    ] == "deleted"
    # 3: its topic moved into the restricted staff category
    moved = post(
        id=3,
        topic_id=503,
        topic_tags=[],
        category_id=9,
        category_slug="staff",
        cooked="<p>crash number 3</p>",
    )
    assert (await deliver(h, "post_edited", moved))[1]["status"] == "deleted"
    # 4: an ordinary edit still refreshes
    edited = post(id=4, topic_id=504, topic_tags=[], cooked="<p>crash number 4, details added</p>", version=2)
    assert (await deliver(h, "post_edited", edited))[1]["status"] == "edited"
    for i, deleted in ((1, True), (2, True), (3, True), (4, False)):
        message = await h.app.store.get_message("discourse", f"{host}:post:{i}")
        assert message is not None and message.deleted is deleted, i
    # a recovered post that was never seen is stored like a new one; a recovered deleted one stays redacted
    fresh = post(id=9, topic_id=509, topic_tags=[], cooked="<p>crash again</p>")
    assert (await deliver(h, "post_recovered", fresh))[1]["status"] == "stored"
    assert (await deliver(h, "post_recovered", posts[1]))[1]["status"] == "duplicate"
    await h.app.worker.drain(horizon=0)
    deletes = [p for p in h.posts() if p["kind"] == "delete"]
    assert len(deletes) == 6 and all(p["payload"]["text"] == "" for p in deletes)


async def test_topic_destroyed_redacts_its_replies(
    harness: HarnessFactory, fake_discourse: FakeDiscourse
) -> None:
    h = await make(harness, fake_discourse)
    host = host_of(fake_discourse)
    fake_discourse.topics[311] = fixture("topic_created.json")["topic"]
    assert (await deliver(h, "topic_created", fixture("topic_created.json")))[1][
        "status"
    ] == "topic remembered"
    assert (await deliver(h, "post_created", post()))[1]["status"] == "stored"
    for number in (2, 3):
        payload = reply(1201 + number, number, f"<p>same crash, #{number}</p>")
        assert (await deliver(h, "post_created", payload))[1]["status"] == "stored"
    other = post(id=1300, topic_id=312, topic_tags=[], cooked="<p>unrelated crash</p>")
    assert (await deliver(h, "post_created", other))[1]["status"] == "stored"
    status, body = await deliver(h, "post_destroyed", post(deleted_at="2026-11-11T00:00:00.000Z"))
    assert (status, body["status"]) == (200, "deleted")
    status, body = await deliver(h, "topic_destroyed", fixture("topic_created.json"), event_id=9)
    assert (status, body["status"]) == (200, "deleted")
    for post_id, deleted in ((1201, True), (1203, True), (1204, True), (1300, False)):
        message = await h.app.store.get_message("discourse", f"{host}:post:{post_id}")
        assert message is not None and message.deleted is deleted, post_id
