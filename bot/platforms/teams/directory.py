"""Teams channel names and conversation references, stored so rules.yaml can say ``Team/Channel``.

Two rows per channel in ``conversation_refs`` (platform ``teams``): one named ``Team/Channel``
(what departments post to) and one named ``id:<channel id>`` (to name a channel when a payload
carries only ids, as Teams' message payloads often do).  Each row's ``reference`` is the
serialised ``ConversationReference`` for the channel plus a ``kakehashi`` entry with the names.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from adapters.teams.convert import GENERAL, Place, base_conversation_id
from adapters.teams.sink import Target
from storage.store import Store

log = logging.getLogger("kakehashi.teams")

PLATFORM = "teams"
META = "kakehashi"


def _id_row(channel_id: str) -> str:
    return f"id:{channel_id}"


class TeamsDirectory:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._saved: dict[str, str] = {}  # channel id -> name last saved (skip rewrites)
        self._teams: dict[str, str] = {}  # team id -> team name

    async def _meta(self, channel_id: str) -> dict[str, Any]:
        row = await self.store.get_ref(PLATFORM, _id_row(channel_id))
        return dict((row.reference or {}).get(META) or {}) if row is not None else {}

    async def team_name(self, team_id: str) -> str | None:
        if team_id not in self._teams:
            name = (await self._meta(team_id)).get("team_name")  # the General channel's id is the team id
            if not name:
                return None
            self._teams[team_id] = str(name)
        return self._teams[team_id]

    async def complete(self, where: Place) -> Place:
        """Fill the team and channel names a payload left out, from what was stored earlier."""
        if not where.is_channel or where.channel_id is None:
            return where
        team = where.team_name or (await self.team_name(where.team_id) if where.team_id else None)
        channel = where.channel_name
        if channel is None and where.channel_id == where.team_id:
            channel = GENERAL
        meta: dict[str, Any] = {}
        if channel is None or team is None or where.aad_group_id is None:
            meta = await self._meta(where.channel_id)
        filled = where.with_names(team or meta.get("team_name"), channel or meta.get("channel_name"))
        group = meta.get("aad_group_id")
        if filled.aad_group_id is None and not group and where.team_id and where.team_id != where.channel_id:
            # a channel learned from channelCreated/channelRenamed (no aadGroupId there): the team's
            group = (await self._meta(where.team_id)).get("aad_group_id")
        if filled.aad_group_id is None and group:
            filled = replace(filled, aad_group_id=str(group))
        return filled

    async def channels_of(self, team_id: str) -> dict[str, str | None]:
        """The team's channels stored so far: channel id -> channel name (General: None)."""
        channels: dict[str, str | None] = {}
        for row in await self.store.refs(PLATFORM):
            meta = (row.reference or {}).get(META) or {}
            if row.name.startswith("id:") and meta.get("team_id") == team_id and meta.get("channel_id"):
                name = meta.get("channel_name")
                channels[str(meta["channel_id"])] = None if meta["channel_id"] == team_id else name
        return channels

    async def name_for(self, where: Place) -> str:
        """``Team/Channel`` when known, else the channel (or chat) conversation id."""
        return where.name or where.channel_id or base_conversation_id(where.conversation_id)

    async def save_channel(self, where: Place, reference: dict[str, Any]) -> str | None:
        """Store the channel's reference under its name and its id; returns the name (None if unknown)."""
        name = where.name
        if name is None or where.channel_id is None:
            return None
        if self._saved.get(where.channel_id) == name:
            return name
        conversation = dict(reference.get("conversation") or {})
        conversation.update(id=where.channel_id, isGroup=True, conversationType="channel")
        if where.tenant_id:
            conversation["tenantId"] = where.tenant_id
        stored = {key: value for key, value in reference.items() if key not in ("activityId", "user", META)}
        stored["conversation"] = conversation
        stored[META] = {
            "team_id": where.team_id,
            "team_name": where.team_name,
            "channel_id": where.channel_id,
            "channel_name": where.channel_name or (GENERAL if where.channel_id == where.team_id else None),
            "aad_group_id": where.aad_group_id,
            "tenant_id": where.tenant_id,
            "name": name,
        }
        for row_name in (name, _id_row(where.channel_id)):
            await self.store.save_ref(
                platform=PLATFORM,
                name=row_name,
                conversation_id=where.channel_id,
                service_url=where.service_url,
                reference=stored,
            )
        self._saved[where.channel_id] = name
        if where.team_id and where.team_name:
            self._teams[where.team_id] = where.team_name
        log.info("learned Teams channel %s (%s)", name, where.channel_id)
        return name

    async def resolve(self, name: str) -> Target | None:
        """The reference to post to ``name``: ``Team/Channel`` (any case) or a channel id."""
        row = await self.store.get_ref(PLATFORM, name)
        if row is None and ("@thread" in name or name.startswith("19:")):
            row = await self.store.get_ref(PLATFORM, _id_row(name))
        if row is None:
            wanted = name.strip().casefold()
            for candidate in await self.store.refs(PLATFORM):
                if not candidate.name.startswith("id:") and candidate.name.casefold() == wanted:
                    row = candidate
                    break
        if row is None:
            return None
        reference = {key: value for key, value in (row.reference or {}).items() if key != META}
        return Target(name=row.name, reference=reference)
