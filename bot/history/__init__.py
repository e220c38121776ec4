"""Imports of past community history. May import bot.pipeline and below."""
