"""One folder per platform (Slack, Teams, Discourse) and the inbound webhook: wiring between adapters/ and the pipeline. May import bot.chat and below."""
