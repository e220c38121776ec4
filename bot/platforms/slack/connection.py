"""The connection to one Slack workspace: who the bot is (``auth.test``) and Socket Mode.

Everything here needs only the environment: ``SLACK_BOT_TOKEN``, ``SLACK_API_URL`` (every Web API
call goes there) and, for Socket Mode, ``SLACK_APP_TOKEN``.  A Web API that does not answer yet
is a log line, not a crash; a Socket Mode token Slack refuses is one ``SettingsError``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

import aiohttp
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.directory import api_error, is_transient
from bot.core.errors import SettingsError

log = logging.getLogger("kakehashi.slack")

IDENTIFY_INTERVAL = 30.0
REFUSED_GRACE = 2.0  # seconds between a refused token and closing Socket Mode (acks in flight)
# Web API errors that mean the token itself is gone: asking again can never work
# (https://docs.slack.dev/reference/methods/auth.test#errors)
REVOKED_ERRORS = frozenset(
    {"invalid_auth", "token_revoked", "token_expired", "account_inactive", "not_authed"}
)


class WatchedWebClient(AsyncWebClient):
    """The Web API client, telling ``on_refused`` when Slack answers that the token is no good."""

    on_refused: Callable[[str, str], None] | None = None
    pooled = True  # False: a session per call (slack_sdk's default), for the client Bolt copies

    async def api_call(self, api_method: str, **kwargs: Any) -> Any:  # type: ignore[override]
        if self.pooled and (self.session is None or self.session.closed):
            # one pooled session for every call (slack_sdk opens and closes a session per call
            # when it is given none: a new TCP connection per post, lookup and permalink)
            self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        try:
            return await super().api_call(api_method, **kwargs)
        except SlackApiError as exc:
            error = api_error(exc)
            if error in REVOKED_ERRORS and self.on_refused is not None:
                self.on_refused(api_method, error)
            raise


class _ClientGivenNotice(logging.Filter):
    """Bolt reads ``SLACK_BOT_TOKEN`` from the environment by itself and, since kakehashi hands it a
    ready client (for ``SLACK_API_URL``) and an ``authorize``, warns at every start that the token
    "will be unused" / "will be ignored".  The client carries that same token, so the warning only
    alarms whoever reads the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith("Failed to connect (error:"):
            # Socket Mode retrying every few seconds: one line each time, not a traceback
            record.exc_info = None
            record.exc_text = None
        return "`token` will be unused" not in message and "will be ignored" not in message


def web_client(token: str, api_url: str | None, *, pooled: bool = True) -> WatchedWebClient:
    """A Web API client that fails at once when Slack cannot be reached (no hidden retries with
    back-off inside a call: an event handler would wait them out before its ack; the outbox and
    Slack's redelivery retry instead).

    ``pooled``: its calls share one HTTP session.  Bolt gets an unpooled one: it hands each
    listener a copy of its client sharing that client's session, and deep-copies the request for
    lazy listeners, which a live session does not survive.
    """
    if api_url:
        client = WatchedWebClient(token=token, base_url=api_url.rstrip("/") + "/", retry_handlers=[])
    else:
        client = WatchedWebClient(token=token, retry_handlers=[])
    client.pooled = pooled
    return client


def bolt_logger() -> logging.Logger:
    logger = logging.getLogger("kakehashi.slack.bolt")
    if not any(isinstance(f, _ClientGivenNotice) for f in logger.filters):
        logger.addFilter(_ClientGivenNotice())
    return logger


