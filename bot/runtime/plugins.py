"""The platform integrations the app loads; each factory returns None when not configured.

A plugin is a module with ``def plugin(services: Services) -> Plugin | None`` (see ``bot.pipeline.services.Plugin``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.pipeline.services import PluginFactory

# One line per integration, in start-up order.
PLUGIN_MODULES: tuple[str, ...] = (
    "bot.platforms.discourse.plugin",
    "bot.platforms.webhook",
    "bot.platforms.slack.plugin",
    "bot.platforms.teams.plugin",
    "bot.reports.scheduler",
)


def default_plugins() -> list[PluginFactory]:
    return [importlib.import_module(name).plugin for name in PLUGIN_MODULES]
