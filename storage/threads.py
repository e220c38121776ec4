"""Conversations kept whole: replies in a routed community thread follow its items.

A reply to a community post that has items is *mirrored* into each item's repost thread (outbox
kind ``thread_reply``, one row per repost: ``mirror:{reply_id}:{repost_row_id}``), whether or
not the reply matches a route.  A department that already holds the thread's item gets no new
item for the reply (it sees it in the thread); other departments a reply is routed to get their
own item, rendered with the parent quoted.  Edits of a mirrored reply queue
``thread_reply_update`` rows, deletions ``thread_reply_delete`` rows (pending mirrors are
cancelled), both carrying the mirror's platform id.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import StoreBase
from storage.models import Item, Message, OutboxRow

MIRROR = "thread_reply"
MIRROR_KINDS = (MIRROR, f"{MIRROR}_update", f"{MIRROR}_delete")
NOT_LIVE = ("deleted", "archived", "withdrawn", "misrouted")  # items whose threads take no more replies


def mirror_key(reply_id: int, repost_row_id: int) -> str:
    return f"mirror:{reply_id}:{repost_row_id}"


class ThreadStore(StoreBase):
    async def _thread_items(self, session: AsyncSession, message: Message) -> Sequence[Item]:
        """The live items of the post ``message`` replies to (none for a top-level post)."""
        if not message.thread_key or message.thread_key == message.key:
            return ()
        parent = select(Message.id).where(
            Message.platform == message.platform, Message.key == message.thread_key
        )
        return (
            await session.scalars(
                select(Item).where(Item.message_id.in_(parent), Item.status.not_in(NOT_LIVE))
            )
        ).all()

    async def _mirror_reply(self, session: AsyncSession, reply: Message, items: Sequence[Item]) -> int:
        """Queue the reply into the thread of every repost (pending or sent) of ``items``."""
        if not items:
            return 0
        reposts = (
            await session.scalars(
                select(OutboxRow).where(
                    OutboxRow.item_id.in_([i.id for i in items]),
                    OutboxRow.kind == "repost",
                    OutboxRow.status.in_(("pending", "sent")),
                )
            )
        ).all()
        count = 0
        for repost in reposts:
            new_id = await self._insert_ignore(
                session,
                OutboxRow(
                    dedupe_key=mirror_key(reply.id, repost.id),
                    kind=MIRROR,
                    item_id=repost.item_id,
                    destination=repost.destination,
                    payload={"reply_id": reply.id, "repost_id": repost.id},
                ),
            )
            count += new_id is not None
        return count

    async def _follow_mirrors(self, session: AsyncSession, reply_id: int, kind: str, stamp: str) -> int:
        """An edited (``update``) or deleted (``delete``) reply: change its mirrors in place."""
        mirrors = (
            await session.scalars(
                select(OutboxRow).where(
                    OutboxRow.kind == MIRROR, OutboxRow.dedupe_key.like(f"mirror:{reply_id}:%")
                )
            )
        ).all()
        count = 0
        for row in mirrors:
            if row.status != "sent":
                continue
            new_id = await self._insert_ignore(
                session,
                OutboxRow(
                    dedupe_key=f"mirror-{kind}:{row.id}:{stamp}",
                    kind=f"{MIRROR}_{kind}",
                    item_id=row.item_id,
                    destination=row.destination,
                    payload={"reply_id": reply_id, "repost_id": (row.payload or {}).get("repost_id")},
                    replaces_id=row.id,
                    remote_id=row.remote_id,
                    remote_channel=row.remote_channel,
                ),
            )
            count += new_id is not None
        if kind == "delete":
            await session.execute(
                update(OutboxRow)
                .where(OutboxRow.id.in_([r.id for r in mirrors]), OutboxRow.status == "pending")
                .values(status="cancelled", last_error="the reply was deleted")
            )
        return count

    async def message_by_id(self, message_id: int) -> Message | None:
        async with self.sessions() as session:
            return await session.get(Message, message_id)

    async def mirrors_of(self, reply_id: int) -> Sequence[OutboxRow]:
        """The mirror rows of a reply (tests and the CLI read them)."""
        async with self.sessions() as session:
            return (
                await session.scalars(
                    select(OutboxRow)
                    .where(OutboxRow.kind == MIRROR, OutboxRow.dedupe_key.like(f"mirror:{reply_id}:%"))
                    .order_by(OutboxRow.id)
                )
            ).all()
