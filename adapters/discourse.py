"""Discourse payloads to domain values (pure: no I/O, no storage, no decisions beyond translation).

Shapes come from Discourse's own serializers: a webhook body is ``{"post": {...}}`` (the
``WebHookPostSerializer``, a ``PostSerializer`` plus ``raw``, ``topic_archetype``,
``category_slug``) or ``{"topic": {...}}``; ``/posts.json`` lists the same post fields under
``latest_posts``; ``/site.json`` lists ``categories`` with ``read_restricted``.  See
tests/fixtures/discourse/README.md for the sources.

Message key: ``{site_host}:post:{post_id}`` for webhook, poller and import alike, so a post
seen several ways is stored once.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from adapters import html_text
from bot.core.domain import InboundMessage
from bot.core.errors import PayloadError

REGULAR_POST = 1  # Post.types[:regular]; 2 moderator_action, 3 small_action, 4 whisper


@dataclass(frozen=True, slots=True)
class Site:
    """The forum: ``base_url`` without a trailing slash; ``host`` names message keys."""

    base_url: str

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc or self.base_url

    def post_key(self, post_id: int | str) -> str:
        return f"{self.host}:post:{post_id}"

    def topic_key(self, topic_id: int | str) -> str:
        """Thread key of last resort when a topic's first post id is unknown."""
        return f"{self.host}:topic:{topic_id}"


@dataclass(frozen=True, slots=True)
class Category:
    id: int
    slug: str
    name: str
    read_restricted: bool

    @property
    def public(self) -> bool:
        return not self.read_restricted


@dataclass(frozen=True, slots=True)
class TopicInfo:
    """What a post payload may lack: the topic's tags and the id of its first post."""

    id: int
    first_post_id: int | None
    tags: tuple[str, ...] = ()
    category_id: int | None = None
    archetype: str = "regular"


# --- signatures --------------------------------------------------------------------------------


