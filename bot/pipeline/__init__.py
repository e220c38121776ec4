"""The message pipeline: dispatcher, outbox worker, rendering of reposts, the rules holder and metrics. May import bot.core and bot.settings."""
