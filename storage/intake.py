"""Group commit: many new community messages stored in one transaction, a few statements in all.

Storing one event costs a transaction (a commit: on SQLite a write lock and an fsync) and, through
the ORM, half a dozen round trips.  When events arrive together, ``GroupCommit`` takes every
``Intake`` waiting at that moment and ``IntakeStore.record_batch`` writes them with three Core
inserts (messages, items, outbox rows) in one transaction; each caller still waits until its own
event is committed, so the ack still means "stored".  One event alone is written at once: no
waiting for a batch to fill.

What the batch does not take goes one by one through ``record_inbound``, unchanged:

- a reply in a thread that has live items (it is mirrored into the reposts' threads);
- every event of a batch the database refused (a value it cannot store, a constraint): replayed
  one by one, so only the bad event is refused (and quarantined) and the others are stored.

A database that is down fails every waiting caller with the same error (each answers 503).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.domain import Destination, InboundMessage
from storage.inbound import InboundStore, RecordResult, Routing, message_values, refused, repost_key
from storage.items import ARCHIVED
from storage.models import Item, Message, OutboxRow
from storage.threads import NOT_LIVE

log = logging.getLogger("kakehashi.store")

MAX_BATCH = 256  # events per transaction; more wait for the next one


@dataclass(frozen=True, slots=True)
class Intake:
    """One ``record_inbound`` call, as data."""

    msg: InboundMessage
    routings: Sequence[Routing]
    destinations: Mapping[str, Sequence[Destination]]
    repost: bool = True
    mirror: bool = True


class IntakeStore(InboundStore):
    async def record_batch(self, intakes: Sequence[Intake]) -> list[RecordResult | None]:
        """Store new messages with their items and outbox rows, all in one transaction.

        Returns one result per intake, in order: ``None`` for one it left to ``record_inbound``
        (a reply in a thread with live items).  A message already stored, or twice in the batch,
        is ``created=False`` with the stored id, as ``record_inbound`` answers.  Raises what the
        database raised; then nothing of the batch was written.
        """
        async with self.sessions() as session, session.begin():
            threaded = await self._in_live_threads(session, intakes)
            first: dict[tuple[str, str], int] = {}  # (platform, key) -> index of its first intake
            for index, intake in enumerate(intakes):
                if index not in threaded:
                    first.setdefault(stored_key(intake.msg.platform, intake.msg.key), index)
            ids = await self._insert_messages(session, [intakes[i] for i in first.values()])
            known = await self._stored_ids(session, [k for k in first if k not in ids])
            new = [(i, ids[k]) for k, i in first.items() if k in ids]
            position = {intake_index: p for p, (intake_index, _) in enumerate(new)}
            items = await self._insert_items(session, [(intakes[i], m) for i, m in new])
            results: list[RecordResult | None] = []
            for index, intake in enumerate(intakes):
                where = stored_key(intake.msg.platform, intake.msg.key)
                if index in threaded:
                    results.append(None)
                elif first[where] == index and where in ids:
                    results.append(RecordResult(True, ids[where], items.get(position[index], ())))
                else:
                    results.append(RecordResult(False, ids.get(where) or known[where]))
            return results

    async def _in_live_threads(self, session: AsyncSession, intakes: Sequence[Intake]) -> set[int]:
        """Indexes of the replies (to be mirrored) whose thread's post has live items."""
        asked: dict[str, set[str]] = {}
        for intake in intakes:
            msg = intake.msg
            if intake.mirror and msg.thread_key and msg.thread_key != msg.key:
                asked.setdefault(msg.platform, set()).add(msg.thread_key)
        live: set[tuple[str, str]] = set()
        for platform, keys in asked.items():
            rows = await session.execute(
                select(Message.key)
                .join(Item, Item.message_id == Message.id)
                .where(Message.platform == platform, Message.key.in_(keys), Item.status.not_in(NOT_LIVE))
                .distinct()
            )
            live.update((stored_key(platform, key)) for (key,) in rows)
        return {
            index
            for index, intake in enumerate(intakes)
            if intake.mirror
            and intake.msg.thread_key
            and stored_key(intake.msg.platform, intake.msg.thread_key) in live
        }

    def _insert(self, model: type[Any]) -> Any:
        insert = pg_insert if self.dialect == "postgresql" else sqlite_insert
        return insert(model.__table__).on_conflict_do_nothing()

    async def _insert_messages(
        self, session: AsyncSession, intakes: Sequence[Intake]
    ) -> dict[tuple[str, str], int]:
        """Insert the messages not stored yet; their ids by (platform, key)."""
        if not intakes:
            return {}
        now = self.clock()
        rows = [message_values(intake.msg, now) for intake in intakes]
        table = Message.__table__
        stmt = self._insert(Message).returning(table.c.id, table.c.platform, table.c.key)
        result = await session.execute(stmt, rows)
        return {(platform, key): id_ for id_, platform, key in result}

    async def _stored_ids(
        self, session: AsyncSession, keys: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], int]:
        found: dict[tuple[str, str], int] = {}
        for platform in {p for p, _ in keys}:
            rows = await session.execute(
                select(Message.id, Message.key).where(
                    Message.platform == platform, Message.key.in_([k for p, k in keys if p == platform])
                )
            )
            found.update(((platform, key), id_) for id_, key in rows)
        return found

    async def _insert_items(
        self, session: AsyncSession, new: Sequence[tuple[Intake, int]]
    ) -> dict[int, tuple[int, ...]]:
        """Items and outbox rows of new messages; the item ids per position in ``new``."""
        now = self.clock()
        wanted: list[dict[str, Any]] = []
        for position, (intake, message_id) in enumerate(new):
            seen: set[str] = set()
            for routing in intake.routings:
                if routing.department in seen:
                    continue
                seen.add(routing.department)
                wanted.append(
                    {
                        "message_id": message_id,
                        "department": routing.department,
                        "tag": routing.tag,
                        "route": routing.route,
                        "reason": routing.reason,
                        "origin": routing.origin,
                        "status": "open" if intake.repost else ARCHIVED,
                        "created_at": now,
                        "_position": position,
                    }
                )
        if not wanted:
            return {}
        table = Item.__table__
        stmt = self._insert(Item).returning(table.c.id, table.c.message_id, table.c.department)
        result = await session.execute(stmt, [_without_position(row) for row in wanted])
        item_id = {(message_id, department): id_ for id_, message_id, department in result}
        for row in wanted:  # as stored (a name longer than the column is cut, as the column does)
            row["department"] = _stored(Item, "department", row["department"])
        by_position: dict[int, list[int]] = {}
        outbox: list[dict[str, Any]] = []
        for row in wanted:
            intake, _ = new[row["_position"]]
            the_id = item_id[(row["message_id"], row["department"])]
            by_position.setdefault(row["_position"], []).append(the_id)
            if not intake.repost:
                continue
            for dest in intake.destinations.get(row["department"], ()):
                outbox.append(
                    {
                        "dedupe_key": repost_key(
                            intake.msg.platform, intake.msg.key, row["department"], dest
                        ),
                        "kind": "repost",
                        "item_id": the_id,
                        "destination": str(dest),
                        "payload": {},
                        "next_attempt_at": now,
                        "created_at": now,
                    }
                )
        if outbox:
            await session.execute(self._insert(OutboxRow), outbox)
        return {position: tuple(ids) for position, ids in by_position.items()}


