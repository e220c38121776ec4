"""SQLAlchemy 2 models.  Every timestamp is stored in UTC (``UtcDateTime``).

The schema itself is owned by the Alembic chain in ``storage/migrations``; these models must
match it (``tests/storage/test_migrations.py`` compares them).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.core.storable import clean, clean_json, fit

PK = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class StorableString(TypeDecorator[str]):
    """``String(length)`` that stores whatever it is given: NUL and lone surrogates cleaned, and a
    value longer than the column cut with a hash of the whole (``bot.core.storable.fit``).  The
    same happens to values compared with the column, so a lookup by a long id finds its row."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else fit(value, self.impl.length)  # type: ignore[attr-defined,misc]


class StorableText(TypeDecorator[str]):
    """``Text`` without what PostgreSQL refuses (NUL, lone surrogates)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else clean(value)


class StorableJSON(TypeDecorator[Any]):
    """``JSON`` whose strings are cleaned like ``StorableText`` (a JSON text with a lone surrogate
    cannot be encoded as UTF-8, and PostgreSQL refuses ``\u0000`` in text)."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return clean_json(value)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime,
        dict[str, Any]: StorableJSON,
        list[Any]: StorableJSON,
    }


class Message(Base):
    """A community message, stored once per (platform, key)."""

    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("platform", "key", name="uq_messages_platform_key"),)

    id: Mapped[int] = mapped_column(PK, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(StorableString(32))
    key: Mapped[str] = mapped_column(StorableString(255))
    channel_id: Mapped[str] = mapped_column(StorableString(255))
    channel: Mapped[str] = mapped_column(StorableString(255), index=True)
    author_id: Mapped[str] = mapped_column(StorableString(255))
    author: Mapped[str] = mapped_column(StorableString(255))
    text: Mapped[str] = mapped_column(StorableText)
    created_at: Mapped[datetime] = mapped_column(index=True)
    thread_key: Mapped[str | None] = mapped_column(StorableString(255), index=True)
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    link: Mapped[str | None] = mapped_column(StorableText)
    tags: Mapped[list[Any]] = mapped_column(default=list)
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    files: Mapped[list[Any]] = mapped_column(default=list)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    edited_at: Mapped[datetime | None] = mapped_column()
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class Item(Base):
    """A message routed to one department: the unit recaps, statuses and votes are about."""

    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("message_id", "department", name="uq_items_message_department"),
        Index("ix_items_department_status", "department", "status"),  # open work, by department
        Index("ix_items_department_tag", "department", "tag"),  # a department's questions, ideas
    )

    id: Mapped[int] = mapped_column(PK, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    department: Mapped[str] = mapped_column(StorableString(64), index=True)
    tag: Mapped[str | None] = mapped_column(StorableString(64))
    route: Mapped[str] = mapped_column(StorableString(255))
    reason: Mapped[str] = mapped_column(StorableText)
    origin: Mapped[str] = mapped_column(StorableString(16), default="rule")  # rule | reaction | command
    status: Mapped[str] = mapped_column(StorableString(32), default="open")
    status_changed_at: Mapped[datetime | None] = mapped_column()
    status_by: Mapped[str | None] = mapped_column(StorableString(255))
    votes: Mapped[int] = mapped_column(Integer, default=0)
    permission: Mapped[str] = mapped_column(
        StorableString(16), default="none"
    )  # none|requested|granted|anonymous|declined (the answer: ``Consent``)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ItemStatusChange(Base):
    """One status change of an item: what it became, from what, who changed it, how and when.

    ``via`` is ``button``, ``emoji``, ``command``, ``edit`` (a reclassifying edit withdrew or
    restored it) or ``system``.  The item's own ``status``/``status_by``/``status_changed_at``
    hold the latest; these rows keep every step (recaps and answers read them).
    """

    __tablename__ = "item_status_changes"

    id: Mapped[int] = mapped_column(PK, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(StorableString(32))
    previous: Mapped[str | None] = mapped_column(StorableString(32))
    by_name: Mapped[str | None] = mapped_column(StorableString(255))
    by_id: Mapped[str | None] = mapped_column(StorableString(255))
    via: Mapped[str] = mapped_column(StorableString(16))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Consent(Base):
    """Asking a community author whether their post may be reused, and their answer: the proof.

    One row per item.  ``text`` is exactly what the author was shown (the quote and the request),
    ``request_id`` the outbox row that carried the request (its ``remote_channel``: the Slack DM
    or Teams 1:1 chat it was asked in, once sent).  ``answer`` is ``pending``, ``granted``, ``anonymous``
    (granted without their name) or ``declined``; only the author may answer, and a later answer
    replaces an earlier one (a "no" after a "yes" revokes it).
    """

    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("item_id", name="uq_consents_item"),)

    id: Mapped[int] = mapped_column(PK, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(32))
    author_id: Mapped[str] = mapped_column(StorableString(255))
    author: Mapped[str] = mapped_column(StorableString(255))
    asked_by: Mapped[str] = mapped_column(StorableString(255))
    asked_by_id: Mapped[str | None] = mapped_column(StorableString(255))
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    locale: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(StorableText)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    answer: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    answered_by_id: Mapped[str | None] = mapped_column(StorableString(255))
    answered_by: Mapped[str | None] = mapped_column(StorableString(255))
    answered_at: Mapped[datetime | None] = mapped_column()


class OutboxRow(Base):
    """One post to one destination; ``dedupe_key`` makes every (message, destination) post unique."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(PK, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(StorableString(512), unique=True)
    kind: Mapped[str] = mapped_column(
        StorableString(32)
    )  # repost | update | delete | recap | agenda | notice
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="SET NULL"), index=True)
    destination: Mapped[str] = mapped_column(StorableString(255), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(
        StorableString(16), default="pending", index=True
    )  # pending|sent|dead|cancelled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    lease_owner: Mapped[str | None] = mapped_column(StorableString(64))
    lease_until: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(StorableText)
    remote_id: Mapped[str | None] = mapped_column(StorableString(255))
    remote_channel: Mapped[str | None] = mapped_column(StorableString(255))
    remote_link: Mapped[str | None] = mapped_column(StorableText)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()


class Reaction(Base):
    """An emoji someone put on a community post or on one of our reposts."""

    __tablename__ = "reactions"
    __table_args__ = (
        UniqueConstraint("platform", "target", "emoji", "user_id", name="uq_reactions_target_emoji_user"),
    )

    id: Mapped[int] = mapped_column(PK, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(StorableString(32))
    target: Mapped[str] = mapped_column(StorableString(255), index=True)  # message key or repost remote id
    emoji: Mapped[str] = mapped_column(StorableString(64))
    user_id: Mapped[str] = mapped_column(StorableString(255))
    user_name: Mapped[str | None] = mapped_column(StorableString(255))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScheduleRun(Base):
    """A claimed (schedule, period): whoever inserts it first posts the recap or agenda."""

    __tablename__ = "schedule_runs"
    __table_args__ = (UniqueConstraint("schedule", "period_key", name="uq_schedule_runs_schedule_period"),)

    id: Mapped[int] = mapped_column(PK, primary_key=True, autoincrement=True)
    schedule: Mapped[str] = mapped_column(StorableString(255))
    period_key: Mapped[str] = mapped_column(StorableString(64))
    fire_time: Mapped[datetime] = mapped_column()
    claimed_by: Mapped[str] = mapped_column(StorableString(64))
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(StorableString(16), default="claimed")  # claimed | done | failed


class ConversationRef(Base):
    """Where the bot can post proactively (Teams conversation references, resolved channel ids)."""

    __tablename__ = "conversation_refs"
    __table_args__ = (UniqueConstraint("platform", "name", name="uq_conversation_refs_platform_name"),)

    id: Mapped[int] = mapped_column(PK, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(StorableString(32))
    name: Mapped[str] = mapped_column(StorableString(255))  # "Team/Channel" or a conversation id
    conversation_id: Mapped[str] = mapped_column(StorableString(512))
    service_url: Mapped[str | None] = mapped_column(StorableText)
    reference: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Cursor(Base):
    """A named resume point (Discourse poller, history imports)."""

    __tablename__ = "cursors"

    name: Mapped[str] = mapped_column(StorableString(255), primary_key=True)
    value: Mapped[str] = mapped_column(StorableText)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Quarantined(Base):
    """A message the database refused even after cleaning: kept here, never lost to retries.

    ``payload`` is the message as ASCII-only JSON (every odd character escaped), so this row
    can always be written; ``kakehashi quarantine`` lists them.
    """

    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(PK, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(StorableString(32))
    key: Mapped[str] = mapped_column(StorableText)
    reason: Mapped[str] = mapped_column(StorableText)
    payload: Mapped[str] = mapped_column(StorableText)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
