"""Pure translation of Slack Events API payloads into domain values.

No I/O here: the plugin resolves channel and user names first and passes them in.  Payload
shapes: https://docs.slack.dev/reference/events/message (and its subtypes), ``reaction_added``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from adapters.slack.text import message_text
from bot.core.domain import InboundMessage
from bot.core.errors import PayloadError

PLATFORM = "slack"

# Message subtypes that carry a community voice; every other subtype (channel_join, channel_topic,
# message_replied, pinned_item, ...) is housekeeping and ignored.
CONTENT_SUBTYPES = frozenset({None, "thread_broadcast", "file_share", "me_message", "bot_message"})
PRIVATE_CHANNEL_TYPES = frozenset({"group", "mpim", "im"})
_SKIN_TONE = re.compile(r"::skin-tone-\d$")
_TS = re.compile(r"^\d{6,}\.\d{1,9}$")
_ARCHIVE = re.compile(r"/archives/([CGD][A-Z0-9]+)/p(\d{10})(\d{6})(?![0-9])")


def message_key(team_id: str, channel_id: str, ts: str) -> str:
    return f"{team_id}:{channel_id}:{ts}"


def split_key(key: str) -> tuple[str, str, str] | None:
    """``TEAM:CHANNEL:TS`` back into its parts (None when it is not a Slack key)."""
    parts = key.split(":")
    if len(parts) != 3 or not _TS.match(parts[2]):
        return None
    return parts[0], parts[1], parts[2]


def ts_to_datetime(ts: str) -> datetime:
    try:
        return datetime.fromtimestamp(float(ts), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise PayloadError(f"ts {ts!r}: expected a Slack timestamp such as 1700000000.123456") from None


def _require(mapping: dict[str, Any], name: str, where: str) -> Any:
    value = mapping.get(name)
    if value in (None, ""):
        raise PayloadError(f"{where}.{name}: missing")
    return value


def team_of(body: dict[str, Any], event: dict[str, Any], default: str | None = None) -> str:
    """The workspace id of an event: the envelope's ``team_id``, else the event's ``team``, ...

    ``default`` (the bot's own workspace, from ``auth.test``) when the payload names none.
    """
    authorizations = body.get("authorizations") or [{}]
    team = (
        body.get("team_id")
        or body.get("context_team_id")
        or event.get("team")
        or (body.get("team") or {}).get("id")
        or (authorizations[0] if isinstance(authorizations[0], dict) else {}).get("team_id")
        or default
    )
    if not team or not isinstance(team, str):
        raise PayloadError("team_id: missing from the event envelope")
    return team


# Slackbot: reminders, custom auto-responses; a user id without a bot_id, but never a person.
SLACKBOT = "USLACKBOT"


def is_bot_message(message: dict[str, Any], self_user_ids: frozenset[str] = frozenset()) -> bool:
    return bool(
        message.get("bot_id")
        or message.get("user") == SLACKBOT
        or message.get("subtype") == "bot_message"
        or message.get("bot_profile")
        or (message.get("user") and message["user"] in self_user_ids)
    )


def file_names(message: dict[str, Any]) -> tuple[str, ...]:
    names = []
    files = message.get("files")
    for item in files if isinstance(files, list) else ():
        if isinstance(item, dict):
            name = item.get("name") or item.get("title") or item.get("id")
            if name:
                names.append(str(name))
    return tuple(names)


@dataclass(frozen=True, slots=True)
class MessageRef:
    """Where a Slack message lives, before names are resolved."""

    team_id: str
    channel_id: str
    ts: str
    user_id: str
    thread_ts: str | None
    channel_type: str | None

    @property
    def key(self) -> str:
        return message_key(self.team_id, self.channel_id, self.ts)

    @property
    def thread_key(self) -> str | None:
        if self.thread_ts and self.thread_ts != self.ts:
            return message_key(self.team_id, self.channel_id, self.thread_ts)
        return None


def message_ref(
    team_id: str, channel_id: str, message: dict[str, Any], channel_type: str | None
) -> MessageRef:
    """Validate the fields every content message needs (``ts``, an author) and keep them."""
    ts = str(_require(message, "ts", "event"))
    ts_to_datetime(ts)
    user = message.get("user") or message.get("bot_id") or message.get("username")
    if not user:
        raise PayloadError("event.user: missing (and no bot_id)")
    thread_ts = message.get("thread_ts")
    return MessageRef(
        team_id=team_id,
        channel_id=channel_id,
        ts=ts,
        user_id=str(user),
        thread_ts=str(thread_ts) if thread_ts else None,
        channel_type=channel_type,
    )


def to_inbound(
    ref: MessageRef,
    message: dict[str, Any],
    *,
    channel_name: str,
    author_name: str,
    link: str | None,
    is_bot: bool,
    names: Mapping[str, str] | None = None,
) -> InboundMessage:
    """One Slack message (the event itself, or ``message`` of a ``message_changed``).

    The text is what people saw (``adapters.slack.text``): markup resolved with ``names``, the
    blocks when ``text`` is empty, the content of a shared message.
    """
    if message.get("text") is not None and not isinstance(message.get("text"), str):
        raise PayloadError("event.text: expected a string")
    text = message_text(message, names)
    return InboundMessage(
        platform=PLATFORM,
        key=ref.key,
        channel_id=ref.channel_id,
        channel=channel_name,
        author_id=ref.user_id,
        author=author_name,
        text=text,
        created_at=ts_to_datetime(ref.ts),
        thread_key=ref.thread_key,
        is_bot=is_bot,
        link=link,
        private=ref.channel_type in PRIVATE_CHANNEL_TYPES,
        files=file_names(message),
        raw=message,
    )


def emoji_name(reaction: str) -> str:
    """``+1::skin-tone-3`` -> ``+1`` (a flag is the same emoji whatever the skin tone)."""
    return _SKIN_TONE.sub("", reaction.strip(":"))


def archive_link(base_url: str | None, channel_id: str, ts: str, thread_ts: str | None = None) -> str | None:
    """Slack's permalink form, used when ``chat.getPermalink`` is not reachable in time."""
    if not base_url:
        return None
    link = f"{base_url.rstrip('/')}/archives/{channel_id}/p{ts.replace('.', '')}"
    if thread_ts and thread_ts != ts:
        link += f"?thread_ts={thread_ts}&cid={channel_id}"
    return link


def archive_ref(link: str) -> tuple[str, str] | None:
    """``https://x.slack.com/archives/C123/p1700000000000100?thread_ts=…`` -> ``(C123, 1700000000.000100)``.

    Whatever the host (a workspace, an Enterprise Grid org, a stand-in), the path names the
    message: the form ``chat.getPermalink`` answers and the client's "Copy link" gives.
    """
    match = _ARCHIVE.search(link)
    return (match[1], f"{match[2]}.{match[3]}") if match else None


def profile_name(message: dict[str, Any]) -> str | None:
    """The author's name from the ``user_profile`` some message events carry (Slack Connect)."""
    profile = message.get("user_profile")
    if not isinstance(profile, dict):
        return None
    for key in ("display_name", "real_name", "name"):
        if isinstance(profile.get(key), str) and profile[key].strip():
            return str(profile[key]).strip()
    return None
