"""The outbox worker: deliver due rows through the sinks, durably.

Per row: render (reposts are rendered from the stored item at send time), respect the
destination's rate limit, send, then record the platform id.  Transient failures back off
exponentially with full jitter (or wait for Retry-After); permanent ones and rows that ran out
of attempts are dead-lettered with the reason, visible in ``kakehashi outbox list``.  A rate
limit (429, or the sink's own limiter) waits for Retry-After and spends no attempt.

Leases: a pass leases its rows for ``lease`` seconds and renews them every ``lease / 3`` seconds
until each is done, so a slow send (a platform that takes long to answer, a large upload) or a
long batch never lets another replica take a row that is still being sent.  Just before a row is
sent the worker checks it still holds it, and outcomes are recorded only by the lease holder.
What remains is the at-least-once window every outbox has: a process killed after the platform
accepted a post and before ``mark_sent`` sends it again once its lease expired.

Lanes: each destination's rows are delivered in their own lane, in order within it (so the
per-channel rate limit and split recaps keep working), all destinations at once; at most
``SENDS`` sends are in flight, and every send has ``send_timeout`` seconds: a destination that
hangs delays only its own rows, and its row is retried later like any failed attempt.  A lane
waits in memory for its destination's window (the sink's ``min_interval`` plus ``MARGIN``) when it
opens within ``HOLD`` seconds, and sends the moment it does; a longer wait gives the row back to
the database, due when the window opens.  ``run_forever`` keeps lanes running: a lane that is
about to run dry wakes the claimer for more of its destination's rows, and so does ``wake()``
after an enqueue, so one slow destination never holds the others to its pace.

Batches: what the lanes read and write at one moment goes to the database together
(``bot.pipeline.batches``): the items, messages and reactions of every repost about to be
rendered in one read, and every post just sent recorded in one fenced ``UPDATE`` (each row only
while its lease is still ours).  A lane alone is never kept waiting for others: a batch is sent
at once, and what arrives while it is in flight goes in the next.  So the at-least-once window
above is no wider than before: a post is recorded as soon as the database can take it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.core.domain import Destination, Post, Receipt, Sink
from bot.core.errors import DeliveryError, PermanentDeliveryError, RateLimitedError
from bot.pipeline.batches import Batcher
from bot.pipeline.flags import flaggers_among
from bot.pipeline.metrics import Metrics
from bot.pipeline.reload import RulesHolder
from bot.pipeline.render import repost_payload
from bot.pipeline.threads import plan_mirror
from storage.items import RepostSource
from storage.models import OutboxRow, utcnow
from storage.store import Store
from storage.threads import MIRROR_KINDS

log = logging.getLogger("kakehashi.outbox")

Clock = Callable[[], datetime]

SENDS = 64  # sends in flight at once (across destinations): more than the channels that send together
MARGIN = 0.03  # posts to one destination are spaced min_interval * (1 + MARGIN): jitter never trips the limit
HOLD = 5.0  # seconds a lane waits in memory for its destination's window; longer: back to the database
DEPTH = 4  # rows run_forever keeps queued per lane; refilled when one is left
BATCH = 50  # rows one claim takes at most
SEND_TIMEOUT = 20.0  # seconds one send may take before it counts as a failed attempt


class RateLimiter:
    """Posts to one destination at most one per ``interval * (1 + margin)`` seconds (in memory).

    The slot is taken the moment a send starts (``wait_time`` returning 0), right before the
    request, so the spacing the platform sees is the spacing kept here plus network jitter,
    which the margin covers.  A send that took longer than the quickest one seen (``sent``) may
    have reached the platform late (a busy event loop, a slow network) by as much as it was
    slower, so the next window opens no sooner than ``interval * (1 - margin)`` after the latest
    moment the post can have arrived (its end less that quickest round trip): late arrivals never
    bunch up, and two posts reach the platform at least ``interval * (1 - margin)`` apart (the
    platform's burst tolerance; the stand-in's is a tenth of the interval) and on average
    ``interval * (1 + margin)``.  A send up to ``2 * interval * margin`` slower than the quickest
    moves no window: moving it by the whole delay on top of the margin, as before, counted each
    late send twice (a post late by 30 ms was followed 1.06 s later), and 20 channels sending
    together through one busy event loop lost 3-5 % of their rate to it.  ``clock`` is monotonic
    seconds.
    """

    def __init__(self, *, margin: float = MARGIN, clock: Callable[[], float] = time.monotonic) -> None:
        self.margin = margin
        self.clock = clock
        self._next: dict[str, float] = {}
        self._quickest = math.inf  # the shortest send seen: the network's round trip

    def peek(self, key: str) -> float:
        """Seconds until ``key`` may send (0: now); takes nothing."""
        return max(0.0, self._next.get(key, 0.0) - self.clock())

    def wait_time(self, key: str, interval: float) -> float:
        """Seconds to wait before ``key`` may send; 0 reserves the slot now."""
        now = self.clock()
        ready = self._next.get(key, 0.0)
        if ready > now:
            return ready - now
        self._next[key] = now + interval * (1 + self.margin)
        return 0.0

    def sent(self, key: str, interval: float, started: float) -> None:
        """A send that took the slot at ``started`` is over (answered or not)."""
        now = self.clock()
        self._quickest = min(self._quickest, now - started)
        later = now - self._quickest + interval * (1 - self.margin)
        self._next[key] = max(self._next.get(key, 0.0), later)

    def push_back(self, key: str, seconds: float) -> None:
        self._next[key] = max(self._next.get(key, 0.0), self.clock() + seconds)


def backoff(
    attempt: int, *, base: float = 2.0, cap: float = 900.0, rng: random.Random | None = None
) -> float:
    """Full-jitter exponential backoff (AWS architecture blog): uniform(0, min(cap, base * 2**n))."""
    return (rng or random).uniform(0, min(cap, base * 2**attempt)) + 0.5


class OutboxWorker:
    def __init__(
        self,
        *,
        store: Store,
        sinks: Mapping[str, Sink],
        rules: RulesHolder,
        metrics: Metrics,
        owner: str,
        max_attempts: int = 8,
        lease: float = 120.0,
        clock: Clock = utcnow,
        send_timeout: float = SEND_TIMEOUT,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """``limiter`` and ``sleep`` are the lanes' clock (tests give both a virtual one)."""
        self.store = store
        self.sinks = dict(sinks)
        self.rules = rules
        self.metrics = metrics
        self.owner = owner
        self.max_attempts = max_attempts
        self.lease = lease
        self.clock = clock
        self.send_timeout = send_timeout
        self.limiter = limiter or RateLimiter()
        self.sleep = sleep
        self._sends = asyncio.Semaphore(SENDS)
        # the lanes' reads and writes at one moment go to the database together: what renders the
        # reposts about to be sent in one read, the posts just sent recorded in one statement
        self._sources: Batcher[int, RepostSource | None] = Batcher(
            store.repost_sources, missing=None, name="outbox-render"
        )
        self._marks: Batcher[tuple[int, Receipt], bool] = Batcher(
            self._record_sent, missing=False, name="outbox-sent"
        )
        self._wake = asyncio.Event()
        # awaited with a row's id when it is dead-lettered (the admin channel's notice)
        self.on_dead: list[Callable[[int], Awaitable[None]]] = []

    def wake(self) -> None:
        """Inbound handlers call this after enqueueing so delivery starts at once."""
        self._wake.set()

    async def build_post(self, row: OutboxRow) -> Post | None:
        destination = Destination.parse(row.destination)
        payload = dict(row.payload or {})
        if row.kind in ("repost", "update", "delete") and row.item_id is not None:
            source = await self._sources.call(row.item_id)  # read with the other lanes' rows
            if source is None:
                return None
            view = source.view
            rules = self.rules.current
            dept = rules.departments.get(view.item.department)
            label = dept.label if dept else view.item.department
            rendered = repost_payload(
                view,
                flaggers=flaggers_among(source.reactions, rules, department=view.item.department),
                department_label=label,
                locale=rules.locale,
                timezone=rules.timezone,
                parent=source.parent,
                asks_consent=dept.asks_consent if dept else False,
            )
            payload = {**rendered, **payload}
        return Post(
            kind=row.kind,
            destination=destination,
            payload=payload,
            dedupe_key=row.dedupe_key,
            remote_id=row.remote_id,
        )

    async def deliver(self, row: OutboxRow, *, held: Mapping[int, float] | None = None) -> str:
        """Deliver one leased row; returns ``sent``, ``retry``, ``dead``, ``deferred`` or ``lost``.

        ``held``: when each row's lease was last confirmed (claimed or renewed, monotonic seconds);
        a row confirmed within ``lease / 3`` is sent without asking the database again.
        """
        destination = Destination.parse(row.destination)
        sink = self.sinks.get(destination.platform)
        if sink is None:
            reason = f"no sink for platform {destination.platform!r}: is it configured?"
            await self.store.mark_dead(row.id, reason, owner=self.owner)
            log.error("outbox %s dead: %s", row.id, reason)
            return "dead"
        interval = float(getattr(sink, "min_interval", 0.0))
        if interval and self.limiter.peek(row.destination) > HOLD:
            return await self._defer(row, self.limiter.peek(row.destination))
        if row.kind in MIRROR_KINDS:
            plan = await plan_mirror(self.store, row, self.rules.current.locale)
            if plan.verdict == "wait":  # its repost has not gone out yet: no attempt is spent
                await self.store.release(row.id, self.clock() + timedelta(seconds=2), owner=self.owner)
                return "deferred"
            if plan.verdict == "dead":
                await self.store.mark_dead(row.id, plan.reason, owner=self.owner)
                log.warning("outbox %s to %s dead: %s", row.id, row.destination, plan.reason)
                return "dead"
            row.payload = plan.payload or {}
        post = await self.build_post(row)
        if post is not None and post.payload.get("continuation_of"):
            first = await self.store.row_by_key(str(post.payload["continuation_of"]))
            if first is not None and first.status == "pending":
                # a later part of a split recap waits for its first part (no attempt is spent)
                await self.store.release(row.id, self.clock() + timedelta(seconds=2), owner=self.owner)
                return "deferred"
            if first is not None and first.status == "sent" and first.remote_id:
                post = replace(post, payload={**post.payload, "thread_root": first.remote_id})
            # else the first part is dead, cancelled or has no id to reply to: this part stands alone
        if post is None:
            await self.store.mark_dead(row.id, "the routed item no longer exists", owner=self.owner)
            return "dead"
        while interval and (wait := self.limiter.peek(row.destination)) > 0:  # the window opens soon
            if wait > HOLD:  # a 429 meanwhile pushed it back
                return await self._defer(row, wait)
            await self.sleep(wait)
        # the row may have waited behind slow sends: send it only while the lease is still ours
        confirmed = held.get(row.id) if held is not None else None
        if (
            confirmed is None or time.monotonic() - confirmed > self.lease / 3
        ) and not await self.store.renew_leases(self.owner, [row.id], now=self.clock(), lease=self.lease):
            log.warning(
                "outbox %s to %s: lease passed to another worker; not sent here", row.id, row.destination
            )
            return "lost"
        try:
            async with self._sends:
                if interval:
                    while (wait := self.limiter.wait_time(row.destination, interval)) > 0:
                        await self.sleep(wait)  # only when another lane took the slot meanwhile
                started = self.limiter.clock()
                try:
                    receipt = await asyncio.wait_for(sink.send(post), self.send_timeout)
                finally:
                    if interval:
                        self.limiter.sent(row.destination, interval, started)
        except TimeoutError:
            return await self._retry_or_die(
                row, f"no answer within {self.send_timeout:.0f}s", None, destination
            )
        except PermanentDeliveryError as exc:
            if not await self.store.mark_dead(row.id, exc.reason, progress=exc.progress, owner=self.owner):
                return self._lost(row)
            self.metrics.inc("kakehashi_deliveries_total", platform=destination.platform, result="dead")
            log.error("outbox %s to %s dead-lettered: %s", row.id, row.destination, exc.reason)
            return "dead"
        except DeliveryError as exc:
            return await self._retry_or_die(
                row,
                exc.reason,
                exc.retry_after,
                destination,
                progress=exc.progress,
                waiting=isinstance(exc, RateLimitedError),
            )
        except Exception as exc:  # a sink bug must not kill the worker; the row keeps its place
            log.exception("outbox %s to %s: unexpected error", row.id, row.destination)
            return await self._retry_or_die(row, f"unexpected error: {exc!r}", None, destination)
        if not await self._marks.call((row.id, receipt)):
            # only when this process could not renew its lease for ``lease`` seconds (a stalled
            # event loop or database): another worker took the row over and may post it as well
            log.error(
                "outbox %s to %s: sent, but the lease had passed to another worker", row.id, row.destination
            )
            self.metrics.inc("kakehashi_deliveries_total", platform=destination.platform, result="lost_lease")
            return "lost"
        self.metrics.inc("kakehashi_deliveries_total", platform=destination.platform, result="sent")
        return "sent"

    async def _record_sent(self, sent: Sequence[tuple[int, Receipt]]) -> dict[tuple[int, Receipt], bool]:
        """The posts the lanes just sent, recorded in one statement (each only while its lease is ours)."""
        recorded = await self.store.mark_sent_many(sent, now=self.clock(), owner=self.owner)
        return {one: one[0] in recorded for one in sent}

    async def _defer(self, row: OutboxRow, wait: float) -> str:
        """Give the row back, due when its destination's window opens (no attempt is spent)."""
        if not await self.store.release(row.id, self.clock() + timedelta(seconds=wait), owner=self.owner):
            return self._lost(row)
        return "deferred"

    async def _announce_dead(self, row_id: int) -> None:
        for listener in self.on_dead:
            try:
                await listener(row_id)
            except Exception:  # telling about a dead letter must not stop delivery
                log.exception("outbox %s: announcing the dead letter failed", row_id)

    @staticmethod
    def _lost(row: OutboxRow) -> str:
        log.warning("outbox %s to %s: failed, but another worker holds the row now", row.id, row.destination)
        return "lost"

    async def _retry_or_die(
        self,
        row: OutboxRow,
        reason: str,
        retry_after: float | None,
        destination: Destination,
        *,
        progress: dict[str, Any] | None = None,
        waiting: bool = False,
    ) -> str:
        """Back off or dead-letter; a rate limit (``waiting``) only waits and spends no attempt."""
        attempts = row.attempts + (0 if waiting else 1)
        if not waiting and attempts >= self.max_attempts:
            final = f"gave up after {attempts} attempts: {reason}"
            if not await self.store.mark_dead(row.id, final, progress=progress, owner=self.owner):
                return self._lost(row)
            self.metrics.inc("kakehashi_deliveries_total", platform=destination.platform, result="dead")
            log.error("outbox %s to %s dead-lettered: %s", row.id, row.destination, final)
            return "dead"
        delay = retry_after if retry_after is not None else backoff(attempts)
        if retry_after is not None:
            self.limiter.push_back(row.destination, retry_after)
        if not await self.store.mark_retry(
            row.id,
            reason,
            self.clock() + timedelta(seconds=delay),
            progress=progress,
            owner=self.owner,
            count=not waiting,
        ):
            return self._lost(row)
        self.metrics.inc("kakehashi_deliveries_total", platform=destination.platform, result="retry")
        log.warning(
            "outbox %s to %s: %s; retry %d in %.1fs", row.id, row.destination, reason, attempts, delay
        )
        return "retry"

    async def run_once(self) -> dict[str, int]:
        """Claim the due rows and deliver them, one lane per destination; returns counts per result."""
        counts: dict[str, int] = {}
        rows = await self.store.claim_due(self.owner, now=self.clock(), lease=self.lease, limit=BATCH)
        if not rows:
            return counts
        claimed_at = time.monotonic()
        held = {row.id: claimed_at for row in rows}
        heartbeat = asyncio.create_task(self._renew(held), name="outbox-lease")
        lanes: dict[str, deque[OutboxRow]] = {}
        for row in rows:
            lanes.setdefault(row.destination, deque()).append(row)
        try:
            done = await asyncio.gather(
                *(self._lane(queue, held, counts) for queue in lanes.values()), return_exceptions=True
            )
            for failure in done:
                if isinstance(failure, BaseException):
                    raise failure
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
        return counts

    async def _lane(
        self,
        queue: deque[OutboxRow],
        held: dict[int, float],
        counts: dict[str, int],
        *,
        running_low: Callable[[], None] | None = None,
    ) -> None:
        """Deliver one destination's queued rows in order; ``running_low`` is called when one is left."""
        while queue:
            row = queue.popleft()
            if running_low is not None and len(queue) <= 1:
                running_low()
            try:
                result = await self.deliver(row, held=held)
            finally:
                held.pop(row.id, None)
            counts[result] = counts.get(result, 0) + 1
            if result == "dead":
                await self._announce_dead(row.id)

    async def run_forever(self, poll_interval: float = 1.0) -> None:
        """Deliver continuously: claim due rows into per-destination lanes that run side by side.

        The claimer takes at most ``DEPTH`` rows per destination at a time and none for a lane
        that is full; it claims again when woken (a lane running low, ``wake()`` after an
        enqueue) or after ``poll_interval`` (rows that became due: retries, other replicas).
        """
        lanes: dict[str, deque[OutboxRow]] = {}
        running: dict[str, asyncio.Task[None]] = {}
        held: dict[int, float] = {}  # row id -> when its lease was last confirmed (monotonic)
        counts: dict[str, int] = {}
        heartbeat = asyncio.create_task(self._renew(held), name="outbox-lease")

        async def lane(destination: str, queue: deque[OutboxRow]) -> None:
            try:
                while queue:
                    try:
                        await self._lane(queue, held, counts, running_low=self._wake.set)
                    except Exception:  # the database failed mid-row: that row's lease runs out
                        log.exception("outbox lane %s failed; going on", destination)
                        await asyncio.sleep(poll_interval)
            finally:  # ran dry (a cancelled lane's queued rows are given back below)
                if not queue and running.get(destination) is asyncio.current_task():
                    del running[destination]
                    lanes.pop(destination, None)
                    self._wake.set()

        try:
            while True:
                self._wake.clear()
                full = [d for d, queue in lanes.items() if len(queue) >= DEPTH]
                try:
                    rows = await self.store.claim_due(
                        self.owner,
                        now=self.clock(),
                        lease=self.lease,
                        limit=BATCH,
                        per_destination=DEPTH,
                        skip=full,
                    )
                except Exception:
                    log.exception("outbox: claiming rows failed; retrying")
                    rows = []
                claimed_at = time.monotonic()
                for row in rows:
                    held[row.id] = claimed_at
                    queue = lanes.setdefault(row.destination, deque())
                    queue.append(row)
                    if row.destination not in running:
                        running[row.destination] = asyncio.create_task(
                            lane(row.destination, queue), name=f"outbox-lane {row.destination}"
                        )
                if len(rows) >= BATCH:  # more may be due; lanes that ran low meanwhile woke us anyway
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=poll_interval)
        finally:
            heartbeat.cancel()
            tasks = list(running.values())
            for task in tasks:
                task.cancel()
            await asyncio.gather(heartbeat, *tasks, return_exceptions=True)
            with contextlib.suppress(Exception):  # posts already sent are recorded, not sent again
                async with asyncio.timeout(5):
                    await self._marks.join()
            await self._give_back([row for queue in lanes.values() for row in queue])

    async def _give_back(self, rows: Collection[OutboxRow]) -> None:
        """At shutdown: rows claimed but not started are due again at once (for a replica or a restart)."""
        if not rows:
            return
        try:
            async with asyncio.timeout(5):
                for row in rows:
                    await self.store.release(row.id, row.next_attempt_at, owner=self.owner)
        except Exception:  # their leases run out instead
            log.warning("outbox: %d claimed rows not given back at shutdown", len(rows))

    async def _renew(self, held: dict[int, float]) -> None:
        """Keep the leases of the unfinished rows alive while they wait or are sent."""
        while True:
            await asyncio.sleep(self.lease / 3)
            try:
                snapshot, asked_at = set(held), time.monotonic()
                kept = await self.store.renew_leases(self.owner, snapshot, now=self.clock(), lease=self.lease)
            except Exception:
                log.exception("outbox: renewing leases failed; retrying")
                continue
            for row_id in kept & held.keys():
                held[row_id] = asked_at
            lost = (snapshot - kept) & held.keys()  # rows finished meanwhile are not lost
            for row_id in lost:
                held[row_id] = -math.inf  # not sent: the check before a send asks the database
            if lost:
                log.warning("outbox: leases on rows %s passed to another worker", sorted(lost))

    async def drain(self, *, timeout: float = 30.0, horizon: float = 5.0) -> dict[str, int]:
        """Deliver until nothing is due within ``horizon`` seconds (demo, imports, tests)."""
        totals: dict[str, int] = {}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            counts = await self.run_once()
            for key, value in counts.items():
                totals[key] = totals.get(key, 0) + value
            if counts and set(counts) != {"deferred"}:
                continue
            next_due = await self.store.next_due()
            if next_due is None or next_due > self.clock() + timedelta(seconds=horizon):
                break
            await asyncio.sleep(0.05)
        return totals
