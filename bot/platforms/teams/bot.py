"""The Teams bot: botbuilder's ``TeamsActivityHandler`` deciding what each activity means.

Handlers only decide and enqueue (fast ack); the outbox delivers.  Per activity:

* ``message`` in a channel: a community message (``Dispatcher.handle_message``), unless it
  mentions the bot and names a command, or mentions it outside a community channel (then a
  command); in a 1:1 chat always a command; an Adaptive Card submit
  (``value`` with our ``kakehashi`` key) is a repost action, never a community message;
* ``messageUpdate`` (``editMessage``) / ``messageDelete`` (``softDeleteMessage``): edit / delete;
* ``messageReaction``: on one of our cards a vote/status (rules.yaml), on a community post a flag;
* ``conversationUpdate`` / ``installationUpdate``: learn the team's channels and store their
  conversation references (so ``Team/Channel`` works in rules.yaml);
* ``invoke`` ``adaptiveCard/action`` (``Action.Execute``): a repost action, answered in the invoke.

The bot's own activities are ignored; a resent activity is processed once (message keys and
reactions are unique in the store; commands and card actions claim their activity id).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from dataclasses import replace
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler, TeamsInfo
from botbuilder.schema import Activity, ActivityTypes, ConversationReference
from msrest.exceptions import DeserializationError
from msrest.serialization import Model

from adapters.teams import convert
from adapters.teams.cards import card_attachment, fit_summary
from adapters.teams.convert import Place
from adapters.teams.sink import TeamsSink
from bot.chat.actions import apply_action
from bot.chat.admins import is_admin
from bot.chat.commands import (
    CommandContext,
    CommandReply,
    addressed_as_command,
    is_slow,
    run_command,
)
from bot.core.domain import InboundMessage, ReactionEvent
from bot.core.errors import PayloadError, PermanentDeliveryError, TransientDeliveryError
from bot.core.retrying import retrying, transient_wait
from bot.core.texts import t
from bot.core.views import report_view
from bot.platforms.teams.directory import TeamsDirectory
from bot.reports.report import split
from storage.models import utcnow

if TYPE_CHECKING:
    from bot.pipeline.services import Services

log = logging.getLogger("kakehashi.teams")
MEMBER_TIMEOUT = 2.0  # seconds a roster lookup may take before a reaction is recorded without the name
MAX_NAMES = 5000

Spawn = Callable[[Coroutine[Any, Any, None]], None]

REPLY_ATTEMPTS = 5  # a command's answer: tries before giving up (logged)
REPLY_MAX_WAIT = 60.0  # seconds; a longer Retry-After is cut (the asker is waiting)

# The activity JSON exactly as posted to /api/messages (set by the plugin around
# CloudAdapter.process).  botbuilder's Activity model drops fields it has no attribute for
# (a mention entity's ``mentioned`` and ``text``), so conversion reads the original.
INBOUND_JSON: ContextVar[dict[str, Any] | None] = ContextVar("teams_inbound_json", default=None)


class MessageInvokeResponse(Model):
    """The ``adaptiveCard/action`` answer that shows a message: ``{"statusCode", "type", "value": text}``.

    CloudAdapter serialises an invoke body with msrest, so it must be a Model; botbuilder's own
    ``AdaptiveCardInvokeResponse`` types ``value`` as an object and cannot carry the text
    (a string message or a card: learn.microsoft.com/dotnet/api/microsoft.teams.apps.adaptivecardresponse).
    """

    _attribute_map = {  # noqa: RUF012 (msrest reads this class attribute)
        "status_code": {"key": "statusCode", "type": "int"},
        "type": {"key": "type", "type": "str"},
        "value": {"key": "value", "type": "str"},
    }

    def __init__(self, *, status_code: int, type: str, value: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.status_code = status_code
        self.type = type
        self.value = value


def _reply_activities(reply: CommandReply, locale: str) -> list[Activity]:
    """The reply as cards, split like a scheduled recap so a long one loses no line to the card limit."""
    payload = reply.payload(locale)
    parts = split({**payload, "image": None}) if payload["sections"] else [payload]
    return [
        Activity(
            type=ActivityTypes.message,
            summary=str(part["title"]),
            attachments=[card_attachment(fit_summary(report_view(part)))],
        )
        for part in parts
    ]


class TeamsBot(TeamsActivityHandler):
    def __init__(
        self,
        *,
        app: Services,
        directory: TeamsDirectory,
        sink: TeamsSink,
        spawn: Spawn,
        learned: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.app = app
        self.sink = sink
        self.directory = directory
        self.spawn = spawn
        self.learned = learned  # a team's channels were stored: check rules.yaml's again
        self._names: dict[str, str] = {}  # user id -> display name from the roster (reactions)

    # -- plumbing ----------------------------------------------------------------------------

    @staticmethod
    def _raw(context: TurnContext) -> dict[str, Any]:
        raw = INBOUND_JSON.get()
        activity = context.activity
        if raw is not None and raw.get("id") == activity.id and raw.get("type") == activity.type:
            return raw
        return dict(activity.serialize())

    @staticmethod
    def _own(raw: dict[str, Any]) -> bool:
        sender = (raw.get("from") or {}).get("id")
        return bool(sender) and sender == (raw.get("recipient") or {}).get("id")

    async def _first_time(self, raw: dict[str, Any], what: str) -> bool:
        """Claim this activity id once across replicas (commands and card actions have no other key).

        An activity without an ``id`` (optional in the schema) cannot be recognised when resent,
        so it is always handled (claiming ``None`` would answer only the first one ever)."""
        if not raw.get("id"):
            return True
        digest = hashlib.sha256(
            f"{raw.get('conversation', {}).get('id')}|{raw.get('id')}".encode()
        ).hexdigest()
        claimed = await self.app.store.claim_run(
            f"teams:{what}", digest[:40], fire_time=utcnow(), owner=self.app.settings.instance_id
        )
        if not claimed:
            log.info("Teams %s %s already handled (resent activity)", what, raw.get("id"))
        return claimed

    async def _place(self, raw: dict[str, Any]) -> Place:
        return await self.directory.complete(convert.place(raw))

    async def on_turn(self, turn_context: TurnContext) -> None:
        recipient = turn_context.activity.recipient
        if recipient is not None and recipient.id:
            self.app.dispatcher.add_self_id(recipient.id)
        await super().on_turn(turn_context)

    # -- messages ----------------------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        raw = self._raw(turn_context)
        if self._own(raw):
            return
        if convert.is_card_submit(raw):
            if not convert.is_from_bot(raw):
                answer = await self._card_action(raw)
                if answer and (raw.get("conversation") or {}).get("conversationType") == "personal":
                    await self._tell(turn_context, answer)  # e.g. the author's answer to a reuse request
            return
        where = await self._place(raw)
        if where.conversation_type == "personal":
            if not convert.is_from_bot(raw):
                await self._command(turn_context, raw, where)
            return
        await self._remember(turn_context, where)
        msg = convert.to_inbound(raw, where, channel=await self.directory.name_for(where))
        if self._is_command(raw, msg):
            if not convert.is_from_bot(raw):
                await self._command(turn_context, raw, where)
            return
        outcome = await self.app.dispatcher.handle_message(msg)
        log.debug("teams message %s: %s %s", msg.key, outcome.status, outcome.reason)
        if outcome.item_ids:
            self.app.worker.wake()

    def _is_command(self, raw: dict[str, Any], msg: InboundMessage) -> bool:
        return addressed_as_command(
            msg.text, mentions_bot=convert.mentions_bot(raw), in_source=self.app.rules.current.is_source(msg)
        )

    async def on_teams_message_edit(self, turn_context: TurnContext) -> None:
        raw = self._raw(turn_context)
        if self._own(raw):
            return
        where = await self._place(raw)
        msg = convert.to_inbound(raw, where, channel=await self.directory.name_for(where))
        if self._is_command(raw, msg):  # an edited command stays a command
            return
        await self.app.dispatcher.handle_edit(msg, convert.timestamp(raw))
        self.app.worker.wake()

    async def on_teams_message_soft_delete(self, turn_context: TurnContext) -> None:
        raw = self._raw(turn_context)
        convert.require(raw, "id", "conversation.id")
        key = convert.message_key(raw["conversation"]["id"], str(raw["id"]))
        outcome = await self.app.dispatcher.handle_delete(convert.PLATFORM, key)
        if outcome.status == "deleted":
            self.app.worker.wake()

    # -- people ------------------------------------------------------------------------------

    async def _person(self, turn_context: TurnContext, sender: dict[str, Any]) -> str:
        """The sender's display name.  Reaction events carry only ``from.id`` / ``aadObjectId``;
        then the roster says who it is (Bot Connector "Get conversation member", through
        ``TeamsInfo.get_member``), remembered per user.  Never a raw id: when Teams cannot say,
        a neutral "a Teams user" in the rules' locale."""
        name = sender.get("name")
        if isinstance(name, str) and name.strip():
            return name
        user_id = str(sender.get("id") or "")
        if user_id in self._names:
            return self._names[user_id]
        found = None
        if user_id:
            try:
                member = await asyncio.wait_for(TeamsInfo.get_member(turn_context, user_id), MEMBER_TIMEOUT)
                found = member.name or None
            except Exception as exc:  # a name is a nicety: the reaction counts without it
                log.warning("Teams roster lookup of %s failed: %s", user_id, exc)
        if found:
            if len(self._names) >= MAX_NAMES:
                self._names.pop(next(iter(self._names)))
            self._names[user_id] = found
            return found
        return t(self.app.rules.current.locale, "teams.someone")

    # -- reactions ---------------------------------------------------------------------------

    async def on_message_reaction_activity(self, turn_context: TurnContext) -> None:
        raw = self._raw(turn_context)
        convert.require(raw, "conversation.id", "from.id")
        conversation = raw["conversation"]["id"]
        sender = raw["from"]
        # Names this event for the card refresh it causes (a resend refreshes once).  ``id`` is
        # optional in the Activity schema: without one, every event is new (a refresh too many
        # is harmless; a refresh skipped would leave a stale vote count on the card).
        event_id = raw.get("id") or uuid.uuid4().hex
        who = await self._person(turn_context, sender)
        for event in convert.reactions(raw):
            result = await self.app.dispatcher.handle_reaction(
                ReactionEvent(
                    platform=convert.PLATFORM,
                    message_key=convert.message_key(conversation, event.message_id),
                    remote_id=convert.remote_id(conversation, event.message_id),
                    emoji_names=tuple(convert.reaction_names(event.reaction)),
                    user_id=str(sender["id"]),
                    user_name=who,
                    added=event.added,
                    stamp=f"teams:{event_id}:{sender['id']}:{event.reaction}:{int(event.added)}",
                )
            )
            log.info("teams reaction %s on %s: %s", event.reaction, event.message_id, result)
        self.app.worker.wake()

    # -- card actions ------------------------------------------------------------------------

    async def _card_action(self, raw: dict[str, Any]) -> str | None:
        action = convert.card_action(raw)
        if action is None or not await self._first_time(raw, "action"):
            return None
        sender = raw.get("from") or {}
        answer = await apply_action(
            self.app,
            item_id=action.item_id,
            action=action.action,
            user_id=str(sender.get("id")),
            user_name=str(sender.get("name") or sender.get("id")),
            value=action.value,
            other_ids=(str(sender.get("aadObjectId") or ""),),
        )
        log.info("teams card action %s on item %s: %s", action.action, action.item_id, answer)
        return answer

    async def _tell(self, turn_context: TurnContext, text: str) -> None:
        """Answer a button press in a 1:1 chat with a line of text (a card submit has no other answer)."""
        reference = TurnContext.get_conversation_reference(turn_context.activity)
        try:
            await self.sink.reply(reference, Activity(type=ActivityTypes.message, text=text))
        except (TransientDeliveryError, PermanentDeliveryError) as exc:  # the press itself was recorded
            log.warning("Teams answer to %s not delivered: %s", reference.conversation.id, exc)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """``adaptiveCard/action`` answers 200 with a message for the clicker; other invokes get
        botbuilder's answers (501 for the ones kakehashi does not implement)."""
        if turn_context.activity.name == "adaptiveCard/action":
            answer = await self._card_action(self._raw(turn_context))
            body = MessageInvokeResponse(
                status_code=int(HTTPStatus.OK),
                type="application/vnd.microsoft.activity.message",
                value=answer or "",
            )
            return InvokeResponse(status=int(HTTPStatus.OK), body=body)
        try:
            return await super().on_invoke_activity(turn_context)
        except DeserializationError as exc:  # botbuilder reads the invoke's value into its model
            raise PayloadError(f"invoke {turn_context.activity.name}: value: malformed ({exc})") from None

    # -- commands ----------------------------------------------------------------------------

    async def _command(self, turn_context: TurnContext, raw: dict[str, Any], where: Place) -> None:
        if not await self._first_time(raw, "command"):
            return
        text = convert.plain_text(raw)
        sender = raw.get("from") or {}
        rules = self.app.rules.current
        ctx = CommandContext(
            platform=convert.PLATFORM,
            user_id=str(sender.get("id")),
            user_name=str(sender.get("name") or sender.get("id")),
            channel_id=where.channel_id or convert.base_conversation_id(where.conversation_id),
            # by ids only: a display name is neither unique nor owned by whoever shows it
            is_admin=is_admin(rules.admins, sender.get("id"), sender.get("aadObjectId")),
            channel="" if where.conversation_type == "personal" else await self.directory.name_for(where),
        )
        reference = TurnContext.get_conversation_reference(turn_context.activity)
        if is_slow(text):  # recaps read a lot: answer after the HTTP response, proactively
            self.spawn(self._answer_later(reference, text, ctx))
            return
        reply = await run_command(self.app, text, ctx)
        activities = _reply_activities(reply, rules.locale)
        try:
            await self.sink.reply(reference, activities[0])
        except TransientDeliveryError as exc:  # throttled or a server error: retry after the ack
            log.warning("Teams command answer to %s: %s; retrying", reference.conversation.id, exc)
            self.spawn(self._reply_with_retries(reference, activities, exc))
            return
        except PermanentDeliveryError as exc:
            log.error("Teams command answer to %s not delivered: %s", reference.conversation.id, exc)
            return
        if len(activities) > 1:  # a long answer's further cards follow after the ack
            self.spawn(self._reply_with_retries(reference, activities[1:]))

    async def _answer_later(self, reference: ConversationReference, text: str, ctx: CommandContext) -> None:
        reply = await run_command(self.app, text, ctx)
        await self._reply_with_retries(reference, _reply_activities(reply, self.app.rules.current.locale))

    async def _reply_with_retries(
        self,
        reference: ConversationReference,
        activities: list[Activity],
        failed: TransientDeliveryError | None = None,
    ) -> None:
        """Send a command's answer, card by card, in order, retrying throttling (429, honouring
        Retry-After), 412 and server errors (the SDK retries none); stop at a card that cannot be
        sent. ``failed``: the first card already failed once in the handler."""
        if failed is not None:
            await asyncio.sleep(transient_wait(failed, 0, cap=REPLY_MAX_WAIT))
        conversation = reference.conversation.id
        for activity in activities:
            try:
                async for attempt in retrying(attempts=REPLY_ATTEMPTS, cap=REPLY_MAX_WAIT):
                    with attempt:
                        await self.sink.reply(reference, activity)
            except PermanentDeliveryError as exc:
                log.error("Teams command answer to %s not delivered: %s", conversation, exc)
                return
            except TransientDeliveryError as exc:
                log.error("Teams command answer to %s given up: %s", conversation, exc)
                return

    # -- learning channels -------------------------------------------------------------------

    async def _remember(self, turn_context: TurnContext, where: Place) -> None:
        if where.is_channel and where.name:
            reference = TurnContext.get_conversation_reference(turn_context.activity).serialize()
            await self.directory.save_channel(where, reference)

    async def _learn_team(self, turn_context: TurnContext) -> None:
        """Store a reference for every channel of the team this activity is about."""
        raw = self._raw(turn_context)
        where = await self._place(raw)
        if where.team_id is None:
            return
        team_id = where.team_id
        team_name = where.team_name
        channels: dict[str, str | None] = {}
        try:
            client = await TeamsInfo.get_teams_connector_client(turn_context)
            client.config.retry_policy.retries = 0
            if team_name is None:
                details = await asyncio.to_thread(client.teams.get_team_details, team_id)
                team_name = details.name
                if details.aad_group_id and where.aad_group_id is None:
                    where = replace(where, aad_group_id=details.aad_group_id)
            listing = await asyncio.to_thread(client.teams.get_teams_channels, team_id)
            channels = {c.id: c.name for c in listing.conversations or [] if c.id}
        except Exception as exc:  # the listing is a convenience: fall back to what the payload says
            log.warning("could not list the channels of Teams team %s: %s", team_id, exc)
        for channel_id, name in (await self.directory.channels_of(team_id)).items():
            channels.setdefault(channel_id, name)  # teamRenamed without Teams' channel list: the known ones
        if where.channel_id and where.channel_id != team_id and where.channel_name:
            channels[where.channel_id] = where.channel_name  # channelCreated / channelRenamed
        channels.setdefault(team_id, None)
        if team_name is None:
            log.warning("Teams team %s has no name in the payload or the API; channels not stored", team_id)
            return
        reference = TurnContext.get_conversation_reference(turn_context.activity).serialize()
        for channel_id, name in channels.items():
            place = Place(
                conversation_id=channel_id,
                conversation_type="channel",
                service_url=where.service_url,
                tenant_id=where.tenant_id,
                team_id=team_id,
                team_name=team_name,
                aad_group_id=where.aad_group_id,
                channel_id=channel_id,
                channel_name=name or (convert.GENERAL if channel_id == team_id else None),
            )
            await self.directory.save_channel(place, reference)
        if self.learned is not None:
            await self.learned()

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        """Learn the team's channels when the bot joins and when channels or the team change.

        A user joining or leaving changes nothing kakehashi stores (the team is learned then only
        if it is still unknown).  When the bot is removed, or a channel or team is deleted, the
        stored references stay: posts there fail at the Bot Connector (403/404) and are
        dead-lettered with what to fix, which says more than "no reference" would.
        """
        raw = self._raw(turn_context)
        event = convert.event_type(raw)
        bot_id = (raw.get("recipient") or {}).get("id")
        if bot_id in convert.member_ids(raw, "membersRemoved") or event in convert.GONE_EVENTS:
            log.info(
                "Teams %s in %s: stored channel references kept",
                event or "bot removed",
                (raw.get("conversation") or {}).get("id"),
            )
            return
        if event in convert.CHANNEL_EVENTS or bot_id in convert.member_ids(raw, "membersAdded"):
            await self._learn_team(turn_context)
        elif event in (None, "teamMemberAdded"):
            team_id = convert.place(raw).team_id
            if team_id and await self.directory.team_name(team_id) is None:
                await self._learn_team(turn_context)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self._learn_team(turn_context)
