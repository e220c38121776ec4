"""Composition root: build every part from settings, start and stop them together."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.dispatcher import Dispatcher
from bot.domain import Sink
from bot.metrics import Metrics
from bot.outbox import Clock, OutboxWorker
from bot.reload import RulesHolder
from bot.settings import Settings
from storage.db import create_engine
from storage.migrate import upgrade
from storage.models import utcnow
from storage.store import Store

log = logging.getLogger("kakehashi")


class Plugin(Protocol):
    """A platform integration (Slack, Teams, Discourse, ...) plugged into the app.

    ``sinks`` are registered with the outbox; ``mount`` adds HTTP routes; ``start``/``stop``
    run background work (Socket Mode, pollers).
    """

    name: str

    def sinks(self) -> dict[str, Sink]: ...
    def mount(self, web_app: web.Application) -> None: ...
    async def start(self) -> None: ...
    async def stop(self) -> None: ...


PluginFactory = Callable[["App"], "Plugin | None"]


@dataclass
class App:
    settings: Settings
    engine: AsyncEngine
    store: Store
    rules: RulesHolder
    metrics: Metrics
    dispatcher: Dispatcher
    worker: OutboxWorker
    clock: Clock = utcnow
    plugins: list[Plugin] = field(default_factory=list)
    _tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)

    @classmethod
    async def build(
        cls,
        settings: Settings,
        *,
        sinks: dict[str, Sink] | None = None,
        plugins: list[PluginFactory] | None = None,
        migrate: bool = True,
        clock: Clock = utcnow,
    ) -> App:
        """Create the database (migrated), load rules, wire dispatcher, outbox and plugins.

        ``sinks`` override the plugins' sinks per platform (the demo sends everything to local
        files).  ``plugins`` defaults to every integration whose settings are present.
        """
        rules = RulesHolder(settings.rules_path)
        engine = create_engine(settings.database_url)
        if migrate:
            await upgrade(engine)
        store = Store(engine)
        metrics = Metrics()
        dispatcher = Dispatcher(store=store, rules=rules, metrics=metrics)
        worker = OutboxWorker(
            store=store,
            sinks={},
            rules=rules,
            metrics=metrics,
            # unique per process even when replicas were given the same KAKEHASHI_INSTANCE_ID
            owner=f"{settings.instance_id[:48]}.{uuid.uuid4().hex[:8]}",
            max_attempts=settings.outbox_max_attempts,
            lease=settings.outbox_lease,
            clock=clock,
        )
        app = cls(
            settings=settings,
            engine=engine,
            store=store,
            rules=rules,
            metrics=metrics,
            dispatcher=dispatcher,
            worker=worker,
            clock=clock,
        )
        if plugins is None:
            from bot.plugins import default_plugins

            plugins = default_plugins()
        for factory in plugins:
            plugin = factory(app)
            if plugin is not None:
                app.plugins.append(plugin)
                worker.sinks.update(plugin.sinks())
        if sinks:
            worker.sinks.update(sinks)
        return app

    def web_app(self) -> web.Application:
        from bot.server import make_web_app

        return make_web_app(self)

    async def start(self, *, worker: bool = True) -> None:
        for plugin in self.plugins:
            await plugin.start()
        if worker:
            self._tasks.append(
                asyncio.create_task(
                    self.worker.run_forever(self.settings.outbox_poll_interval), name="outbox"
                )
            )

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        for plugin in reversed(self.plugins):
            try:
                await plugin.stop()
            except Exception:
                log.exception("stopping %s failed", plugin.name)
        await self.engine.dispose()
