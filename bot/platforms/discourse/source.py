"""Discourse as a message source: lookups (categories, topics), the gap-filling poller, the import.

The webhook, the poller and ``kakehashi import discourse`` all turn a post into an
``InboundMessage`` here, with the same key (``{host}:post:{id}``), so a post seen several ways is
stored and routed once.

Privacy: a category counts as public only when the forum lists it and it is not
``read_restricted``; when the category cannot be resolved the post is private (never routed
unless a rule says ``allow_private: true``).
"""

from __future__ import annotations

import logging
import random
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.discourse import (
    Category,
    Site,
    TopicInfo,
    created_at,
    edited_at,
    is_routable_kind,
    is_withdrawn,
    post_tags,
    post_text,
    post_to_message,
    validate_post,
)
from adapters.discourse_client import DiscourseApiError, DiscourseClient
from bot.core.domain import InboundMessage
from bot.core.errors import PayloadError
from bot.pipeline.dispatcher import Dispatcher, Outcome
from storage.store import Store

log = logging.getLogger("kakehashi.discourse")

MAX_TOPICS = 2000


class DiscourseLookups:
    """Categories (``/site.json``, refreshed on a miss and every ``ttl`` seconds) and topics
    (``/t/{id}.json``, remembered from ``topic_created`` too), cached in memory."""

    def __init__(
        self,
        *,
        site: Site,
        client: DiscourseClient | None,
        ttl: float = 600.0,
        min_refresh: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.site = site
        self.client = client
        self.ttl = ttl
        self.min_refresh = min_refresh
        self.clock = clock
        self._categories: dict[int, Category] = {}
        self._loaded_at: float | None = None
        self._topics: OrderedDict[int, TopicInfo] = OrderedDict()
        self._looked_up: dict[int, float] = {}  # category id -> when /c/{id}/show.json was asked

    async def _refresh(self) -> None:
        if self.client is None:
            return
        self._categories = await self.client.categories()
        self._loaded_at = self.clock()

    async def category(self, category_id: Any) -> Category | None:
        if not isinstance(category_id, int):
            return None
        now = self.clock()
        stale = self._loaded_at is None or now - self._loaded_at > self.ttl
        miss = category_id not in self._categories and (
            self._loaded_at is None or now - self._loaded_at > self.min_refresh
        )
        if stale or miss:
            await self._refresh()
        known = self._categories.get(category_id)
        if (
            known is None
            and self.client is not None
            and self._looked_up.get(category_id, -1e18) < now - self.min_refresh
        ):
            # Not listed (a subcategory an older /categories.json leaves out, or a server
            # without a category list): ask for this one category.
            self._looked_up[category_id] = now
            known = await self.client.category(category_id)
            if known is not None:
                self._categories[category_id] = known
        return known

    def remember_topic(self, info: TopicInfo) -> None:
        known = self._topics.get(info.id)
        if known is not None:
            info = TopicInfo(
                id=info.id,
                first_post_id=info.first_post_id or known.first_post_id,
                tags=info.tags or known.tags,
                category_id=info.category_id if info.category_id is not None else known.category_id,
                archetype=info.archetype,
            )
        self._topics[info.id] = info
        self._topics.move_to_end(info.id)
        while len(self._topics) > MAX_TOPICS:
            self._topics.popitem(last=False)

    async def topic(self, topic_id: int, *, fetch: bool) -> TopicInfo | None:
        known = self._topics.get(topic_id)
        if known is not None or not fetch or self.client is None:
            return known
        try:
            info = await self.client.topic(topic_id)
        except DiscourseApiError as exc:
            if exc.transient:
                raise
            return None  # gone or not visible to us: answer without topic details
        if info is not None:
            self.remember_topic(info)
        return info

    async def is_public(self, post: dict[str, Any]) -> bool:
        """Whether everyone may read the post (see the module's privacy note); no topic fetch."""
        if post.get("topic_archetype") == "private_message":
            return False
        category_id = post.get("category_id")
        if not isinstance(category_id, int):
            known = self._topics.get(post.get("topic_id"))  # type: ignore[arg-type]
            category_id = known.category_id if known else None
        category = await self.category(category_id)
        return category is not None and category.public

    async def message(self, post: dict[str, Any]) -> InboundMessage:
        """The post as an ``InboundMessage``; raises ``DiscourseApiError`` when a lookup failed."""
        topic_id = post["topic_id"]
        if post.get("post_number") == 1:
            self.remember_topic(
                TopicInfo(
                    id=topic_id,
                    first_post_id=post["id"],
                    tags=post_tags(post) or (),
                    category_id=post.get("category_id"),
                    archetype=post.get("topic_archetype") or "regular",
                )
            )
        private_message = post.get("topic_archetype") == "private_message"
        need_topic = not private_message and (post.get("post_number") != 1 or post_tags(post) is None)
        topic = await self.topic(topic_id, fetch=need_topic)
        category_id = post.get("category_id")
        if not isinstance(category_id, int) and topic is not None:
            category_id = topic.category_id
        category = None if private_message else await self.category(category_id)
        return post_to_message(post, site=self.site, category=category, topic=topic)


def _written(post: dict[str, Any]) -> datetime:
    """When the post was created; a post without a readable time counts as old."""
    try:
        return created_at(post)
    except PayloadError:
        return datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class PollResult:
    status: str  # "ok" | "initialised" | "backing_off" | "error"
    stored: int = 0
    seen: int = 0
    cursor: int | None = None
    error: str = ""
    edited: int = 0
    deleted: int = 0


@dataclass
class _Pages:
    """What a run read from ``/posts.json``: posts by id, and the lowest id from which on the
    listing was read without a gap (0 when it reached the oldest post)."""

    posts: dict[int, dict[str, Any]]
    complete_from: int | None


class DiscoursePoller:
    """Fills gaps and catches edits and deletions: pages ``/posts.json?before=`` back to the
    stored cursor (new posts, oldest first) and on through the ``recheck`` ids below it.

    The cursor (the highest post id handled) lives in the database, so a restart resumes and
    several replicas can poll (the message key keeps each post stored once).  The very first run
    handles the posts of the last ``first_run_window`` (24 h: what was said while nothing
    listened) and records where the forum is now; older history is what
    ``kakehashi import discourse`` is for.

    Re-read posts whose text differs from the stored one are handled as edits.  A stored public
    post that is deleted (by its author too), hidden, or no longer listed (deleted, moved to a
    restricted category) is redacted -- a missing post only after two runs in a row did not see
    it, so a stale cached page cannot redact anything.
    After an error the next runs are skipped for an exponentially growing, jittered delay.
    """

    def __init__(
        self,
        *,
        lookups: DiscourseLookups,
        client: DiscourseClient,
        dispatcher: Dispatcher,
        store: Store,
        on_stored: Callable[[], None] = lambda: None,
        max_pages: int = 20,
        recheck: int = 150,
        first_run_window: timedelta = timedelta(hours=24),
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.lookups = lookups
        self.client = client
        self.dispatcher = dispatcher
        self.store = store
        self.on_stored = on_stored
        self.max_pages = max_pages
        self.recheck = recheck
        self.first_run_window = first_run_window
        self.clock = clock
        self.now = now
        self.failures = 0
        self.resume_at = 0.0
        self.cursor_name = f"discourse:{lookups.site.host}:last_post_id"
        self._missing: set[int] = set()

    async def _read(self, floor: int) -> _Pages:
        """Pages from the newest post back until a page reaches ``floor``.

        Discourse's ``before`` means ``posts.id < before`` (``<=`` in older versions), so the next
        page starts at the lowest id seen: nothing is skipped either way, and a page that brings
        nothing new means the listing has ended.
        """
        found: dict[int, dict[str, Any]] = {}
        before: int | None = None
        complete_from: int | None = None
        for _ in range(self.max_pages):
            page = await self.client.latest_posts(before)
            new = [p for p in page if p["id"] not in found]
            for post in new:
                found[post["id"]] = post
            if not new:
                complete_from = 0
                break
            lowest = min(p["id"] for p in page)
            complete_from = lowest
            if lowest <= floor + 1:
                break
            before = lowest
        return _Pages(posts=found, complete_from=complete_from)

    async def run_once(self) -> PollResult:
        if self.clock() < self.resume_at:
            return PollResult(status="backing_off")
        raw = await self.store.get_cursor(self.cursor_name)
        cursor = int(raw) if raw and raw.isdigit() else None
        stored = edited = deleted = 0
        posts: list[dict[str, Any]] = []
        try:
            if cursor is None:
                first = await self._first_run()
                self.failures = 0
                if first.stored:
                    self.on_stored()
                return first
            floor = max(cursor - self.recheck, 0)
            pages = await self._read(floor)
            posts = [pages.posts[i] for i in sorted(pages.posts) if i > cursor]
            for post in posts:
                outcome = await self._handle(post)
                stored += outcome.status == "stored"
                await self.store.set_cursor(self.cursor_name, str(post["id"]))
            if self.recheck:
                edited, deleted = await self._recheck(pages, floor, cursor)
            cursor = max([cursor, *(p["id"] for p in posts)])
        except DiscourseApiError as exc:
            self.failures += 1
            delay = random.uniform(0.5, 1.0) * min(3600.0, 30.0 * 2 ** (self.failures - 1))
            delay = max(delay, exc.retry_after)  # a long Retry-After is honoured in full
            self.resume_at = self.clock() + delay
            log.warning("discourse poll failed (%s); next try in %.0f s", exc, delay)
            return PollResult(status="error", stored=stored, cursor=cursor, error=str(exc))
        self.failures = 0
        if stored or edited or deleted:
            self.on_stored()
        return PollResult(
            status="ok", stored=stored, seen=len(posts), cursor=cursor, edited=edited, deleted=deleted
        )

    async def _first_run(self) -> PollResult:
        """No cursor yet: page back through the posts of the last ``first_run_window``, handle
        them oldest first, then record the newest id as the cursor."""
        horizon = self.now() - self.first_run_window
        found: dict[int, dict[str, Any]] = {}
        before: int | None = None
        for _ in range(self.max_pages):
            page = await self.client.latest_posts(before)
            new = [p for p in page if p["id"] not in found]
            found.update((p["id"], p) for p in new)
            if not new or any(_written(p) < horizon for p in new):
                break  # the listing ended, or reached posts older than the window
            before = min(p["id"] for p in page)
        recent = [found[i] for i in sorted(found) if _written(found[i]) >= horizon]
        stored = 0
        for post in recent:
            stored += (await self._handle(post)).status == "stored"
            await self.store.set_cursor(self.cursor_name, str(post["id"]))
        newest = max(found, default=0)
        await self.store.set_cursor(self.cursor_name, str(newest))
        return PollResult(status="initialised", stored=stored, seen=len(recent), cursor=newest)

    async def _handle(self, post: dict[str, Any]) -> Outcome:
        try:
            validate_post(post)
        except PayloadError as exc:
            log.warning("discourse post %s skipped: %s", post.get("id"), exc)
            return Outcome(status="ignored", reason="malformed")
        if is_withdrawn(post):
            return Outcome(status="ignored", reason="deleted or hidden")
        if not is_routable_kind(post):
            # Discourse lists regular posts only, but a whisper or small action is never routed.
            return Outcome(status="ignored", reason="not a regular post")
        msg = await self.lookups.message(post)
        return await self.dispatcher.handle_message(msg)

    async def _recheck(self, pages: _Pages, floor: int, cursor: int) -> tuple[int, int]:
        """Edits and deletions among the posts handled before (ids in ``(floor, cursor]``)."""
        edited = deleted = 0
        site = self.lookups.site
        for post_id in range(cursor, floor, -1):
            post = pages.posts.get(post_id)
            if post is None:
                if pages.complete_from is None or post_id < pages.complete_from:
                    continue  # not read this run: nothing can be said
                if await self._gone(post_id):
                    deleted += 1
                continue
            self._missing.discard(post_id)
            message = await self.store.get_message("discourse", site.post_key(post_id))
            if message is None or message.deleted:
                continue
            try:
                validate_post(post)
            except PayloadError:
                continue
            if is_withdrawn(post):
                deleted += await self._delete(post_id, "deleted or hidden on the forum")
                continue
            if post_text(post) == message.text and (message.private or await self.lookups.is_public(post)):
                continue
            msg = await self.lookups.message(post)
            if msg.private and not message.private:
                deleted += await self._delete(post_id, "moved out of public view")
            elif msg.text != message.text:
                await self.dispatcher.handle_edit(msg, edited_at(post))
                edited += 1
        return edited, deleted

    async def _gone(self, post_id: int) -> bool:
        """A stored public post the listing no longer shows: redacted when missed twice in a row."""
        message = await self.store.get_message("discourse", self.lookups.site.post_key(post_id))
        if message is None or message.deleted or message.private:
            return False
        if post_id not in self._missing:
            self._missing.add(post_id)
            return False
        self._missing.discard(post_id)
        return bool(await self._delete(post_id, "no longer listed by the forum"))

    async def _delete(self, post_id: int, why: str) -> int:
        outcome = await self.dispatcher.handle_delete("discourse", self.lookups.site.post_key(post_id))
        if outcome.status == "deleted":
            log.info("discourse post %s redacted: %s", post_id, why)
            return 1
        return 0


@dataclass(frozen=True, slots=True)
class ImportCursor:
    """Where ``kakehashi import discourse`` stands, kept in the database as one string.

    ``before``: the next page to read (None: from the newest post); ``floor``: the newest post id
    a finished run of the same ``--since`` already handled (a later run stops there, so it picks
    up what was posted since instead of answering "nothing"); ``top``: the newest id this run saw.
    Stored as ``"done:TOP"`` when finished, ``"BEFORE:FLOOR:TOP"`` while under way (older
    versions wrote ``"done"`` and ``"BEFORE"``).
    """

    before: int | None = None
    floor: int = 0
    top: int = 0

    @classmethod
    def parse(cls, raw: str | None) -> ImportCursor:
        parts = (raw or "").split(":")
        if parts[0] == "done":
            top = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
            return cls(floor=top, top=top)
        if not all(p.isdigit() for p in parts):
            return cls()
        numbers = [int(p) for p in parts] + [0, 0]
        return cls(before=numbers[0], floor=numbers[1], top=numbers[2])

    def at(self, before: int) -> str:
        return f"{before}:{self.floor}:{self.top}"

    def done(self) -> str:
        return f"done:{max(self.top, self.floor)}"


async def import_since(
    *,
    lookups: DiscourseLookups,
    client: DiscourseClient,
    dispatcher: Dispatcher,
    store: Store,
    since: datetime,
    repost: bool = False,
    on_page: Callable[[int, int], None] = lambda seen, stored: None,
) -> tuple[int, int]:
    """Store every public post created at or after ``since`` (pages from the newest back).

    Resumable: the lowest post id done is kept as a cursor, and a later run continues below it;
    idempotent: posts already stored are duplicates; a run after a finished one reads only what
    was posted since (see ``ImportCursor``).  Returns (seen, stored).
    """
    name = f"import:discourse:{lookups.site.host}:{since.date().isoformat()}:before"
    cursor = ImportCursor.parse(await store.get_cursor(name))
    before = cursor.before
    seen = stored = 0
    while True:
        page = await client.latest_posts(before)
        if not page:
            break
        cursor = replace(cursor, top=max(cursor.top, *(p["id"] for p in page)))
        # Ids grow with time but not strictly (moved or imported posts): stop after a page
        # holding nothing recent enough, skip older posts on the way.
        reached_end = True
        for post in sorted(page, key=lambda p: p["id"]):
            if before is not None and post["id"] >= before:
                continue  # older Discourse repeats the post at ``before``
            if post["id"] <= cursor.floor:
                continue  # handled by the finished run before this one
            try:
                validate_post(post)
            except PayloadError as exc:
                log.warning("discourse post %s skipped: %s", post.get("id"), exc)
                continue
            if created_at(post) < since:
                continue
            reached_end = False
            seen += 1
            if is_withdrawn(post) or not is_routable_kind(post):
                continue
            msg = await lookups.message(post)
            outcome = await dispatcher.handle_message(msg, repost=repost)
            stored += outcome.status == "stored"
        lowest = min(p["id"] for p in page)
        # ``before`` is ``posts.id < before`` (``<=`` in older Discourse: one post read twice,
        # a duplicate).  The cursor keeps the next ``before``.
        ended = reached_end or lowest <= max(cursor.floor, 1) or lowest == before
        await store.set_cursor(name, cursor.done() if ended else cursor.at(lowest))
        on_page(seen, stored)
        if ended:
            break
        before = lowest
    await store.set_cursor(name, cursor.done())
    return seen, stored
