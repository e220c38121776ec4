"""Server limits: a bound on handlers running at once, a deadline for request bodies, quiet hang-ups.

* At most ``max_concurrent`` requests are handled at once; beyond that a request gets 503 with
  ``Retry-After`` straight away (Slack, Teams and Discourse retry those) instead of queueing
  behind thousands of others.  ``/healthz`` and ``/metrics`` are never refused, so a load
  balancer still sees the process alive while it sheds load.
* A request body must arrive within ``body_timeout`` seconds (408 otherwise), so clients that
  send a byte now and then cannot hold the server.
* A client that hangs up before its answer is an INFO line, not an ERROR with a traceback.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

log = logging.getLogger("kakehashi.server")

ALWAYS_ANSWERED = frozenset({"/healthz", "/metrics"})
RETRY_AFTER_SECONDS = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    max_concurrent: int
    body_timeout: float


def limits_middleware(limits: Limits) -> Middleware:
    running = 0

    @web.middleware
    async def limit(request: web.Request, handler: Handler) -> web.StreamResponse:
        nonlocal running
        if request.path in ALWAYS_ANSWERED:
            return await handler(request)
        if running >= limits.max_concurrent:
            return web.json_response(
                {"error": "busy: too many requests at once, retry later"},
                status=503,
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        running += 1
        try:
            if request.body_exists:
                try:
                    await asyncio.wait_for(request.read(), limits.body_timeout)  # kept for the handler
                except TimeoutError:
                    log.info(
                        "%s %s: the body did not arrive within %.0fs; answered 408",
                        request.method,
                        request.path,
                        limits.body_timeout,
                    )
                    return web.json_response(
                        {"error": f"request body not received within {limits.body_timeout:.0f}s"},
                        status=408,
                        headers={"Connection": "close"},
                    )
            return await handler(request)
        except ConnectionResetError as exc:  # aiohttp's ClientConnectionResetError is one
            log.info("%s %s: the client hung up (%s)", request.method, request.path, exc or "reset")
            raise web.HTTPBadRequest(reason="client disconnected") from None
        finally:
            running -= 1

    return limit
