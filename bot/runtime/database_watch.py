"""Whether the database answers a read and takes a write, known before anyone asks ``/healthz``.

``kakehashi serve`` checks every ``INTERVAL`` seconds in the background, over a connection of
its own (``App.probe_engine``: never queued behind busy handlers for the shared pool), so
``/healthz`` answers from the last result without touching the database: a load balancer's probe
gets its answer in milliseconds while the server is busy, and a slow or hung database cannot
hold it either.  A request that meets a database outage reports it at once (``outage``), so
``/healthz`` says so before the next check; the next check that succeeds clears it.

Without the background task (an app that was built but not started, as in tests), ``problem``
checks on the spot, as ``/healthz`` always did.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.store import Store

log = logging.getLogger("kakehashi.server")

BUDGET = 2.0  # seconds the database gets to answer a read and a write
INTERVAL = 2.0  # seconds between two checks


class DatabaseWatch:
    def __init__(self, *, engine: Callable[[], AsyncEngine], clock: Callable[[], object]) -> None:
        self._engine = engine  # the probe engine, created on first use
        self._clock = clock
        self._store: Store | None = None
        self._problem: str | None = None
        self._checked: float | None = None  # time.monotonic() of the last result
        self._running = False
        self._inflight: asyncio.Future[str | None] | None = None

    async def problem(self) -> str | None:
        """None when the database works, else what fails (never its host, port or driver text)."""
        if not self._running or self._checked is None:
            return await self.check()
        if time.monotonic() - self._checked > BUDGET + 2 * INTERVAL:  # the check itself is stuck
            return f"no answer within {BUDGET:.0f} s"
        return self._problem

    def cached(self) -> str | None:
        """What the last background check found, without checking (safe from another thread)."""
        if self._checked is None:
            return "not checked yet"
        if self._running and time.monotonic() - self._checked > BUDGET + 2 * INTERVAL:
            return f"no answer within {BUDGET:.0f} s"
        return self._problem

    def outage(self, what: str) -> None:
        """A request just met an outage (``storage.outage``): say so until a check succeeds."""
        self._problem = f"unreachable or refusing writes: {what}"
        self._checked = time.monotonic()

    async def check(self) -> str | None:
        """Check now; callers arriving meanwhile share the check in flight."""
        if self._inflight is None:
            self._inflight = asyncio.ensure_future(self._check())
        inflight = self._inflight
        try:
            return await asyncio.shield(inflight)
        finally:
            if inflight.done() and self._inflight is inflight:
                self._inflight = None

    async def _check(self) -> str | None:
        step = "unreachable"
        engine = self._engine()
        if self._store is None:
            self._store = Store(engine)
        try:
            async with asyncio.timeout(BUDGET):
                async with engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
                step = "writes fail (disk full or read-only?)"
                await self._store.set_cursor("healthz:write-probe", str(self._clock()))
            problem = None
        except TimeoutError:
            log.warning("healthz: the database did not answer within %.0f s (%s)", BUDGET, step)
            problem = f"no answer within {BUDGET:.0f} s"
        except Exception as exc:
            log.warning("healthz: database %s: %r", step, exc)
            problem = f"{step}: {exc.__class__.__name__}"
        self._problem, self._checked = problem, time.monotonic()
        return problem

    async def run_forever(self, interval: float = INTERVAL) -> None:
        self._running = True
        try:
            while True:
                await self.check()
                await asyncio.sleep(interval)
        finally:
            self._running = False
