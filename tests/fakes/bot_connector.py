"""A local HTTP server that plays the Bot Connector API (Teams' side of Bot Framework).

Activities the tests POST to ``/api/messages`` carry ``serviceUrl`` = this server, so every
call botbuilder makes back lands here and is recorded:

* ``POST /v3/conversations`` — create a conversation (a channel thread: ``channelData.channel.id``;
  a 1:1 chat: ``members`` = [the user], ``isGroup`` false, answered ``{"id": "a:1…"}``)
* ``POST /v3/conversations/{conversationId}/activities`` — send (answers ``{"id": …}``)
* ``POST /v3/conversations/{conversationId}/activities/{activityId}`` — reply
* ``PUT  /v3/conversations/{conversationId}/activities/{activityId}`` — update
* ``DELETE /v3/conversations/{conversationId}/activities/{activityId}`` — delete
* ``GET  /v3/teams/{teamId}/conversations`` — the team's channels (``{"conversations": [...]}``)
* ``GET  /v3/teams/{teamId}`` — team details
* ``GET  /v3/conversations/{conversationId}/members/{memberId}`` — one member (``TeamsInfo.get_member``;
  ``roster`` holds who exists: user id -> ``{"name", "aadObjectId", ...}``; 404
  ``MemberNotFoundInConversation`` otherwise)
* ``POST /{tenant}/oauth2/v2.0/token`` — Microsoft Entra ID's client-credentials token for the bot
  (learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication,
  "Request an access token"; errors as Entra ID answers them: ``{"error", "error_description"}``
  with an AADSTS code).  ``apps`` holds the registered app ids and secrets, ``tenants`` the tenants.

Shapes: the Bot Connector REST reference
(learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference) and
Teams' team/channel operations (``TeamsConnectorClient``).  ``fail(status, times, headers)``
queues forced answers (429 with Retry-After, 412, 502, 403, ...) for the next calls.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from aiohttp import web
from aiohttp.test_utils import TestServer
from jwt.algorithms import RSAAlgorithm


@dataclass
class Call:
    method: str
    path: str
    conversation_id: str | None
    activity_id: str | None
    body: dict[str, Any] | None
    headers: dict[str, str]

    @property
    def card(self) -> dict[str, Any]:
        """The first Adaptive Card attached to the activity sent."""
        assert self.body is not None
        for attachment in self.body.get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return dict(attachment["content"])
        raise AssertionError(f"no Adaptive Card in {self.body}")

    def card_text(self) -> str:
        out: list[str] = []

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if node.get("type") == "TextBlock":
                    out.append(str(node.get("text", "")))
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(self.card.get("body"))
        return "\n".join(out)


@dataclass
class FakeBotConnector:
    teams: dict[str, dict[str, Any]] = field(
        default_factory=dict
    )  # team id -> {"name", "aadGroupId", "channels"}
    calls: list[Call] = field(default_factory=list)
    server: TestServer | None = None
    _failures: deque[tuple[int, dict[str, str], str, str]] = field(default_factory=deque)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1_700_000_000_001))
    _silent: int = 0
    threads_by_create_only: bool = False  # 404 for POST /v3/conversations/{channel}/activities
    apps: dict[str, str] = field(default_factory=dict)  # app id -> client secret (the token endpoint)
    tenants: set[str] = field(default_factory=lambda: {"botframework.com"})
    token_requests: list[dict[str, str]] = field(default_factory=list)
    chats: dict[str, list[str]] = field(default_factory=dict)  # 1:1 chats created: id -> member ids
    roster: dict[str, dict[str, Any]] = field(default_factory=dict)  # user id -> member (GET …/members/{id})

    def add_team(
        self, team_id: str, name: str, channels: dict[str, str | None], aad_group_id: str = ""
    ) -> None:
        """``channels``: id -> name (the General channel's name is None, as Teams answers)."""
        self.teams[team_id] = {
            "name": name,
            "aadGroupId": aad_group_id or f"aad-{team_id}",
            "channels": channels,
        }

    def fail(
        self,
        status: int,
        *,
        times: int = 1,
        headers: dict[str, str] | None = None,
        code: str | None = None,
        message: str = "forced by the test",
    ) -> None:
        """Answer the next ``times`` calls with ``status`` and the connector's error body
        ``{"error": {"code", "message"}}`` (``code``: e.g. ``BotNotInConversationRoster``)."""
        for _ in range(times):
            self._failures.append(
                (status, headers or {}, code or ("Throttled" if status == 429 else f"HTTP{status}"), message)
            )

    def accept_without_id(self, *, times: int = 1) -> None:
        """Answer the next ``times`` sends ``202 Accepted`` with no body, as Teams sometimes does for
        channel posts (github.com/MicrosoftDocs/bot-docs/issues/2263)."""
        self._silent += times

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/"))

    def sent(self) -> list[Call]:
        """New messages (POST …/activities), in order."""
        return [c for c in self.calls if c.method == "POST" and c.path.endswith("/activities")]

    def replies(self) -> list[Call]:
        return [c for c in self.calls if c.method == "POST" and c.activity_id is not None]

    def updates(self) -> list[Call]:
        return [c for c in self.calls if c.method == "PUT"]

    async def _record(self, request: web.Request) -> Call:
        body = None
        if request.can_read_body:
            body = await request.json()
        call = Call(
            method=request.method,
            path=request.path,
            conversation_id=request.match_info.get("conversation_id"),
            activity_id=request.match_info.get("activity_id"),
            body=body,
            headers=dict(request.headers),
        )
        self.calls.append(call)
        return call

    def _forced(self) -> web.Response | None:
        if not self._failures:
            return None
        status, headers, code, message = self._failures.popleft()
        body = {"error": {"code": code, "message": message}}
        return web.json_response(body, status=status, headers=headers)

    async def create(self, request: web.Request) -> web.Response:
        """``POST /v3/conversations``: a new channel thread or 1:1 chat, answered with the documented
        minimal ``ConversationResourceResponse`` (``id``, ``activityId``, ``serviceUrl``)."""
        call = await self._record(request)
        forced = self._forced()
        if forced is not None:
            return forced
        body = call.body or {}
        members = [m.get("id") for m in body.get("members") or [] if isinstance(m, dict)]
        if members and not body.get("isGroup"):  # a 1:1 chat with a user (a proactive message)
            chat = f"a:1{next(self._ids)}"
            self.chats[chat] = members
            return web.json_response({"id": chat}, status=201)
        channel = (body.get("channelData") or {}).get("channel", {}).get("id")
        if not channel:
            return web.json_response({"error": {"code": "BadArgument", "message": "no channel"}}, status=400)
        new_id = str(next(self._ids))
        return web.json_response(
            {"id": f"{channel};messageid={new_id}", "activityId": new_id, "serviceUrl": self.url}, status=201
        )

    def created(self) -> list[Call]:
        return [c for c in self.calls if c.method == "POST" and c.path == "/v3/conversations"]

    async def send(self, request: web.Request) -> web.Response:
        call = await self._record(request)
        if (
            self.threads_by_create_only
            and call.activity_id is None
            and ";" not in (call.conversation_id or "")
        ):
            return web.json_response({"error": {"code": "NotFound", "message": "no such route"}}, status=404)
        forced = self._forced()
        if forced is not None:
            return forced
        if self._silent:
            self._silent -= 1
            return web.Response(status=202)
        return web.json_response({"id": str(next(self._ids))}, status=201)

    async def update(self, request: web.Request) -> web.Response:
        call = await self._record(request)
        forced = self._forced()
        if forced is not None:
            return forced
        return web.json_response({"id": call.activity_id}, status=200)

    async def delete(self, request: web.Request) -> web.Response:
        await self._record(request)
        return self._forced() or web.Response(status=200)

    async def team_channels(self, request: web.Request) -> web.Response:
        await self._record(request)
        team = self.teams.get(request.match_info["team_id"])
        if team is None:
            return web.json_response({"error": {"code": "NotFound", "message": "team"}}, status=404)
        return web.json_response(
            {"conversations": [{"id": cid, "name": name} for cid, name in team["channels"].items()]}
        )

    async def team_details(self, request: web.Request) -> web.Response:
        await self._record(request)
        team_id = request.match_info["team_id"]
        team = self.teams.get(team_id)
        if team is None:
            return web.json_response({"error": {"code": "NotFound", "message": "team"}}, status=404)
        return web.json_response({"id": team_id, "name": team["name"], "aadGroupId": team["aadGroupId"]})

    async def member(self, request: web.Request) -> web.Response:
        await self._record(request)
        member_id = request.match_info["member_id"]
        found = self.roster.get(member_id)
        if found is None:
            error = {"code": "MemberNotFoundInConversation", "message": "The member was not found"}
            return web.json_response({"error": error}, status=404)
        return web.json_response({"id": member_id, **found})

    async def token(self, request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        form = {k: str(v) for k, v in (await request.post()).items()}
        self.token_requests.append({"tenant": tenant, **form})

        def error(status: int, code: str, description: str) -> web.Response:
            return web.json_response({"error": code, "error_description": description}, status=status)

        if tenant not in self.tenants:
            return error(400, "invalid_request", f"AADSTS90002: Tenant '{tenant}' not found.")
        if form.get("grant_type") != "client_credentials" or not form.get("scope", "").endswith("/.default"):
            return error(400, "invalid_request", "AADSTS900144: The request body must contain a valid grant.")
        app_id = form.get("client_id", "")
        if app_id not in self.apps:
            return error(
                400,
                "unauthorized_client",
                f"AADSTS700016: Application with identifier '{app_id}' was not found in the directory '{tenant}'.",
            )
        if form.get("client_secret") != self.apps[app_id]:
            return error(
                401,
                "invalid_client",
                f"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the "
                f"request is the client secret value, not the client secret ID, for a secret added to app '{app_id}'.",
            )
        return web.json_response(
            {
                "token_type": "Bearer",
                "expires_in": 3599,
                "ext_expires_in": 3599,
                "access_token": "fake-access-token",
            }
        )

    def web_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations", self.create)
        app.router.add_post("/v3/conversations/{conversation_id}/activities", self.send)
        app.router.add_post("/v3/conversations/{conversation_id}/activities/{activity_id}", self.send)
        app.router.add_put("/v3/conversations/{conversation_id}/activities/{activity_id}", self.update)
        app.router.add_delete("/v3/conversations/{conversation_id}/activities/{activity_id}", self.delete)
        app.router.add_get("/v3/teams/{team_id}/conversations", self.team_channels)
        app.router.add_get("/v3/teams/{team_id}", self.team_details)
        app.router.add_get("/v3/conversations/{conversation_id}/members/{member_id}", self.member)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self.token)
        return app

    async def start(self) -> None:
        self.server = TestServer(self.web_app())
        await self.server.start_server()

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()


class FakeBotFrameworkKeys:
    """Bot Framework's token signing side: an OpenID metadata document and its JWKS, and tokens.

    Teams signs each request to ``/api/messages`` with an RS256 JWT (``iss``
    ``https://api.botframework.com``, ``aud`` = the bot's app id, ``serviceurl`` = the activity's
    ``serviceUrl``, ``kid`` naming a key whose ``endorsements`` list ``msteams``); the bot fetches
    the keys from ``https://login.botframework.com/v1/.well-known/openidconfiguration``
    (learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication,
    "Authenticate requests from the Bot Connector service to your bot").

    botbuilder fetches the metadata with blocking ``requests.get`` from inside the event loop, so
    this server runs in its own thread (an aiohttp server on the test's loop would deadlock).
    """

    ISSUER = "https://api.botframework.com"

    def __init__(
        self, *, kid: str = "kakehashi-test-key", endorsements: tuple[str, ...] = ("msteams",)
    ) -> None:
        from cryptography.hazmat.primitives.asymmetric import rsa

        self.kid = kid
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        jwk.update(kid=kid, use="sig", endorsements=list(endorsements))
        self.jwks = {"keys": [jwk]}
        self.requests: list[str] = []
        self._server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def metadata_url(self) -> str:
        return f"{self.base}/v1/.well-known/openidconfiguration"

    def token(
        self, claims: dict[str, Any], *, key: Any = None, kid: str | None = None, lifetime: int = 3600
    ) -> str:
        now = int(time.time())
        body = {"iss": self.ISSUER, "nbf": now - 60, "exp": now + lifetime, **claims}
        return jwt.encode(body, key or self.private_key, algorithm="RS256", headers={"kid": kid or self.kid})

    def start(self) -> None:
        keys = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                keys.requests.append(self.path)
                if self.path.endswith("/openidconfiguration"):
                    body = {
                        "issuer": keys.ISSUER,
                        "jwks_uri": f"{keys.base}/v1/.well-known/keys",
                        "id_token_signing_alg_values_supported": ["RS256"],
                    }
                elif self.path.endswith("/keys"):
                    body = keys.jwks
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
