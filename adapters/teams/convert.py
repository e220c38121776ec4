"""Teams activities to domain values (pure: no I/O, no storage, no decisions beyond translation).

Shapes follow the Bot Framework Activity schema as Teams fills it (see
tests/fixtures/teams/README.md for the documentation each fixture follows).

Ids.  A channel message arrives in conversation ``19:…@thread.tacv2;messageid=<root>``; the part
before ``;`` is the channel id, ``<root>`` the id of the thread's first message.  So:

* community message key: ``{channel_id}:{activity_id}``; a reply's ``thread_key`` is
  ``{channel_id}:{root}`` (from ``;messageid=`` or ``replyToId``);
* our own posts' remote id: ``{channel_id};messageid={activity_id}`` — the conversation id of the
  thread the post starts, which is also what ``update_activity`` and reactions need.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from adapters.teams.html import html_to_text, looks_like_html
from bot.core.domain import InboundMessage
from bot.core.errors import PayloadError

PLATFORM = "teams"
GENERAL = "General"
_MESSAGEID = ";messageid="
_AT = re.compile(r"<at\b[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);", re.IGNORECASE)

# Teams reaction types and the emoji names rules.yaml (written with Slack names in mind) uses.
# Teams names a reaction either by word (``like``, ``heart``, ``launch``) or as
# ``<code points>_<name>`` (``1f440_eyes``, ``2705_whiteheavycheckmark``), with ``-tone1``…``-tone5``
# for skin tones (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/subscribe-to-conversation-events#message-reaction-events).
REACTION_ALIASES: dict[str, str] = {
    "like": "+1",
    "heart": "heart",
    "laugh": "laughing",
    "surprised": "open_mouth",
    "sad": "cry",
    "angry": "angry",
    "launch": "rocket",
    "holdon": "hourglass_flowing_sand",
}
# The emoji character of a ``<code points>_<name>`` reaction to the Slack name rules.yaml most
# likely uses (rules.yaml may also name the character itself, or Teams' own id).
EMOJI_NAMES: dict[str, str] = {
    "👍": "+1",
    "👎": "-1",
    "❤️": "heart",
    "❤": "heart",
    "😆": "laughing",
    "😂": "joy",
    "😮": "open_mouth",
    "😢": "cry",
    "😠": "angry",
    "✅": "white_check_mark",
    "✔️": "heavy_check_mark",
    "❌": "x",
    "👀": "eyes",
    "📌": "pushpin",
    "🚀": "rocket",
    "💡": "bulb",
    "🎉": "tada",
    "🔥": "fire",
    "🙏": "pray",
    "👏": "clap",
    "🙌": "raised_hands",
    "💯": "100",
    "🤔": "thinking_face",
    "⭐": "star",
    "🌟": "star2",
    "⚠️": "warning",
    "🐛": "bug",
    "❓": "question",
    "❗": "exclamation",
    "📝": "memo",
    "✨": "sparkles",
    "💪": "muscle",
    "👌": "ok_hand",
    "😄": "smile",
    "😊": "blush",
    "😍": "heart_eyes",
    "🥰": "smiling_face_with_3_hearts",
    "⏳": "hourglass_flowing_sand",
    "📢": "loudspeaker",
    "📣": "mega",
    "💬": "speech_balloon",
    "🏆": "trophy",
    "🎁": "gift",
    "🆗": "ok",
    "🆕": "new",
    "🔖": "bookmark",
    "🚨": "rotating_light",
    "💰": "moneybag",
    "💸": "money_with_wings",
    "📈": "chart_with_upwards_trend",
    "🤝": "handshake",
}
_TONE = re.compile(r"[-_]tone[1-5]$", re.IGNORECASE)
_CODEPOINTS = re.compile(r"^((?:[0-9a-f]{4,6})(?:[-_][0-9a-f]{4,6})*)_[a-z]", re.IGNORECASE)


def reaction_names(kind: str) -> tuple[str, ...]:
    """Names a Teams reaction may have in rules.yaml, the most likely first (no duplicates).

    ``like`` -> ``+1``, ``like``; ``1f4a1_lightbulb-tone2`` -> ``bulb``, the raw id, the id
    without the tone, ``💡``.
    """
    base = _TONE.sub("", kind)
    names = [REACTION_ALIASES.get(base.casefold(), "")]
    char = ""
    points = _CODEPOINTS.match(base)
    if points:
        try:
            char = "".join(chr(int(p, 16)) for p in re.split(r"[-_]", points.group(1)))
        except (ValueError, OverflowError):
            char = ""
        names.append(EMOJI_NAMES.get(char) or EMOJI_NAMES.get(char.replace("\ufe0f", "")) or "")
    names += [kind, base, char]
    return tuple(dict.fromkeys(name for name in names if name))


def base_conversation_id(conversation_id: str) -> str:
    """``19:x@thread.tacv2;messageid=1`` -> ``19:x@thread.tacv2``."""
    return conversation_id.split(";", 1)[0]


def thread_root(conversation_id: str) -> str | None:
    _, sep, root = conversation_id.partition(_MESSAGEID)
    return root.split(";", 1)[0] or None if sep else None


def message_key(conversation_id: str, activity_id: str) -> str:
    return f"{base_conversation_id(conversation_id)}:{activity_id}"


def remote_id(conversation_id: str, activity_id: str) -> str:
    """The id kakehashi stores for one of its posts (see the module docstring)."""
    return f"{base_conversation_id(conversation_id)}{_MESSAGEID}{activity_id}"


def split_remote_id(value: str) -> tuple[str, str]:
    """``remote_id`` back to (conversation id, activity id); raises ValueError when it is not one."""
    conversation, sep, activity = value.rpartition(_MESSAGEID)
    if not sep or not conversation or not activity:
        raise ValueError(f"not a Teams post id: {value!r}")
    return conversation, activity


def split_message_key(key: str) -> tuple[str, str]:
    """A community message key back to (channel conversation id, activity id)."""
    conversation, sep, activity = key.rpartition(":")
    if not sep or not conversation or not activity:
        raise ValueError(f"not a Teams message key: {key!r}")
    return conversation, activity


def channel_name(team: str | None, channel: str | None) -> str:
    return f"{team or '?'}/{channel or GENERAL}"


@dataclass(frozen=True, slots=True)
class Place:
    """Where an activity happened: a team channel, a group chat or a 1:1 chat.

    ``team_name``/``channel_name`` are None when the payload does not carry them (Teams often
    leaves them out); the caller fills them from stored references.
    """

    conversation_id: str
    conversation_type: str  # channel | groupChat | personal
    service_url: str
    tenant_id: str | None = None
    team_id: str | None = None
    team_name: str | None = None
    aad_group_id: str | None = None
    channel_id: str | None = None
    channel_name: str | None = None
    private: bool = False

    @property
    def is_channel(self) -> bool:
        return self.conversation_type == "channel" and self.channel_id is not None

    @property
    def name(self) -> str | None:
        """``Team/Channel`` when both names are known (the General channel has the team's id)."""
        if not self.is_channel or not self.team_name:
            return None
        if self.channel_name:
            return channel_name(self.team_name, self.channel_name)
        if self.channel_id == self.team_id:
            return channel_name(self.team_name, GENERAL)
        return None

    def with_names(self, team_name: str | None, channel_name: str | None) -> Place:
        return Place(
            conversation_id=self.conversation_id,
            conversation_type=self.conversation_type,
            service_url=self.service_url,
            tenant_id=self.tenant_id,
            team_id=self.team_id,
            team_name=self.team_name or team_name,
            aad_group_id=self.aad_group_id,
            channel_id=self.channel_id,
            channel_name=self.channel_name or channel_name,
            private=self.private,
        )


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def require(activity: dict[str, Any], *fields: str) -> None:
    """Raise PayloadError naming the first missing field (``conversation.id`` style paths)."""
    for path in fields:
        node: Any = activity
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node in (None, ""):
            raise PayloadError(f"Teams activity without {path}")


def place(activity: dict[str, Any]) -> Place:
    require(activity, "conversation.id", "serviceUrl")
    conversation = _dict(activity.get("conversation"))
    data = _dict(activity.get("channelData"))
    team, channel, tenant = _dict(data.get("team")), _dict(data.get("channel")), _dict(data.get("tenant"))
    conversation_id = str(conversation["id"])
    kind = _str(conversation.get("conversationType"))
    channel_id = _str(channel.get("id")) or _str(data.get("teamsChannelId"))
    team_id = _str(team.get("id")) or _str(data.get("teamsTeamId"))
    if kind is None:
        kind = "channel" if channel_id else ("groupChat" if conversation.get("isGroup") else "personal")
    if kind == "channel" and channel_id is None:
        channel_id = base_conversation_id(conversation_id)
    membership = (_str(channel.get("membershipType")) or _str(channel.get("type")) or "standard").casefold()
    return Place(
        conversation_id=conversation_id,
        conversation_type=kind,
        service_url=str(activity["serviceUrl"]),
        tenant_id=_str(tenant.get("id")) or _str(conversation.get("tenantId")),
        team_id=team_id,
        team_name=_str(team.get("name")),
        aad_group_id=_str(team.get("aadGroupId")),
        channel_id=channel_id,
        channel_name=_str(channel.get("name")),
        private=kind != "channel" or membership in ("private", "shared"),
    )


# conversationUpdate ``channelData.eventType`` values
# (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/subscribe-to-conversation-events):
# ones after which the team's channel names should be read again, and ones that end a place.
CHANNEL_EVENTS = frozenset(
    {"channelCreated", "channelRenamed", "channelRestored", "teamRenamed", "teamRestored", "teamUnarchived"}
)
GONE_EVENTS = frozenset({"channelDeleted", "teamDeleted", "teamHardDeleted", "teamArchived"})


def event_type(activity: dict[str, Any]) -> str | None:
    return _str(_dict(activity.get("channelData")).get("eventType"))


def member_ids(activity: dict[str, Any], field_name: str) -> set[str]:
    """The ids in ``membersAdded`` / ``membersRemoved``."""
    members = activity.get(field_name)
    return (
        {str(m["id"]) for m in members if isinstance(m, dict) and m.get("id")}
        if isinstance(members, list)
        else set()
    )


def timestamp(activity: dict[str, Any]) -> datetime:
    raw = activity.get("timestamp")
    if isinstance(raw, datetime):
        value = raw
    elif isinstance(raw, str) and raw:
        try:
            value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise PayloadError(f"Teams activity timestamp {raw!r} is not an ISO 8601 time") from None
    else:
        return datetime.now(UTC)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def is_from_bot(activity: dict[str, Any]) -> bool:
    """Bots post as ``28:<app id>``; people as ``29:…`` (or ``8:orgid:…``)."""
    sender = _dict(activity.get("from"))
    return str(sender.get("id", "")).startswith("28:") or sender.get("role") == "bot"


def _bot_mentions(activity: dict[str, Any]) -> list[dict[str, Any]]:
    bot_id = _dict(activity.get("recipient")).get("id")
    return [
        entity
        for entity in activity.get("entities") or ()
        if isinstance(entity, dict)
        and entity.get("type") == "mention"
        and bot_id
        and _dict(entity.get("mentioned")).get("id") == bot_id
    ]


def mentions_bot(activity: dict[str, Any]) -> bool:
    return bool(_bot_mentions(activity))


def strip_bot_mention(activity: dict[str, Any], text: str) -> str:
    """Remove the ``<at>…</at>`` markup that mentions the bot (other mentions keep their name).

    The entity's ``text`` is ``<at>kakehashi</at>``; the ``text/html`` attachment writes the same
    mention as ``<at id="0">kakehashi</at>``, so both forms go.
    """
    for entity in _bot_mentions(activity):
        markup = entity.get("text")
        if not isinstance(markup, str) or not markup:
            continue
        text = text.replace(markup, " ")
        name = _AT.sub(r"\1", markup).strip()
        if name:
            names = "|".join(re.escape(n) for n in {name, html.escape(name, quote=False)})
            text = re.sub(rf"<at\b[^>]*>\s*(?:{names})\s*</at>", " ", text, flags=re.IGNORECASE)
    return text


def message_html(activity: dict[str, Any]) -> str:
    """The richest form of the message: the ``text/html`` attachment Teams adds, else ``text``."""
    for attachment in activity.get("attachments") or ():
        if isinstance(attachment, dict) and attachment.get("contentType") == "text/html":
            content = attachment.get("content")
            if isinstance(content, str) and content.strip():
                return content
    text = activity.get("text")
    return text if isinstance(text, str) else ""


def plain_text(activity: dict[str, Any], *, strip_bot: bool = True) -> str:
    """Message text without the bot's mention, HTML turned into text, other mentions as names."""
    raw = message_html(activity)
    if strip_bot:
        raw = strip_bot_mention(activity, raw)
    raw = _AT.sub(r"\1", raw)
    # Teams escapes ``&``, ``<`` and ``>`` even in a plain ``text`` without tags
    return html_to_text(raw) if looks_like_html(raw) or _ENTITY.search(raw) else raw.strip()


_FILE_TYPES = ("application/vnd.microsoft.teams.file.download.info", "reference")


def file_names(activity: dict[str, Any]) -> tuple[str, ...]:
    """Names of the files and images attached (an inline image, ``image/*``, has no name)."""
    names: list[str] = []
    for attachment in activity.get("attachments") or ():
        if not isinstance(attachment, dict):
            continue
        kind = str(attachment.get("contentType") or "")
        if kind in _FILE_TYPES or kind.startswith("image/"):
            fallback = "image" if kind.startswith("image/") else "file"
            names.append(str(attachment.get("name") or fallback))
    return tuple(names)


def deep_link(where: Place, activity_id: str, root: str | None) -> str | None:
    """``https://teams.microsoft.com/l/message/…``: opens the message in Teams."""
    if not where.is_channel or where.channel_id is None:
        return None
    params: dict[str, str] = {}
    if where.tenant_id:
        params["tenantId"] = where.tenant_id
    if where.aad_group_id:
        params["groupId"] = where.aad_group_id
    params["parentMessageId"] = root or activity_id
    if where.team_name:
        params["teamName"] = where.team_name
    if where.channel_name:
        params["channelName"] = where.channel_name
    return (
        f"https://teams.microsoft.com/l/message/{quote(where.channel_id, safe='')}/{quote(activity_id, safe='')}"
        f"?{urlencode(params)}"
    )


def to_inbound(activity: dict[str, Any], where: Place, *, channel: str) -> InboundMessage:
    """A Teams message (or edit) as an InboundMessage; ``channel`` is the ``Team/Channel`` name."""
    require(activity, "id", "from.id")
    activity_id = str(activity["id"])
    conversation_id = where.conversation_id
    root = thread_root(conversation_id)
    reply_to = _str(activity.get("replyToId"))
    if root is None and reply_to and where.is_channel:
        root = reply_to
    key = message_key(conversation_id, activity_id)
    thread_key = message_key(conversation_id, root) if root and root != activity_id else None
    sender = _dict(activity.get("from"))
    return InboundMessage(
        platform=PLATFORM,
        key=key,
        channel_id=where.channel_id or base_conversation_id(conversation_id),
        channel=channel,
        author_id=str(sender["id"]),
        author=_str(sender.get("name")) or str(sender["id"]),
        text=plain_text(activity),
        created_at=timestamp(activity),
        thread_key=thread_key,
        is_bot=is_from_bot(activity),
        link=deep_link(where, activity_id, root),
        private=where.private,
        files=file_names(activity),
        raw=activity,
    )


@dataclass(frozen=True, slots=True)
class CardAction:
    """An Adaptive Card button press (``Action.Submit`` message or ``Action.Execute`` invoke)."""

    action: str
    item_id: int
    value: str | None
    card_id: str | None  # the card's activity id (``replyToId``), to update it in place


def card_action(activity: dict[str, Any]) -> CardAction | None:
    """The kakehashi action a card submit carries; None when the activity is not one of ours.

    ``Action.Submit`` data and ``Action.Execute`` data are ``{"kakehashi": action, "item_id": n}``;
    an ``Action.Execute`` may instead name the action by its ``verb`` (``{"verb": "done",
    "data": {"item_id": n}}``), the way Universal Actions are usually written.
    """
    value = _dict(activity.get("value"))
    execute = _dict(value.get("action")) if activity.get("type") == "invoke" else {}
    data = _dict(execute.get("data")) if activity.get("type") == "invoke" else value
    action = data.get("kakehashi")
    if not action and "item_id" in data:  # an Action.Execute naming the action by its verb only
        action = execute.get("verb")
    if not isinstance(action, str) or not action:
        return None
    try:
        item_id = int(data.get("item_id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise PayloadError("card action without a numeric item_id") from None
    choice = data.get("department") or data.get("value")
    return CardAction(
        action=action,
        item_id=item_id,
        value=str(choice) if choice not in (None, "") else None,
        card_id=_str(activity.get("replyToId")),
    )


def is_card_submit(activity: dict[str, Any]) -> bool:
    """``Action.Submit`` arrives as a message with ``value`` and no text: never a community post."""
    return activity.get("type") == "message" and isinstance(activity.get("value"), dict)


@dataclass(frozen=True, slots=True)
class ReactionEvent:
    reaction: str  # Teams' reaction type: like, heart, ...
    added: bool
    message_id: str  # the activity reacted to


def reactions(activity: dict[str, Any]) -> list[ReactionEvent]:
    require(activity, "replyToId")
    target = str(activity["replyToId"])
    out: list[ReactionEvent] = []
    for field_name, added in (("reactionsAdded", True), ("reactionsRemoved", False)):
        for reaction in activity.get(field_name) or ():
            kind = _dict(reaction).get("type")
            if isinstance(kind, str) and kind:
                out.append(ReactionEvent(reaction=kind, added=added, message_id=target))
    return out
