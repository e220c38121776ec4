"""Which stored message a pasted link names, for every platform whose links carry the message's
identity (platform-neutral callers such as ``/kakehashi route LINK`` use this, not a platform's
converter)."""

from __future__ import annotations

from adapters.slack import convert as slack_convert


def message_key_end(link: str) -> tuple[str, str] | None:
    """``(platform, end of the message key)`` a link names, or None when no platform's link form
    matches. Slack: ``…/archives/C123/p1700000000000100`` names ``…:C123:1700000000.000100``."""
    ref = slack_convert.archive_ref(link)
    if ref is not None:
        return slack_convert.PLATFORM, f":{ref[0]}:{ref[1]}"
    return None
