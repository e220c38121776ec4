"""What every part of the store shares: the session factory, the clock and a portable insert-or-ignore."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, inspect, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.models import Base, OutboxRow, UtcDateTime, utcnow

Clock = Callable[[], datetime]


class StoreBase:
    """``clock`` stamps every row the store writes (received, created, due, claimed, sent): the
    application's clock, so a test that moves time moves it for the database rows too."""

    def __init__(self, engine: AsyncEngine, *, clock: Clock = utcnow) -> None:
        self.engine = engine
        self.clock = clock
        self.sessions: async_sessionmaker[AsyncSession] = async_sessionmaker(engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def _insert_ignore(self, session: AsyncSession, row: Base) -> int | None:
        """Insert ``row`` unless a unique constraint already holds it; return its id or None."""
        mapper = inspect(type(row))
        values: dict[str, Any] = {}
        for attr in mapper.column_attrs:
            value = getattr(row, attr.key)
            column = attr.columns[0]
            if value is None and column.default is not None and isinstance(column.type, UtcDateTime):
                value = self.clock()  # every time column's default is "now": the store's now
            elif value is None and column.default is not None and column.default.is_scalar:
                value = column.default.arg
            elif value is None and column.default is not None and column.default.is_callable:
                value = column.default.arg(None)  # type: ignore[operator]
            if value is not None:
                values[attr.key] = value
        insert = pg_insert if self.dialect == "postgresql" else sqlite_insert
        stmt = insert(type(row)).values(**values).on_conflict_do_nothing()
        pk = mapper.primary_key[0]
        result = await session.execute(stmt.returning(pk))
        return result.scalar_one_or_none()

    async def _follow_up(
        self, session: AsyncSession, which: ColumnElement[bool], kind: str, stamp: str
    ) -> int:
        """Queue an ``update`` or ``delete`` of every sent repost matching ``which`` (once per stamp).

        The new rows carry the repost's platform id, so the sink changes the post in place.
        Returns how many rows were new.
        """
        sent = (
            await session.scalars(
                select(OutboxRow).where(which, OutboxRow.kind == "repost", OutboxRow.status == "sent")
            )
        ).all()
        count = 0
        for row in sent:
            new_id = await self._insert_ignore(
                session,
                OutboxRow(
                    dedupe_key=f"{kind}:{row.id}:{stamp}",
                    kind=kind,
                    item_id=row.item_id,
                    destination=row.destination,
                    payload={},
                    replaces_id=row.id,
                    remote_id=row.remote_id,
                    remote_channel=row.remote_channel,
                ),
            )
            count += new_id is not None
        return count
