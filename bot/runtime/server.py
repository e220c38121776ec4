"""The aiohttp server behind ``kakehashi serve``: health, metrics and every platform endpoint."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiohttp import web
from aiohttp.typedefs import Handler
from sqlalchemy import text

from bot.core.errors import AuthenticationError, PayloadError, PayloadTooLargeError
from bot.pipeline.metrics import CONTENT_TYPE
from bot.platforms.http import MAX_BODY

if TYPE_CHECKING:
    from bot.runtime.app import App

log = logging.getLogger("kakehashi.server")

APP_KEY: web.AppKey[App] = web.AppKey("kakehashi_app")


async def healthz(request: web.Request) -> web.Response:
    app = request.app[APP_KEY]
    try:
        async with app.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:
        return web.json_response({"status": "error", "database": str(exc)}, status=503)
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


@web.middleware
async def answer_client_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The one place where what a client sent wrong becomes an answer: 401 for a request that does
    not authenticate, 413 for a body too large, 400 with the reason for a malformed one; each
    logged as a WARNING without a traceback.  Anything else that escapes a handler is our own bug:
    aiohttp logs it with its traceback and answers 500."""
    endpoint = request.path
    try:
        return await handler(request)
    except AuthenticationError as exc:
        log.warning("%s %s refused (401): %s", request.method, endpoint, exc)
        return web.json_response({"status": "unauthorized", "error": str(exc)}, status=401)
    except PayloadTooLargeError as exc:
        log.warning("%s %s refused (413): %s", request.method, endpoint, exc)
        return web.json_response({"status": "too_large", "error": str(exc)}, status=413)
    except PayloadError as exc:
        log.warning("%s %s refused (400): %s", request.method, endpoint, exc)
        return web.json_response({"status": "bad_request", "error": str(exc)}, status=400)


def make_web_app(app: App) -> web.Application:
    web_app = web.Application(client_max_size=MAX_BODY, middlewares=[count_requests, answer_client_errors])
    web_app[APP_KEY] = app
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/metrics", metrics)
    for plugin in app.plugins:
        plugin.mount(web_app)
    return web_app
