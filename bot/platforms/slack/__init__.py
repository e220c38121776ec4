"""Slack: the bolt app plugin and the connection (auth.test, Socket Mode)."""
