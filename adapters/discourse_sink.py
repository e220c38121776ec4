"""DiscourseSink: answers to the community as posts in the topic (``POST /posts.json``).

Only answers (and notices) and reuse requests (a private message to the post's author, see
``_private_message``) go to Discourse: departments never live there.  The post an answer
replies to is named by its message key (``{host}:post:{id}``); ``GET /posts/{id}.json`` gives its
``topic_id`` and ``post_number``, then ``POST /posts.json`` with ``topic_id``, ``raw`` and
``reply_to_post_number`` creates the reply (Discourse API: "Create a topic, post, or private
message"; the key needs the ``topics: write`` scope or to be an all-users key).

One request per attempt, no retries here: the outbox retries durably.  429 waits for
``Retry-After``; 5xx and connection errors are transient; other refusals are dead letters
with what to fix.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx

from adapters.discourse_client import _error_detail, wait_seconds
from bot.core.domain import Post, Receipt
from bot.core.errors import PermanentDeliveryError, RateLimitedError, TransientDeliveryError

log = logging.getLogger("kakehashi.discourse")

WRITE_HINT = (
    "DISCOURSE_API_KEY must be allowed to post as DISCOURSE_API_USERNAME: an all-users key, or a "
    "granular key with the 'topics: write' scope"
)


def post_id_of(key: str) -> int:
    """``forum.example.com:post:123`` -> 123."""
    _, sep, number = key.rpartition(":post:")
    if not sep or not number.isdigit():
        raise PermanentDeliveryError(f"not a Discourse post key: {key!r}")
    return int(number)


class DiscourseSink:
    platform = "discourse"
    min_interval = 1.0  # 60 requests a minute per key by default

    def __init__(
        self, http: httpx.AsyncClient, *, on_self_id: Callable[[str], None] = lambda _: None
    ) -> None:
        self.http = http
        self.on_self_id = on_self_id

    async def send(self, post: Post) -> Receipt:
        if post.kind == "consent_request":
            return await self._private_message(post)
        if post.kind not in ("answer", "notice") or not post.payload.get("reply_to"):
            raise PermanentDeliveryError(f"Discourse only takes answers in a topic, not {post.kind!r} posts")
        replied = post_id_of(str(post.payload["reply_to"]))
        target = await self._call("GET", f"/posts/{replied}.json")
        topic_id = target.get("topic_id")
        if not isinstance(topic_id, int):
            raise PermanentDeliveryError(f"GET /posts/{replied}.json: no topic_id in the answer")
        body: dict[str, Any] = {"topic_id": topic_id, "raw": str(post.payload.get("markdown") or "")}
        if isinstance(target.get("post_number"), int):
            body["reply_to_post_number"] = target["post_number"]
        created = await self._call("POST", "/posts.json", json=body)
        if created.get("user_id") is not None:
            self.on_self_id(str(created["user_id"]))  # our own post, when the webhook brings it back
        new_id = created.get("id")
        link = None
        if created.get("topic_slug") and created.get("post_number"):
            link = f"{self.http.base_url}t/{created['topic_slug']}/{topic_id}/{created['post_number']}"
        return Receipt(remote_id=str(new_id or ""), remote_channel=str(topic_id), link=link)

    async def _private_message(self, post: Post) -> Receipt:
        """A reuse request to the author: a private message (``POST /posts.json`` with ``title``,
        ``raw``, ``archetype: private_message`` and ``target_recipients`` = their username); the
        author answers by replying in it, which the webhook brings back."""
        payload = post.payload
        username = str(payload.get("username") or "")
        if not username:
            raise PermanentDeliveryError("consent request without the author's Discourse username")
        raw = str(payload.get("text") or "")
        if payload.get("link"):
            raw += f"\n\n{payload['link']}"
        body = {
            "title": str(payload.get("title") or ""),
            "raw": raw,
            "archetype": "private_message",
            "target_recipients": username,
        }
        created = await self._call("POST", "/posts.json", json=body)
        if created.get("user_id") is not None:
            self.on_self_id(str(created["user_id"]))  # our own post, when the webhook brings it back
        topic_id = created.get("topic_id")
        if not isinstance(topic_id, int):
            raise PermanentDeliveryError("POST /posts.json: the private message has no topic_id")
        return Receipt(remote_id=str(created.get("id") or ""), remote_channel=str(topic_id))

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise TransientDeliveryError(f"{method} {path}: {exc.__class__.__name__}: {exc}") from None
        status = response.status_code
        where = f"{method} {path}: HTTP {status}{_error_detail(response)}"
        if status == 429:
            raise RateLimitedError(where, retry_after=wait_seconds(response, 10.0))
        if status >= 500:
            raise TransientDeliveryError(where)
        if status in (401, 403):
            raise PermanentDeliveryError(f"{where}: {WRITE_HINT}")
        if status == 404:
            raise PermanentDeliveryError(f"{where}: the post or topic was deleted, or the key cannot see it")
        if status >= 400:
            raise PermanentDeliveryError(where)
        try:
            data = response.json()
        except ValueError:
            raise TransientDeliveryError(f"{method} {path}: the answer is not JSON") from None
        if not isinstance(data, dict):
            raise PermanentDeliveryError(f"{method} {path}: expected a JSON object")
        return data
