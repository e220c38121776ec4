"""What features and plugins are handed: the few services they use, never the whole application.

``Services`` is built once by the composition root (``bot.runtime.app.App``) and handed to every
plugin factory and feature (commands, actions, reports).  ``Plugin`` is the seam a platform
integration implements.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from bot.core.domain import Sink
from bot.pipeline.dispatcher import Dispatcher
from bot.pipeline.health import Health
from bot.pipeline.metrics import Metrics
from bot.pipeline.outbox import Clock, OutboxWorker
from bot.pipeline.reload import RulesHolder
from bot.settings import Settings
from storage.store import Store

if TYPE_CHECKING:
    from aiohttp import web


@dataclass(frozen=True, slots=True, kw_only=True)
class Services:
    """The settings, the store, the rules holder, the dispatcher, the outbox worker (to wake it
    when rows were enqueued), the metrics, the clock and the health report (configuration
    problems plugins found)."""

    settings: Settings
    store: Store
    rules: RulesHolder
    metrics: Metrics
    dispatcher: Dispatcher
    worker: OutboxWorker
    clock: Clock
    health: Health = field(default_factory=Health)


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


PluginFactory = Callable[[Services], "Plugin | None"]
