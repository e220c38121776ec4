"""Channel and user names of one workspace, cached.

Channels come from ``conversations.list`` (paged; refreshed when a name or id is missing, at
most once per ``refresh_interval``), an id it does not list from ``conversations.info``; users
from ``users.info`` (cached per id), and every user by name from ``users.list`` (paged; only to
resolve the names an admin wrote in rules.yaml).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger("kakehashi.slack")

CHANNEL_TYPES = "public_channel,private_channel"


@dataclass(frozen=True, slots=True)
class Channel:
    id: str
    name: str
    is_private: bool = False
    is_member: bool = False


def api_error(exc: SlackApiError) -> str | None:
    """The ``error`` of a failed call (None when Slack answered something that is not JSON)."""
    data = getattr(exc.response, "data", None)
    return str(data["error"]) if isinstance(data, dict) and data.get("error") else None


TRANSIENT_ERRORS = frozenset(
    {
        "ratelimited",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
        "team_added_to_org",
    }
)


def _status(exc: SlackApiError) -> int:
    return int(getattr(exc.response, "status_code", 200) or 200)


def is_transient(exc: SlackApiError) -> bool:
    """A failure that asking again later can fix: HTTP 429 / 5xx, ``ratelimited``, Slack-side errors."""
    return _status(exc) == 429 or _status(exc) >= 500 or api_error(exc) in TRANSIENT_ERRORS


def looks_like_id(text: str) -> bool:
    """Slack conversation ids: C/G/D followed by upper-case letters and digits."""
    return len(text) >= 9 and text[0] in "CGD" and text.isalnum() and text.isupper()


class SlackDirectory:
    def __init__(self, client: AsyncWebClient, *, refresh_interval: float = 30.0) -> None:
        self.client = client
        self.refresh_interval = refresh_interval
        self._by_id: dict[str, Channel] = {}
        self._by_name: dict[str, Channel] = {}
        self._users: dict[str, str] = {}
        self._learned: dict[str, str] = {}
        self._loaded_at: float | None = None
        self._lock = asyncio.Lock()

    async def refresh(self) -> None:
        by_id: dict[str, Channel] = {}
        cursor: str | None = None
        while True:
            response = await self.client.conversations_list(
                types=CHANNEL_TYPES, exclude_archived=True, limit=1000, cursor=cursor
            )
            for raw in response.get("channels") or []:
                channel = Channel(
                    id=raw["id"],
                    name=raw.get("name") or raw["id"],
                    is_private=bool(raw.get("is_private")),
                    is_member=bool(raw.get("is_member")),
                )
                by_id[channel.id] = channel
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
        self._by_id = by_id
        self._by_name = {c.name.casefold(): c for c in by_id.values()}
        self._loaded_at = time.monotonic()

    async def _refresh_if_stale(self) -> None:
        async with self._lock:
            if self._loaded_at is not None and time.monotonic() - self._loaded_at < self.refresh_interval:
                return
            await self.refresh()

    async def channel(self, name_or_id: str) -> Channel | None:
        """``#general``, ``general`` or ``C0123ABCD`` -> the channel, refreshing once on a miss.

        An id that ``conversations.list`` does not show (a channel made since the last refresh,
        a Slack Connect channel, a list the token may not read) is asked about by itself
        (``conversations.info``).
        """
        wanted = name_or_id.strip()
        for attempt in range(2):
            found = self._by_id.get(wanted) or self._by_name.get(wanted.lstrip("#").casefold())
            if found or attempt:
                break
            try:
                await self._refresh_if_stale()
            except SlackApiError as exc:
                log.warning("conversations.list failed: %s", api_error(exc) or _status(exc))
                if is_transient(exc):
                    raise  # "unknown channel" would be a guess: let the caller retry later
                break
        if found is None and looks_like_id(wanted):
            found = await self._info(wanted)
        return found

    async def _info(self, channel_id: str) -> Channel | None:
        try:
            response = await self.client.conversations_info(channel=channel_id)
        except SlackApiError as exc:
            log.info("conversations.info %s failed: %s", channel_id, api_error(exc) or _status(exc))
            if is_transient(exc):
                raise
            return None
        raw = response.get("channel")
        if not isinstance(raw, dict) or not raw.get("id"):
            return None
        channel = Channel(
            id=str(raw["id"]),
            name=str(raw.get("name") or raw["id"]),
            is_private=bool(raw.get("is_private") or raw.get("is_im") or raw.get("is_mpim")),
            is_member=bool(raw.get("is_member")),
        )
        self._by_id[channel.id] = channel
        if raw.get("name"):
            self._by_name.setdefault(channel.name.casefold(), channel)
        return channel

    async def channel_name(self, channel_id: str, channel_type: str | None = None) -> str:
        """``#name`` for channels, ``DM`` for direct messages, the id when unknown."""
        if channel_type in ("im", "mpim") or channel_id.startswith("D"):
            return "DM"
        found = await self.channel(channel_id)
        return f"#{found.name}" if found else channel_id

    def learn(self, name: str, channel_id: str) -> None:
        """Remember the id Slack reported for a channel we could only name."""
        if looks_like_id(channel_id):
            self._learned[name.lstrip("#").casefold()] = channel_id

    def learned(self, name: str) -> str | None:
        return self._learned.get(name.lstrip("#").casefold())

    async def is_private(self, channel_id: str) -> bool | None:
        if channel_id.startswith("D"):
            return True
        found = await self.channel(channel_id)
        return None if found is None else found.is_private

    def remember_member(self, channel_id: str) -> None:
        found = self._by_id.get(channel_id)
        if found and not found.is_member:
            updated = Channel(id=found.id, name=found.name, is_private=found.is_private, is_member=True)
            self._by_id[found.id] = updated
            self._by_name[found.name.casefold()] = updated

    async def users_by_name(self) -> dict[str, set[str]]:
        """Every user's ids under each of their names (handle, display name, real name), casefolded."""
        found: dict[str, set[str]] = {}
        cursor: str | None = None
        while True:
            response = await self.client.users_list(limit=200, cursor=cursor)
            for raw in response.get("members") or []:
                if raw.get("deleted") or not raw.get("id"):
                    continue
                profile = raw.get("profile") or {}
                names = (
                    raw.get("name"),
                    profile.get("display_name"),
                    profile.get("real_name"),
                    raw.get("real_name"),
                )
                for name in {str(n).strip().lstrip("@").casefold() for n in names if n}:
                    found.setdefault(name, set()).add(str(raw["id"]))
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return found

    def renamed(self, channel_id: str, name: str) -> None:
        """``channel_rename``: the cached channel takes its new name at once."""
        found = self._by_id.get(channel_id)
        if found is None:
            return
        self._by_name.pop(found.name.casefold(), None)
        updated = Channel(id=found.id, name=name, is_private=found.is_private, is_member=found.is_member)
        self._by_id[found.id] = updated
        self._by_name[name.casefold()] = updated

    async def user_name(self, user_id: str) -> str:
        """The display name (then real name, then handle) of a user; the id when unknown."""
        if user_id in self._users:
            return self._users[user_id]
        try:
            response = await self.client.users_info(user=user_id)
        except SlackApiError as exc:
            log.warning("users.info %s failed: %s", user_id, api_error(exc))
            return user_id
        user = response.get("user") or {}
        profile = user.get("profile") or {}
        name = (
            profile.get("display_name")
            or profile.get("real_name")
            or user.get("real_name")
            or user.get("name")
            or user_id
        )
        self._users[user_id] = name
        return str(name)
