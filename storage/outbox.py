"""The durable outbox: enqueue posts, lease due rows to one worker, record the outcome.

Leases are fenced: a worker renews its leases while it holds them (``renew_leases``) and records
an outcome (``mark_sent``, ``mark_retry``, ``mark_dead``, ``release``) only while its name is
still the lease owner, so a worker whose lease expired cannot overwrite what the worker that
took the row over recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.domain import DELIVERED, Receipt
from storage.base import StoreBase
from storage.models import OutboxRow


class OutboxStore(StoreBase):
    async def enqueue(
        self,
        *,
        kind: str,
        destination: str,
        payload: dict[str, Any],
        dedupe_key: str,
        item_id: int | None = None,
        replaces_id: int | None = None,
        remote_id: str | None = None,
        remote_channel: str | None = None,
    ) -> int | None:
        """Add a post; returns its id, or None when the dedupe key was already enqueued."""
        async with self.sessions() as session, session.begin():
            return await self._insert_ignore(
                session,
                OutboxRow(
                    kind=kind,
                    destination=destination,
                    payload=payload,
                    dedupe_key=dedupe_key,
                    item_id=item_id,
                    replaces_id=replaces_id,
                    remote_id=remote_id,
                    remote_channel=remote_channel,
                ),
            )

    async def claim_due(
        self,
        owner: str,
        *,
        now: datetime | None = None,
        limit: int = 50,
        lease: float = 120.0,
        per_destination: int | None = None,
        skip: Collection[str] = (),
    ) -> list[OutboxRow]:
        """Lease up to ``limit`` due rows to ``owner``, the earliest due first.

        ``per_destination``: at most that many rows of one destination (a backlog of one channel
        does not crowd out the others); ``skip``: destinations to leave alone (their lane is full).
        The rows are taken with one conditional UPDATE, so two workers (or two replicas on one
        PostgreSQL) never hold the same row; a crashed worker's lease simply expires.
        """
        now = now or self.clock()
        until = now + timedelta(seconds=lease)
        free = or_(OutboxRow.lease_until.is_(None), OutboxRow.lease_until < now)
        due = [OutboxRow.status == "pending", OutboxRow.next_attempt_at <= now, free]
        if skip:
            due.append(OutboxRow.destination.not_in(list(skip)))
        if per_destination is None:
            wanted = (
                select(OutboxRow.id)
                .where(*due)
                .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
                .limit(limit)
            )
        else:
            rank = (
                func.row_number()
                .over(partition_by=OutboxRow.destination, order_by=(OutboxRow.next_attempt_at, OutboxRow.id))
                .label("rank")
            )
            ranked = select(OutboxRow.id, OutboxRow.next_attempt_at, rank).where(*due).subquery()
            wanted = (
                select(ranked.c.id)
                .where(ranked.c.rank <= per_destination)
                .order_by(ranked.c.next_attempt_at, ranked.c.id)
                .limit(limit)
            )
        async with self.sessions() as session:  # read apart from the write: SQLite upgrades no lock
            candidates = (await session.scalars(wanted)).all()
        if not candidates:
            return []
        async with self.sessions() as session, session.begin():
            # the conditions again: another worker may have taken a candidate since the SELECT
            claimed = (
                await session.scalars(
                    update(OutboxRow)
                    .where(OutboxRow.id.in_(candidates), OutboxRow.status == "pending", free)
                    .values(lease_owner=owner, lease_until=until)
                    .returning(OutboxRow),
                    execution_options={"synchronize_session": False, "populate_existing": True},
                )
            ).all()
        return sorted(claimed, key=lambda row: (row.next_attempt_at, row.id))

    async def renew_leases(
        self, owner: str, ids: Iterable[int], *, now: datetime | None = None, lease: float = 120.0
    ) -> set[int]:
        """Extend ``owner``'s leases on ``ids``; returns the ids ``owner`` still holds."""
        wanted = list(ids)
        if not wanted:
            return set()
        until = (now or self.clock()) + timedelta(seconds=lease)
        mine = and_(OutboxRow.id.in_(wanted), OutboxRow.status == "pending", OutboxRow.lease_owner == owner)
        async with self.sessions() as session, session.begin():
            await session.execute(update(OutboxRow).where(mine).values(lease_until=until))
            held = await session.scalars(select(OutboxRow.id).where(mine))
            return set(held.all())

    @staticmethod
    def _held(row_id: int, owner: str | None) -> Any:
        """The WHERE clause of an outcome: the row, and while ``owner`` is given, its lease."""
        if owner is None:
            return OutboxRow.id == row_id
        return and_(OutboxRow.id == row_id, OutboxRow.status == "pending", OutboxRow.lease_owner == owner)

    async def mark_sent(
        self, row_id: int, receipt: Receipt, *, now: datetime | None = None, owner: str | None = None
    ) -> bool:
        """Record the delivery; False (nothing changed) when ``owner`` no longer holds the lease."""
        return row_id in await self.mark_sent_many([(row_id, receipt)], now=now, owner=owner)

    async def mark_sent_many(
        self,
        sent: Sequence[tuple[int, Receipt]],
        *,
        now: datetime | None = None,
        owner: str | None = None,
    ) -> set[int]:
        """Record several deliveries in one statement; returns the ids recorded.

        Fenced row by row as ``mark_sent`` is: a row ``owner`` no longer holds (its lease passed
        to another worker, or it was cancelled meanwhile) is left as it is and not returned.
        """
        if not sent:
            return set()
        receipts = dict(sent)
        ids = list(receipts)

        def per_row(column: Any, value: Callable[[Receipt], str | None]) -> Any:
            """``CASE id WHEN … THEN …``: each row's own value (bound with the column's type)."""
            if len(ids) == 1:
                return literal(value(receipts[ids[0]]), column.type)
            return case(
                {row_id: literal(value(r), column.type) for row_id, r in receipts.items()},
                value=OutboxRow.id,
            )

        where: list[ColumnElement[bool]] = [OutboxRow.id.in_(ids)]
        if owner is not None:
            where += [OutboxRow.status == "pending", OutboxRow.lease_owner == owner]
        stmt = (
            update(OutboxRow)
            .where(*where)
            .values(
                status="sent",
                sent_at=now or self.clock(),
                remote_id=per_row(OutboxRow.remote_id, lambda r: r.remote_id),
                remote_channel=per_row(OutboxRow.remote_channel, lambda r: r.remote_channel),
                remote_link=per_row(OutboxRow.remote_link, lambda r: r.link),
                attempts=OutboxRow.attempts + 1,
                lease_owner=None,
                lease_until=None,
                last_error=None,
            )
            .returning(OutboxRow.id)
        )
        async with self.engine.begin() as conn:
            return set((await conn.scalars(stmt)).all())

    async def mark_retry(
        self,
        row_id: int,
        error: str,
        next_attempt_at: datetime,
        *,
        progress: dict[str, Any] | None = None,
        owner: str | None = None,
        count: bool = True,
    ) -> bool:
        """Count a failed attempt (unless ``count`` is False: a rate limit's wait); ``progress``
        (what a multi-call send delivered) is kept for the next one."""
        async with self.sessions() as session, session.begin():
            values: dict[str, Any] = {
                "attempts": OutboxRow.attempts + (1 if count else 0),
                "last_error": error,
                "next_attempt_at": next_attempt_at,
                "lease_owner": None,
                "lease_until": None,
            }
            await self._keep_progress(session, row_id, progress, values)
            result = await session.execute(
                update(OutboxRow).where(self._held(row_id, owner)).values(**values)
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    @staticmethod
    async def _keep_progress(
        session: AsyncSession, row_id: int, progress: dict[str, Any] | None, values: dict[str, Any]
    ) -> None:
        if progress:
            payload = (
                await session.execute(select(OutboxRow.payload).where(OutboxRow.id == row_id))
            ).scalar_one()
            values["payload"] = {**(payload or {}), DELIVERED: progress}

    async def release(self, row_id: int, next_attempt_at: datetime, *, owner: str | None = None) -> bool:
        """Give a leased row back without counting an attempt (rate limited locally)."""
        async with self.sessions() as session, session.begin():
            result = await session.execute(
                update(OutboxRow)
                .where(self._held(row_id, owner))
                .values(next_attempt_at=next_attempt_at, lease_owner=None, lease_until=None)
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def mark_dead(
        self,
        row_id: int,
        reason: str,
        *,
        progress: dict[str, Any] | None = None,
        owner: str | None = None,
    ) -> bool:
        async with self.sessions() as session, session.begin():
            values: dict[str, Any] = {
                "status": "dead",
                "attempts": OutboxRow.attempts + 1,
                "last_error": reason,
                "lease_owner": None,
                "lease_until": None,
            }
            await self._keep_progress(session, row_id, progress, values)
            result = await session.execute(
                update(OutboxRow).where(self._held(row_id, owner)).values(**values)
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def outbox_rows(self, *, status: str | None = None, limit: int = 100) -> Sequence[OutboxRow]:
        async with self.sessions() as session:
            stmt = select(OutboxRow).order_by(OutboxRow.id.desc()).limit(limit)
            if status:
                stmt = stmt.where(OutboxRow.status == status)
            return (await session.scalars(stmt)).all()

    async def outbox_counts(self) -> dict[str, int]:
        async with self.sessions() as session:
            rows = await session.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status))
            return {status: count for status, count in rows.tuples()}

    async def oldest_pending_at(self) -> datetime | None:
        """When the oldest row still waiting to be sent was queued (None: nothing waits)."""
        async with self.sessions() as session:
            oldest = await session.scalar(
                select(func.min(OutboxRow.created_at)).where(OutboxRow.status == "pending")
            )
        return oldest

    async def retry_dead(self, ids: Sequence[int] | None = None, *, now: datetime | None = None) -> int:
        """Put dead rows back in the queue (all of them, or the given ids)."""
        async with self.sessions() as session, session.begin():
            stmt = (
                update(OutboxRow)
                .where(OutboxRow.status == "dead")
                .values(status="pending", attempts=0, next_attempt_at=now or self.clock())
            )
            if ids:
                stmt = stmt.where(OutboxRow.id.in_(ids))
            result = await session.execute(stmt)
            return int(result.rowcount)  # type: ignore[attr-defined]

    async def sent_row_for_remote(self, remote_id: str) -> OutboxRow | None:
        """The repost a platform id belongs to (reactions and button clicks on our posts)."""
        async with self.sessions() as session:
            return await session.scalar(
                select(OutboxRow)
                .where(OutboxRow.remote_id == remote_id, OutboxRow.kind == "repost")
                .order_by(OutboxRow.id)
                .limit(1)
            )

    async def next_due(self) -> datetime | None:
        """When the earliest pending row becomes due (None when nothing is pending)."""
        async with self.sessions() as session:
            return await session.scalar(
                select(func.min(OutboxRow.next_attempt_at)).where(OutboxRow.status == "pending")
            )

    async def row_by_key(self, dedupe_key: str) -> OutboxRow | None:
        async with self.sessions() as session:
            return await session.scalar(select(OutboxRow).where(OutboxRow.dedupe_key == dedupe_key))

    async def get_row(self, row_id: int) -> OutboxRow | None:
        async with self.sessions() as session:
            return await session.get(OutboxRow, row_id)
