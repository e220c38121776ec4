"""Bookkeeping that makes scheduled work exactly-once and resumable: schedule runs and cursors."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select, update

from storage.base import StoreBase
from storage.models import Cursor, ScheduleRun


class RunStore(StoreBase):
    async def claim_run(
        self, schedule: str, period_key: str, *, fire_time: datetime, owner: str, late: bool = False
    ) -> bool:
        """Claim (schedule, period); only the replica that gets True posts it."""
        async with self.sessions() as session, session.begin():
            new_id = await self._insert_ignore(
                session,
                ScheduleRun(
                    schedule=schedule,
                    period_key=period_key,
                    fire_time=fire_time,
                    claimed_by=owner,
                    claimed_at=self.clock(),
                    late=late,
                    status="claimed",
                ),
            )
            return new_id is not None

    async def finish_run(self, schedule: str, period_key: str, status: str = "done") -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(ScheduleRun)
                .where(ScheduleRun.schedule == schedule, ScheduleRun.period_key == period_key)
                .values(status=status)
            )

    async def unfinished_runs(
        self, schedules: Sequence[str], *, stale_before: datetime
    ) -> Sequence[ScheduleRun]:
        """Runs of ``schedules`` that failed, or whose claimant died, last claimed before ``stale_before``."""
        if not schedules:
            return []
        async with self.sessions() as session:
            return (
                await session.scalars(
                    select(ScheduleRun)
                    .where(
                        ScheduleRun.schedule.in_(list(schedules)),
                        or_(ScheduleRun.status == "failed", ScheduleRun.status == "claimed"),
                        ScheduleRun.claimed_at < stale_before,
                    )
                    .order_by(ScheduleRun.fire_time)
                )
            ).all()

    async def last_run(self, schedule: str) -> ScheduleRun | None:
        async with self.sessions() as session:
            return await session.scalar(
                select(ScheduleRun)
                .where(ScheduleRun.schedule == schedule)
                .order_by(ScheduleRun.fire_time.desc())
                .limit(1)
            )

    async def first_seen(self, schedule: str, now: datetime) -> datetime:
        """When any replica first started with ``schedule``: ``now`` the first time, then that time."""
        name = f"schedule-seen:{schedule}"
        async with self.sessions() as session, session.begin():
            await self._insert_ignore(session, Cursor(name=name, value=now.isoformat()))
        async with self.sessions() as session:
            row = await session.get(Cursor, name)
        return datetime.fromisoformat(row.value) if row is not None else now

    async def get_cursor(self, name: str) -> str | None:
        async with self.sessions() as session:
            row = await session.get(Cursor, name)
            return row.value if row else None

    async def set_cursor(self, name: str, value: str) -> None:
        async with self.sessions() as session, session.begin():
            row = await session.get(Cursor, name)
            if row is None:
                session.add(Cursor(name=name, value=value, updated_at=self.clock()))
            else:
                row.value = value
                row.updated_at = self.clock()
