"""Microsoft Teams: ``POST /api/messages`` through botbuilder's CloudAdapter, and the TeamsSink.

Environment: ``MICROSOFT_APP_ID``, ``MICROSOFT_APP_PASSWORD``, ``MICROSOFT_APP_TENANT_ID``,
``MICROSOFT_APP_TYPE`` (SingleTenant, the default, | MultiTenant).  An empty app id turns Bot Framework
authentication off, so the plugin refuses to start without one unless ``KAKEHASHI_ENV=dev``
(then it warns loudly on every start).  Setup: README.md, "Set up Microsoft Teams".
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jwt
from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity

from adapters.teams.sink import TeamsSink
from bot.core.domain import Sink
from bot.core.errors import PayloadError, SettingsError
from bot.core.texts import t
from bot.platforms.teams.bot import INBOUND_JSON, TeamsBot
from bot.platforms.teams.directory import TeamsDirectory
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.pipeline.services import Services

log = logging.getLogger("kakehashi.teams")

ROUTE = "/api/messages"


@dataclass(frozen=True, slots=True)
class BotFrameworkConfig:
    """What ``ConfigurationBotFrameworkAuthentication`` reads (its attribute names)."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str | None


def auth_config(settings: Settings) -> BotFrameworkConfig:
    return BotFrameworkConfig(
        APP_ID=settings.microsoft_app_id or "",
        APP_PASSWORD=settings.microsoft_app_password or "",
        # no app id (KAKEHASHI_ENV=dev, authentication off): botbuilder's SingleTenant insists on one
        APP_TYPE=settings.microsoft_app_type if settings.microsoft_app_id else "MultiTenant",
        APP_TENANTID=settings.microsoft_app_tenant_id,
    )


class TeamsPlugin:
    name = "teams"

    def __init__(self, app: Services, *, auth: Any = None) -> None:
        settings = app.settings
        self.app = app
        self.app_id = settings.microsoft_app_id or ""
        self.authenticated = bool(self.app_id)
        self.adapter = CloudAdapter(auth or ConfigurationBotFrameworkAuthentication(auth_config(settings)))
        self.directory = TeamsDirectory(app.store)
        self._tasks: set[asyncio.Task[None]] = set()
        self.sink = TeamsSink(
            adapter=self.adapter,
            app_id=self.app_id,
            resolve=self.directory.resolve,
            departments=lambda: [(name, dept.label) for name, dept in app.rules.current.departments.items()],
            labels=lambda locale: {
                "forward.choose": t(locale, "teams.forward.choose"),
                "forward.send": t(locale, "teams.forward.send"),
            },
        )
        self.bot = TeamsBot(app=app, directory=self.directory, sink=self.sink, spawn=self._spawn)

    def sinks(self) -> dict[str, Sink]:
        return {"teams": self.sink}

    def mount(self, web_app: web.Application) -> None:
        web_app.router.add_post(ROUTE, self.handle)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Bot Framework's endpoint: 401 before anything else when unauthenticated (also when the token
        cannot be verified because Bot Framework's signing keys are unreachable), 400 for bad JSON."""
        if self.authenticated and not request.headers.get("Authorization"):
            return web.json_response({"error": "missing Authorization header"}, status=401)
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.json_response({"error": "expected Content-Type: application/json"}, status=400)
        try:
            body = json.loads(await request.text())
        except (ValueError, UnicodeDecodeError) as exc:
            return web.json_response({"error": f"malformed JSON: {exc}"}, status=400)
        if not isinstance(body, dict) or not isinstance(body.get("type"), str) or not body["type"]:
            return web.json_response({"error": "expected an Activity object with a type"}, status=400)
        try:  # what CloudAdapter.process will do; a bad field there would be a 500
            Activity().deserialize(body)
        except Exception as exc:
            return web.json_response({"error": f"malformed Activity: {exc}"}, status=400)
        token = INBOUND_JSON.set(body)
        try:
            response = await self.adapter.process(request, self.bot)
        except (web.HTTPUnauthorized, jwt.PyJWTError):  # botbuilder lets PyJWT's DecodeError escape
            log.warning("Teams request refused: invalid Bot Framework token")
            return web.json_response({"error": "invalid Bot Framework token"}, status=401)
        except PayloadError as exc:
            log.warning("Teams activity refused: %s", exc)
            return web.json_response({"error": str(exc)}, status=400)
        except OSError as exc:  # requests' errors: botbuilder fetches Bot Framework's signing keys
            # A token that cannot be verified is not a valid one: 401, never processed.  The
            # operator learns the real cause from this log line.
            log.error("cannot validate a Teams token: Bot Framework OpenID metadata unreachable: %s", exc)
            return web.json_response(
                {"error": "invalid Bot Framework token (its signing keys could not be fetched to verify it)"},
                status=401,
            )
        finally:
            INBOUND_JSON.reset(token)
        return response or web.Response(status=200)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)

        def done(finished: asyncio.Task[None]) -> None:
            self._tasks.discard(finished)
            if not finished.cancelled() and finished.exception() is not None:
                log.error("Teams background reply failed", exc_info=finished.exception())

        task.add_done_callback(done)

    async def idle(self) -> None:
        """Wait for background replies (slow commands) to finish."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def start(self) -> None:
        if not self.authenticated:
            log.warning(
                "!!! TEAMS AUTHENTICATION IS OFF: MICROSOFT_APP_ID is empty and KAKEHASHI_ENV=dev. Anyone who can "
                "reach %s can post as Teams. Never run like this in production. !!!",
                ROUTE,
            )

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)


def plugin(app: Services) -> TeamsPlugin | None:
    settings = app.settings
    if not settings.microsoft_app_id:
        wants_teams = (
            settings.microsoft_app_password is not None or settings.microsoft_app_tenant_id is not None
        )
        if not settings.dev and not wants_teams:
            return None
        if not settings.dev:
            raise SettingsError(
                "MICROSOFT_APP_ID is empty: that turns Bot Framework authentication off. Set MICROSOFT_APP_ID "
                "(and MICROSOFT_APP_PASSWORD), or set KAKEHASHI_ENV=dev to run unauthenticated on purpose"
            )
        log.warning(
            "Teams: MICROSOFT_APP_ID is empty and KAKEHASHI_ENV=dev: Bot Framework authentication is OFF"
        )
    elif not settings.microsoft_app_password:
        log.warning(
            "Teams: MICROSOFT_APP_PASSWORD is empty: kakehashi cannot get a token to post, so the Bot "
            "Connector will refuse every card and answer (401). Set it to the Azure Bot's client secret"
        )
    return TeamsPlugin(app)
