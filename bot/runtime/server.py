"""The aiohttp server behind ``kakehashi serve``: health, metrics, every platform endpoint and,
when ``DASHBOARD_TOKEN`` is set, the shared dashboard (``bot.runtime.dashboard``)."""

from __future__ import annotations

import logging
import time
from datetime import UTC
from typing import TYPE_CHECKING, Any

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.core.errors import AuthenticationError, PayloadError, PayloadTooLargeError
from bot.pipeline.metrics import CONTENT_TYPE
from bot.platforms.http import MAX_BODY
from bot.runtime.limits import Limits, limits_middleware
from storage.outage import unavailable

if TYPE_CHECKING:
    from bot.runtime.app import App

log = logging.getLogger("kakehashi.server")

APP_KEY: web.AppKey[App] = web.AppKey("kakehashi_app")
# Degraded, not down (still 200): the process works, it just has nothing to listen to.
NO_PLATFORM = (
    "no platform configured: set SLACK_BOT_TOKEN, MICROSOFT_APP_ID, DISCOURSE_URL or "
    "KAKEHASHI_INBOUND_SECRET (kakehashi init, then kakehashi doctor)"
)


def health_answer(app: App, database: str | None) -> tuple[int, dict[str, Any]]:
    """``ok`` (200); ``degraded`` (200: serving, but a configuration problem needs fixing);
    ``error`` (503: the database cannot be read or written, or a part stopped).  ``database`` is
    the database watch's finding.  Reads only what is already known: safe from another thread
    (``bot.runtime.health_port``)."""
    body: dict[str, Any] = {
        "status": "ok",
        "rules": app.rules.current.digest[:12],
        "platforms": [plugin.name for plugin in app.plugins],
    }
    problems = app.services.health.problems()
    if database is not None:  # with what else waits (events acked during the outage, spooled)
        return 503, {
            **body,
            "status": "error",
            "database": database,
            **({"problems": problems} if problems else {}),
        }
    if not [plugin for plugin in app.plugins if plugin.name != "scheduler"]:
        problems.insert(0, NO_PLATFORM)
    if problems:
        body.update(status="degraded", problems=problems)
    if app.services.health.fatal:
        return 503, {**body, "status": "error"}
    return 200, body


async def healthz(request: web.Request) -> web.Response:
    app = request.app[APP_KEY]
    # the last background check (bot.runtime.database_watch): no database work here
    status, body = health_answer(app, await app.database_watch.problem())
    return web.json_response(body, status=status)


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


@web.middleware
async def answer_client_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The one place where what a client sent wrong becomes an answer: 401 for a request that does
    not authenticate, 413 for a body too large, 400 with the reason for a malformed one; each
    logged as a WARNING without a traceback; 503 with ``Retry-After`` when the database is down
    (the platform redelivers).  Anything else that escapes a handler is our own bug: aiohttp logs
    it with its traceback and answers 500."""
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
    except Exception as exc:
        if not unavailable(exc):
            raise
        request.app[APP_KEY].database_watch.outage(exc.__class__.__name__)
        return database_unavailable(request, exc)


DATABASE_RETRY_AFTER = 5  # seconds; Slack, Teams and Discourse redeliver on their own schedules too


def database_unavailable(request: web.Request, exc: BaseException) -> web.Response:
    """503 with ``Retry-After`` for a request the database could not take now (``storage.outage``):
    nothing was stored, and the platform sends the event again.  A WARNING, not a traceback."""
    log.warning(
        "%s %s: the database is unavailable (%s); answered 503 so the sender retries",
        request.method,
        request.path,
        exc.__class__.__name__,
    )
    return web.json_response(
        {"status": "unavailable", "error": "database unavailable, retry later"},
        status=503,
        headers={"Retry-After": str(DATABASE_RETRY_AFTER)},
    )


def make_web_app(app: App) -> web.Application:
    limits = Limits(
        max_concurrent=app.settings.max_concurrent_requests, body_timeout=app.settings.body_timeout
    )
    web_app = web.Application(
        client_max_size=MAX_BODY,
        middlewares=[count_requests, limits_middleware(limits), answer_client_errors],
    )
    web_app[APP_KEY] = app
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/metrics", metrics)
    for plugin in app.plugins:
        plugin.mount(web_app)
    if app.settings.dashboard_token:  # without a token there is no dashboard: its paths are 404
        from bot.runtime.dashboard import Dashboard

        Dashboard(app.services, token=app.settings.dashboard_token).mount(web_app)
    return web_app