def signature(secret: str, body: bytes) -> str:
    """The ``X-Discourse-Event-Signature`` value Discourse sends: ``sha256=<hex HMAC of the body>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_ok(secret: str, body: bytes, header: str | None) -> bool:
    if not header or not header.isascii():  # undecodable header bytes arrive as lone surrogates
        return False
    return hmac.compare_digest(signature(secret, body).encode(), header.strip().encode())


# --- cooked HTML to text -----------------------------------------------------------------------

# Quoted posts, link previews and image lightboxes are not this author's words.
_SKIP_CLASSES = frozenset({"quote", "onebox", "lightbox-wrapper"})


def _not_the_authors(tag: str, attrs: html_text.Attrs) -> bool:
    return tag in ("aside", "div") and bool(_SKIP_CLASSES.intersection(attrs.get("class", "").split()))


def _stands_for(tag: str, attrs: html_text.Attrs) -> str | None:
    classes = attrs.get("class", "").split()
    if tag == "img" and "emoji" in classes:
        return attrs.get("alt", "")
    if tag == "a" and "hashtag-cooked" in classes:
        return "#"  # the icon stands for the "#" people typed
    return None


COOKED = html_text.Dialect(skip=_not_the_authors, inline=_stands_for, paragraphs=True)


def cooked_to_text(cooked: str) -> str:
    """Discourse's rendered HTML to plain text: paragraphs and list items on their own lines,
    emoji images as their ``:name:``, quotes of other posts and link previews dropped."""
    return html_text.html_to_text(cooked, COOKED)


# --- payload readers ---------------------------------------------------------------------------


def _int(obj: dict[str, Any], name: str, where: str) -> int:
    value = obj.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PayloadError(f"{where}.{name}: expected an integer, got {type(value).__name__}")
    return value


def _time(obj: dict[str, Any], name: str, where: str) -> datetime:
    value = obj.get(name)
    if not isinstance(value, str):
        raise PayloadError(f"{where}.{name}: expected an ISO 8601 time, got {type(value).__name__}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise PayloadError(f"{where}.{name}: expected an ISO 8601 time, got {value!r}") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def tag_names(raw: Any) -> tuple[str, ...]:
    """Tags are strings in older Discourse versions and ``{"name": ...}`` objects in newer ones."""
    if not isinstance(raw, list):
        return ()
    out: list[str] = []
    for tag in raw:
        name = tag.get("name") if isinstance(tag, dict) else tag
        if isinstance(name, str) and name:
            out.append(name)
    return tuple(out)


def post_tags(post: dict[str, Any]) -> tuple[str, ...] | None:
    """Tags carried by the post payload itself (``topic_tags`` / ``tags``); None when absent."""
    for name in ("topic_tags", "tags"):
        if isinstance(post.get(name), list):
            return tag_names(post[name])
    return None


def validate_post(post: Any, where: str = "post") -> dict[str, Any]:
    """Check the fields every conversion needs; ``PayloadError`` names the first wrong one."""
    if not isinstance(post, dict):
        raise PayloadError(f"{where}: expected an object, got {type(post).__name__}")
    _int(post, "id", where)
    _int(post, "topic_id", where)
    _int(post, "post_number", where)
    _time(post, "created_at", where)
    if not isinstance(post.get("username"), str):
        raise PayloadError(f"{where}.username: expected a string")
    if not isinstance(post.get("cooked", ""), str):
        raise PayloadError(f"{where}.cooked: expected a string")
    return post


def is_routable_kind(post: dict[str, Any]) -> bool:
    """Only regular posts carry community voice (not small actions, moderator notes, whispers)."""
    return post.get("post_type", REGULAR_POST) == REGULAR_POST and not post.get("hidden")


def is_withdrawn(post: dict[str, Any]) -> bool:
    """The post is gone from public view: deleted (``deleted_at``), deleted by its author
    (``user_deleted``: Discourse keeps it as "(post deleted by author)" until it is purged) or
    hidden after flags (``hidden``)."""
    return bool(post.get("deleted_at") or post.get("user_deleted") or post.get("hidden"))


def post_text(post: dict[str, Any]) -> str:
    """What rules see: the cooked HTML as text, prefixed with the topic title on post 1.

    Needs no lookups, so the poller can compare a post with its stored text cheaply.
    """
    body = cooked_to_text(post.get("cooked") or "") or str(post.get("raw") or "").strip()
    title = str(post.get("topic_title") or "").strip()
    return f"{title}\n\n{body}".strip() if post.get("post_number") == 1 and title else body


def post_to_message(
    post: dict[str, Any],
    *,
    site: Site,
    category: Category | None,
    topic: TopicInfo | None = None,
) -> InboundMessage:
    """One post (webhook or ``/posts.json``) as an ``InboundMessage``.

    ``channel`` is ``discourse:<category slug>`` (the id when the slug is unknown) and
    ``channel_id`` ``discourse:<category id>``.  ``private`` is set for private messages, for
    posts without a category and for categories that are not public (read_restricted, or not
    known to be public).  The first post of a topic carries the topic title in its text.
    """
    validate_post(post)
    post_id = _int(post, "id", "post")
    topic_id = _int(post, "topic_id", "post")
    number = _int(post, "post_number", "post")
    category_id = post.get("category_id")
    if not isinstance(category_id, int) and topic is not None:
        category_id = topic.category_id
    slug = category.slug if category else (post.get("category_slug") or None)
    channel_ref = slug or (str(category_id) if category_id is not None else "private")
    archetype = post.get("topic_archetype") or (topic.archetype if topic else "regular")
    private = (
        archetype == "private_message"
        or not isinstance(category_id, int)
        or category is None
        or not category.public
    )
    text = post_text(post)
    tags = post_tags(post)
    if tags is None:
        tags = topic.tags if topic else ()
    thread_key: str | None = None
    if number > 1:
        first = topic.first_post_id if topic else None
        thread_key = site.post_key(first) if first else site.topic_key(topic_id)
    user_id = post.get("user_id")
    author_id = str(user_id) if user_id is not None else str(post.get("username"))
    topic_slug = post.get("topic_slug") or "-"
    return InboundMessage(
        platform="discourse",
        key=site.post_key(post_id),
        channel_id=f"discourse:{category_id}" if category_id is not None else "discourse:private",
        channel=f"discourse:{channel_ref}",
        author_id=author_id,
        author=str(post.get("username")),
        text=text,
        created_at=_time(post, "created_at", "post"),
        thread_key=thread_key,
        # Discourse's own users (system -1, discobot -2) have negative ids.
        is_bot=isinstance(user_id, int) and user_id < 0,
        link=f"{site.base_url}/t/{topic_slug}/{topic_id}/{number}",
        tags=tags,
        private=private,
        raw=post,
    )


def created_at(post: dict[str, Any]) -> datetime:
    """When the post was written, in UTC (a time without an offset counts as UTC)."""
    return _time(post, "created_at", "post")


def edited_at(post: dict[str, Any]) -> datetime:
    try:
        return _time(post, "updated_at", "post")
    except PayloadError:
        return _time(post, "created_at", "post")


def parse_categories(site_json: Any) -> dict[int, Category]:
    """``/site.json`` (or ``/categories.json``) to categories by id.

    Anonymous ``/site.json`` lists only the categories everyone can read; with an API key the
    list also holds restricted ones, flagged ``read_restricted``.
    """
    if not isinstance(site_json, dict):
        return {}
    raw = site_json.get("categories")
    if raw is None and isinstance(site_json.get("category_list"), dict):
        raw = site_json["category_list"].get("categories")
    out: dict[int, Category] = {}
    for cat in raw or ():
        category = parse_category(cat)
        if category is None:
            continue
        out[category.id] = category
        for sub in cat.get("subcategory_list") or ():
            if (subcategory := parse_category(sub)) is not None:
                out[subcategory.id] = subcategory
    return out


def parse_category(cat: Any) -> Category | None:
    """One category object (of ``/site.json``, ``/categories.json`` or ``/c/{id}/show.json``)."""
    if not isinstance(cat, dict) or not isinstance(cat.get("id"), int):
        return None
    return Category(
        id=cat["id"],
        slug=str(cat.get("slug") or cat["id"]),
        name=str(cat.get("name") or ""),
        read_restricted=bool(cat.get("read_restricted", False)),
    )


def parse_topic(topic: Any) -> TopicInfo | None:
    """``/t/{id}.json`` or a ``topic_created`` webhook's ``topic`` to ``TopicInfo``."""
    if not isinstance(topic, dict) or not isinstance(topic.get("id"), int):
        return None
    stream = (topic.get("post_stream") or {}).get("stream") or []
    first = stream[0] if stream and isinstance(stream[0], int) else None
    category_id = topic.get("category_id")
    return TopicInfo(
        id=topic["id"],
        first_post_id=first,
        tags=tag_names(topic.get("tags")),
        category_id=category_id if isinstance(category_id, int) else None,
        archetype=str(topic.get("archetype") or "regular"),
    )