def _stored(model: type[Any], column: str, value: str) -> str:
    """``value`` as the column stores it (``StorableString`` cuts long values with a hash)."""
    return str(model.__table__.c[column].type.process_bind_param(value, None))


def stored_key(platform: str, key: str) -> tuple[str, str]:
    """A message's (platform, key) as stored and as ``RETURNING`` gives it back."""
    return _stored(Message, "platform", platform), _stored(Message, "key", key)


def _without_position(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "_position"}


@dataclass
class _Waiting:
    intake: Intake
    done: asyncio.Future[RecordResult] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class GroupCommit:
    """Callers ``record`` one intake each; one writer task stores whatever waits, batch by batch."""

    def __init__(
        self,
        store: IntakeStore,
        *,
        max_batch: int = MAX_BATCH,
        on_batch: Callable[[int], object] | None = None,
    ) -> None:
        self.store = store
        self.max_batch = max_batch
        self.on_batch = on_batch  # told each transaction's size (metrics)
        self._waiting: list[_Waiting] = []
        self._writer: asyncio.Task[None] | None = None
        self.batches = 0  # transactions written, for metrics and the benchmark
        self.events = 0

    async def record(self, intake: Intake) -> RecordResult:
        waiting = _Waiting(intake)
        # retrieved even when its caller has gone (an exception nobody reads is logged as lost)
        waiting.done.add_done_callback(lambda f: f.cancelled() or f.exception())
        self._waiting.append(waiting)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write(), name="kakehashi-group-commit")
        return await asyncio.shield(waiting.done)  # a caller gone (client hung up) changes nothing

    async def _write(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[: self.max_batch], self._waiting[self.max_batch :]
            try:
                await self._store(batch)
            except BaseException as exc:  # never leave a caller waiting, whatever happened
                for waiting in batch:
                    if not waiting.done.done():
                        waiting.done.set_exception(exc)
                if isinstance(exc, asyncio.CancelledError):
                    for waiting in self._waiting:
                        waiting.done.set_exception(exc)
                    self._waiting = []
                    raise

    async def _store(self, batch: list[_Waiting]) -> None:
        try:
            results = await self.store.record_batch([w.intake for w in batch])
        except (IntegrityError, StatementError, UnicodeError) as exc:
            if not isinstance(exc, IntegrityError) and refused(exc) is None:
                raise  # the database is down or gone: every caller answers 503 alike
            log.info("a batch of %d events was refused (%r): storing them one by one", len(batch), exc)
            results = [None] * len(batch)
        self.batches += 1
        self.events += len(batch)
        if self.on_batch is not None:
            self.on_batch(len(batch))
        for waiting, result in zip(batch, results, strict=True):
            if result is not None:
                waiting.done.set_result(result)
                continue
            intake = waiting.intake
            try:
                one = await self.store.record_inbound(
                    intake.msg,
                    intake.routings,
                    intake.destinations,
                    repost=intake.repost,
                    mirror=intake.mirror,
                )
            except Exception as exc:
                waiting.done.set_exception(exc)
            else:
                waiting.done.set_result(one)
