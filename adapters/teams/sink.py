"""TeamsSink: deliver posts as Adaptive Cards through the Bot Connector, proactively.

Every send goes through ``CloudAdapter.continue_conversation`` with a stored conversation
reference, so the HTTP calls go to that reference's ``serviceUrl``:

* ``repost``, ``recap``, ``agenda``: a new thread in the channel (``POST …/activities``; when
  the connector answers that with 404/405, ``POST /v3/conversations`` with ``channelData.channel``);
* ``notice``: a reply in the community thread given by ``reply_to`` (a message key or id);
* ``update``: the repost card re-rendered in place (``PUT …/activities/{id}``);
* ``delete``: the card replaced by a redacted one (kept, not deleted: the department keeps the
  record that something was routed, and votes/status stay visible; same as the Slack sink).

``reply`` answers a command in its conversation (``POST …/activities/{id}``), with the same
errors; the bot retries those itself (a command's answer has no outbox row).

The Bot Framework SDK does not retry throttled sends; its HTTP layer (msrest + requests) would
retry 5xx itself, which is switched off here so the outbox owns every retry: 429/412/502/503/504
and connection errors raise ``TransientDeliveryError`` (with ``Retry-After`` when Teams sends it),
401/403/404 ``PermanentDeliveryError`` with a reason that says what to fix.  A 2xx without an
activity id (Teams answers some channel posts with an empty 202) counts as delivered: retrying
would post the card twice.

Rate limits: ``min_interval`` = 0.5 s spaces posts per destination in the outbox (7/s, 8/2 s and
60/30 s all hold at 2/s) without blocking the worker or spending attempts; ``WindowLimiter`` is
the exact per-conversation check and catches the hourly 1800 limit (a rare ``retry_after``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
    Mention,
)
from msrest.exceptions import ClientRequestError, DeserializationError, HttpOperationError

from adapters.retry_after import header, retry_after_seconds
from adapters.teams.cards import card_attachment, consent_card, fit_repost, fit_summary
from adapters.teams.convert import base_conversation_id, remote_id, split_message_key, split_remote_id
from adapters.teams.limits import WindowLimiter
from bot.core.domain import Post, Receipt
from bot.core.errors import PermanentDeliveryError, RateLimitedError, TransientDeliveryError
from bot.core.views import report_view, repost_view

log = logging.getLogger("kakehashi.teams.sink")

TRANSIENT_STATUSES = frozenset({408, 412, 429, 500, 502, 503, 504})
PERMANENT_HINTS = {
    401: "the Bot Connector refused our token: check MICROSOFT_APP_ID / MICROSOFT_APP_PASSWORD / MICROSOFT_APP_TENANT_ID",
    403: "the bot may not post there: is the kakehashi app still installed in that team, and not blocked?",
    404: "conversation or message not found: the channel or post may have been deleted",
}


@dataclass(frozen=True, slots=True)
class Target:
    """A stored conversation reference (``ConversationReference.serialize()``) and its name."""

    name: str
    reference: dict[str, Any]


Resolve = Callable[[str], Awaitable[Target | None]]
Departments = Callable[[], Sequence[tuple[str, str]]]
Labels = Callable[[str], dict[str, str]]


def no_reference_reason(channel: str) -> str:
    team = channel.split("/", 1)[0] if "/" in channel else channel
    return (
        f"no conversation reference for Teams channel {channel!r}: add the kakehashi app to the team "
        f"{team!r} (Teams > Apps > Manage your apps > kakehashi > Add to a team) so the bot learns its channels, "
        "then `kakehashi outbox retry --all`; check that rules.yaml spells it Team/Channel as shown in Teams"
    )


class TeamsSink:
    platform = "teams"
    min_interval = 0.5

    def __init__(
        self,
        *,
        adapter: BotAdapter,
        app_id: str,
        resolve: Resolve,
        departments: Departments = lambda: (),
        labels: Labels = lambda locale: {},
        limiter: WindowLimiter | None = None,
    ) -> None:
        self.adapter = adapter
        self.app_id = app_id
        self.resolve = resolve
        self.departments = departments
        self.labels = labels
        self.limiter = limiter or WindowLimiter()

    async def send(self, post: Post) -> Receipt:
        target = await self.resolve(post.destination.channel)
        if target is None:
            raise PermanentDeliveryError(no_reference_reason(post.destination.channel))
        reference = ConversationReference().deserialize(target.reference)
        if post.kind == "consent_request":
            return await self._direct(reference, post)
        channel_conversation = base_conversation_id(reference.conversation.id)
        if post.kind in ("thread_reply_update", "thread_reply_delete"):
            return await self._change_thread_reply(reference, channel_conversation, post)
        if post.kind in ("update", "delete"):
            if not post.remote_id:
                raise PermanentDeliveryError(
                    f"{post.kind} without the id of the card to change (Teams gave no id when it was posted)"
                )
            try:
                conversation, activity_id = split_remote_id(post.remote_id)
            except ValueError as exc:
                raise PermanentDeliveryError(str(exc)) from None
            activity = self._activity(post)
            activity.id = activity_id
            await self._call(reference, post.remote_id, activity, update=True)
            return Receipt(remote_id=post.remote_id, remote_channel=conversation)
        conversation = channel_conversation
        if post.kind in ("notice", "answer") and post.payload.get("reply_to"):
            conversation = f"{channel_conversation};messageid={_root(str(post.payload['reply_to']))}"
        elif post.payload.get("thread_root"):  # a later part of a long recap: reply to its first part
            conversation = (
                f"{channel_conversation};messageid={split_remote_id(str(post.payload['thread_root']))[1]}"
            )
        activity = self._activity(post)
        new_id = await self._call(reference, conversation, activity, update=False)
        if not new_id:
            # Teams accepted the post (2xx) but, as it sometimes does for channels, sent no id
            # (202 with an empty body).  Sending again would post twice; the card is delivered
            # but cannot be updated or threaded under later.
            log.warning("Bot Connector accepted a post to %s without an activity id", conversation)
            return Receipt(remote_id="", remote_channel=channel_conversation)
        return Receipt(remote_id=remote_id(channel_conversation, new_id), remote_channel=channel_conversation)

    async def _change_thread_reply(
        self, reference: ConversationReference, channel_conversation: str, post: Post
    ) -> Receipt:
        """Edit (``PUT``) or delete (``DELETE``) a mirrored reply in its repost's reply chain."""
        if not post.remote_id:
            raise PermanentDeliveryError(f"{post.kind} without the id of the mirrored reply")
        try:
            activity_id = split_remote_id(post.remote_id)[1]
            root = split_remote_id(str(post.payload.get("thread_root") or ""))[1]
        except ValueError as exc:
            raise PermanentDeliveryError(str(exc)) from None
        conversation = f"{channel_conversation};messageid={root}"
        activity = self._activity(post)
        activity.id = activity_id
        delete = post.kind == "thread_reply_delete"
        await self._call(reference, conversation, activity, update=not delete, delete=delete)
        return Receipt(remote_id=post.remote_id, remote_channel=channel_conversation)

    async def _direct(self, reference: ConversationReference, post: Post) -> Receipt:
        """A reuse request to the author in a 1:1 chat, proactively: ``POST /v3/conversations``
        with ``members`` = [the author] and the tenant (the channel reference gives the
        ``serviceUrl``, the bot and the tenant), then the card sent into the new conversation."""
        user = str(post.payload.get("user_id") or "")
        if not user:
            raise PermanentDeliveryError("consent request without the author's Teams id")
        card = consent_card(post.payload)
        activity = Activity(
            type=ActivityTypes.message,
            summary=str(post.payload.get("title") or ""),
            attachments=[card_attachment(card)],
        )
        extra = getattr(reference.conversation, "additional_properties", None) or {}
        tenant = reference.conversation.tenant_id or extra.get("tenantId")
        result: dict[str, str] = {}

        async def logic(context: TurnContext) -> None:
            client = context.turn_state[self.adapter.BOT_CONNECTOR_CLIENT_KEY]
            client.config.retry_policy.retries = 0  # the outbox retries durably
            parameters = ConversationParameters(
                is_group=False,
                bot=reference.bot,
                members=[ChannelAccount(id=user, name=post.payload.get("user_name"))],
                tenant_id=tenant,
                channel_data={"tenant": {"id": tenant}} if tenant else None,
            )
            created = await client.conversations.create_conversation(parameters)
            if created is None or not created.id:
                raise PermanentDeliveryError(f"the Bot Connector opened no 1:1 chat with {user}")
            result["conversation"] = str(created.id)
            activity.conversation = ConversationAccount(id=created.id, tenant_id=tenant)
            activity.from_property = reference.bot
            activity.recipient = ChannelAccount(id=user)
            activity.service_url = reference.service_url
            activity.channel_id = reference.channel_id
            response = await client.conversations.send_to_conversation(created.id, activity)
            result["id"] = _activity_id(response.id) if response and response.id else ""

        try:
            await self.adapter.continue_conversation(reference, logic, self.app_id)  # type: ignore[call-arg]
        except HttpOperationError as exc:
            raise _delivery_error(exc, f"a 1:1 chat with {user}") from None
        except (ClientRequestError, OSError) as exc:
            raise TransientDeliveryError(f"Bot Connector unreachable: {exc}") from None
        except DeserializationError as exc:
            raise TransientDeliveryError(f"Bot Connector answered something unreadable: {exc}") from None
        conversation = result.get("conversation", "")
        return Receipt(remote_id=remote_id(conversation, result.get("id", "")), remote_channel=conversation)

    def _activity(self, post: Post) -> Activity:
        payload = post.payload
        if post.kind == "answer":  # to a community member: plain words, not a card
            return Activity(type=ActivityTypes.message, text=str(payload.get("markdown") or ""))
        if post.kind.startswith("thread_reply"):
            return thread_reply_activity(payload)
        if post.kind in ("repost", "update", "delete"):
            labels = {**self.labels(str(payload.get("locale") or "ja")), **(payload.get("labels") or {})}
            payload = {**payload, "labels": labels}
            if post.kind == "delete":
                payload = {**payload, "deleted": True, "actions": [], "text": ""}
            card = fit_repost(repost_view(payload), self.departments())
            summary = str(labels.get("header", ""))
            return Activity(type=ActivityTypes.message, summary=summary, attachments=[card_attachment(card)])
        mention = payload.get("mention") if isinstance(payload.get("mention"), dict) else None
        if mention and mention.get("platform") == "teams" and mention.get("id"):
            at = f"<at>{mention.get('name') or 'user'}</at>"
            payload = {**payload, "markdown": f"{at} {payload.get('markdown', '')}"}
            card = fit_summary(report_view(payload))
            card["msteams"]["entities"] = [
                {
                    "type": "mention",
                    "text": at,
                    "mentioned": {"id": mention["id"], "name": mention.get("name")},
                }
            ]
        else:
            card = fit_summary(report_view(payload))
        activity = Activity(
            type=ActivityTypes.message,
            summary=str(payload.get("title") or ""),
            attachments=[card_attachment(card)],
        )
        if mention and mention.get("platform") == "teams" and mention.get("id"):
            account = ChannelAccount(id=str(mention["id"]), name=mention.get("name"))
            activity.entities = [
                Mention(mentioned=account, text=f"<at>{mention.get('name') or 'user'}</at>", type="mention")
            ]
        return activity

    async def reply(self, reference: ConversationReference, activity: Activity) -> None:
        """Answer the message ``reference`` names (a command) in its conversation, once.

        Errors as for posts (``TransientDeliveryError`` for throttling and server errors, with
        ``Retry-After``): the caller retries, since a command's answer has no outbox row.
        """
        await self._call(
            reference, reference.conversation.id, activity, update=False, reply_to=reference.activity_id
        )

    async def _call(
        self,
        reference: ConversationReference,
        conversation: str,
        activity: Activity,
        *,
        update: bool,
        reply_to: str | None = None,
        delete: bool = False,
    ) -> str:
        wait = self.limiter.delay(base_conversation_id(conversation))
        if wait > 0:
            raise RateLimitedError(
                f"Teams rate limit for {conversation}: waiting {wait:.1f}s", retry_after=wait
            )
        # botbuilder's ConversationAccount reads "tenantID"; Teams (and stored references) say "tenantId"
        extra = getattr(reference.conversation, "additional_properties", None) or {}
        tenant = reference.conversation.tenant_id or extra.get("tenantId")
        reference = ConversationReference().deserialize(reference.serialize())
        reference.conversation = ConversationAccount(
            id=conversation,
            is_group=reference.conversation.is_group,
            conversation_type=reference.conversation.conversation_type,
            tenant_id=tenant,
        )
        result: dict[str, str] = {}

        async def logic(context: TurnContext) -> None:
            # The connector client continue_conversation built for the reference's serviceUrl.
            # Calling it directly (not context.send_activity) keeps the proactive post a new
            # thread: send_activity would make it a reply to the synthetic continuation event.
            client = context.turn_state[self.adapter.BOT_CONNECTOR_CLIENT_KEY]
            client.config.retry_policy.retries = 0  # the outbox retries durably; no hidden retries
            TurnContext.apply_conversation_reference(activity, reference)
            activity.reply_to_id = reply_to
            if delete:
                await client.conversations.delete_activity(conversation, activity.id)
                result["id"] = str(activity.id)
            elif reply_to:
                response = await client.conversations.reply_to_activity(conversation, reply_to, activity)
                result["id"] = _activity_id(response.id) if response and response.id else ""
            elif update:
                response = await client.conversations.update_activity(conversation, activity.id, activity)
                result["id"] = str(activity.id)
            else:
                try:
                    response = await client.conversations.send_to_conversation(conversation, activity)
                    result["id"] = _activity_id(response.id) if response and response.id else ""
                except HttpOperationError as exc:
                    if not _may_start_thread(exc, conversation, reference):
                        raise
                    result["id"] = await _start_thread(client, conversation, activity, reference, tenant)

        try:
            await self.adapter.continue_conversation(reference, logic, self.app_id)  # type: ignore[call-arg]
        except HttpOperationError as exc:
            raise _delivery_error(exc, conversation) from None
        except (ClientRequestError, OSError) as exc:
            raise TransientDeliveryError(f"Bot Connector unreachable: {exc}") from None
        except DeserializationError as exc:  # an answer that is not the Bot Connector's JSON (a proxy page)
            raise TransientDeliveryError(f"Bot Connector answered something unreadable: {exc}") from None
        return result.get("id", "")


