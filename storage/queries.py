"""Read-only queries for recaps, agendas, stats and the CLI."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update

from storage.base import StoreBase
from storage.items import ItemView
from storage.models import Item, Message, OutboxRow, Reaction, ScheduleRun

OPEN_STATUSES = ("open", "acknowledged", "in_progress", "needs_decision")


class QueryStore(StoreBase):
    async def items_between(
        self, start: datetime, end: datetime, *, department: str | None = None
    ) -> list[ItemView]:
        """Items whose community message was posted in [start, end), oldest first."""
        async with self.sessions() as session:
            stmt = (
                select(Item, Message)
                .join(Message, Message.id == Item.message_id)
                .where(Message.created_at >= start, Message.created_at < end, Message.deleted.is_(False))
                .order_by(Message.created_at, Item.id)
            )
            if department:
                stmt = stmt.where(Item.department == department)
            return [ItemView(item=i, message=m) for i, m in (await session.execute(stmt)).tuples()]

    async def department_items(self, department: str | None = None) -> list[ItemView]:
        async with self.sessions() as session:
            stmt = select(Item, Message).join(Message, Message.id == Item.message_id).order_by(Item.id)
            if department:
                stmt = stmt.where(Item.department == department)
            return [ItemView(item=i, message=m) for i, m in (await session.execute(stmt)).tuples()]

    async def messages_by_id(self, ids: Sequence[int]) -> list[Message]:
        """Stored messages with these ids (any order; unknown ids are left out)."""
        found: list[Message] = []
        async with self.sessions() as session:
            for start in range(0, len(ids), 500):  # stay under SQLite's bound-parameter limit
                chunk = ids[start : start + 500]
                found.extend((await session.scalars(select(Message).where(Message.id.in_(chunk)))).all())
        return found

    async def reply_counts(self, keys: Sequence[str]) -> dict[str, int]:
        if not keys:
            return {}
        async with self.sessions() as session:
            rows = await session.execute(
                select(Message.thread_key, func.count())
                .where(Message.thread_key.in_(keys), Message.key.not_in(keys))
                .group_by(Message.thread_key)
            )
            return {str(k): int(c) for k, c in rows.tuples()}

    async def open_items(
        self, department: str | None = None, *, before: datetime | None = None, limit: int | None = None
    ) -> list[ItemView]:
        """Items still open, in progress or waiting for a decision; the longest waiting first."""
        async with self.sessions() as session:
            stmt = (
                select(Item, Message)
                .join(Message, Message.id == Item.message_id)
                .where(Item.status.in_(OPEN_STATUSES), Message.deleted.is_(False))
                .order_by(Message.created_at, Item.id)
            )
            if department:
                stmt = stmt.where(Item.department == department)
            if before is not None:
                stmt = stmt.where(Message.created_at < before)
            if limit is not None:
                stmt = stmt.limit(limit)
            return [ItemView(item=i, message=m) for i, m in (await session.execute(stmt)).tuples()]

    async def replies_to(
        self, keys: Sequence[str], *, start: datetime | None = None, end: datetime | None = None
    ) -> list[Message]:
        """Human replies in the threads of ``keys`` (optionally posted in [start, end)), oldest first."""
        if not keys:
            return []
        out: list[Message] = []
        async with self.sessions() as session:
            for offset in range(0, len(keys), 500):  # keep IN lists small on every backend
                chunk = list(keys[offset : offset + 500])
                stmt = select(Message).where(
                    Message.thread_key.in_(chunk),
                    Message.key.not_in(chunk),
                    Message.is_bot.is_(False),
                    Message.deleted.is_(False),
                )
                if start is not None:
                    stmt = stmt.where(Message.created_at >= start)
                if end is not None:
                    stmt = stmt.where(Message.created_at < end)
                out.extend((await session.scalars(stmt)).all())
        return sorted(out, key=lambda m: (m.created_at, m.id))

    async def reaction_counts(self, item_ids: Sequence[int]) -> dict[int, int]:
        """Reactions people put on each item (on the community post or on our reposts)."""
        if not item_ids:
            return {}
        async with self.sessions() as session:
            rows = await session.execute(
                select(Reaction.item_id, func.count())
                .where(Reaction.item_id.in_(list(item_ids)))
                .group_by(Reaction.item_id)
            )
            return {int(i): int(c) for i, c in rows.tuples() if i is not None}

    async def repost_links(self, item_ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
        """``(destination, link)`` of each sent repost of ``item_ids`` that the platform gave a link."""
        if not item_ids:
            return {}
        async with self.sessions() as session:
            rows = await session.execute(
                select(OutboxRow.item_id, OutboxRow.destination, OutboxRow.remote_link)
                .where(
                    OutboxRow.item_id.in_(sorted(set(item_ids))),
                    OutboxRow.kind == "repost",
                    OutboxRow.status == "sent",
                    OutboxRow.remote_link.is_not(None),
                )
                .order_by(OutboxRow.id)
            )
            out: dict[int, list[tuple[str, str]]] = {}
            for item_id, destination, link in rows.tuples():
                if item_id is not None and link:
                    out.setdefault(int(item_id), []).append((destination, link))
            return out

    async def stats(self) -> dict[str, int]:
        async with self.sessions() as session:
            messages = await session.scalar(select(func.count()).select_from(Message)) or 0
            items = await session.scalar(select(func.count()).select_from(Item)) or 0
            open_items = (
                await session.scalar(
                    select(func.count())
                    .select_from(Item)
                    .where(Item.status.in_(("open", "acknowledged", "in_progress")))
                )
                or 0
            )
        return {"messages": int(messages), "items": int(items), "open": int(open_items)}

    async def counts_by_department(self) -> dict[str, dict[str, int]]:
        async with self.sessions() as session:
            rows = await session.execute(
                select(Item.department, Item.status, func.count()).group_by(Item.department, Item.status)
            )
            out: dict[str, dict[str, int]] = {}
            for dept, status, count in rows.tuples():
                out.setdefault(dept, {})[status] = int(count)
            return out

    async def get_run(self, schedule: str, period_key: str) -> ScheduleRun | None:
        async with self.sessions() as session:
            return await session.scalar(
                select(ScheduleRun).where(
                    ScheduleRun.schedule == schedule, ScheduleRun.period_key == period_key
                )
            )

    async def take_over_run(
        self, schedule: str, period_key: str, *, owner: str, stale_before: datetime
    ) -> bool:
        """Claim a run that failed, or whose claimant never finished it before ``stale_before``.

        One conditional UPDATE: of several replicas trying at once, exactly one gets True.
        """
        async with self.sessions() as session, session.begin():
            result = await session.execute(
                update(ScheduleRun)
                .where(
                    ScheduleRun.schedule == schedule,
                    ScheduleRun.period_key == period_key,
                    or_(
                        ScheduleRun.status == "failed",
                        and_(ScheduleRun.status == "claimed", ScheduleRun.claimed_at < stale_before),
                    ),
                )
                .values(status="claimed", claimed_by=owner, claimed_at=self.clock())
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def message_by_link(self, link: str) -> Message | None:
        """A stored community message by its permalink (query string ignored)."""
        base = link.split("?", 1)[0]
        async with self.sessions() as session:
            return await session.scalar(
                select(Message)
                .where(or_(Message.link == link, Message.link == base, Message.link.like(base + "?%")))
                .order_by(Message.id)
                .limit(1)
            )

    async def message_by_key_end(self, platform: str, tail: str) -> Message | None:
        """A stored message of ``platform`` whose key ends with ``tail`` (``:CHANNEL:TS`` on Slack)."""
        async with self.sessions() as session:
            return await session.scalar(
                select(Message)
                .where(Message.platform == platform, Message.key.like("%" + tail))
                .order_by(Message.id)
                .limit(1)
            )

    async def overview(self) -> dict[str, Any]:
        """Totals, items per department x status, per tag, and messages/items per source platform."""
        by_dept = await self.counts_by_department()
        async with self.sessions() as session:
            messages = int(await session.scalar(select(func.count()).select_from(Message)) or 0)
            items = int(await session.scalar(select(func.count()).select_from(Item)) or 0)
            by_tag = {
                str(tag or "-"): int(count)
                for tag, count in (
                    await session.execute(select(Item.tag, func.count()).group_by(Item.tag))
                ).tuples()
            }
            by_platform: dict[str, dict[str, int]] = {}
            for platform, count in (
                await session.execute(select(Message.platform, func.count()).group_by(Message.platform))
            ).tuples():
                by_platform.setdefault(platform, {"messages": 0, "items": 0})["messages"] = int(count)
            for platform, count in (
                await session.execute(
                    select(Message.platform, func.count())
                    .join(Item, Item.message_id == Message.id)
                    .group_by(Message.platform)
                )
            ).tuples():
                by_platform.setdefault(platform, {"messages": 0, "items": 0})["items"] = int(count)
            first, last = (
                await session.execute(select(func.min(Message.created_at), func.max(Message.created_at)))
            ).one()
        return {
            "messages": messages,
            "items": items,
            "first": first.isoformat() if first else None,
            "last": last.isoformat() if last else None,
            "departments": dict(sorted(by_dept.items())),
            "tags": dict(sorted(by_tag.items())),
            "platforms": dict(sorted(by_platform.items())),
        }
