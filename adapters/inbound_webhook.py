"""The generic inbound webhook's message: validation and signature (pure).

``POST /hooks/inbound/{source}`` with a JSON object::

    {"id": "42", "text": "...", "author": "sato", "channel": "general",
     "link": "https://forum.example.com/t/42", "time": "2026-11-10T10:03:00+09:00",
     "author_id": "u-7", "thread_id": "40", "tags": ["bug"]}       # the last three optional

Signed with ``X-Kakehashi-Timestamp: <unix seconds>`` and
``X-Kakehashi-Signature: sha256=<hex HMAC-SHA256 of "{timestamp}.{raw body}">`` keyed with
``KAKEHASHI_INBOUND_SECRET``; a timestamp more than five minutes away from now is refused, so a
captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from datetime import UTC, datetime
from typing import Any

from bot.core.domain import InboundMessage
from bot.core.errors import PayloadError
from bot.core.storable import clean

MAX_SKEW = 300.0  # seconds
SOURCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MAX_TEXT = 40_000
MAX_BODY = 1024 * 1024  # bytes; bigger bodies are refused with 413


def parse_time(raw: Any) -> datetime:
    """ISO 8601 with a UTC offset (``Z`` too), or unix time in seconds or milliseconds (a
    number, or a string of digits)."""
    problem = PayloadError(f"time: expected ISO 8601 with a UTC offset or unix seconds, got {repr(raw)[:80]}")
    if isinstance(raw, str) and re.fullmatch(r"\d{9,13}(\.\d+)?", raw.strip()):
        raw = float(raw)
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if not 0 < raw < 1e14:  # also an int too large for a float (10**400: OverflowError)
            raise problem
        seconds = raw / 1000 if raw >= 1e11 else raw  # 1e11 s is the year 5138: milliseconds
        if not 0 < seconds < 1e11 or seconds != seconds:
            raise problem
        return datetime.fromtimestamp(seconds, UTC)
    if not isinstance(raw, str) or len(raw) > 64:
        raise problem
    try:
        created = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise problem from None
    if created.tzinfo is None:
        raise problem
    return created.astimezone(UTC)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def check_signature(
    secret: str, body: bytes, *, timestamp: str | None, signature: str | None, now: float
) -> str | None:
    """None when the request is authentic and fresh; otherwise why not (for the 401 answer)."""
    if not timestamp or not signature:
        return "missing X-Kakehashi-Timestamp or X-Kakehashi-Signature"
    if not (timestamp.isascii() and signature.isascii()):
        # Bytes that are not UTF-8 arrive as lone surrogates, other scripts' digits ("１７…")
        # would pass float(): neither is what sign() produced.
        return "X-Kakehashi-Timestamp / X-Kakehashi-Signature: expected ASCII"
    try:
        sent = float(timestamp)
    except ValueError:
        sent = math.nan
    if not math.isfinite(sent):  # "nan" compares false with everything: it would skip the check
        return "X-Kakehashi-Timestamp: expected unix seconds"
    if abs(now - sent) > MAX_SKEW:
        return "X-Kakehashi-Timestamp: older than 5 minutes (or in the future)"
    if not hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.strip().encode()):
        return "X-Kakehashi-Signature: does not match"
    return None


def _str(data: dict[str, Any], name: str, *, required: bool = True, limit: int = 255) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and name in ("id", "author_id", "thread_id"):
        value = str(value)
    if not isinstance(value, str) or (required and not value.strip()):
        got = "nothing" if value is None else type(value).__name__
        raise PayloadError(f"{name}: expected a non-empty string, got {got}")
    if len(value) > limit:
        raise PayloadError(f"{name}: longer than {limit} characters")
    value = clean(value)
    return value.strip() if name != "text" else value


def parse_message(source: str, data: Any) -> InboundMessage:
    """Validate the JSON message; ``PayloadError`` names the field that is wrong."""
    if not SOURCE_RE.match(source):
        raise PayloadError("source: expected letters, digits, '-', '_' or '.' (at most 64)")
    if not isinstance(data, dict):
        raise PayloadError("body: expected a JSON object")
    msg_id = _str(data, "id")
    text = _str(data, "text", limit=MAX_TEXT)
    author = _str(data, "author")
    _str(data, "channel")  # required and validated; the rules channel is the source itself
    link = _str(data, "link", limit=2000)
    if link and not link.startswith(("http://", "https://")):
        raise PayloadError("link: expected an http(s) URL")
    created = parse_time(data.get("time"))
    author_id = _str(data, "author_id", required=False) or author
    thread_id = _str(data, "thread_id", required=False)
    tags_raw = data.get("tags", [])
    if not isinstance(tags_raw, list) or not all(isinstance(t, str) for t in tags_raw):
        raise PayloadError("tags: expected a list of strings")
    key = f"{source}:{msg_id}"
    return InboundMessage(
        platform="webhook",
        key=key,
        # rules.yaml's {webhook: NAME} source matches the id; rules may also say channel "webhook:NAME".
        channel_id=source,
        channel=f"webhook:{source}",
        author_id=str(author_id),
        author=str(author),
        text=str(text),
        created_at=created,
        thread_key=f"{source}:{thread_id}" if thread_id and thread_id != msg_id else None,
        link=link,
        tags=tuple(clean(t).strip() for t in tags_raw if t.strip()),
        raw=data,
    )
