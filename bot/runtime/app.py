"""Composition root: build every part from settings, start and stop them together."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.domain import Sink
from bot.pipeline.admin_notices import AdminNotices
from bot.pipeline.dispatcher import Dispatcher
from bot.pipeline.health import Health
from bot.pipeline.metrics import Metrics
from bot.pipeline.outbox import Clock, OutboxWorker
from bot.pipeline.reload import RulesHolder
from bot.pipeline.services import Plugin, PluginFactory, Services
from bot.runtime.database_watch import DatabaseWatch
from bot.settings import Settings
from storage.db import create_engine
from storage.migrate import upgrade
from storage.models import utcnow
from storage.store import Store

log = logging.getLogger("kakehashi")


@dataclass
class App:
    """The composition root: every part built from settings; plugins and features get ``services``."""

    services: Services
    settings: Settings
    engine: AsyncEngine
    store: Store
    rules: RulesHolder
    metrics: Metrics
    dispatcher: Dispatcher
    worker: OutboxWorker
    clock: Clock = utcnow
    health: Health = field(default_factory=Health)
    plugins: list[Plugin] = field(default_factory=list)
    _tasks: list[asyncio.Task[Any]] = field(default_factory=list)

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
        store = Store(engine, clock=clock)
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
        health = Health()
        services = Services(
            settings=settings,
            health=health,
            store=store,
            rules=rules,
            metrics=metrics,
            dispatcher=dispatcher,
            worker=worker,
            clock=clock,
        )
        AdminNotices(services).attach()  # dead letters, health problems, failed reloads → admin_channel
        app = cls(
            services=services,
            settings=settings,
            engine=engine,
            store=store,
            rules=rules,
            metrics=metrics,
            dispatcher=dispatcher,
            worker=worker,
            clock=clock,
            health=health,
        )
        if plugins is None:
            from bot.runtime.plugins import default_plugins

            plugins = default_plugins()
        for factory in plugins:
            plugin = factory(services)
            if plugin is not None:
                app.plugins.append(plugin)
                worker.sinks.update(plugin.sinks())
        if sinks:
            worker.sinks.update(sinks)
        return app

    @functools.cached_property
    def probe_engine(self) -> AsyncEngine:
        """``/healthz``'s own connection to the database: it never queues behind busy handlers
        for the shared pool, so it says whether the database answers, not how busy the app is."""
        return create_engine(self.settings.database_url, pool_size=1, max_overflow=0)

    @functools.cached_property
    def database_watch(self) -> DatabaseWatch:
        """What ``/healthz`` says about the database, checked in the background once started."""
        watch = DatabaseWatch(engine=lambda: self.probe_engine, clock=self.clock)
        self.services.health.on_database_outage.append(watch.outage)
        return watch

    def web_app(self) -> web.Application:
        from bot.runtime.server import make_web_app

        return make_web_app(self)

    async def start(self, *, worker: bool = True, watch_rules: bool = True) -> None:
        for plugin in self.plugins:
            await plugin.start()
        if watch_rules:
            self._tasks.append(asyncio.create_task(self.rules.watch(), name="rules-watch"))
        await self.database_watch.check()  # known before the first /healthz, also on the health port
        self._tasks.append(asyncio.create_task(self.database_watch.run_forever(), name="database-watch"))
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
        self.rules.close()
        self.dispatcher.classifier.close()
        if "probe_engine" in self.__dict__:
            await self.probe_engine.dispose()
        await self.engine.dispose()
