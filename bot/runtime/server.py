"""The aiohttp server behind ``kakehashi serve``: health, metrics and every platform endpoint."""

from __future__ import annotations

import logging
import time
from datetime import UTC
from typing import TYPE_CHECKING

from aiohttp import web
from aiohttp.typedefs import Handler
from sqlalchemy import text

from bot.pipeline.metrics import CONTENT_TYPE

if TYPE_CHECKING:
    from bot.runtime.app import App

log = logging.getLogger("kakehashi.server")

APP_KEY: web.AppKey[App] = web.AppKey("kakehashi_app")
# Degraded, not down (still 200): the process works, it just has nothing to listen to.
NO_PLATFORM = (
    "no platform configured: set SLACK_BOT_TOKEN, MICROSOFT_APP_ID, DISCOURSE_URL or "
    "KAKEHASHI_INBOUND_SECRET (kakehashi init, then kakehashi doctor)"
)


async def healthz(request: web.Request) -> web.Response:
    app = request.app[APP_KEY]
    try:
        async with app.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:
        return web.json_response({"status": "error", "database": str(exc)}, status=503)
    platforms = [plugin.name for plugin in app.plugins]
    reasons = []
    if not [name for name in platforms if name != "scheduler"]:
        reasons.append(NO_PLATFORM)
    return web.json_response(
        {
            "status": "degraded" if reasons else "ok",
            "rules": app.rules.current.digest[:12],
            "platforms": platforms,
            **({"reasons": reasons} if reasons else {}),
        }
    )


async def metrics(request: web.Request) -> web.Response:
    app = request.app[APP_KEY]
    for status, count in (await app.store.outbox_counts()).items():
        app.metrics.set("kakehashi_outbox_rows", count, status=status)
    oldest = await app.store.oldest_pending_at()
    if oldest is not None and oldest.tzinfo is None:  # SQLite hands back naive UTC
        oldest = oldest.replace(tzinfo=UTC)
    age = (app.clock() - oldest).total_seconds() if oldest is not None else 0.0
    app.metrics.set("kakehashi_outbox_oldest_pending_seconds", max(age, 0.0))
    body = app.metrics.render()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


@web.middleware
async def count_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    """``kakehashi_requests_total`` by route (``/hooks/inbound/{source}``, not each source) and status."""
    resource = request.match_info.route.resource
    endpoint = resource.canonical if resource is not None else "(no route)"
    metrics = request.app[APP_KEY].metrics
    started = time.perf_counter()
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        metrics.inc("kakehashi_requests_total", endpoint=endpoint, status=str(exc.status))
        raise
    except Exception:
        metrics.inc("kakehashi_requests_total", endpoint=endpoint, status="500")
        raise
    finally:
        metrics.observe("kakehashi_request_seconds", time.perf_counter() - started, endpoint=endpoint)
    metrics.inc("kakehashi_requests_total", endpoint=endpoint, status=str(response.status))
    return response


def make_web_app(app: App) -> web.Application:
    web_app = web.Application(client_max_size=4 * 1024 * 1024, middlewares=[count_requests])
    web_app[APP_KEY] = app
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/metrics", metrics)
    for plugin in app.plugins:
        plugin.mount(web_app)
    return web_app
