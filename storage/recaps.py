"""The facts recaps and agendas need, counted and limited in SQL.

A year of a large community holds a million messages and tens of thousands of open items: these
queries return counts and the few rows a report shows, never every row to count it in Python.
A "reply" is a live human message in a post's thread (``thread_key`` = the post's key, same
platform) other than the post itself; an "answer" is a reply by anyone but the post's author.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import aliased

from storage.base import StoreBase
from storage.items import ItemView
from storage.models import Item, Message

CHUNK = 500  # ids per IN list: under SQLite's bound-parameter limit, small plans on PostgreSQL

Reply = aliased(Message, name="reply")


def _is_reply(post: type[Message] | Any) -> ColumnElement[bool]:
    """``Reply`` is a live human reply in ``post``'s thread."""
    return and_(
        Reply.platform == post.platform,
        Reply.thread_key == post.key,
        Reply.key != post.key,
        Reply.is_bot.is_(False),
        Reply.deleted.is_(False),
    )


def _answered(post: type[Message] | Any) -> ColumnElement[bool]:
    """Someone other than its author replied in ``post``'s thread."""
    return exists().where(_is_reply(post), Reply.author_id != post.author_id)


class RecapStore(StoreBase):
    async def tag_counts(self, start: datetime, end: datetime, *, department: str) -> dict[str, int]:
        """Items per tag (``none`` for untagged) whose live message was posted in [start, end)."""
        async with self.sessions() as session:
            rows = await session.execute(
                select(Item.tag, func.count())
                .join(Message, Message.id == Item.message_id)
                .where(
                    Item.department == department,
                    Message.created_at >= start,
                    Message.created_at < end,
                    Message.deleted.is_(False),
                )
                .group_by(Item.tag)
            )
            return {str(tag or "none"): int(count) for tag, count in rows.tuples()}

    async def unanswered(
        self,
        department: str,
        *,
        before: datetime,
        since: datetime | None = None,
        closed: Sequence[str],
        limit: int,
    ) -> tuple[list[ItemView], int]:
        """A department's question items not in ``closed`` statuses, posted before ``before`` (and
        at or after ``since``), that nobody but the asker replied to: the oldest ``limit``, and
        how many there are."""
        where = [
            Item.department == department,
            Item.tag == "question",
            Item.status.not_in(closed),
            Message.deleted.is_(False),
            Message.created_at < before,
            ~_answered(Message),
        ]
        if since is not None:
            where.append(Message.created_at >= since)
        # every one's id and time, ordered here: with a LIMIT (even beside a count over the rows)
        # PostgreSQL walks every message from the oldest looking for questions nobody answered
        async with self.sessions() as session:
            rows = await session.execute(
                select(Item.id, Message.created_at).join(Message, Message.id == Item.message_id).where(*where)
            )
            found = sorted(rows.tuples(), key=lambda row: (row[1], row[0]))
            first = [item_id for item_id, _ in found[:limit]]
            if not first:
                return [], len(found)
            views = await session.execute(
                select(Item, Message).join(Message, Message.id == Item.message_id).where(Item.id.in_(first))
            )
            by_id = {i.id: ItemView(item=i, message=m) for i, m in views.tuples()}
            return [by_id[i] for i in first if i in by_id], len(found)

    async def has_tagged(self, tag: str, *, department: str, before: datetime) -> bool:
        """Whether the department has any live item with ``tag`` posted before ``before``."""
        async with self.sessions() as session:
            # the earliest, not LIMIT 1: with a LIMIT PostgreSQL walks every message from the
            # oldest for a department that has none (the department's tag index is what finds it)
            first = await session.scalar(
                select(func.min(Message.created_at))
                .join(Item, Message.id == Item.message_id)
                .where(Item.department == department, Item.tag == tag, Message.deleted.is_(False))
            )
            return first is not None and first < before

    async def question_helpers(self, start: datetime, end: datetime) -> list[tuple[str, str, int, datetime]]:
        """``(author id, author name, replies, latest)`` per replier and name: replies posted in
        [start, end) in the threads of other people's questions (a live message with a question
        item, posted before ``end``)."""
        question = aliased(Message, name="question")
        asked = exists().where(Item.message_id == question.id, Item.tag == "question")
        async with self.sessions() as session:
            rows = await session.execute(
                select(Reply.author_id, Reply.author, func.count(), func.max(Reply.created_at))
                .join(question, _is_reply(question))
                .where(
                    Reply.created_at >= start,
                    Reply.created_at < end,
                    Reply.author_id != question.author_id,
                    question.created_at < end,
                    question.deleted.is_(False),
                    asked,
                )
                .group_by(Reply.author_id, Reply.author)
            )
            return [(str(a), str(n), int(c), when) for a, n, c, when in rows.tuples()]

    async def reply_counts_of(self, message_ids: Sequence[int]) -> dict[tuple[str, str], int]:
        """Replies in the threads of these messages, per (platform, key) of the message."""
        out: dict[tuple[str, str], int] = {}
        async with self.sessions() as session:
            for offset in range(0, len(message_ids), CHUNK):
                chunk = list(message_ids[offset : offset + CHUNK])
                rows = await session.execute(
                    select(Message.platform, Message.key, func.count())
                    .join(Reply, _is_reply(Message))
                    .where(Message.id.in_(chunk))
                    .group_by(Message.platform, Message.key)
                )
                out.update({(p, k): int(c) for p, k, c in rows.tuples()})
        return out

    async def first_answer_times(self, message_ids: Sequence[int]) -> dict[tuple[str, str], datetime]:
        """When someone other than its author first replied, per (platform, key) of these
        messages (threads nobody else answered are absent)."""
        out: dict[tuple[str, str], datetime] = {}
        async with self.sessions() as session:
            for offset in range(0, len(message_ids), CHUNK):
                chunk = list(message_ids[offset : offset + CHUNK])
                rows = await session.execute(
                    select(Message.platform, Message.key, func.min(Reply.created_at))
                    .join(Reply, _is_reply(Message))
                    .where(Message.id.in_(chunk), Reply.author_id != Message.author_id)
                    .group_by(Message.platform, Message.key)
                )
                out.update({(p, k): when for p, k, when in rows.tuples()})
        return out

    async def open_page(
        self,
        department: str,
        *,
        statuses: Sequence[str],
        before: datetime,
        limit: int,
        tag: str | None = None,
        by_votes: bool = False,
    ) -> tuple[list[ItemView], int]:
        """A department's items in ``statuses`` (with ``tag``) posted before ``before``: the first
        ``limit`` (the longest waiting, or the most voted first with ``by_votes``, then only those
        with votes) and how many there are."""
        where = [
            Item.department == department,
            Item.status.in_(statuses),
            Message.deleted.is_(False),
            Message.created_at < before,
        ]
        if tag is not None:
            where.append(Item.tag == tag)
        if by_votes:
            where.append(Item.votes > 0)
        order = (
            (Item.votes.desc(), Message.created_at, Item.id) if by_votes else (Message.created_at, Item.id)
        )
        return await self._page(where, order, limit)

    async def _page(
        self, where: list[ColumnElement[bool]], order: tuple[Any, ...], limit: int
    ) -> tuple[list[ItemView], int]:
        """The first ``limit`` items (with their messages) that match ``where``, in ``order``, and
        how many match: counted only when there are more than were shown."""
        async with self.sessions() as session:
            base = select(Item, Message).join(Message, Message.id == Item.message_id).where(*where)
            rows = await session.execute(base.order_by(*order).limit(limit))
            shown = [ItemView(item=i, message=m) for i, m in rows.tuples()]
            if len(shown) < limit:
                return shown, len(shown)
            total = await session.scalar(
                select(func.count())
                .select_from(Item)
                .join(Message, Message.id == Item.message_id)
                .where(*where)
            )
            return shown, int(total or 0)

    async def message_span(self) -> tuple[datetime | None, datetime | None]:
        """The first and the last stored message's time (each one index lookup)."""
        async with self.sessions() as session:
            first = await session.scalar(select(func.min(Message.created_at)))
            last = await session.scalar(select(func.max(Message.created_at)))
            return first, last

    async def message_count(self) -> int:
        async with self.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(Message)) or 0)
