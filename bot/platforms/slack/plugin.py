"""The Slack integration: a slack-bolt AsyncApp wired to the dispatcher, the outbox and commands.

HTTP mode mounts Bolt at ``POST /slack/events`` (events, slash commands and interactivity);
with ``SLACK_APP_TOKEN`` the same Bolt app runs over Socket Mode instead.  Bolt verifies
signatures and parses requests; the listeners here only translate (``adapters.slack.convert``),
call the dispatcher (one DB transaction) and wake the outbox.  Every Web API call goes to
``SLACK_API_URL`` when it is set.  Who the bot is and the Socket Mode connection:
``bot.platforms.slack.connection``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.error import BoltUnhandledRequestError
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.signature import SignatureVerifier

from adapters.slack import blocks as bk
from adapters.slack import convert, shape
from adapters.slack import text as slack_text
from adapters.slack.directory import SlackDirectory, api_error, is_transient
from adapters.slack.sink import SlackSink
from bot.chat.actions import BUTTON_ACTIONS, apply_action
from bot.chat.admins import is_admin, slack_ids
from bot.chat.commands import CommandContext, CommandReply, is_slow, run_command, subcommand
from bot.chat.consent import answered_request
from bot.core.domain import InboundMessage, ReactionEvent
from bot.core.errors import AuthenticationError, PayloadError, SettingsError
from bot.core.texts import t
from bot.core.views import report_view
from bot.pipeline.after_ack import AfterAck
from bot.pipeline.spool import Spool
from bot.platforms.http import read_body
from bot.platforms.slack.checks import SlackChecks
from bot.platforms.slack.connection import SlackConnection, bolt_logger, web_client
from storage.outage import unavailable as outage

if TYPE_CHECKING:
    from bot.core.domain import Sink
    from bot.pipeline.services import Services
    from rules import RuleSet

log = logging.getLogger("kakehashi.slack")

EVENTS_PATH = "/slack/events"
# How long an event may wait for the Web API (names, privacy, permalinks) before it is acked
# anyway and finished in the background: Slack wants the ack within 3 seconds.
ACK_BUDGET = 0.5
DATABASE_RETRY_AFTER = 5  # seconds, in the 503 for an event the database could not take
STOP_GRACE = 5.0  # at shutdown, how long events still being finished after their ack may take
PERMALINK_TIMEOUT = 1.5
FETCH_TIMEOUT = 2.0  # a post a route command links to; past ACK_BUDGET the answer comes later
CHECK_BUDGET = 15.0  # seconds start-up waits for the check of rules.yaml's channels and admins
RESPONSE_URL_USES = 5  # a response_url accepts 5 messages within 30 minutes (Slack: handling interactions)
ACTION_ID = re.compile(rf"^kakehashi:({'|'.join(BUTTON_ACTIONS)})$")
CONSENT_ID = re.compile(r"^kakehashi:consent_(granted|anonymous|declined)$")  # the author's answer, in a DM


class SlackPlugin:
    name = "slack"

    def __init__(self, app: Services) -> None:
        settings = app.settings
        assert settings.slack_bot_token
        if not (settings.slack_signing_secret or settings.slack_app_token):
            raise SettingsError.of("settings.slack_mode")
        self.app = app
        self.client = web_client(settings.slack_bot_token, settings.slack_api_url)
        self.directory = SlackDirectory(self.client)
        self.sink = SlackSink(self.client, self.directory, departments=self._departments)
        self.verifier = (
            SignatureVerifier(settings.slack_signing_secret) if settings.slack_signing_secret else None
        )
        self.connection = SlackConnection(
            self.client,
            on_self_id=app.dispatcher.add_self_id,
            on_refused=lambda reason: app.health.report("slack:token", reason, fatal=True),
        )
        self.checks = SlackChecks(
            directory=self.directory, store=app.store, health=app.health, channels=app.dispatcher.channels
        )
        self.checks.admin_ids = slack_ids(app.rules.current.admins)
        self._background: set[asyncio.Task[None]] = set()
        app.rules.on_reload(self._on_reload)
        connection = self.connection

        async def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
            return await connection.authorize(enterprise_id, team_id)  # bolt passes names, no self

        self.bolt = AsyncApp(
            client=web_client(settings.slack_bot_token, settings.slack_api_url, pooled=False),
            authorize=authorize,
            signing_secret=settings.slack_signing_secret,
            # handle_http checks the signature before Bolt sees a body (401 before any parsing);
            # a second HMAC inside Bolt would only repeat it
            request_verification_enabled=False,
            process_before_response=True,
            raise_error_for_unhandled_request=True,  # on_error acks them, over HTTP and Socket Mode
            logger=bolt_logger(),
        )
        # events acked before their work was done: spooled on disk until it is (issue 13)
        self.after_ack = AfterAck(
            platform="slack",
            label="Slack",
            spool=Spool(settings.spool_path / "slack"),
            handlers={"message": self._spooled_message, "reaction": self._spooled_reaction},
            transient=_unavailable,
            health=app.health,
            metrics=app.metrics,
            clock=app.clock,
            on_done=app.worker.wake,
            budget=ACK_BUDGET,
        )
        # route commands acked before their linked post was fetched: finished by on_command_later
        self._deferred: dict[str, asyncio.Future[None]] = {}
        self._register()

    # -- Plugin protocol -------------------------------------------------------------------

    def sinks(self) -> dict[str, Sink]:
        return {"slack": self.sink}

    def mount(self, web_app: web.Application) -> None:
        """HTTP mode only: without a signing secret nothing could be verified, so nothing is mounted."""
        if self.verifier is not None:
            web_app.router.add_post(EVENTS_PATH, self.handle_http)

    async def start(self) -> None:
        await self.connection.identify()
        await self.after_ack.start()  # events a previous process acked and did not finish
        if self.app.settings.slack_app_token:
            # connected before the checks: a slow Web API delays what /healthz knows, not events
            # (over HTTP the server already listens)
            await self.connection.start_socket_mode(self.bolt, self.app.settings.slack_app_token)
        try:
            await asyncio.wait_for(self.checks.run(self.app.rules.current), CHECK_BUDGET)
        except TimeoutError:
            self.app.health.report(
                "slack:check",
                f"Slack: checking the channels and admins of rules.yaml took over {CHECK_BUDGET:.0f} s",
            )

    async def stop(self) -> None:
        for task in [*self._background, *self._deferred.values()]:
            task.cancel()
        await self.connection.stop()
        await self.after_ack.stop(grace=STOP_GRACE)  # what is left stays in the spool
        await self.connection.close_client()

    async def finish_pending(self, timeout: float) -> bool:
        """Wait until events acked before the Web API answered are handled; False on timeout."""
        return await self.after_ack.finish_pending(timeout)

    def _check_later(self, rules: RuleSet) -> None:
        try:
            task = asyncio.get_running_loop().create_task(self.checks.run(rules), name="slack-checks")
        except RuntimeError:  # no loop (a reload outside the server): the next start checks
            return
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _on_reload(self, rules: RuleSet) -> None:
        self._check_later(rules)

    async def idle(self) -> None:
        """Wait for the checks started by a reload or a rename (tests)."""
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    # -- HTTP ------------------------------------------------------------------------------

    async def handle_http(self, request: web.Request) -> web.Response:
        """Verify, parse and hand the request to Bolt: 401 unless signed and fresh, 400 for a body
        Bolt or the listeners could not read (``adapters.slack.shape``), checked before Bolt runs."""
        raw = await read_body(request)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:  # Slack signs UTF-8 text; these bytes cannot be verified
            raise AuthenticationError(
                "X-Slack-Signature: cannot be verified, the body is not UTF-8"
            ) from None
        assert self.verifier is not None  # mounted only in HTTP mode
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        mac = request.headers.get("X-Slack-Signature", "")
        try:
            # int() takes other scripts' digits; hmac.compare_digest refuses non-ASCII text (TypeError)
            signed = stamp.isascii() and mac.isascii() and self.verifier.is_valid(text, stamp, mac)
        except (ValueError, OverflowError):  # slack_sdk does int(X-Slack-Request-Timestamp)
            signed = False
        if not signed:
            raise AuthenticationError("missing, stale or wrong X-Slack-Signature / X-Slack-Request-Timestamp")
        content_type = request.headers.get("Content-Type", "").split(";")[0].strip() or None
        shape.parse(text, content_type)
        try:
            bolt_request = AsyncBoltRequest(
                body=text, query=request.query_string, headers=dict(request.headers)
            )
        except (AttributeError, TypeError, KeyError, IndexError, ValueError) as exc:
            # Bolt's own parsing (before any of our code) tripped over a shape shape.parse let through
            raise PayloadError(
                f"body: not shaped like a Slack request ({type(exc).__name__}: {exc})"
            ) from None
        bolt_response = await self.bolt.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)

    def _unhandled(self, body: dict[str, Any]) -> BoltResponse:
        """A signed request no listener wants (an event type, an interaction or a command we do not
        use, ``app_rate_limited``) still gets 200: Slack retries anything else, and disables event
        subscriptions that fail too often (https://docs.slack.dev/apis/events-api/#failure-conditions)."""
        kind = str(body.get("type") or body.get("command") or "unknown")
        if kind == "app_rate_limited":
            log.warning(
                "Slack is rate limiting event deliveries for workspace %s since %s: events are being dropped",
                body.get("team_id"),
                body.get("minute_rate_limited"),
            )
        elif body.get("command"):
            log.warning(
                "Slack sent the command %s, but kakehashi answers %s: set SLACK_COMMAND=%s if you renamed it",
                kind,
                self.app.settings.slack_command,
                kind,
            )
        else:
            event = body.get("event")
            detail = event.get("type") if isinstance(event, dict) else None
            log.info("Slack %s%s: nothing to do", kind, f" {detail}" if detail else "")
        return BoltResponse(status=200, body="")

    # -- Bolt listeners ------------------------------------------------------------------

    def _register(self) -> None:
        bolt = self.bolt
        bolt.event("message")(self.on_message)
        bolt.event("reaction_added")(self.on_reaction)
        bolt.event("reaction_removed")(self.on_reaction)
        bolt.event("channel_rename")(self.on_rename)
        bolt.event("group_rename")(self.on_rename)
        bolt.command(self.app.settings.slack_command)(ack=self.on_command, lazy=[self.on_command_later])
        bolt.action(ACTION_ID)(self.on_action)
        bolt.action(CONSENT_ID)(self.on_consent)
        bolt.event(re.compile(".+"))(self.on_other_event)  # registered last: only what nothing above took
        bolt.error(self.on_error)

    async def on_rename(self, event: dict[str, Any]) -> None:
        """``channel_rename`` / ``group_rename``: the channel keeps its place in rules.yaml by id."""
        channel = event.get("channel") or {}
        if not isinstance(channel, dict) or not channel.get("id") or not channel.get("name"):
            raise PayloadError("event.channel: expected {id, name}")
        log.info("Slack channel %s renamed to #%s", channel["id"], channel["name"])
        self.directory.renamed(str(channel["id"]), str(channel["name"]))
        self._check_later(self.app.rules.current)

    async def on_other_event(self, event: dict[str, Any]) -> None:
        log.debug("ignored Slack event %s", event.get("type"))

    async def on_error(self, error: Exception, body: dict[str, Any]) -> BoltResponse | None:
        if isinstance(error, BoltUnhandledRequestError):  # signed, but nothing listens for it
            return self._unhandled(error.body if isinstance(error.body, dict) else body)
        if isinstance(error, PayloadError):
            log.warning("rejected Slack payload: %s", error)
            return BoltResponse(status=400, body=json.dumps({"error": str(error)}))
        if outage(error):  # nothing was stored: Slack redelivers an event that got no 200 (no ack)
            log.warning(
                "Slack event: the database is unavailable (%s); answered 503 for Slack to redeliver",
                error.__class__.__name__,
            )
            return BoltResponse(
                status=503,
                body=json.dumps({"error": "database unavailable, retry later"}),
                headers={"Retry-After": str(DATABASE_RETRY_AFTER)},
            )
        if _unavailable(error):
            # e.g. conversations.list rate limited: the channel cannot be named, so whether this is a
            # community source is unknown.  Nothing was stored; Slack redelivers a non-200 event.
            reason = (
                api_error(error)
                if isinstance(error, SlackApiError)
                else f"{error.__class__.__name__}: {error}"
            )
            log.warning("Slack Web API unavailable (%s): event left for Slack to redeliver", reason)
            return BoltResponse(
                status=503, body=json.dumps({"error": "Slack Web API unavailable, retry later"})
            )
        log.error("Slack listener failed: %r", error, exc_info=error)
        return None

    async def _spooled_message(self, data: dict[str, Any]) -> None:
        await self._on_message(data["body"], data["event"])

    async def _spooled_reaction(self, data: dict[str, Any]) -> None:
        await self._on_reaction(data["body"], data["event"])

    async def _names(self, ref: convert.MessageRef, message: dict[str, Any], is_bot: bool) -> tuple[str, str]:
        channel = await self.directory.channel_name(ref.channel_id, ref.channel_type)
        if is_bot and not message.get("user"):
            author = str(
                message.get("username") or (message.get("bot_profile") or {}).get("name") or ref.user_id
            )
        else:
            author = await self.directory.user_name(ref.user_id)
            if author == ref.user_id:  # users.info failed (a Slack Connect guest, an app's bot user)
                bot_name = (message.get("bot_profile") or {}).get("name") or message.get("username")
                author = convert.profile_name(message) or (str(bot_name) if bot_name else author)
        return channel, author

    async def _mention_names(self, message: dict[str, Any]) -> dict[str, str]:
        """Names of the users and channels a message mentions by id (cached lookups, in parallel)."""

        async def name(an_id: str) -> str:
            if an_id[0] in "CGD":
                return (await self.directory.channel_name(an_id)).lstrip("#")
            return await self.directory.user_name(an_id)

        ids = [i for i in slack_text.mentioned_ids(message) if i[0] in "UWBCGD"][:50]
        return dict(zip(ids, await asyncio.gather(*(name(i) for i in ids)), strict=True))

    async def _link(self, ref: convert.MessageRef) -> str | None:
        """The link back to a message: Slack's permalink form, built from the workspace URL
        ``auth.test`` gave (what ``chat.getPermalink`` answers for a workspace's message, without
        a Web API call per event on the ack path); ``chat.getPermalink`` only while that URL is
        unknown."""
        link = convert.archive_link(self.connection.workspace_url, ref.channel_id, ref.ts, ref.thread_ts)
        return link or await self._permalink(ref)

    async def _permalink(self, ref: convert.MessageRef) -> str | None:
        try:
            response = await asyncio.wait_for(
                self.client.chat_getPermalink(channel=ref.channel_id, message_ts=ref.ts), PERMALINK_TIMEOUT
            )
            return str(response["permalink"])
        except (SlackApiError, TimeoutError, OSError) as exc:
            log.debug("chat.getPermalink %s failed: %r", ref.key, exc)
            return convert.archive_link(self.connection.workspace_url, ref.channel_id, ref.ts, ref.thread_ts)

    async def _inbound(
        self, team_id: str, channel_id: str, message: dict[str, Any], channel_type: str | None
    ) -> InboundMessage:
        if channel_type not in convert.PRIVATE_CHANNEL_TYPES:
            # Missing (reaction fetches, some event shapes) or "channel": the directory has the last
            # word when it knows the channel is private, so privacy never rests on one field.
            private = await self.directory.is_private(channel_id)
            if private or (private is None and channel_type is None and channel_id.startswith("G")):
                channel_type = "group"
            elif channel_type is None:
                channel_type = "channel"
        ref = convert.message_ref(team_id, channel_id, message, channel_type)
        is_bot = convert.is_bot_message(message, frozenset(self.connection.self_user_ids))
        channel, author = await self._names(ref, message, is_bot)
        draft = convert.to_inbound(
            ref, message, channel_name=channel, author_name=author, link=None, is_bot=is_bot
        )
        if not self.app.dispatcher.is_source(draft) or ref.user_id in self.connection.self_user_ids:
            return draft  # never routed: spare the Web API calls
        link = None if is_bot else await self._link(ref)
        names = await self._mention_names(message)
        return convert.to_inbound(
            ref, message, channel_name=channel, author_name=author, link=link, is_bot=is_bot, names=names
        )

    async def on_message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        # past ACK_BUDGET (a slow Web API) acked and finished from the spool (bot.pipeline.after_ack)
        await self.after_ack.within_budget(
            "message", {"body": body, "event": event}, f"message {event.get('ts')}"
        )

    async def _on_message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        await self.connection.ensure_identity()
        team_id = convert.team_of(body, event, self.connection.team_id)
        channel_id = event.get("channel")
        if not isinstance(channel_id, str) or not channel_id:
            raise PayloadError("event.channel: missing")
        subtype = event.get("subtype")
        channel_type = event.get("channel_type")
        dispatcher = self.app.dispatcher
        if subtype == "message_deleted":
            deleted_ts = event.get("deleted_ts") or (event.get("previous_message") or {}).get("ts")
            if not deleted_ts:
                raise PayloadError("event.deleted_ts: missing")
            outcome = await dispatcher.handle_delete(
                convert.PLATFORM, convert.message_key(team_id, channel_id, deleted_ts)
            )
        elif subtype == "message_changed":
            message = event.get("message")
            if not isinstance(message, dict):
                raise PayloadError("event.message: missing from message_changed")
            if message.get("subtype") == "tombstone":  # a thread parent deleted while it has replies
                outcome = await dispatcher.handle_delete(
                    convert.PLATFORM, convert.message_key(team_id, channel_id, str(message.get("ts")))
                )
            else:
                msg = await self._inbound(team_id, channel_id, message, channel_type)
                edited = (message.get("edited") or {}).get("ts") or event.get("event_ts") or message["ts"]
                outcome = await dispatcher.handle_edit(msg, convert.ts_to_datetime(str(edited)))
        elif subtype in convert.CONTENT_SUBTYPES:
            msg = await self._inbound(team_id, channel_id, event, channel_type)
            outcome = await dispatcher.handle_message(msg)
        else:
            log.debug("ignored message subtype %s", subtype)
            return
        log.debug("slack message %s -> %s %s", subtype or "new", outcome.status, outcome.reason)
        self.app.worker.wake()

    async def on_reaction(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        await self.after_ack.within_budget(
            "reaction", {"body": body, "event": event}, f"{event.get('type')} {event.get('reaction')}"
        )

    async def _on_reaction(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        item = event.get("item") or {}
        if item.get("type") != "message":
            return
        await self.connection.ensure_identity()
        team_id = convert.team_of(body, event, self.connection.team_id)
        channel_id, ts = item.get("channel"), item.get("ts")
        user_id, reaction = event.get("user"), event.get("reaction")
        if not (channel_id and ts and user_id and reaction):
            raise PayloadError("reaction event: item.channel, item.ts, user and reaction are required")
        if user_id in self.connection.self_user_ids:
            return
        added = event.get("type") == "reaction_added"
        key = convert.message_key(team_id, channel_id, str(ts))
        result = await self.app.dispatcher.handle_reaction(
            ReactionEvent(
                platform=convert.PLATFORM,
                message_key=key,
                remote_id=str(ts),
                channel=str(channel_id),
                emoji_names=(convert.emoji_name(str(reaction)),),
                user_id=str(user_id),
                user_name=await self.directory.user_name(str(user_id)),
                added=added,
                stamp=f"{event.get('type')}:{user_id}:{reaction}:{event.get('event_ts', '')}",
            ),
            fetch=lambda: self._ensure_stored(team_id, str(channel_id), str(ts)),
        )
        log.debug("slack reaction %s on %s -> %s", reaction, key, result)
        self.app.worker.wake()

    async def _ensure_stored(self, team_id: str, channel_id: str, ts: str) -> None:
        """A flag or a ``route`` on a post from before the bot listened: fetch it so it can be routed."""
        key = convert.message_key(team_id, channel_id, ts)
        if await self.app.store.message_id(convert.PLATFORM, key) is not None:
            return
        try:
            response = await self.client.conversations_history(
                channel=channel_id, latest=ts, oldest=ts, inclusive=True, limit=1
            )
            found = [m for m in response.get("messages") or [] if m.get("ts") == ts]
            if not found:  # a thread reply: only conversations.replies has it (ts may name any reply)
                response = await self.client.conversations_replies(
                    channel=channel_id, ts=ts, latest=ts, oldest=ts, inclusive=True, limit=2
                )
                found = [m for m in response.get("messages") or [] if m.get("ts") == ts]
        except SlackApiError as exc:
            log.info("could not fetch flagged message %s: %s", key, api_error(exc))
            return
        for message in found[:1]:
            msg = await self._inbound(team_id, channel_id, message, None)
            await self.app.dispatcher.handle_message(msg)

    # -- commands ----------------------------------------------------------------------------

    def _command_context(self, command: dict[str, Any]) -> CommandContext:
        user_id = str(command.get("user_id") or "")
        user_name = str(command.get("user_name") or user_id)
        return CommandContext(
            platform="slack",
            user_id=user_id,
            user_name=user_name,
            channel_id=str(command.get("channel_id") or ""),
            is_admin=is_admin(self.checks.admin_ids, user_id),  # never by user_name: anyone can take one
            channel=f"#{command['channel_name']}" if command.get("channel_name") else "",
        )

    def _reply_bodies(self, reply: CommandReply) -> list[dict[str, Any]]:
        """The reply as messages of at most 50 blocks; a ``response_url`` takes up to 5 of them."""
        payload = reply.payload(self.app.rules.current.locale)
        messages = bk.report_messages(report_view(payload))
        if len(messages) > RESPONSE_URL_USES:
            log.warning("command reply cut to %d of %d messages", RESPONSE_URL_USES, len(messages))
        return [
            {
                "text": bk.report_text(report_view(payload)),
                "blocks": blocks,
                "response_type": "in_channel" if reply.public else "ephemeral",
            }
            for blocks in messages[:RESPONSE_URL_USES]
        ]

    def _reply_body(self, reply: CommandReply) -> dict[str, Any]:
        return self._reply_bodies(reply)[0]

    async def on_command(self, ack: Any, command: dict[str, Any]) -> None:
        """Fast subcommands answer in the acknowledgement; slow ones say so and reply later."""
        if not command.get("user_id"):
            raise PayloadError("slash command: user_id and text are required")
        text = slack_text.command_text(str(command.get("text") or ""))
        if is_slow(text):
            await ack(text=t(self.app.rules.current.locale, "cmd.working"), response_type="ephemeral")
            return
        context = self._command_context(command)
        if context.is_admin and subcommand(text) == "route":
            fetch = await self._fetch_linked(
                str(command.get("team_id") or self.connection.team_id or ""), text
            )
            if fetch is not None:  # the Web API is slow: answer later, through the response_url
                self._deferred[_command_key(command)] = fetch
                await ack(text=t(self.app.rules.current.locale, "cmd.working"), response_type="ephemeral")
                return
        reply = await run_command(self.app, text, context)
        await ack(**self._reply_body(reply))

    async def _fetch_linked(self, team_id: str, text: str) -> asyncio.Future[None] | None:
        """``route LINK …`` to a post from before the bot listened: fetch and store it first.

        Within ``ACK_BUDGET`` the command is answered in its ack as usual (None); past it, the
        fetch still running is returned and the command acked at once, so a slow Web API never
        holds the ack.  The fetch itself is bounded by ``FETCH_TIMEOUT``.
        """
        words = text.split()
        ref = convert.archive_ref(words[1]) if len(words) > 1 and team_id else None
        if ref is None or await self.app.store.message_by_key_end(convert.PLATFORM, f":{ref[0]}:{ref[1]}"):
            return None
        fetch = asyncio.ensure_future(self._fetch(team_id, ref, words[1]))
        done, _ = await asyncio.wait({fetch}, timeout=ACK_BUDGET)
        return None if fetch in done else fetch

    async def _fetch(self, team_id: str, ref: tuple[str, str], link: str) -> None:
        try:
            await asyncio.wait_for(self._ensure_stored(team_id, *ref), FETCH_TIMEOUT)
        except (
            TimeoutError,
            SlackApiError,
            SlackClientError,
            aiohttp.ClientError,
            OSError,
            PayloadError,
        ) as exc:
            log.info("could not fetch %s to route it: %r", link, exc)  # the reply says it is unknown

    async def on_command_later(self, respond: Any, command: dict[str, Any]) -> None:
        text = slack_text.command_text(str(command.get("text") or ""))
        fetch = self._deferred.pop(_command_key(command), None)
        if fetch is not None:
            await fetch  # its own errors are logged; the reply then says the post is unknown
        elif not is_slow(text):
            return
        reply = await run_command(self.app, text, self._command_context(command))
        bodies = self._reply_bodies(reply)
        if command.get("response_url"):
            sent = 0
            for body in bodies:
                if not await self._respond(respond, body):
                    break
                sent += 1
            bodies = bodies[sent:]
        for body in bodies:
            await self._post_reply(command, body)

    async def _respond(self, respond: Any, body: dict[str, Any]) -> bool:
        """One message of a slow reply through the command's ``response_url``; False if it failed."""
        try:
            answered = await respond(
                text=body["text"],
                blocks=body["blocks"],
                response_type=body["response_type"],
                replace_original=False,
            )
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            log.warning("slash command reply to its response_url failed: %r", exc)
            return False
        status = getattr(answered, "status_code", 200)
        if status >= 400:
            log.warning("slash command reply: response_url answered HTTP %s", status)
            return False
        return True

    async def _post_reply(self, command: dict[str, Any], body: dict[str, Any]) -> None:
        """No usable ``response_url``: the same reply with the Web API (ephemeral unless ``post``)."""
        channel, user = str(command.get("channel_id") or ""), str(command.get("user_id") or "")
        try:
            if body["response_type"] == "in_channel":
                await self.client.chat_postMessage(channel=channel, text=body["text"], blocks=body["blocks"])
            else:
                await self.client.chat_postEphemeral(
                    channel=channel, user=user, text=body["text"], blocks=body["blocks"]
                )
        except SlackApiError as exc:
            log.warning("slash command reply to %s in %s failed: %s", user, channel, api_error(exc))

    # -- interactivity ------------------------------------------------------------------------

    async def on_action(self, ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        await ack()
        match = ACTION_ID.match(str(action.get("action_id", "")))
        if match is None:
            raise PayloadError("actions[0].action_id: not a kakehashi action")
        name = match[1]
        raw = (action.get("selected_option") or {}).get("value") if name == "forward" else action.get("value")
        item_text, _, value = str(raw or "").partition(":")
        if not item_text.isdigit():
            raise PayloadError(f"actions[0].value: expected an item id, got {raw!r}")
        user = body.get("user") or {}
        user_id = str(user.get("id") or "")
        user_name = str(user.get("username") or user.get("name") or "") or await self.directory.user_name(
            user_id
        )
        result = await apply_action(
            self.app,
            item_id=int(item_text),
            action=name,
            user_id=user_id,
            user_name=user_name,
            value=value or None,
        )
        if body.get("response_url"):
            try:
                await respond(text=result, response_type="ephemeral", replace_original=False)
            except Exception as exc:  # the click already worked; the confirmation is a courtesy
                log.info("could not confirm action to %s: %r", user_id, exc)

    async def on_consent(self, ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        """The author answered a reuse request in their DM: record it and show the answer in place
        of the request (the buttons stay, so they can change their mind); anyone else is told
        only the author can answer."""
        await ack()
        match = CONSENT_ID.match(str(action.get("action_id", "")))
        value = str(action.get("value") or "")
        if match is None or not value.isdigit():
            raise PayloadError(f"actions[0].value: expected an item id, got {value!r}")
        user = body.get("user") or {}
        user_id = str(user.get("id") or "")
        if not user_id:
            raise PayloadError("user.id: missing")
        user_name = await self.directory.user_name(user_id)
        result = await apply_action(
            self.app,
            item_id=int(value),
            action="consent",
            user_id=user_id,
            user_name=user_name,
            value=match[1],
        )
        if not body.get("response_url"):
            return
        answered = await answered_request(self.app, int(value), user_id)
        try:
            if answered is not None and answered.get("answered"):
                await respond(
                    text=bk.consent_text(answered), blocks=bk.consent_blocks(answered), replace_original=True
                )
            else:
                await respond(text=result, response_type="ephemeral", replace_original=False)
        except Exception as exc:  # the answer is recorded; showing it is a courtesy
            log.info("could not show the consent answer to %s: %r", user_id, exc)

    # -- sink helpers ---------------------------------------------------------------------------

    def _departments(self) -> list[tuple[str, str]]:
        return [(name, dept.label) for name, dept in self.app.rules.current.departments.items()]


def _command_key(command: dict[str, Any]) -> str:
    """One slash command invocation: its trigger_id (unique per invocation), else who and what."""
    return str(command.get("trigger_id") or f"{command.get('user_id')}:{command.get('text')}")


def _unavailable(error: BaseException) -> bool:
    """A Web API or database failure that asking again later can fix (an outage, a rate limit, no
    answer)."""
    if outage(error):
        return True
    if isinstance(error, SlackApiError):
        return is_transient(error)
    return isinstance(error, (aiohttp.ClientError, SlackClientError, TimeoutError, OSError))


def plugin(app: Services) -> SlackPlugin | None:
    if not app.settings.slack_bot_token:
        return None
    return SlackPlugin(app)


__all__ = ["SlackPlugin", "plugin"]
