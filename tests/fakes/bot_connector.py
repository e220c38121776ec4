"""A local HTTP server that plays the Bot Connector API (Teams' side of Bot Framework).

Activities the tests POST to ``/api/messages`` carry ``serviceUrl`` = this server, so every
call botbuilder makes back lands here and is recorded:

* ``POST /v3/conversations/{conversationId}/activities`` — send (answers ``{"id": …}``)
* ``POST /v3/conversations/{conversationId}/activities/{activityId}`` — reply
* ``PUT  /v3/conversations/{conversationId}/activities/{activityId}`` — update
* ``DELETE /v3/conversations/{conversationId}/activities/{activityId}`` — delete
* ``GET  /v3/teams/{teamId}/conversations`` — the team's channels (``{"conversations": [...]}``)
* ``GET  /v3/teams/{teamId}`` — team details

Shapes: the Bot Connector REST reference
(learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference) and
Teams' team/channel operations (``TeamsConnectorClient``).  ``fail(status, times, headers)``
queues forced answers (429 with Retry-After, 412, 502, 403, ...) for the next calls.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


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
    teams: dict[str, dict[str, Any]] = field(default_factory=dict)  # team id -> {"name", "aadGroupId", "channels"}
    calls: list[Call] = field(default_factory=list)
    server: TestServer | None = None
    _failures: deque[tuple[int, dict[str, str]]] = field(default_factory=deque)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1_700_000_000_001))

    def add_team(self, team_id: str, name: str, channels: dict[str, str | None], aad_group_id: str = "") -> None:
        """``channels``: id -> name (the General channel's name is None, as Teams answers)."""
        self.teams[team_id] = {"name": name, "aadGroupId": aad_group_id or f"aad-{team_id}", "channels": channels}

    def fail(self, status: int, *, times: int = 1, headers: dict[str, str] | None = None) -> None:
        for _ in range(times):
            self._failures.append((status, headers or {}))

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
        status, headers = self._failures.popleft()
        body = {"error": {"code": "Throttled" if status == 429 else f"HTTP{status}", "message": "forced by the test"}}
        return web.json_response(body, status=status, headers=headers)

    async def send(self, request: web.Request) -> web.Response:
        await self._record(request)
        forced = self._forced()
        if forced is not None:
            return forced
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

    def web_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation_id}/activities", self.send)
        app.router.add_post("/v3/conversations/{conversation_id}/activities/{activity_id}", self.send)
        app.router.add_put("/v3/conversations/{conversation_id}/activities/{activity_id}", self.update)
        app.router.add_delete("/v3/conversations/{conversation_id}/activities/{activity_id}", self.delete)
        app.router.add_get("/v3/teams/{team_id}/conversations", self.team_channels)
        app.router.add_get("/v3/teams/{team_id}", self.team_details)
        return app

    async def start(self) -> None:
        self.server = TestServer(self.web_app())
        await self.server.start_server()

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()
