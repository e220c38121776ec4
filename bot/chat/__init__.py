"""Platform-neutral chat commands and button/emoji actions. May import bot.reports and below."""
