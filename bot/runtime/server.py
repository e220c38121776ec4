"""The aiohttp server behind ``kakehashi serve``: health, metrics and every platform endpoint."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiohttp import web
from aiohttp.typedefs import Handler
from sqlalchemy import text

from bot.pipeline.metrics import CONTENT_TYPE
from bot.runtime.limits import Limits, limits_middleware

if TYPE_CHECKING:
    from bot.runtime.app import App

log = logging.getLogger("kakehashi.server")

APP_KEY: web.AppKey[App] = web.AppKey("kakehashi_app")


async def healthz(request: web.Request) -> web.Response:
    app = request.app[APP_KEY]
    try:
        async with app.probe_engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:
        return web.json_response({"status": "error", "database": str(exc)}, status=503)
    problems = app.health.problems
    if problems:
        return web.json_response({"status": "error", "problems": dict(problems)}, status=503)
    return web.json_response(
        {
            "status": "ok",
            "rules": app.rules.current.digest[:12],
            "platforms": [plugin.name for plugin in app.plugins],
        }
    )


async def metrics(request: web.Request) -> web.Response:
    app = request.app[APP_KEY]
    for status, count in (await app.store.outbox_counts()).items():
        app.metrics.set("kakehashi_outbox_rows", count, status=status)
    body = app.metrics.render()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


@web.middleware
async def count_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    """``kakehashi_requests_total`` by route (``/hooks/inbound/{source}``, not each source) and status."""
    resource = request.match_info.route.resource
    endpoint = resource.canonical if resource is not None else "(no route)"
    metrics = request.app[APP_KEY].metrics
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        metrics.inc("kakehashi_requests_total", endpoint=endpoint, status=str(exc.status))
        raise
    except Exception:
        metrics.inc("kakehashi_requests_total", endpoint=endpoint, status="500")
        raise
    metrics.inc("kakehashi_requests_total", endpoint=endpoint, status=str(response.status))
    return response


def make_web_app(app: App) -> web.Application:
    limits = Limits(
        max_concurrent=app.settings.max_concurrent_requests, body_timeout=app.settings.body_timeout
    )
    web_app = web.Application(
        client_max_size=4 * 1024 * 1024, middlewares=[count_requests, limits_middleware(limits)]
    )
    web_app[APP_KEY] = app
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/metrics", metrics)
    for plugin in app.plugins:
        plugin.mount(web_app)
    return web_app
