"""Microsoft Teams: ``POST /api/messages`` through botbuilder's CloudAdapter, and the TeamsSink.

Environment: ``MICROSOFT_APP_ID``, ``MICROSOFT_APP_PASSWORD``, ``MICROSOFT_APP_TENANT_ID``,
``MICROSOFT_APP_TYPE`` (SingleTenant, the default, | MultiTenant).  An empty app id turns Bot Framework
authentication off, so the plugin refuses to start without one unless ``KAKEHASHI_ENV=dev``
(then it warns loudly on every start).  Setup: README.md, "Set up Microsoft Teams".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web
from botbuilder.core import serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from botbuilder.schema.teams import TeamsChannelData
from botframework.connector.auth import AuthenticateRequestResult

from adapters.teams.shape import check_activity
from adapters.teams.sink import TeamsSink
from bot.chat.admins import is_user_id
from bot.core.domain import Sink
from bot.core.errors import AuthenticationError, PayloadError, SettingsError
from bot.core.payload import parse_json_object
from bot.core.storable import clean_json
from bot.core.texts import t
from bot.platforms.http import read_body
from bot.platforms.teams.bot import INBOUND_JSON, TeamsBot
from bot.platforms.teams.checks import TeamsChecks
from bot.platforms.teams.directory import TeamsDirectory
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.pipeline.services import Services
    from rules import RuleSet

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
        self.checks = TeamsChecks(directory=self.directory, health=app.health)
        self.bot = TeamsBot(
            app=app,
            directory=self.directory,
            sink=self.sink,
            spawn=self._spawn,
            learned=lambda: self.checks.run(app.rules.current),
        )

    def sinks(self) -> dict[str, Sink]:
        return {"teams": self.sink}

    def mount(self, web_app: web.Application) -> None:
        web_app.router.add_post(ROUTE, self.handle)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Bot Framework's endpoint: 401 before anything else when unauthenticated (also when the token
        cannot be verified because Bot Framework's signing keys are unreachable), 400 for bad JSON.

        What ``CloudAdapter.process`` does, in two steps so that every way a token can fail
        (botbuilder raises ``PermissionError``, PyJWT errors, a bare ``Exception``, ``IndexError``
        or ``KeyError`` for garbled ones) is a 401, while an error processing an authenticated
        activity stays what it is."""
        if self.authenticated and not request.headers.get("Authorization"):
            raise AuthenticationError("missing Authorization header")
        if "application/json" not in request.headers.get("Content-Type", ""):
            raise PayloadError("expected Content-Type: application/json")
        # NUL and lone surrogates out at once: they would fail in URLs and names sent back to Teams
        body = clean_json(parse_json_object(await read_body(request)))
        if not isinstance(body.get("type"), str) or not body["type"]:
            raise PayloadError("expected an Activity object with a type")
        check_activity(body)
        try:  # what CloudAdapter.process does; a bad field there would be a 500
            activity = Activity().deserialize(body)
        except Exception as exc:
            raise PayloadError(f"malformed Activity: {exc}") from None
        if body.get("channelData") is not None:
            try:  # botbuilder's Teams handlers read it later, the same way
                TeamsChannelData().deserialize(body["channelData"])
            except Exception as exc:
                raise PayloadError(f"channelData: malformed: {exc}") from None
        auth = await self._authenticate(activity, request.headers.get("Authorization", ""))
        token = INBOUND_JSON.set(body)
        try:
            invoke_response = await self.adapter.process_activity(auth, activity, self.bot.on_turn)
        finally:
            INBOUND_JSON.reset(token)
        if invoke_response:
            return web.json_response(
                data=serializer_helper(invoke_response.body), status=invoke_response.status
            )
        return web.Response(status=201)

    async def _authenticate(self, activity: Activity, header: str) -> AuthenticateRequestResult:
        """botbuilder's own token validation; any failure of it is a 401, never a 500."""
        try:
            return await self.adapter.bot_framework_authentication.authenticate_request(activity, header)
        except PermissionError as exc:  # botbuilder's "not valid" (an OSError, unlike the ones below)
            log.info("Teams token refused by botbuilder: %s", exc)
            raise AuthenticationError("invalid Bot Framework token") from None
        except OSError as exc:  # requests' errors: botbuilder fetches Bot Framework's signing keys
            # A token that cannot be verified is not a valid one: 401, never processed.  The
            # operator learns the real cause from this log line.
            log.error("cannot validate a Teams token: Bot Framework OpenID metadata unreachable: %s", exc)
            raise AuthenticationError(
                "invalid Bot Framework token (its signing keys could not be fetched to verify it)"
            ) from None
        except Exception as exc:  # authenticate_request returns only for a token it verified
            log.info("Teams token refused by botbuilder: %s: %s", type(exc).__name__, exc)
            raise AuthenticationError("invalid Bot Framework token") from None

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

    def _check_admins(self, rules: RuleSet) -> None:
        """Teams matches admins by user id or AAD object id; a name in ``admins`` is reported."""
        self.app.health.clear("teams:admin:")
        for entry in rules.admins:
            if not is_user_id(entry):
                self.app.health.report(
                    f"teams:admin:{entry}",
                    f"rules.yaml admins: {entry!r} is not a Teams user id or AAD object id, so it makes "
                    "nobody an admin on Teams (display names are not unique); write the AAD object id "
                    "(Entra ID → Users → Object ID)",
                )

    def _on_reload(self, rules: RuleSet) -> None:
        self._check_admins(rules)
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no loop (a reload outside the server): the next start checks
            return
        self._spawn(self.checks.run(rules))

    async def start(self) -> None:
        self._check_admins(self.app.rules.current)
        await self.checks.run(self.app.rules.current)
        self.app.rules.on_reload(self._on_reload)
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
            raise SettingsError.of("settings.teams_no_app_id")
        log.warning(
            "Teams: MICROSOFT_APP_ID is empty and KAKEHASHI_ENV=dev: Bot Framework authentication is OFF"
        )
    elif not settings.microsoft_app_password:
        log.warning(
            "Teams: MICROSOFT_APP_PASSWORD is empty: kakehashi cannot get a token to post, so the Bot "
            "Connector will refuse every card and answer (401). Set it to the Azure Bot's client secret"
        )
    return TeamsPlugin(app)
