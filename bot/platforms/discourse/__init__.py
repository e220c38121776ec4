"""Discourse: the webhook plugin and the polling source."""
