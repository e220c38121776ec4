"""A recap set's facts for several departments at once: one grouped query per figure.

``storage.recaps`` answers one department's question at a time; a recap set (every department's
recap of one period, the dashboard's page) asks the same of six departments, and a month holds
tens of thousands of items.  These queries read the period's items once per figure, grouped or
ranked per department, and return counts and the ids of the few items a recap shows; nothing
is loaded per item.  The definitions are ``storage.recaps``' (a reply, an answer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from storage.base import StoreBase
from storage.items import ARCHIVED, ItemView
from storage.models import Item, Message, Reaction
from storage.recaps import Reply, _is_reply


@dataclass(frozen=True, slots=True)
class Ranked:
    """An item of a period's list for its department, with what ranked it."""

    item_id: int
    department: str
    votes: int = 0
    reactions: int = 0  # reactions on the item, votes included
    replies: int = 0


@dataclass(frozen=True, slots=True)
class GoalRow:
    """One item a goal is about: when it was posted and when it was first answered."""

    department: str
    posted: datetime
    status: str
    status_changed_at: datetime | None
    first_reply: datetime | None  # by anyone but its author (only asked for ``answered_within``)


class unindexed(FunctionElement[Any]):  # lower case: reads as SQL
    """The column, not to be looked up by its index: SQLite's unary ``+`` (its documented way to
    keep a term from choosing the index; without statistics it would read a department's every
    item through ``ix_items_department`` rather than the period's through the time indexes)."""

    inherit_cache = True
    name = "unindexed"

    def __init__(self, column: Any) -> None:
        super().__init__(column)
        self.type = column.type  # compared and bound as the column is


@compiles(unindexed)
def _unindexed(element: unindexed, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(next(iter(element.clauses)), **kw))


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element: unindexed, compiler: Any, **kw: Any) -> str:
    return "+" + str(compiler.process(next(iter(element.clauses)), **kw))


def _of(departments: Sequence[str]) -> ColumnElement[bool]:
    return unindexed(Item.department).in_(list(departments))


SKEW = timedelta(days=1)  # how far a platform's clock may run ahead of ours, with room to spare


