"""Value figures per department and per route, computed in the database (aggregate SQL only).

``value_figures`` answers ``kakehashi stats`` and ``/kakehashi stats``.  The items counted (the
*cohort*) are those routed in ``[start, end)`` (``items.created_at``; imported history, stored as
``archived``, was never shown to a department and is left out), optionally of one department.
Every figure is about those items, whenever what it counts happened:

- ``first response``: from routing to the earliest of a status change someone made (button,
  emoji, command or forwarding; not the bot's own withdrawals and deletions) and a reply in the
  community thread by ``staff``/``admins`` of rules.yaml posted after routing.
  Department channels are never stored (invariant 1), so replies in a repost's thread are not
  seen.  Median and p90 over the items that had one; ``waiting`` counts those that had none.
- ``time to close``: from routing to the first change to done or declined, of items that are
  done or declined now.
- ``answered back``: items whose answer in the community thread (``reply_on_close``) was sent.
- ``answered by the community``: items tagged ``question`` whose first reply from anyone but the
  asker came from a community member (not staff, not a bot) before any staff response.
- ``testimonials``: items whose author said yes to reuse (``granted`` or ``anonymous``; the
  proof is in ``consents``), and those still ``requested`` or ``declined``.
- ``flags``: emoji flags put on community posts in the window (``reactions`` rows not tied to an
  item), per emoji; ``votes``: the items' vote counts.
- per route (items made by rules.yaml routes): ``hits``, ``corrections`` (items now
  ``withdrawn``: an edit made the post stop matching; ``forwarded``: sent on to another
  department; ``misrouted``: someone said "Not for us") and ``precision = 1 - corrections / hits``.

Percentiles are linear between the two nearest ranks (PostgreSQL's ``percentile_cont``),
computed with window functions so SQLite and PostgreSQL give the same numbers.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    not_,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from storage.base import StoreBase
from storage.items import ARCHIVED, CLOSED
from storage.models import Item, ItemStatusChange, Message, OutboxRow, Reaction, UtcDateTime
from storage.recap_sets import unindexed

CORRECTIONS = ("withdrawn", "forwarded", "misrouted")  # the route should not have made the item
REUSABLE = ("granted", "anonymous")  # the author said yes (with or without their name)
QUESTION_TAG = "question"
ALL = "*"  # the key of the figures over every department
PERCENTILES = {"median": (1, 2), "p90": (9, 10)}  # as fractions, so the rank is integer arithmetic


class seconds_between(FunctionElement[float]):  # lower case: reads as a SQL function
    """``later - earlier`` in seconds, as a float, on SQLite and PostgreSQL."""

    type = Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return f"((julianday({compiler.process(later, **kw)}) - julianday({compiler.process(earlier, **kw)})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_pg(element: seconds_between, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (
        f"CAST(EXTRACT(EPOCH FROM ({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)}))"
        " AS DOUBLE PRECISION)"
    )


@dataclass(frozen=True, slots=True)
class Durations:
    """How many items had the event, and the median and p90 of their waits, in seconds."""

    count: int = 0
    median: float | None = None
    p90: float | None = None


@dataclass(frozen=True, slots=True)
class DepartmentFigures:
    department: str  # ``*`` for every department together
    items: int = 0
    by_origin: dict[str, int] = field(default_factory=dict)  # rule | reaction | command
    by_tag: dict[str, int] = field(default_factory=dict)  # ``none`` for items without a tag
    by_status: dict[str, int] = field(default_factory=dict)
    first_response: Durations = Durations()
    waiting: int = 0  # items with no response yet (and not corrected or deleted)
    time_to_close: Durations = Durations()
    done: int = 0
    declined: int = 0
    answered_back: int = 0
    questions: int = 0
    answered_by_community: int = 0
    testimonials_granted: int = 0  # reusable: granted or anonymous
    permission_requested: int = 0
    permission_declined: int = 0
    votes: int = 0


@dataclass(frozen=True, slots=True)
class RouteFigures:
    route: str
    department: str
    hits: int
    withdrawn: int
    forwarded: int
    misrouted: int

    @property
    def corrections(self) -> int:
        return self.withdrawn + self.forwarded + self.misrouted

    @property
    def precision(self) -> float | None:
        return None if not self.hits else 1 - self.corrections / self.hits


@dataclass(frozen=True, slots=True)
class ValueFigures:
    start: datetime | None
    end: datetime | None
    department: str | None
    departments: dict[str, DepartmentFigures]  # by department, plus ``*`` for all of them
    routes: list[RouteFigures]
    flags: dict[str, int]  # emoji -> flags put in the window
    flagged_posts: dict[str, int]  # emoji -> distinct posts flagged with it


def _facts_table() -> Table:
    """A temporary table for one call's facts (a name of its own: a pooled connection may still
    hold an earlier one if a call failed half-way)."""
    return Table(
        f"kakehashi_facts_{uuid.uuid4().hex[:12]}",
        MetaData(),
        Column("item_id", Integer),
        Column("department", String(64)),
        Column("route", String(255)),
        Column("origin", String(16)),
        Column("tag", String(64)),
        Column("status", String(32)),
        Column("permission", String(16)),
        Column("votes", Integer),
        Column("created_at", UtcDateTime()),
        Column("responded_at", UtcDateTime()),  # the earlier of a person's change and a staff reply
        Column("staff_reply_at", UtcDateTime()),
        Column("closed_at", UtcDateTime()),
        Column("member_reply_at", UtcDateTime()),
        Column("answered", Boolean),
        prefixes=["TEMPORARY"],
        postgresql_on_commit="DROP",
    )


class FigureStore(StoreBase):
    def _facts(
        self,
        *,
        start: datetime | None,
        end: datetime | None,
        department: str | None,
        staff: Sequence[str],
    ) -> Select[Any]:
        """One row per item of the cohort with the times its figures are made of."""
        team = sorted({s.strip().lstrip("@").lower() for s in staff if s.strip()})

        def is_staff(message: Any) -> ColumnElement[bool]:
            if not team:
                return false()
            return or_(func.lower(message.author_id).in_(team), func.lower(message.author).in_(team))

        def cohort(item: Any) -> list[ColumnElement[bool]]:
            """The items counted: routed in the window, of the department, not imported history
            (also inside each grouped subquery, so a week reads a week's rows)."""
            where = [item.status != ARCHIVED]
            if start is not None:
                where.append(item.created_at >= start)
            if end is not None:
                where.append(item.created_at < end)
            if department is not None:
                where.append(unindexed(item.department) == department)  # the window's index reads less
            return where

        counted = aliased(Item, name="counted")
        person_change = (
            select(
                ItemStatusChange.item_id.label("item_id"),
                func.min(ItemStatusChange.changed_at).label("at"),
            )
            .join(counted, counted.id == ItemStatusChange.item_id)
            .where(ItemStatusChange.via != "edit", ItemStatusChange.by_name.is_not(None), *cohort(counted))
            .group_by(ItemStatusChange.item_id)
            .subquery("person_change")
        )
        first_close = (
            select(
                ItemStatusChange.item_id.label("item_id"),
                func.min(ItemStatusChange.changed_at).label("at"),
            )
            .join(counted, counted.id == ItemStatusChange.item_id)
            .where(ItemStatusChange.status.in_(CLOSED), *cohort(counted))
            .group_by(ItemStatusChange.item_id)
            .subquery("first_close")
        )
        reply = Message.__table__.alias("reply")
        in_thread = and_(  # a live human reply in the item's thread, by anyone but its author
            reply.c.platform == Message.platform,
            reply.c.thread_key == Message.key,
            reply.c.key != Message.key,
            reply.c.is_bot.is_(False),
            reply.c.deleted.is_(False),
            reply.c.author_id != Message.author_id,
        )
        # per item, looked up in its thread (one index probe): a grouped join let SQLite read
        # every message to find the staff's replies
        staff_reply = (  # only replies from when the department had the item
            select(func.min(reply.c.created_at))
            .where(in_thread, reply.c.created_at >= Item.created_at, is_staff(reply.c))
            .correlate(Message, Item)
            .scalar_subquery()
        )
        member_reply = (
            select(func.min(reply.c.created_at))
            .where(in_thread, not_(is_staff(reply.c)))
            .correlate(Message)
            .scalar_subquery()
        )
        answered = (
            select(OutboxRow.item_id.label("item_id"))
            .where(OutboxRow.kind == "answer", OutboxRow.status == "sent")
            .group_by(OutboxRow.item_id)
            .subquery("answered")
        )
        stmt: Select[Any] = (
            select(
                Item.id.label("item_id"),
                Item.department.label("department"),
                Item.route.label("route"),
                Item.origin.label("origin"),
                Item.tag.label("tag"),
                Item.status.label("status"),
                Item.permission.label("permission"),
                Item.votes.label("votes"),
                Item.created_at.label("created_at"),
                person_change.c.at.label("responded_at"),  # made the earliest by ``value_figures``
                staff_reply.label("staff_reply_at"),
                case((Item.status.in_(CLOSED), first_close.c.at), else_=None).label("closed_at"),
                member_reply.label("member_reply_at"),
                answered.c.item_id.is_not(None).label("answered"),
            )
            .join(Message, Message.id == Item.message_id)
            .outerjoin(person_change, person_change.c.item_id == Item.id)
            .outerjoin(first_close, first_close.c.item_id == Item.id)
            .outerjoin(answered, answered.c.item_id == Item.id)
            .where(*cohort(Item))
        )
        return stmt

    async def value_figures(
        self,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        department: str | None = None,
        staff: Sequence[str] = (),
    ) -> ValueFigures:
        """The figures of items routed in ``[start, end)`` (any time when None); see the module."""
        facts = _facts_table()
        c = facts.c
        deflected = and_(
            c.tag == QUESTION_TAG,
            c.member_reply_at.is_not(None),
            or_(c.responded_at.is_(None), c.member_reply_at < c.responded_at),
        )
        live = c.status.not_in((*CORRECTIONS, "deleted"))

        def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
            return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

        counts = [
            func.count().label("items"),
            count_if(and_(c.responded_at.is_(None), live)).label("waiting"),
            count_if(c.status == "done").label("done"),
            count_if(c.status == "declined").label("declined"),
            count_if(c.answered).label("answered_back"),
            count_if(c.tag == QUESTION_TAG).label("questions"),
            count_if(deflected).label("answered_by_community"),
            count_if(c.permission.in_(REUSABLE)).label("testimonials_granted"),
            count_if(c.permission == "requested").label("permission_requested"),
            count_if(c.permission == "declined").label("permission_declined"),
            func.coalesce(func.sum(c.votes), 0).label("votes"),
        ]
        response = seconds_between(c.responded_at, c.created_at)
        close = seconds_between(c.closed_at, c.created_at)
        async with self.sessions() as session, session.begin():
            # the facts once, into a temporary table of this connection: every figure reads it
            connection = await session.connection()
            await connection.run_sync(lambda sync: facts.create(sync))
            select_facts = self._facts(start=start, end=end, department=department, staff=staff)
            await session.execute(facts.insert().from_select(list(c.keys()), select_facts))
            await session.execute(  # responded: the earlier of the two (each looked up once)
                facts.update()
                .where(
                    c.staff_reply_at.is_not(None),
                    or_(c.responded_at.is_(None), c.staff_reply_at < c.responded_at),
                )
                .values(responded_at=c.staff_reply_at)
            )
            totals: dict[str, dict[str, int]] = {}
            for row in (
                await session.execute(select(c.department, *counts).group_by(c.department))
            ).mappings():
                totals[str(row["department"])] = {k: int(v or 0) for k, v in row.items() if k != "department"}
            everything = (await session.execute(select(*counts))).mappings().one()
            totals[ALL] = {k: int(v or 0) for k, v in everything.items()}
            by_status: dict[str, dict[str, int]] = {}
            by_origin: dict[str, dict[str, int]] = {}
            by_tag: dict[str, dict[str, int]] = {}
            for column, into in ((c.status, by_status), (c.origin, by_origin), (c.tag, by_tag)):
                rows2 = await session.execute(
                    select(c.department, column, func.count()).group_by(c.department, column)
                )
                for g, value, n in rows2.tuples():
                    key = "none" if value is None else str(value)
                    into.setdefault(str(g), {})[key] = int(n)
                    into.setdefault(ALL, {}).setdefault(key, 0)
                    into[ALL][key] += int(n)
            responses = await self._percentiles(session, facts, response, c.responded_at.is_not(None))
            closes = await self._percentiles(session, facts, close, c.closed_at.is_not(None))
            routes = [
                RouteFigures(
                    route=r, department=d, hits=int(h), withdrawn=int(w), forwarded=int(f), misrouted=int(m)
                )
                for r, d, h, w, f, m in (
                    await session.execute(
                        select(
                            c.route,
                            c.department,
                            func.count(),
                            count_if(c.status == "withdrawn"),
                            count_if(c.status == "forwarded"),
                            count_if(c.status == "misrouted"),
                        )
                        .where(c.origin == "rule")
                        .group_by(c.route, c.department)
                        .order_by(c.route, c.department)
                    )
                ).tuples()
            ]
            flag_stmt = select(
                Reaction.emoji,
                func.count(),
                func.count(func.distinct(Reaction.platform + literal(" ") + Reaction.target)),
            ).where(Reaction.item_id.is_(None))
            if start is not None:
                flag_stmt = flag_stmt.where(Reaction.created_at >= start)
            if end is not None:
                flag_stmt = flag_stmt.where(Reaction.created_at < end)
            flag_rows = (await session.execute(flag_stmt.group_by(Reaction.emoji))).tuples().all()
            if self.dialect != "postgresql":  # PostgreSQL drops it at commit
                await connection.run_sync(lambda sync: facts.drop(sync))
        departments = {
            name: DepartmentFigures(
                department=name,
                by_status=dict(sorted(by_status.get(name, {}).items())),
                by_origin=dict(sorted(by_origin.get(name, {}).items())),
                by_tag=dict(sorted(by_tag.get(name, {}).items())),
                first_response=responses.get(name, Durations()),
                time_to_close=closes.get(name, Durations()),
                **figures,
            )
            for name, figures in sorted(totals.items())
        }
        return ValueFigures(
            start=start,
            end=end,
            department=department,
            departments=departments,
            routes=routes,
            flags={str(e): int(n) for e, n, _ in sorted(flag_rows)},
            flagged_posts={str(e): int(p) for e, _, p in sorted(flag_rows)},
        )

    async def _percentiles(
        self, session: Any, facts: Table, value: ColumnElement[float], present: ColumnElement[bool]
    ) -> dict[str, Durations]:
        """Count, median and p90 of ``value`` over the facts where ``present``, per department and
        over all (``*``): rank each value in its group, then weigh the two ranks around each
        percentile's position, ``(n - 1) * p``, by how near they are."""
        out: dict[str, Durations] = {}
        for per_department in (True, False):
            base = select(facts.c.department.label("g"), value.label("v")).where(present).subquery("vals")
            part = base.c.g if per_department else None
            ranked = select(
                base.c.g,
                base.c.v,
                func.row_number().over(partition_by=part, order_by=base.c.v).label("rn"),
                func.count().over(partition_by=part).label("n"),
            ).subquery("ranked")
            rn, n, v = ranked.c.rn, ranked.c.n, ranked.c.v
            label = ranked.c.g if per_department else literal(ALL)
            columns: list[ColumnElement[Any]] = [label, func.max(n)]
            for num, den in PERCENTILES.values():
                low = (n - 1) * num // den  # 0-based rank below the position
                frac = cast(((n - 1) * num) % den, Float) / den
                columns.append(
                    func.sum(
                        case(
                            (rn == low + 1, v * (1 - frac)),
                            (rn == low + 2, v * frac),
                            else_=literal(0.0),
                        )
                    )
                )
            stmt = select(*columns)
            if per_department:
                stmt = stmt.group_by(ranked.c.g)
            rows = await session.execute(stmt)
            for g, count, median, p90 in rows.tuples():
                if not count:
                    continue
                out[str(g)] = Durations(
                    count=int(count),
                    median=None if median is None else round(float(median), 3),
                    p90=None if p90 is None else round(float(p90), 3),
                )
        return out