class SlackConnection:
    """``client`` talks to the Web API; ``on_self_id`` learns each of the bot's own ids."""

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        on_self_id: Callable[[str], None],
        on_refused: Callable[[str], object] | None = None,
    ) -> None:
        self.client = client
        self.on_self_id = on_self_id
        self.on_refused = on_refused
        self.refused: str | None = None
        if isinstance(client, WatchedWebClient):
            client.on_refused = self.token_refused
        self.self_user_ids: set[str] = set()
        self.bot_user_id: str | None = None
        self.bot_id: str | None = None
        self.workspace_url: str | None = None
        self.team_id: str | None = None
        self._identified = False
        self._identified_at: float | None = None
        self._socket: Any = None
        self._socket_task: asyncio.Task[None] | None = None
        self._stopping: asyncio.Future[None] | None = None

    def token_refused(self, method: str, error: str) -> None:
        """Slack says the token is revoked or invalid: say so once, stop Socket Mode, report it.

        Nothing asks again on its own (a reconnect loop every few seconds would only fill the
        log); ``/healthz`` answers 503 with the reason until kakehashi restarts with a new token.
        """
        if self.refused is not None:
            return
        token = "SLACK_APP_TOKEN" if method == "apps.connections.open" else "SLACK_BOT_TOKEN"
        self.refused = (
            f"Slack refused {token} ({error} from {method}): Slack is stopped; reinstall the app, "
            f"update {token} and restart kakehashi"
        )
        if self.on_refused is not None:
            self.on_refused(self.refused)  # logs it once
        else:
            log.error("%s", self.refused)
        if self._socket is not None or self._socket_task is not None:
            # after the acks of envelopes still being handled have gone out
            asyncio.get_running_loop().call_later(REFUSED_GRACE, self._stop_soon)

    def _stop_soon(self) -> None:
        self._stopping = asyncio.ensure_future(self.stop())

    async def stop(self) -> None:
        if self._socket_task is not None:
            self._socket_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._socket_task
            self._socket_task = None
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None

    async def close_client(self) -> None:
        """Close the Web API client's pooled connections (last: after pending work is finished)."""
        session = getattr(self.client, "session", None)
        if session is not None and not session.closed:
            await session.close()

    async def identify(self) -> None:
        """``auth.test``: the bot's own ids (never route its posts), its workspace and team.

        A Web API that does not answer yet is logged in one line, not a crash: events are still
        handled, and the next one asks again (at most every ``IDENTIFY_INTERVAL`` seconds).
        """
        self._identified_at = time.monotonic()
        try:
            auth = await self.client.auth_test()
        except SlackApiError as exc:
            log.error("Slack auth.test failed (%s): check SLACK_BOT_TOKEN", api_error(exc) or exc)
        except (TimeoutError, aiohttp.ClientError, SlackClientError, OSError) as exc:
            log.error(
                "Slack Web API at %s cannot be reached (%s: %s): check SLACK_API_URL; asking again later",
                self.client.base_url,
                exc.__class__.__name__,
                exc,
            )
        else:
            self._remember_self(auth.data if isinstance(auth.data, dict) else {})

    async def ensure_identity(self) -> None:
        if not self._identified and (
            self._identified_at is None or time.monotonic() - self._identified_at >= IDENTIFY_INTERVAL
        ):
            await self.identify()

    async def start_socket_mode(self, bolt: AsyncApp, app_token: str) -> None:
        """Open the Socket Mode connection in the background; a token Slack refuses stops start-up.

        ``apps.connections.open`` is asked once here so that a wrong ``SLACK_APP_TOKEN`` is one
        clear error instead of a retry loop; the URL it hands out is the one the client connects to.
        """
        from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

        url: str | None = None
        try:
            opened = await self.client.apps_connections_open(app_token=app_token)
            url = str(opened["url"])
        except SlackApiError as exc:
            if not is_transient(exc):
                raise SettingsError.of("settings.slack_socket_refused", error=api_error(exc) or exc) from None
            log.warning("Slack Socket Mode: apps.connections.open failed (%s); retrying", api_error(exc))
        except (TimeoutError, aiohttp.ClientError, SlackClientError, OSError, KeyError) as exc:
            log.warning(
                "Slack Socket Mode: cannot open a connection through %s (%s: %s); retrying in the background",
                self.client.base_url,
                exc.__class__.__name__,
                exc,
            )
        handler = AsyncSocketModeHandler(bolt, app_token)
        handler.client.wss_uri = url
        self._socket = handler

        async def connect() -> None:
            await handler.connect_async()  # retries until it is connected or closed
            if not handler.client.closed:
                log.info("Slack Socket Mode connected")

        self._socket_task = asyncio.create_task(connect(), name="slack-socket-mode")

    async def authorize(self, enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        """Bolt's per-request authorization, without a Web API call: one workspace, one bot token.

        Bolt's default asks ``auth.test`` on the first request and, when that call fails (Slack
        busy, a Web API stand-in without it), answers 200 "Please install this app" and drops the
        event, which Slack then never redelivers.  The ids come from the ``auth.test`` at start.
        """
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id or self.team_id,
            bot_token=self.client.token,
            bot_user_id=self.bot_user_id,
            bot_id=self.bot_id,
        )

    def _remember_self(self, auth: dict[str, Any]) -> None:
        for key in ("user_id", "bot_id"):
            if auth.get(key):
                self.self_user_ids.add(str(auth[key]))
                self.on_self_id(str(auth[key]))
        self.bot_user_id = str(auth["user_id"]) if auth.get("user_id") else self.bot_user_id
        self.bot_id = str(auth["bot_id"]) if auth.get("bot_id") else self.bot_id
        self.workspace_url = auth.get("url") or self.workspace_url
        self.team_id = str(auth["team_id"]) if auth.get("team_id") else self.team_id
        self._identified = True
