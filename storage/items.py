"""Routed items: status, votes, reactions, reuse permission, and forwarding between departments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update

from storage.base import StoreBase
from storage.models import Item, ItemStatusChange, Message, OutboxRow, Reaction

MAX_ID = 2**63 - 1  # BIGINT on PostgreSQL, INTEGER (64-bit) on SQLite
ARCHIVED = "archived"  # imported history stored without reposting: never shown, so not open work
WITHDRAWN = "withdrawn"  # an edit made the message no longer match the route that made the item
MISROUTED = "misrouted"  # a person said "not for us": a correction that counts against the route
CLOSED = ("done", "declined")  # closing an item may answer the community thread (rules: reply_on_close)
STATUSES = (
    "open",  # shown as "new"
    "acknowledged",
    "in_progress",
    "done",
    "declined",
    "needs_decision",
    "forwarded",
    WITHDRAWN,
    MISROUTED,
    "deleted",
    ARCHIVED,
)


@dataclass(frozen=True, slots=True)
class ItemView:
    """An item joined with its message: what renderers and commands read."""

    item: Item
    message: Message


@dataclass(frozen=True, slots=True)
class RepostSource:
    """What rendering a repost reads: the item and its message, the post it answers (a reply
    routed on its own) and the reactions on its message, the first one first."""

    view: ItemView
    parent: Message | None
    reactions: list[Reaction]


class ItemStore(StoreBase):
    async def item_view(self, item_id: int) -> ItemView | None:
        """The item and its message; None when there is none (also for an id no row can have:
        a button's value is client input, and a 40-digit number overflows both databases)."""
        if not 0 < item_id <= MAX_ID:
            return None
        async with self.sessions() as session:
            row = (
                await session.execute(
                    select(Item, Message)
                    .join(Message, Message.id == Item.message_id)
                    .where(Item.id == item_id)
                )
            ).first()
            return ItemView(item=row[0], message=row[1]) if row else None

    async def repost_sources(self, item_ids: Sequence[int]) -> dict[int, RepostSource]:
        """``RepostSource`` of each item that exists, three queries for any number of items."""
        wanted = [i for i in item_ids if 0 < i <= MAX_ID]
        if not wanted:
            return {}
        async with self.sessions() as session:
            views = {
                item.id: ItemView(item=item, message=message)
                for item, message in (
                    await session.execute(
                        select(Item, Message)
                        .join(Message, Message.id == Item.message_id)
                        .where(Item.id.in_(wanted))
                    )
                ).tuples()
            }
            messages = {(v.message.platform, v.message.key) for v in views.values()}
            threads = {
                (v.message.platform, v.message.thread_key)
                for v in views.values()
                if v.message.thread_key and v.message.thread_key != v.message.key
            }
            parents: dict[tuple[str, str], Message] = {}
            if threads:
                for stored in await session.scalars(
                    select(Message).where(Message.key.in_({key for _, key in threads}))
                ):
                    if (stored.platform, stored.key) in threads:
                        parents[(stored.platform, stored.key)] = stored
            reactions: dict[tuple[str, str], list[Reaction]] = {}
            for reaction in await session.scalars(
                select(Reaction)
                .where(Reaction.target.in_({key for _, key in messages}))
                .order_by(Reaction.created_at, Reaction.id)
            ):
                if (reaction.platform, reaction.target) in messages:
                    reactions.setdefault((reaction.platform, reaction.target), []).append(reaction)

        def parent_of(message: Message) -> Message | None:
            if not message.thread_key or message.thread_key == message.key:
                return None
            return parents.get((message.platform, message.thread_key))

        return {
            item_id: RepostSource(
                view=view,
                parent=parent_of(view.message),
                reactions=reactions.get((view.message.platform, view.message.key), []),
            )
            for item_id, view in views.items()
        }

    async def items_for_message(self, message_id: int) -> list[Item]:
        async with self.sessions() as session:
            return list((await session.scalars(select(Item).where(Item.message_id == message_id))).all())

    async def set_status(
        self, item_id: int, status: str, *, by: str | None = None, now: datetime | None = None
    ) -> bool:
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}")
        async with self.sessions() as session, session.begin():
            previous = await session.scalar(select(Item.status).where(Item.id == item_id))
            when = now or self.clock()
            result = await session.execute(
                update(Item)
                .where(Item.id == item_id, Item.status != status)
                .values(status=status, status_by=by, status_changed_at=when)
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                return False
            session.add(
                ItemStatusChange(
                    item_id=item_id,
                    status=status,
                    previous=previous,
                    by_name=by,
                    via="system",
                    changed_at=when,
                )
            )
            return True

    async def set_permission(self, item_id: int, permission: str) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(update(Item).where(Item.id == item_id).values(permission=permission))

    async def add_reaction(
        self,
        *,
        platform: str,
        target: str,
        emoji: str,
        user_id: str,
        user_name: str | None = None,
        item_id: int | None = None,
        vote: bool = False,
    ) -> bool:
        """Record a reaction once per (target, emoji, user); a vote also bumps the item's count."""
        async with self.sessions() as session, session.begin():
            new_id = await self._insert_ignore(
                session,
                Reaction(
                    platform=platform,
                    target=target,
                    emoji=emoji,
                    user_id=user_id,
                    user_name=user_name,
                    item_id=item_id,
                ),
            )
            if new_id is not None and vote and item_id is not None:
                await session.execute(update(Item).where(Item.id == item_id).values(votes=Item.votes + 1))
            return new_id is not None

    async def remove_reaction(
        self, *, platform: str, target: str, emoji: str, user_id: str, vote: bool = False
    ) -> int | None:
        """Undo a reaction; returns the item it was attached to (or None if there was none)."""
        async with self.sessions() as session, session.begin():
            reaction = await session.scalar(
                select(Reaction).where(
                    Reaction.platform == platform,
                    Reaction.target == target,
                    Reaction.emoji == emoji,
                    Reaction.user_id == user_id,
                )
            )
            if reaction is None:
                return None
            await session.execute(delete(Reaction).where(Reaction.id == reaction.id))
            if vote and reaction.item_id is not None:
                await session.execute(
                    update(Item)
                    .where(Item.id == reaction.item_id, Item.votes > 0)
                    .values(votes=Item.votes - 1)
                )
            return reaction.item_id

    async def reactions_on(self, platform: str, target: str) -> list[Reaction]:
        """Every reaction on ``target`` (a community post's key), the first one first."""
        async with self.sessions() as session:
            return list(
                (
                    await session.scalars(
                        select(Reaction)
                        .where(Reaction.platform == platform, Reaction.target == target)
                        .order_by(Reaction.created_at, Reaction.id)
                    )
                ).all()
            )

    async def sent_reposts(self, item_id: int) -> list[OutboxRow]:
        async with self.sessions() as session:
            return list(
                (
                    await session.scalars(
                        select(OutboxRow).where(
                            OutboxRow.item_id == item_id,
                            OutboxRow.kind == "repost",
                            OutboxRow.status == "sent",
                        )
                    )
                ).all()
            )

    async def enqueue_refresh(self, item_id: int, stamp: str) -> int:
        """Re-render every sent repost of an item (after a status, vote or permission change)."""
        async with self.sessions() as session, session.begin():
            return await self._follow_up(session, OutboxRow.item_id == item_id, "update", stamp)
