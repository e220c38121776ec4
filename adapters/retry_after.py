"""``Retry-After`` (RFC 9110, 10.2.3): the one parser every platform client uses."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any


def header(headers: Mapping[str, Any] | Any, name: str) -> str | None:
    """A header's value whatever the mapping's case handling (httpx, aiohttp, slack_sdk's dict of
    lists, msrest's requests headers); None when absent."""
    if headers is None:
        return None
    try:
        items = dict(headers).items()
    except (TypeError, ValueError):
        return None
    for key, value in items:
        if str(key).lower() == name.lower():
            if isinstance(value, list | tuple):
                value = value[0] if value else None
            return None if value is None else str(value)
    return None


def retry_after_seconds(raw: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait: delta-seconds or an HTTP date; None when absent or unreadable (a
    non-finite or negative number is unreadable; a date in the past is 0)."""
    if raw is None or not raw.strip():
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        pass
    else:
        return max(seconds, 0.0) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)