def thread_reply_activity(payload: dict[str, Any]) -> Activity:
    """A mirrored community reply as a small card: who replied (with a link) and what they said."""
    labels = payload.get("labels") or {}
    lines = [str(labels.get("reply", ""))]
    if payload.get("deleted"):
        lines.append(f"_{labels.get('deleted', '')}_")
    else:
        lines.append(str(payload.get("text", "")))
    if payload.get("link"):
        lines.append(f"[{labels.get('open_source', 'link')}]({payload['link']})")
    card = fit_summary({"title": "", "sections": [], "markdown": "\n\n".join(lines)})
    return Activity(type=ActivityTypes.message, summary=lines[0], attachments=[card_attachment(card)])


def _may_start_thread(exc: HttpOperationError, conversation: str, reference: ConversationReference) -> bool:
    """Whether a refused channel post should be tried as ``POST /v3/conversations`` instead: the
    Bot Connector answered 404/405 for ``POST /v3/conversations/{channel}/activities`` (a
    connector that only starts channel threads the create-conversation way)."""
    status = int(getattr(getattr(exc, "response", None), "status_code", 0) or 0)
    kind = reference.conversation.conversation_type if reference.conversation else None
    return status in (404, 405) and ";" not in conversation and kind == "channel"


async def _start_thread(
    client: Any, channel: str, activity: Activity, reference: ConversationReference, tenant: str | None
) -> str:
    """A new thread in ``channel`` through ``POST /v3/conversations`` (``channelData.channel.id``),
    as Teams documents for proactive channel posts; returns the new message's id from the
    ``ConversationResourceResponse`` (``activityId``, else the ``;messageid=`` of its ``id``)."""
    channel_data: dict[str, Any] = {"channel": {"id": channel}}
    if tenant:
        channel_data["tenant"] = {"id": tenant}
    parameters = ConversationParameters(
        is_group=True, bot=reference.bot, channel_data=channel_data, activity=activity, tenant_id=tenant
    )
    created = await client.conversations.create_conversation(parameters)
    if created is None:
        return ""
    if created.activity_id:
        return str(created.activity_id)
    return str(created.id).rpartition(";messageid=")[2] if created.id and ";messageid=" in created.id else ""


