"""Read-only queries for recaps, agendas, stats and the CLI."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select

from storage.base import StoreBase
from storage.items import ItemView
from storage.models import Item, Message


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

    async def stats(self) -> dict[str, int]:
        async with self.sessions() as session:
            messages = await session.scalar(select(func.count()).select_from(Message)) or 0
            items = await session.scalar(select(func.count()).select_from(Item)) or 0
            open_items = await session.scalar(
                select(func.count()).select_from(Item).where(Item.status.in_(("open", "in_progress")))
            ) or 0
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