def _in(start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(Message.created_at >= start, Message.created_at < end)


def _routed_since(start: datetime) -> ColumnElement[bool]:
    """Redundant for the items of messages posted since ``start``, and what lets the database
    read only the items routed since then (``ix_items_created_at``) instead of every item: an
    item is routed after its message is posted, whether by a rule, a reaction or a command."""
    return Item.created_at >= start - SKEW


class RecapSetStore(StoreBase):
    async def period_counts(
        self,
        departments: Sequence[str],
        spans: Sequence[tuple[datetime, datetime]],
    ) -> dict[tuple[int, str, str | None, str], int]:
        """Live items posted in each span, per ``(span index, department, tag, status)``: one
        query for the period and the one before it (every status, archived too)."""
        span = case(*((_in(s, e), i) for i, (s, e) in enumerate(spans)), else_=literal(-1))
        async with self.sessions() as session:
            rows = await session.execute(
                select(span.label("span"), Item.department, Item.tag, Item.status, func.count())
                .join(Message, Message.id == Item.message_id)
                .where(
                    or_(*(_in(s, e) for s, e in spans)),
                    _routed_since(min(s for s, _ in spans)),
                    Message.deleted.is_(False),
                    _of(departments),
                )
                .group_by(span, Item.department, Item.tag, Item.status)
            )
            return {(int(i), str(d), t, str(s)): int(n) for i, d, t, s, n in rows.tuples()}

    async def top_items(
        self, start: datetime, end: datetime, departments: Sequence[str], *, limit: int
    ) -> list[Ranked]:
        """Per department, the ``limit`` items posted in [start, end) that people did the most
        about (votes, reactions beside the votes, replies in the thread), the most first."""
        replies = select(func.count()).where(_is_reply(Message)).correlate(Message).scalar_subquery()
        reactions = select(func.count()).where(Reaction.item_id == Item.id).correlate(Item).scalar_subquery()
        scored = (
            select(
                Item.id.label("id"),
                Item.department.label("department"),
                Item.votes.label("votes"),
                Message.created_at.label("posted"),
                replies.label("replies"),
                reactions.label("reactions"),
            )
            .join(Message, Message.id == Item.message_id)
            .where(
                _in(start, end),
                _routed_since(start),
                Message.deleted.is_(False),
                _of(departments),
            )
            .subquery("scored")
        )
        c = scored.c
        extra = case((c.reactions > c.votes, c.reactions - c.votes), else_=0)
        score = c.votes + extra + c.replies
        ranked = (
            select(
                c.id,
                c.department,
                c.votes,
                c.reactions,
                c.replies,
                func.row_number()
                .over(partition_by=c.department, order_by=(score.desc(), c.votes.desc(), c.posted, c.id))
                .label("rank"),
            )
            .where(score > 0)
            .subquery("ranked")
        )
        async with self.sessions() as session:
            rows = await session.execute(
                select(ranked.c.id, ranked.c.department, ranked.c.votes, ranked.c.reactions, ranked.c.replies)
                .where(ranked.c.rank <= limit)
                .order_by(ranked.c.department, ranked.c.rank)
            )
            return [
                Ranked(item_id=int(i), department=str(d), votes=int(v), reactions=int(r), replies=int(n))
                for i, d, v, r, n in rows.tuples()
            ]

    async def first_items(
        self,
        start: datetime,
        end: datetime,
        departments: Sequence[str],
        *,
        limit: int,
        newest: bool = False,
        tag: str | None = None,
        live: bool = False,
    ) -> list[Ranked]:
        """Per department, the first ``limit`` items posted in [start, end) (the oldest first, or
        the newest with ``newest``), only ``tag``'s, only not archived with ``live``."""
        order = (Message.created_at.desc(), Item.id.desc()) if newest else (Message.created_at, Item.id)
        where = [
            _in(start, end),
            _routed_since(start),
            Message.deleted.is_(False),
            _of(departments),
        ]
        if tag is not None:
            where.append(Item.tag == tag)
        if live:
            where.append(Item.status != ARCHIVED)
        ranked = (
            select(
                Item.id.label("id"),
                Item.department.label("department"),
                func.row_number().over(partition_by=Item.department, order_by=order).label("rank"),
            )
            .join(Message, Message.id == Item.message_id)
            .where(*where)
            .subquery("ranked")
        )
        async with self.sessions() as session:
            rows = await session.execute(
                select(ranked.c.id, ranked.c.department)
                .where(ranked.c.rank <= limit)
                .order_by(ranked.c.department, ranked.c.rank)
            )
            return [Ranked(item_id=int(i), department=str(d)) for i, d in rows.tuples()]

    async def goal_rows(
        self,
        start: datetime,
        end: datetime,
        goals: Sequence[tuple[str, str | None, bool]],
    ) -> list[GoalRow]:
        """The live items posted in [start, end) that goals are about, not archived: per goal
        ``(department, tag or None for any, whether its first reply is wanted)``."""
        if not goals:
            return []
        first_reply = (
            select(func.min(Reply.created_at))
            .where(_is_reply(Message), Reply.author_id != Message.author_id)
            .correlate(Message)
            .scalar_subquery()
        )
        asks = [d for d, _, r in goals if r]
        reply_column = case((Item.department.in_(asks), first_reply), else_=None) if asks else None
        columns: list[Any] = [Item.department, Message.created_at, Item.status, Item.status_changed_at]
        columns.append(reply_column if reply_column is not None else literal(None))
        pairs = [and_(_of([d]), Item.tag == t if t is not None else true()) for d, t, _ in goals]
        async with self.sessions() as session:
            rows = await session.execute(
                select(*columns)
                .join(Message, Message.id == Item.message_id)
                .where(
                    _in(start, end),
                    _routed_since(start),
                    Message.deleted.is_(False),
                    Item.status != ARCHIVED,
                    or_(*pairs),
                )
            )
            return [
                GoalRow(department=str(d), posted=p, status=str(s), status_changed_at=c, first_reply=f)
                for d, p, s, c, f in rows.tuples()
            ]

    async def item_views(self, item_ids: Sequence[int]) -> dict[int, ItemView]:
        """The items (with their messages) of these ids, by id."""
        out: dict[int, ItemView] = {}
        ids = sorted(set(item_ids))
        async with self.sessions() as session:
            for offset in range(0, len(ids), 500):
                rows = await session.execute(
                    select(Item, Message)
                    .join(Message, Message.id == Item.message_id)
                    .where(Item.id.in_(ids[offset : offset + 500]))
                )
                out.update({i.id: ItemView(item=i, message=m) for i, m in rows.tuples()})
        return out

    async def week_counts(
        self, spans: Sequence[tuple[datetime, datetime]], departments: Sequence[str] | None
    ) -> dict[tuple[int, str, str | None], int]:
        """Live items posted in each span, per ``(span index, department, tag)`` (charts)."""
        span = case(*((_in(s, e), i) for i, (s, e) in enumerate(spans)), else_=literal(-1))
        first = min(s for s, _ in spans)
        where = [
            Message.created_at >= first,
            Message.created_at < max(e for _, e in spans),
            _routed_since(first),
        ]
        if departments is not None:
            where.append(_of(departments))
        async with self.sessions() as session:
            rows = await session.execute(
                select(span.label("span"), Item.department, Item.tag, func.count())
                .join(Message, Message.id == Item.message_id)
                .where(*where, Message.deleted.is_(False))
                .group_by(span, Item.department, Item.tag)
            )
            return {(int(i), str(d), t): int(n) for i, d, t, n in rows.tuples() if int(i) >= 0}
