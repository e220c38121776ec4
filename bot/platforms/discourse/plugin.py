"""Discourse, pushed and pulled: ``POST /discourse/webhook`` and the gap-filling poller.

Webhook answers (Discourse deactivates a webhook that keeps answering 404 or 410, so those are
never used): 200 for every signed event, handled or not; 401 when the
``X-Discourse-Event-Signature`` is missing or wrong; 400 with the field when the body is broken;
503 when the forum's category list could not be fetched (Discourse retries later, and the
poller fills the gap).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from adapters.discourse import (
    Site,
    edited_at,
    is_routable_kind,
    is_withdrawn,
    parse_topic,
    post_text,
    signature_ok,
    validate_post,
)
from adapters.discourse_client import DiscourseApiError, DiscourseClient
from adapters.discourse_sink import DiscourseSink
from bot.chat.consent import answer_by_reply
from bot.core.domain import Sink
from bot.core.errors import AuthenticationError, PayloadError
from bot.core.payload import parse_json_object
from bot.platforms.discourse.checks import DiscourseChecks
from bot.platforms.discourse.source import DiscourseLookups, DiscoursePoller
from bot.platforms.http import read_body

if TYPE_CHECKING:
    from bot.pipeline.services import Services
    from rules import RuleSet

log = logging.getLogger("kakehashi.discourse")

CHECK_BUDGET = 15.0  # seconds start-up waits for the check of rules.yaml's categories
POST_EVENTS = ("post_created", "post_edited", "post_destroyed", "post_recovered")


def _reply(status: str, code: int = 200, **extra: Any) -> web.Response:
    return web.json_response({"status": status, **extra}, status=code)


class DiscoursePlugin:
    name = "discourse"

    def __init__(
        self,
        app: Services,
        *,
        site: Site,
        client: DiscourseClient | None,
        secret: str | None,
        poll_interval: float,
    ) -> None:
        self.app = app
        self.site = site
        self.client = client
        self.secret = secret
        self.poll_interval = poll_interval
        self.lookups = DiscourseLookups(site=site, client=client)
        self.poller = (
            DiscoursePoller(
                lookups=self.lookups,
                client=client,
                dispatcher=app.dispatcher,
                store=app.store,
                on_stored=app.worker.wake,
                now=app.clock,
            )
            if client is not None and poll_interval > 0
            else None
        )
        self.scheduler: AsyncIOScheduler | None = None
        self.checks = DiscourseChecks(client=client, health=app.health, forum=site.base_url or "the forum")
        self._background: set[asyncio.Task[None]] = set()

    def sinks(self) -> dict[str, Sink]:
        """Answers back to the forum need the API (``DISCOURSE_URL`` and a key that may post)."""
        if self.client is None or not self.app.settings.discourse_api_key:
            return {}
        return {"discourse": DiscourseSink(self.client.http, on_self_id=self.app.dispatcher.add_self_id)}

    def mount(self, web_app: web.Application) -> None:
        web_app.router.add_post("/discourse/webhook", self.webhook)

    def _on_reload(self, rules: RuleSet) -> None:
        try:
            task = asyncio.get_running_loop().create_task(self.checks.run(rules), name="discourse-checks")
        except RuntimeError:  # no loop (a reload outside the server): the next start checks
            return
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def idle(self) -> None:
        """Wait for the checks started by a reload (tests)."""
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    async def start(self) -> None:
        try:
            await asyncio.wait_for(self.checks.run(self.app.rules.current), CHECK_BUDGET)
        except TimeoutError:
            self.app.health.report(
                "discourse:check",
                f"Discourse: checking the categories of rules.yaml took over {CHECK_BUDGET:.0f} s",
            )
        self.app.rules.on_reload(self._on_reload)
        if self.poller is None:
            return
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self.scheduler.add_job(
            self.poller.run_once,
            "interval",
            seconds=self.poll_interval,
            id="discourse-poller",
            max_instances=1,
            coalesce=True,
            next_run_time=self.app.clock(),
        )
        self.scheduler.start()

    async def stop(self) -> None:
        for task in list(self._background):
            task.cancel()
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        if self.client is not None:
            await self.client.aclose()

    async def webhook(self, request: web.Request) -> web.Response:
        body = await read_body(request)
        if not self.secret or not signature_ok(
            self.secret, body, request.headers.get("X-Discourse-Event-Signature")
        ):
            raise AuthenticationError("bad or missing X-Discourse-Event-Signature")
        if not self.site.base_url:
            instance = request.headers.get("X-Discourse-Instance", "").strip().rstrip("/")
            if (
                not instance.startswith(("http://", "https://"))
                or not instance.isprintable()
                or not instance.isascii()
            ):
                raise PayloadError("X-Discourse-Instance: expected the forum's URL")
            self.site = self.lookups.site = Site(instance)
        event = request.headers.get("X-Discourse-Event", "")
        event_id = request.headers.get("X-Discourse-Event-Id", "")
        payload = parse_json_object(body)
        try:
            result = await self._handle(event, payload)  # a PayloadError is answered 400 by the server
        except DiscourseApiError as exc:
            log.warning("discourse webhook %s (event id %s): lookup failed: %s", event, event_id, exc)
            return _reply("retry_later", 503, error=str(exc))
        log.debug("discourse webhook %s (event id %s): %s", event, event_id, result)
        return _reply(result)

    async def _handle(self, event: str, payload: dict[str, Any]) -> str:
        if event == "ping" or "ping" in payload:
            return "pong"
        if event in ("topic_created", "topic_edited"):
            # The first post arrives as its own post_created; only remember the topic's details.
            info = parse_topic(payload.get("topic"))
            if info is None:
                if event == "topic_edited":
                    return "ignored"  # only ever a hint (new tags); nothing is lost
                raise PayloadError("topic.id: expected an integer")
            self.lookups.remember_topic(info)
            return "topic remembered"
        if event == "topic_destroyed":
            return await self._topic_destroyed(payload.get("topic"))
        if event not in POST_EVENTS:
            return "ignored"
        post = validate_post(payload.get("post"))
        key = self.site.post_key(post["id"])
        if event == "post_destroyed" or (event == "post_edited" and is_withdrawn(post)):
            # post_edited also tells of a post its author deleted ("(post deleted by author)",
            # user_deleted) or that flags hid: both leave public view.
            return await self._delete(key)
        if not is_routable_kind(post) or is_withdrawn(post):
            return "ignored"
        if event == "post_created" and post.get("topic_archetype") == "private_message":
            answered = await answer_by_reply(  # the author answering a reuse request?
                self.app,
                platform="discourse",
                topic=str(post["topic_id"]),
                user_id=str(post.get("user_id") if post.get("user_id") is not None else post.get("username")),
                user_name=str(post.get("username") or ""),
                text=post_text(post),
                reply_key=key,
            )
            if answered is not None:
                return answered
        msg = await self.lookups.message(post)
        dispatcher = self.app.dispatcher
        if event == "post_edited":
            stored = await self.app.store.get_message("discourse", key)
            if msg.private and stored is not None and not stored.private:
                log.info(
                    "discourse post %s left public view (private message or restricted category)", post["id"]
                )
                return await self._delete(key)
            outcome = await dispatcher.handle_edit(msg, edited_at(post))
        else:  # post_created, post_recovered
            outcome = await dispatcher.handle_message(msg)
        if outcome.status in ("stored", "edited"):
            self.app.worker.wake()
        return outcome.status

    async def _delete(self, key: str) -> str:
        outcome = await self.app.dispatcher.handle_delete("discourse", key)
        if outcome.status == "deleted":
            self.app.worker.wake()
        return outcome.status

    async def _topic_destroyed(self, topic: Any) -> str:
        """Deleting a topic sends post_destroyed for its first post only: redact the replies too."""
        info = parse_topic(topic)
        if info is None:
            raise PayloadError("topic.id: expected an integer")
        known = await self.lookups.topic(info.id, fetch=True)
        keys = [self.site.topic_key(info.id)]
        first = (known.first_post_id if known else None) or info.first_post_id
        if first:
            keys.append(self.site.post_key(first))
        replies = [m.key for m in await self.app.store.replies_to(keys) if m.platform == "discourse"]
        statuses = [await self._delete(key) for key in [*keys[1:], *replies]]
        return "deleted" if "deleted" in statuses else "ignored"


def plugin(app: Services) -> DiscoursePlugin | None:
    settings = app.settings
    if not (settings.discourse_webhook_secret or settings.discourse_url):
        return None
    client = None
    if settings.discourse_url:
        client = DiscourseClient(
            base_url=settings.discourse_url,
            api_key=settings.discourse_api_key,
            api_username=settings.discourse_api_username,
        )
    else:
        log.warning(
            "DISCOURSE_URL is not set: categories cannot be checked, so webhook posts count as private"
        )
    # Without DISCOURSE_URL the site is learnt from the first signed webhook's X-Discourse-Instance.
    site = Site(settings.discourse_url or "")
    return DiscoursePlugin(
        app,
        site=site,
        client=client,
        secret=settings.discourse_webhook_secret,
        poll_interval=settings.discourse_poll_interval,
    )
