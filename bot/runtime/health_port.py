"""``/healthz`` on ``KAKEHASHI_HEALTH_PORT`` as well, answered by a thread with an event loop of its own.

On the main port a health probe queues behind whatever the event loop already has in hand: when
2,000 clients connect at once, the probe's connection is accepted and read after theirs (the
kernel's accept queue and the loop's ready queue are both first come, first served), which on a
busy machine takes seconds, although each request is cheap.  On its own port and loop the probe
waits for nothing but the interpreter lock, which the main thread hands over every 5 ms.  The
answer is the main port's (``bot.runtime.server.health_answer``) from what is already known: the
background database check (``bot.runtime.database_watch``) and the problems plugins reported.
Point the load balancer's or Kubernetes' probes at this port.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import TYPE_CHECKING

from aiohttp import web

from bot.core.errors import SettingsError
from bot.runtime.server import health_answer

if TYPE_CHECKING:
    from bot.runtime.app import App

log = logging.getLogger("kakehashi.server")


class HealthPort:
    def __init__(self, app: App, *, host: str, port: int) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._failed: OSError | None = None
        self._stopped: asyncio.Event | None = None

    async def _healthz(self, request: web.Request) -> web.Response:
        status, body = health_answer(self.app, self.app.database_watch.cached())
        return web.json_response(body, status=status)

    def start(self) -> None:
        """Listen (blocks until the port is bound); ``SettingsError`` when it cannot be."""
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), name="healthz", daemon=True)
        self._thread.start()
        ready.wait(30)
        if self._failed is not None:
            raise SettingsError.of(
                "settings.health_port",
                port=self.port,
                host=self.host,
                error=self._failed.strerror or self._failed,
            )
        log.info("/healthz also on http://%s:%d (a thread of its own)", self.host, self.port)

    def _run(self, ready: threading.Event) -> None:
        loop = self._loop = asyncio.new_event_loop()
        web_app = web.Application()
        web_app.router.add_get("/healthz", self._healthz)
        runner = web.AppRunner(web_app, handle_signals=False, access_log=None)

        async def serve() -> None:
            await runner.setup()
            try:
                await web.TCPSite(runner, self.host, self.port).start()
            except OSError as exc:
                self._failed = exc
                return
            finally:
                ready.set()
            self._stopped = asyncio.Event()
            await self._stopped.wait()

        try:
            loop.run_until_complete(serve())
            loop.run_until_complete(runner.cleanup())
        finally:
            loop.close()

    def stop(self) -> None:
        if self._loop is not None and self._stopped is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stopped.set)
        if self._thread is not None:
            self._thread.join(10)
