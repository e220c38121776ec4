"""Channels rules.yaml names, followed by id: a renamed channel is still the one rules.yaml meant.

Platform plugins resolve each channel name of rules.yaml to its id at start and on every rules
reload (and keep the pair in the database); when a name no longer resolves because the channel
was renamed, they record here which configured name its id stands for, so the dispatcher keeps
treating its posts as the source (or department channel) rules.yaml named.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.domain import InboundMessage


class ChannelIds:
    def __init__(self) -> None:
        self._configured: dict[tuple[str, str], str] = {}

    def replace(self, platform: str, followed: dict[str, str]) -> None:
        """The whole set of ``platform``'s followed channels (id -> configured name), at once."""
        kept = {k: v for k, v in self._configured.items() if k[0] != platform}
        self._configured = kept | {(platform, cid): name for cid, name in followed.items()}

    def configured(self, platform: str, channel_id: str) -> str | None:
        return self._configured.get((platform, channel_id))

    def as_configured(self, msg: InboundMessage) -> InboundMessage:
        """``msg`` as rules.yaml names its channel (unchanged unless its channel was renamed)."""
        name = self._configured.get((msg.platform, msg.channel_id))
        return msg if name is None else replace(msg, channel=name)
