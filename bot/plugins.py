"""The platform integrations the app loads; each factory returns None when not configured.

A plugin is a module with ``def plugin(app: App) -> Plugin | None`` (see ``bot.app.Plugin``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import PluginFactory

# One line per integration, in start-up order.
PLUGIN_MODULES: tuple[str, ...] = (
    "bot.discourse_plugin",
    "bot.inbound_plugin",
    "bot.slack_plugin",
    "bot.teams_plugin",
    "bot.scheduler",
)


def default_plugins() -> list[PluginFactory]:
    return [importlib.import_module(name).plugin for name in PLUGIN_MODULES]
