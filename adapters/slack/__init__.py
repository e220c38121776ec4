"""Slack: pure conversions (``convert``, ``blocks``), name lookups (``directory``) and the sink."""
