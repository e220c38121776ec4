"""Work that goes on after the platform got its ack: kept in the spool until it is done.

``within_budget`` runs an event's work; within ``budget`` nothing changes (its errors reach the
platform's error handler: an outage is a 503 the platform redelivers).  Past it the event is
written to the spool (``bot.pipeline.spool``, on disk before the ack), acked, and finished in the
background.  An outage there (``transient``: the database or the platform's API) leaves the event
in the spool, retried with backoff by the app's clock (``replay``, run every ``TICK`` seconds)
for as long as the outage lasts, and replayed at the next start if the process stops first: an
acked event is never dropped because retries ran out.  Any other failure is a bug or a payload
no retry fixes: logged with its traceback, kept in the spool and retried at the next start
(a ``PayloadError``, a payload nothing can read, is logged and dropped, as its 400 would be).

While events wait, ``/healthz`` says ``degraded`` with the count and
``kakehashi_after_ack_events{platform, state}`` counts them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from bot.core.errors import PayloadError
from bot.pipeline.health import Health
from bot.pipeline.metrics import Metrics
from bot.pipeline.spool import Entry, Spool
from storage.outage import unavailable as database_unavailable

log = logging.getLogger("kakehashi.after_ack")

RETRY_FIRST = 15.0  # seconds before the first retry of work an outage stopped; doubled each time
RETRY_MAX = 300.0  # at most this far apart, however long the outage
TICK = 5.0  # seconds between two looks for events due to be retried

Handler = Callable[[dict[str, Any]], Awaitable[None]]


class AfterAck:
    def __init__(
        self,
        *,
        platform: str,
        label: str,
        spool: Spool,
        handlers: dict[str, Handler],
        transient: Callable[[BaseException], bool],
        health: Health,
        metrics: Metrics,
        clock: Callable[[], datetime],
        on_done: Callable[[], None],
        budget: float,
    ) -> None:
        self.platform, self.label = platform, label
        self.spool = spool
        self.handlers = handlers
        self.transient = transient
        self.health, self.metrics, self.clock = health, metrics, clock
        self.on_done = on_done  # wake the outbox: the work enqueued posts
        self.budget = budget
        self.tasks: set[asyncio.Task[None]] = set()  # work finishing after its ack
        self._due: dict[int, tuple[datetime, int]] = {}  # entry id -> (retry at, retries so far)
        self._running: set[int] = set()
        self._replaying = asyncio.Lock()
        self._loop: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Replay what a previous process left (failed ones too: a new version may fix them)."""
        try:
            entries = await asyncio.to_thread(self.spool.open)
        except OSError as exc:  # an unwritable data folder: serve anyway, and say what is at risk
            self.health.report(
                f"{self.platform}:spool",
                f"{self.label}: cannot use the spool folder {self.spool.folder} ({exc.strerror or exc}): "
                "events acked before they were stored would be lost on a restart; set KAKEHASHI_DATA_DIR "
                "to a folder kakehashi can write",
            )
            entries = []
        now = self.clock()
        for entry in entries:
            self._due[entry.id] = (now, 0)
        self._report()
        # replayed in the background at once: a Web API that hangs must not hold the start
        self._loop = asyncio.create_task(self._run(), name=f"{self.platform}-after-ack")

    async def stop(self, grace: float) -> None:
        """Give work in flight ``grace`` seconds; what is left stays in the spool for next time."""
        if self._loop is not None:
            self._loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop
            self._loop = None
        await self.finish_pending(timeout=grace)
        for task in list(self.tasks):
            task.cancel()
        for task in list(self.tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await asyncio.to_thread(self.spool.close)

    async def finish_pending(self, timeout: float) -> bool:
        """Wait until the work acked before it finished is handled; False on timeout."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self.tasks:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return False
            await asyncio.wait(set(self.tasks), timeout=left)
        return True

    async def within_budget(self, kind: str, data: dict[str, Any], what: str) -> None:
        """Run the ``kind`` handler on ``data``; past the budget, spool the event and return."""
        task = asyncio.ensure_future(self.handlers[kind](data))
        done, _ = await asyncio.wait({task}, timeout=self.budget)
        if task in done:
            task.result()
            return
        log.info("%s %s: acked before the work was done; finishing it in the background", self.label, what)
        try:
            entry: Entry | None = await asyncio.to_thread(self.spool.add, kind, data)
        except OSError as exc:  # a full or read-only disk: finish in memory, and say it is at risk
            log.error(
                "%s %s: cannot keep it in the spool (%r); a restart now would lose it", self.label, what, exc
            )
            entry = None
        self._watch(task, entry, what)

    def _watch(self, task: asyncio.Future[None], entry: Entry | None, what: str) -> None:
        async def finish() -> None:
            try:
                await task
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                await self._failed(entry, what, exc)
                return
            if entry is not None:
                await self._done(entry)
            self.on_done()

        background = asyncio.create_task(finish(), name=f"{self.platform}-after-ack:{what}")
        self.tasks.add(background)
        background.add_done_callback(self.tasks.discard)

    async def _done(self, entry: Entry) -> None:
        self._due.pop(entry.id, None)
        try:
            await asyncio.to_thread(self.spool.done, entry.id)
        except OSError as exc:  # stored all the same; a replay at start would change nothing
            log.error(
                "%s: cannot cross out kept event #%d in %s: %r", self.label, entry.id, self.spool.path, exc
            )
        self._report()

    async def _failed(self, entry: Entry | None, what: str, exc: Exception) -> None:
        if entry is None:
            log.error(
                "%s %s failed after the ack and could not be kept: %r", self.label, what, exc, exc_info=exc
            )
            return
        if isinstance(exc, PayloadError):  # a payload no retry can read: as the 400 it would have had
            log.warning("%s %s refused after the ack: %s", self.label, what, exc)
            await self._done(entry)
            return
        if self.transient(exc):
            if database_unavailable(exc):  # /healthz says so now, not at its next check
                self.health.database_outage(exc.__class__.__name__)
            _, retries = self._due.get(entry.id, (self.clock(), 0))
            wait = min(RETRY_FIRST * 2**retries, RETRY_MAX)
            self._due[entry.id] = (self.clock() + timedelta(seconds=wait), retries + 1)
            log.log(
                logging.WARNING if retries == 0 else logging.DEBUG,  # one line per event, not per try
                "%s %s: unavailable after the ack (%s); kept in %s, retried in %.0f s",
                self.label,
                what,
                exc.__class__.__name__,
                self.spool.path,
                wait,
            )
        else:
            self._due.pop(entry.id, None)
            log.error(
                "%s %s failed after the ack: %r; kept in %s and retried at the next start",
                self.label,
                what,
                exc,
                self.spool.path,
                exc_info=exc,
            )
            await asyncio.to_thread(self.spool.fail, entry.id, f"{exc.__class__.__name__}: {exc}"[:500])
        self._report()

    async def replay(self) -> dict[str, int]:
        """Retry every kept event that is due; counts by outcome (``stored``, ``waiting``, ``failed``,
        ``refused``)."""
        counts: dict[str, int] = {}
        async with self._replaying:
            now = self.clock()
            entries = {entry.id: entry for entry in await asyncio.to_thread(self.spool.entries)}
            for entry_id, (due, _) in sorted(self._due.items()):
                entry = entries.get(entry_id)
                if entry is None or due > now or entry_id in self._running:
                    continue
                self._running.add(entry_id)
                try:
                    await self.handlers[entry.kind](entry.data)
                except Exception as exc:
                    outcome = (
                        "refused"
                        if isinstance(exc, PayloadError)
                        else "waiting"
                        if self.transient(exc)
                        else "failed"
                    )
                    await self._failed(entry, f"{entry.kind} (kept #{entry.id})", exc)
                else:
                    outcome = "stored"
                    await self._done(entry)
                    self.on_done()
                finally:
                    self._running.discard(entry_id)
                counts[outcome] = counts.get(outcome, 0) + 1
            self._report()
        if counts.get("stored"):
            log.info("%s: %d kept event(s) handled after an outage", self.label, counts["stored"])
        return counts

    async def _run(self) -> None:
        while True:
            try:
                await self.replay()
            except Exception:  # the spool file itself failed: say so, keep trying
                log.exception("%s: replaying kept events failed", self.label)
            await asyncio.sleep(TICK)

    def next_retry(self) -> datetime | None:
        """When the next kept event is due to be tried again (by the app's clock); None: none is."""
        return min((due for due, _ in self._due.values()), default=None)

    def counts(self) -> dict[str, int]:
        entries = self.spool.entries()
        failed = sum(1 for e in entries if e.failed is not None)
        return {"waiting": len(entries) - failed, "failed": failed}

    def _report(self) -> None:
        counts = self.counts()
        for state, count in counts.items():
            self.metrics.set("kakehashi_after_ack_events", count, platform=self.platform, state=state)
        key = f"{self.platform}:after-ack"
        parts = []
        if counts["waiting"]:
            parts.append(
                f"{counts['waiting']} acked event(s) waiting for the database or the {self.label} API "
                f"to be stored, kept in {self.spool.path} and retried"
            )
        if counts["failed"]:
            parts.append(
                f"{counts['failed']} acked event(s) failed (see the ERROR log), kept in "
                f"{self.spool.path} and retried at the next start"
            )
        self.health.waiting(key, f"{self.label}: {'; '.join(parts)}" if parts else None)
