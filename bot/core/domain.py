"""Domain values shared by adapters, the rule engine, storage and the bot.

Adapters translate platform payloads into these values and back; nothing in here knows about
Slack, Teams or Discourse wire formats.  All values are frozen and slotted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

Platform = Literal["slack", "teams", "discourse", "webhook", "sample"]
DESTINATION_PLATFORMS = ("slack", "teams", "console")


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One community message as the bot sees it, whatever platform it came from.

    ``key`` is unique per platform (e.g. Slack ``TEAM:CHANNEL:TS``) and is what makes
    deliveries idempotent.  ``thread_key`` is the key of the parent when this is a reply.
    ``created_at`` is timezone-aware UTC.
    """

    platform: str
    key: str
    channel_id: str
    channel: str
    author_id: str
    author: str
    text: str
    created_at: datetime
    thread_key: str | None = None
    is_bot: bool = False
    link: str | None = None
    tags: tuple[str, ...] = ()
    private: bool = False
    files: tuple[str, ...] = ()
    raw: dict[str, Any] | None = field(default=None, compare=False, hash=False)

    @property
    def is_reply(self) -> bool:
        return self.thread_key is not None and self.thread_key != self.key


@dataclass(frozen=True, slots=True)
class Destination:
    """A channel a department posts to: ``slack:#dept-product`` or ``teams:CS/Community``."""

    platform: str
    channel: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.channel}"

    @classmethod
    def parse(cls, text: str) -> Destination:
        platform, _, channel = text.partition(":")
        return cls(platform=platform, channel=channel)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReactionEvent:
    """An emoji added to or removed from a message, as a platform saw it.

    The platform only translates: it does not decide whether the message is a community post or
    one of kakehashi's reposts.  ``message_key`` is the key the message has if it is a community
    post; ``remote_id`` (in ``channel``, where the platform knows it) the id it has if it is a
    repost; the dispatcher decides.  ``emoji_names`` are the platform's names for the emoji, the
    preferred one first (Teams has several for one reaction).  ``stamp`` names this event, so a
    redelivery changes nothing.
    """

    platform: str
    message_key: str
    remote_id: str
    channel: str | None = None
    emoji_names: tuple[str, ...]
    user_id: str
    user_name: str
    added: bool
    stamp: str


# Payload key under which the outbox hands a sink what an earlier attempt of the same post already
# delivered (``DeliveryError.progress``), e.g. the first two messages of a long Slack recap.
DELIVERED = "_delivered"


@dataclass(frozen=True, slots=True)
class Post:
    """What the outbox hands to a sink.

    ``kind`` is ``repost`` (a routed community item), ``recap``, ``agenda`` or ``notice``;
    ``payload`` holds the kind-specific content (see ``bot.pipeline.render``).  ``remote_id`` is set when
    the post replaces an earlier one (an update after an edit, a button click or a deletion).
    """

    kind: str
    destination: Destination
    payload: dict[str, Any]
    dedupe_key: str
    remote_id: str | None = None


@dataclass(frozen=True, slots=True)
class Receipt:
    """What a sink answers after a successful send: the platform's id for the post."""

    remote_id: str
    remote_channel: str | None = None
    link: str | None = None


class Sink(Protocol):
    """Delivers posts to one platform.  Raise ``bot.core.errors.DeliveryError`` on failure."""

    platform: str

    async def send(self, post: Post) -> Receipt: ...


class Classifiable(Protocol):
    """What the rule engine reads from a message (``InboundMessage`` satisfies it)."""

    @property
    def platform(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def channel_id(self) -> str: ...
    @property
    def author(self) -> str: ...
    @property
    def author_id(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def is_bot(self) -> bool: ...
    @property
    def is_reply(self) -> bool: ...
    @property
    def tags(self) -> tuple[str, ...]: ...
    @property
    def private(self) -> bool: ...
