"""Periods, recaps, agendas, unanswered questions, charts and the scheduler that posts them. May import bot.pipeline and below."""
