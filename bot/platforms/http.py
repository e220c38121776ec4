"""What every HTTP endpoint does with a request body before its platform code sees it.

Raising is the whole interface: ``PayloadTooLargeError`` (413), ``PayloadError`` (400) and
``AuthenticationError`` (401) are turned into answers in one place, the server's
``answer_client_errors`` middleware (``bot.runtime.server``).
"""

from __future__ import annotations

from aiohttp import web

from bot.core.errors import PayloadTooLargeError

MAX_BODY = 4 * 1024 * 1024  # bytes: the server's own limit; an endpoint may ask for less


async def read_body(request: web.Request, *, limit: int = MAX_BODY) -> bytes:
    """The raw body, refused with 413 beyond ``limit`` bytes (before reading, when it says so)."""
    if (request.content_length or 0) > limit:
        raise PayloadTooLargeError(f"body: larger than {limit} bytes")
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise PayloadTooLargeError(f"body: larger than {limit} bytes") from None
    if len(body) > limit:
        raise PayloadTooLargeError(f"body: larger than {limit} bytes")
    return body
