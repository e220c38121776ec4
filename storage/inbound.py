"""Recording community messages and their routed items, one transaction per event."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.domain import Destination, InboundMessage
from bot.core.errors import UnstorableMessageError
from storage.items import ARCHIVED
from storage.models import Item, Message, OutboxRow
from storage.reclassify import reconcile_items
from storage.threads import ThreadStore


@dataclass(frozen=True, slots=True)
class Routing:
    """The decision to send a message to one department (from a rule, a reaction or a command)."""

    department: str
    tag: str | None
    route: str
    reason: str
    origin: str = "rule"


@dataclass(frozen=True, slots=True)
class RecordResult:
    created: bool
    message_id: int
    item_ids: tuple[int, ...] = ()


def repost_key(platform: str, key: str, department: str, destination: Destination) -> str:
    return f"repost:{platform}:{key}:{department}:{destination}"


def refused(exc: BaseException) -> UnstorableMessageError | None:
    """The database (or its driver) refused this message's values; None for any other failure
    (a lost connection, a lock timeout: those are retried by the platform, not quarantined)."""
    # SQLSTATE class 22 is "data exception" (PostgreSQL); drivers do not always map it to DataError
    data_exception = str(getattr(getattr(exc, "orig", None), "sqlstate", None) or "").startswith("22")
    if isinstance(exc, DataError | UnicodeError) or data_exception:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:300]
        return UnstorableMessageError(f"DataError: {reason}")
    if isinstance(exc, StatementError) and not isinstance(exc, DBAPIError):  # a bind value failed
        return UnstorableMessageError(f"{type(exc.orig).__name__}: {str(exc.orig)[:300]}")
    return None


def _of_message(message_id: int) -> ColumnElement[bool]:
    return OutboxRow.item_id.in_(select(Item.id).where(Item.message_id == message_id))


def message_values(msg: InboundMessage, received_at: datetime) -> dict[str, Any]:
    """A new message's row, as column values (the ORM row and the group commit's insert)."""
    return {
        "platform": msg.platform,
        "key": msg.key,
        "channel_id": msg.channel_id,
        "channel": msg.channel,
        "author_id": msg.author_id,
        "author": msg.author,
        "text": msg.text,
        "created_at": msg.created_at,
        "thread_key": msg.thread_key,
        "is_bot": msg.is_bot,
        "link": msg.link,
        "tags": list(msg.tags),
        "private": msg.private,
        "files": list(msg.files),
        "deleted": False,
        "edited_at": None,
        "received_at": received_at,
    }


def _message_row(msg: InboundMessage, received_at: datetime) -> Message:
    return Message(**message_values(msg, received_at))


class InboundStore(ThreadStore):
    async def record_inbound(
        self,
        msg: InboundMessage,
        routings: Sequence[Routing],
        destinations: Mapping[str, Sequence[Destination]],
        *,
        repost: bool = True,
        mirror: bool = True,
    ) -> RecordResult:
        """Store the message, its items and their outbox rows atomically.

        A message already stored (same platform and key) changes nothing and returns
        ``created=False``: this is what makes platform retries and redeliveries no-ops.
        """
        async with self.sessions() as session:
            try:
                async with session.begin():
                    row = _message_row(msg, self.clock())
                    session.add(row)
                    await session.flush()
                    routings = await self._join_thread(
                        session, row, routings, mirror=repost and mirror, join=mirror
                    )
                    item_ids = await self._add_items(session, row, routings, destinations, repost=repost)
            except IntegrityError:
                existing = await self.message_id(msg.platform, msg.key)
                if existing is None:
                    raise
                return RecordResult(created=False, message_id=existing)
            except (StatementError, UnicodeError) as exc:  # DBAPIError is a StatementError
                problem = refused(exc)
                if problem is None:
                    raise
                raise problem from exc
        return RecordResult(created=True, message_id=row.id, item_ids=item_ids)

    async def _join_thread(
        self,
        session: AsyncSession,
        message: Message,
        routings: Sequence[Routing],
        *,
        mirror: bool,
        join: bool = True,
    ) -> list[Routing]:
        """A reply in a routed thread: mirror it into the thread's reposts (``mirror``; never a
        bot's) and keep only routings to departments without the thread (``join``; imports of
        history do neither: each reply stays its own item, as it was before threads joined)."""
        thread = await self._thread_items(session, message) if join else ()
        if not thread:
            return list(routings)
        if mirror and not message.is_bot:
            await self._mirror_reply(session, message, thread)
        held = {item.department for item in thread}
        return [r for r in routings if r.department not in held]

    async def _add_items(
        self,
        session: AsyncSession,
        message: Message,
        routings: Sequence[Routing],
        destinations: Mapping[str, Sequence[Destination]],
        *,
        repost: bool = True,
        revive: bool = False,
    ) -> tuple[int, ...]:
        """Add one item per new department, with its reposts (``repost=False``: archived, unposted).

        ``revive``: a department's archived item (imported history nobody was shown) becomes open
        work and is posted, instead of being skipped as already routed.
        """
        existing = {
            item.department: item
            for item in (await session.scalars(select(Item).where(Item.message_id == message.id))).all()
        }
        ids: list[int] = []
        for routing in routings:
            item = existing.get(routing.department)
            if item is not None:
                if not (revive and repost and item.status == ARCHIVED):
                    continue
                reopened = await session.execute(  # conditional: of two flags at once, one reposts
                    update(Item)
                    .where(Item.id == item.id, Item.status == ARCHIVED)
                    .values(status="open", status_changed_at=self.clock(), status_by=None)
                )
                if not reopened.rowcount:  # type: ignore[attr-defined]
                    continue
            else:
                item = Item(
                    message_id=message.id,
                    department=routing.department,
                    tag=routing.tag,
                    route=routing.route,
                    reason=routing.reason,
                    origin=routing.origin,
                    status="open" if repost else ARCHIVED,
                    created_at=self.clock(),
                )
                existing[routing.department] = item
                session.add(item)
            await session.flush()
            ids.append(item.id)
            if not repost:
                continue
            for dest in destinations.get(routing.department, ()):
                session.add(
                    OutboxRow(
                        dedupe_key=repost_key(message.platform, message.key, routing.department, dest),
                        kind="repost",
                        item_id=item.id,
                        destination=str(dest),
                        payload={},
                        next_attempt_at=self.clock(),
                        created_at=self.clock(),
                    )
                )
        await session.flush()
        return tuple(ids)

    async def add_items(
        self,
        message_id: int,
        routings: Sequence[Routing],
        destinations: Mapping[str, Sequence[Destination]],
    ) -> tuple[int, ...]:
        """Route an already stored message to more departments (emoji flags, commands).

        A department already holding an archived item of it (imported history) gets that item
        back as open work, posted to its channels.
        """
        async with self.sessions() as session, session.begin():
            message = await session.get(Message, message_id)
            if message is None or message.deleted:
                return ()
            return await self._add_items(session, message, routings, destinations, revive=True)

    async def message_id(self, platform: str, key: str) -> int | None:
        async with self.sessions() as session:
            return await session.scalar(
                select(Message.id).where(Message.platform == platform, Message.key == key)
            )

    async def get_message(self, platform: str, key: str) -> Message | None:
        async with self.sessions() as session:
            return await session.scalar(
                select(Message).where(Message.platform == platform, Message.key == key)
            )

    async def record_edit(
        self,
        platform: str,
        key: str,
        text: str,
        edited_at: datetime,
        routings: Sequence[Routing],
        destinations: Mapping[str, Sequence[Destination]],
        *,
        withdrawn_reason: str | None = None,
    ) -> tuple[int, ...]:
        """Update an edited message: refresh sent reposts and mirrors, route to newly matching
        departments, and (given ``withdrawn_reason``) bring its rule items in line with the new
        text (``storage.reclassify``).

        Returns the ids of new items.  Pending reposts need nothing: they render at send time.
        """
        async with self.sessions() as session, session.begin():
            message = await session.scalar(
                select(Message).where(Message.platform == platform, Message.key == key).with_for_update()
            )
            if message is None or message.deleted:
                return ()
            if message.text == text:
                return ()
            message.text = text
            message.edited_at = edited_at
            try:
                await session.flush()
            except (StatementError, UnicodeError) as exc:
                problem = refused(exc)
                if problem is None:
                    raise
                raise problem from exc
            stamp = edited_at.strftime("%Y%m%dT%H%M%S%f")
            routings = await self._join_thread(session, message, routings, mirror=False)
            if withdrawn_reason is not None:
                await reconcile_items(
                    session, message.id, routings, withdrawn_reason=withdrawn_reason, when=self.clock()
                )
            await self._follow_up(session, _of_message(message.id), "update", stamp)
            await self._follow_mirrors(session, message.id, "update", stamp)
            return await self._add_items(session, message, routings, destinations)

    async def record_delete(self, platform: str, key: str) -> bool:
        """A deleted community post must not live on: cancel pending reposts, redact sent ones."""
        async with self.sessions() as session, session.begin():
            message = await session.scalar(
                select(Message).where(Message.platform == platform, Message.key == key).with_for_update()
            )
            if message is None or message.deleted:
                return False
            message.deleted = True
            message.text = ""
            message.files = []
            item_ids = select(Item.id).where(Item.message_id == message.id)
            await session.execute(
                update(OutboxRow)
                .where(OutboxRow.item_id.in_(item_ids), OutboxRow.status == "pending")
                .values(status="cancelled", last_error="source message deleted")
            )
            await session.execute(update(Item).where(Item.message_id == message.id).values(status="deleted"))
            await self._follow_up(session, _of_message(message.id), "delete", "deleted")
            await self._follow_mirrors(session, message.id, "delete", "deleted")
            return True
