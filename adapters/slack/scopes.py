"""The Slack bot-token scopes kakehashi uses, in one place.

``kakehashi doctor`` compares them with the scopes Slack says the token has (the ``x-oauth-scopes``
header of ``auth.test``), ``tests/slack/test_blocks.py`` checks that the code calls no Web API
method missing here and that ``slack-manifest.yml`` grants them all.
"""

from __future__ import annotations

# Bot-token scope each Web API method needs (https://docs.slack.dev/reference/methods/<method>,
# "Required scopes"), by the slack_sdk method name; None: no scope (auth.test, chat.getPermalink)
# or the app-level token (apps.connections.open: connections:write, see README).
METHOD_SCOPES: dict[str, str | None] = {
    "apps_connections_open": None,
    "auth_test": None,
    "chat_getPermalink": None,
    "chat_delete": "chat:write",
    "chat_postEphemeral": "chat:write",
    "chat_postMessage": "chat:write",
    "chat_update": "chat:write",
    "conversations_history": "channels:history",
    "conversations_info": "channels:read",
    "conversations_join": "channels:join",
    "conversations_list": "channels:read",
    "conversations_open": "im:write",
    "conversations_replies": "channels:history",
    "files_upload_v2": "files:write",
    "users_info": "users:read",
    "users_list": "users:read",
}

# Scopes the events and the slash command need (https://docs.slack.dev/reference/events/<event>).
EVENT_SCOPES = frozenset({"channels:history", "groups:history", "reactions:read", "commands"})


def required_scopes() -> frozenset[str]:
    """Every scope the bot token needs: the methods', their private-channel (``groups:``) twins, events'."""
    methods = {scope for scope in METHOD_SCOPES.values() if scope}
    private = {
        s.replace("channels:", "groups:")
        for s in methods
        if s.startswith("channels:") and s != "channels:join"
    }
    return frozenset(methods | private | EVENT_SCOPES)


def missing_scopes(granted_header: str | None) -> list[str]:
    """What the token lacks, from Slack's comma-separated ``x-oauth-scopes`` header (sorted)."""
    granted = {s.strip() for s in (granted_header or "").split(",") if s.strip()}
    return sorted(required_scopes() - granted)