def _activity_id(value: str) -> str:
    """The new activity's id; tolerates a ``<conversation>;messageid=<id>`` form."""
    return str(value).rpartition(";messageid=")[2] or str(value)


def _root(reply_to: str) -> str:
    """A community message key (``19:…@thread.tacv2:1700…``) or a bare activity id to a thread root."""
    if "@thread" in reply_to or reply_to.startswith("19:"):
        try:
            return split_message_key(reply_to)[1]
        except ValueError:
            return reply_to
    return reply_to


def _retry_after(headers: Any) -> float | None:
    return retry_after_seconds(header(headers, "Retry-After"))


def _delivery_error(exc: HttpOperationError, conversation: str) -> Exception:
    response = getattr(exc, "response", None)
    status = int(getattr(response, "status_code", 0) or 0)
    detail = ""
    error = getattr(exc, "error", None)
    inner = getattr(error, "error", None)
    if inner is not None and getattr(inner, "code", None):
        detail = f" ({inner.code}: {getattr(inner, 'message', '')})"
    reason = f"Bot Connector HTTP {status}{detail} for {conversation}"
    if status == 429:
        return RateLimitedError(reason, retry_after=_retry_after(getattr(response, "headers", None)) or 1.0)
    if status in TRANSIENT_STATUSES or status == 0:
        return TransientDeliveryError(reason, retry_after=_retry_after(getattr(response, "headers", None)))
    hint = PERMANENT_HINTS.get(status)
    return PermanentDeliveryError(f"{reason}: {hint}" if hint else reason)
