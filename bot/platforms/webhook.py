"""The generic inbound webhook: ``POST /hooks/inbound/{source}`` feeds other forums and tools
into the same pipeline (message format and signing in ``adapters.inbound_webhook``).

401 for a missing, wrong or stale signature; 400 naming the wrong field; 200 otherwise, with
what the dispatcher did (``stored``, ``duplicate`` or ``ignored``).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from aiohttp import web

from adapters.inbound_webhook import MAX_BODY, check_signature, parse_message
from bot.core.domain import Sink
from bot.core.errors import AuthenticationError
from bot.core.payload import parse_json
from bot.platforms.http import read_body

if TYPE_CHECKING:
    from bot.pipeline.services import Services

log = logging.getLogger("kakehashi.inbound")


class InboundWebhookPlugin:
    name = "webhook"

    def __init__(self, app: Services, *, secret: str) -> None:
        self.app = app
        self.secret = secret

    def sinks(self) -> dict[str, Sink]:
        return {}

    def mount(self, web_app: web.Application) -> None:
        web_app.router.add_post("/hooks/inbound/{source}", self.receive)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def receive(self, request: web.Request) -> web.Response:
        body = await read_body(request, limit=MAX_BODY)
        problem = check_signature(
            self.secret,
            body,
            timestamp=request.headers.get("X-Kakehashi-Timestamp"),
            signature=request.headers.get("X-Kakehashi-Signature"),
            now=time.time(),
        )
        if problem:
            raise AuthenticationError(problem)
        msg = parse_message(request.match_info["source"], parse_json(body))
        outcome = await self.app.dispatcher.handle_message(msg)
        if outcome.status == "stored":
            self.app.worker.wake()
        return web.json_response({"status": outcome.status, "reason": outcome.reason, "key": msg.key})


def plugin(app: Services) -> InboundWebhookPlugin | None:
    secret = app.settings.inbound_webhook_secret
    return InboundWebhookPlugin(app, secret=secret) if secret else None
