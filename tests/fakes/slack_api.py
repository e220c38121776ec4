"""A local stand-in for the Slack Web API (``SLACK_API_URL``) that records every call.

Serves ``POST /api/<method>`` for the methods kakehashi uses, the ``files.slack.com``-style upload
URL handed out by ``files.getUploadURLExternal``, and ``response_url`` endpoints
(``/respond/<id>``) for slash commands and interactivity.  Failures are injected per method:
``fail("chat.postMessage", error="channel_not_found")``, ``fail(..., status=429, retry_after=3)``,
``fail(..., status=500)``.  ``hold("chat.postMessage")`` makes that method answer only once the
returned event is set (a platform that answers slowly; the call is recorded on arrival).
``limit_rate("chat.postMessage", per_second=1)`` is Slack's "one message per second per channel"
for chat.postMessage (https://docs.slack.dev/apis/web-api/rate-limits): a post that comes too soon
is answered 429 ``ratelimited`` with a ``Retry-After`` header in whole seconds.  "Too soon" is a
GCRA meter (the leaky bucket as a meter): a channel's posts may arrive up to ``jitter`` seconds
(default a tenth of the spacing) ahead of one every ``1 / per_second`` seconds, so a client that
paces at exactly the rate is never refused for network jitter, while any sustained rate above it
is; far stricter than the bursts Slack tolerates.
``delay("chat.postMessage", 3.0, channel=...)`` answers after that many seconds.  Both are off by
default.  Responses follow https://docs.slack.dev/reference/methods/.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web
from aiohttp.test_utils import TestServer

MANIFEST_SCOPES = tuple(
    yaml.safe_load((Path(__file__).parents[2] / "slack-manifest.yml").read_text(encoding="utf-8"))[
        "oauth_config"
    ]["scopes"]["bot"]
)
TEAM_ID = "T0COMMUNITY"
BOT_USER_ID = "U0KAKEBOT"
BOT_ID = "B0KAKEBOT"

# The community workspace the tests use (see make_fake)
COMMUNITY = "C0COMMUNTY"
QUESTIONS = "C0QUESTNS"
SECRET_CLUB = "G0SECRETCL"
DEPT_PRODUCT = "C0DEPTPROD"
DEPT_CS = "C0DEPTCSXX"
DEPT_MARKETING = "C0DEPTMKTG"
DEPT_PR = "C0DEPTPRXX"
RANDOM = "C0RANDOMXX"
ADMIN = "C0KAKEADMN"  # the operators' channel of admin_channel tests


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str | None
    ok: bool = True
    at: float = 0.0  # arrival, on FakeSlack.clock


@dataclass
class Failure:
    error: str | None
    status: int
    retry_after: float | None
    times: int
    channel: str | None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class FakeSlack:
    channels: list[dict[str, Any]] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    posted: list[tuple[str, str]] = field(default_factory=list)  # (channel, ts) of accepted messages
    uploads: list[bytes] = field(default_factory=list)
    team_domain: str = "community"
    auth_url: bool = True  # False: auth.test answers without the workspace URL
    page_size: int = 2
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    socket_envelopes: list[dict[str, Any]] = field(default_factory=list)  # sent to a Socket Mode client
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    socket_closes: int = 0  # Socket Mode connections the client closed
    warnings: list[str] = field(default_factory=list)  # added to successful answers, as Slack does
    unlisted: set[str] = field(default_factory=set)  # channel ids conversations.list leaves out
    socket_url: str | None = None  # apps.connections.open hands this out instead of /socket
    # Sign in with Slack: the app's (client id, secret), codes the authorize page handed out
    # (code -> {"user", "team", "name", "redirect_uri"}) and the user tokens they became
    oidc_client: tuple[str, str] = ("111.222", "oidc-secret")
    oidc_codes: dict[str, dict[str, str]] = field(default_factory=dict)
    oidc_tokens: dict[str, dict[str, str]] = field(default_factory=dict)
    # what the token was granted: Slack sends it as the x-oauth-scopes header of every answer
    # (https://docs.slack.dev/authentication/tokens#scopes); default: what slack-manifest.yml asks for
    scopes: list[str] = field(default_factory=lambda: list(MANIFEST_SCOPES))
    gates: dict[str, asyncio.Event] = field(default_factory=dict)  # see hold()
    rate_limits: dict[str, tuple[float, float]] = field(default_factory=dict)  # method -> (spacing, jitter)
    delays: dict[str, float] = field(default_factory=dict)  # "method" or "method@channel" -> seconds (delay)
    clock: Callable[[], float] = time.monotonic  # when calls arrive (tests may give a virtual one)
    _due: dict[tuple[str, str], float] = field(default_factory=dict)
    server: TestServer | None = None
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Condition | None = None

    # -- set-up -------------------------------------------------------------------------------

    def add_channel(self, cid: str, name: str, *, private: bool = False, member: bool = True) -> None:
        self.channels.append(
            {
                "id": cid,
                "name": name,
                "is_private": private,
                "is_member": member,
                "is_channel": not private,
                "is_archived": False,
            }
        )

    def add_user(self, uid: str, display: str, real: str = "") -> None:
        self.users[uid] = {
            "id": uid,
            "name": display.lower(),
            "real_name": real or display,
            "profile": {"display_name": display, "real_name": real or display},
        }

    def fail(
        self,
        method: str,
        *,
        error: str | None = None,
        status: int = 200,
        retry_after: float | None = None,
        times: int = 1,
        channel: str | None = None,
        **extra: Any,
    ) -> None:
        """``extra`` goes into the error body as is (``needed=``/``provided=`` of ``missing_scope``)."""
        self.failures.setdefault(method, []).append(
            Failure(error, status, retry_after, times, channel, extra)
        )

    def hold(self, method: str, *, channel: str | None = None) -> asyncio.Event:
        """Calls of ``method`` (to ``channel`` only, if given) wait for the returned event before
        they are answered."""
        gate = self.gates[f"{method}@{channel}" if channel else method] = asyncio.Event()
        return gate

    def limit_rate(
        self, method: str = "chat.postMessage", *, per_second: float = 1.0, jitter: float | None = None
    ) -> None:
        """At most ``per_second`` calls of ``method`` per channel; more are answered 429."""
        spacing = 1.0 / per_second
        self.rate_limits[method] = (spacing, spacing / 10 if jitter is None else jitter)

    def delay(self, method: str, seconds: float, *, channel: str | None = None) -> None:
        """Calls of ``method`` (to ``channel`` only, if given) are answered ``seconds`` late."""
        self.delays[f"{method}@{channel}" if channel else method] = seconds

    def _rate_limited(self, method: str, channel: str, now: float) -> float | None:
        """Seconds until ``channel`` may take ``method`` again (None: it may now, and the slot is taken)."""
        if method not in self.rate_limits:
            return None
        spacing, jitter = self.rate_limits[method]
        due = self._due.get((method, channel), now)  # GCRA's theoretical arrival time
        if now < due - jitter:
            return due - jitter - now
        self._due[(method, channel)] = max(due, now) + spacing
        return None

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/api")).rstrip("/")

    def response_url(self, name: str) -> str:
        assert self.server is not None
        return str(self.server.make_url(f"/respond/{name}"))

    async def start(self) -> None:
        self._changed = asyncio.Condition()
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/respond/{name}", self._respond)
        app.router.add_get("/socket", self._socket)
        self.server = TestServer(app)
        await self.server.start_server()

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    # -- what tests read ---------------------------------------------------------------------

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def posts(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Messages Slack accepted (failed attempts stay visible in ``of("chat.postMessage")``)."""
        return [
            c.args
            for c in self.of("chat.postMessage")
            if c.ok and (channel is None or c.args.get("channel") == channel)
        ]

    async def wait_for(self, predicate: Any, timeout: float = 60.0) -> None:
        """Wait until ``predicate(self)`` holds (lazy listeners reply after the HTTP ack)."""
        assert self._changed is not None
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: predicate(self)), timeout)

    async def _notify(self) -> None:
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()

    # -- handlers ----------------------------------------------------------------------------

    async def _args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            args.update(await request.json())
        elif request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if (
                    isinstance(value, str)
                    and key in ("blocks", "attachments", "files")
                    and value.startswith("[")
                ):
                    args[key] = json.loads(value)
                elif isinstance(value, str):
                    args[key] = value
        return args

    def _failure(self, method: str, args: dict[str, Any]) -> Failure | None:
        for failure in self.failures.get(method, []):
            if failure.times > 0 and (failure.channel is None or failure.channel == args.get("channel")):
                failure.times -= 1
                return failure
        return None

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") or args.get("token")
        call = Call(method, args, token, at=self.clock())
        self.calls.append(call)
        await self._notify()
        gate = self.gates.get(f"{method}@{args.get('channel')}") or self.gates.get(method)
        if gate is not None:
            await gate.wait()
        wait = self._rate_limited(method, str(args.get("channel")), call.at)
        late = self.delays.get(f"{method}@{args.get('channel')}") or self.delays.get(method)
        if late:
            await asyncio.sleep(late)
        if wait is not None:  # https://docs.slack.dev/apis/web-api/rate-limits: 429 and Retry-After
            call.ok = False
            headers = {"Retry-After": str(max(1, math.ceil(wait)))}
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers=headers)
        failure = self._failure(method, args)
        if failure is not None:
            call.ok = False
            headers = (
                {"Retry-After": str(int(failure.retry_after))} if failure.retry_after is not None else {}
            )
            if failure.status >= 500:
                return web.Response(status=failure.status, text="upstream error", headers=headers)
            body = {
                "ok": False,
                "error": failure.error or ("ratelimited" if failure.status == 429 else "error"),
                **failure.extra,
            }
            return web.json_response(body, status=failure.status, headers=headers)
        if method.startswith("openid.connect."):  # Sign in with Slack: the app's credentials / a user token
            body = self.openid(method, args, request.headers.get("Authorization", ""))
            call.ok = bool(body["ok"])
            return web.json_response(body)
        if not token or not token.startswith(("xoxb-", "xapp-")):
            call.ok = False
            return web.json_response({"ok": False, "error": "not_authed"})
        handler = getattr(self, "m_" + method.replace(".", "_"), None)
        if handler is None:
            call.ok = False
            return web.json_response({"ok": False, "error": "unknown_method"})
        body = {"ok": True, **handler(args)}
        call.ok = bool(body["ok"])
        if call.ok and self.warnings:  # https://docs.slack.dev/apis/web-api/#responses
            body["warning"] = ",".join(self.warnings)
            body["response_metadata"] = {**body.get("response_metadata", {}), "warnings": self.warnings}
        return web.json_response(body, headers={"x-oauth-scopes": ",".join(self.scopes)})

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads.append(await request.read())
        await self._notify()
        return web.Response(text="OK - 1")

    async def _respond(self, request: web.Request) -> web.Response:
        self.responses.append({"name": request.match_info["name"], **await request.json()})
        await self._notify()
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode (https://docs.slack.dev/apis/events-api/using-socket-mode): hello, envelopes, acks."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json(
            {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0KAKEHASHI"}}
        )
        for envelope in self.socket_envelopes:
            await ws.send_json(envelope)
        async for message in ws:
            if message.type.name == "TEXT":
                self.socket_acks.append(json.loads(message.data))
                await self._notify()
        self.socket_closes += 1
        await self._notify()
        return ws

    # -- methods -----------------------------------------------------------------------------

    def _next_ts(self) -> str:
        return f"1800000000.{next(self._ts):06d}"

    def _channel(self, cid: str) -> dict[str, Any] | None:
        return next((c for c in self.channels if c["id"] == cid), None)

    def openid(self, method: str, args: dict[str, Any], authorization: str) -> dict[str, Any]:
        """``openid.connect.token`` (client id and secret as HTTP Basic or form fields, the code the
        authorize step handed out, the same redirect_uri) and ``openid.connect.userInfo`` (the user
        token it returned): https://docs.slack.dev/reference/methods/openid.connect.token ,
        https://docs.slack.dev/reference/methods/openid.connect.userInfo"""
        if method == "openid.connect.token":
            client_id, client_secret = args.get("client_id"), args.get("client_secret")
            if authorization.startswith("Basic "):
                client_id, _, client_secret = base64.b64decode(authorization[6:]).decode().partition(":")
            if (client_id, client_secret) != self.oidc_client:
                return {"ok": False, "error": "invalid_client_id"}
            grant = self.oidc_codes.pop(str(args.get("code")), None)
            if grant is None or grant["redirect_uri"] != args.get("redirect_uri"):
                return {"ok": False, "error": "invalid_code"}
            token = f"xoxp-{grant['user']}"
            self.oidc_tokens[token] = grant
            return {"ok": True, "access_token": token, "token_type": "Bearer", "id_token": "eyJ.not.checked"}
        if method == "openid.connect.userInfo":
            grant = self.oidc_tokens.get(authorization.removeprefix("Bearer "))
            if grant is None:
                return {"ok": False, "error": "invalid_auth"}
            return {
                "ok": True,
                "sub": grant["user"],
                "https://slack.com/user_id": grant["user"],
                "https://slack.com/team_id": grant["team"],
                "name": grant["name"],
                "https://slack.com/team_name": "Community",
            }
        return {"ok": False, "error": "unknown_method"}

    def m_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            **({"url": f"https://{self.team_domain}.slack.com/"} if self.auth_url else {}),
            "team": "Community",
            "user": "kakehashi",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
        }

    def m_apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        assert self.server is not None
        return {"url": self.socket_url or str(self.server.make_url("/socket")).replace("http://", "ws://")}

    def m_conversations_list(self, args: dict[str, Any]) -> dict[str, Any]:
        listed = [c for c in self.channels if c["id"] not in self.unlisted]
        start = int(args.get("cursor") or 0)
        page = listed[start : start + self.page_size]
        more = start + self.page_size < len(listed)
        return {
            "channels": page,
            "response_metadata": {"next_cursor": str(start + self.page_size) if more else ""},
        }

    def m_conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel", ""))
        return {"channel": channel} if channel else {"ok": False, "error": "channel_not_found"}

    def m_conversations_join(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args["channel"])
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        channel["is_member"] = True
        return {"channel": channel}

    def m_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        """https://docs.slack.dev/reference/methods/conversations.open: ``users`` (one id: a DM)
        answered with ``channel.id``; the same DM each time for the same user."""
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if len(users) != 1:
            return {"ok": False, "error": "users_list_not_supplied" if not users else "not_implemented"}
        if users[0] not in self.users:
            return {"ok": False, "error": "user_not_found"}
        cid = "D" + users[0][1:]
        if self._channel(cid) is None:
            self.channels.append({"id": cid, "is_im": True, "user": users[0], "is_member": True})
            self.unlisted.add(cid)
        return {"channel": {"id": cid}}

    def m_conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        messages = self.history.get(args.get("channel", ""), [])
        top = [
            m
            for m in messages
            if m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast"
        ]
        return {"messages": [m for m in top if m.get("ts") == args.get("latest")], "has_more": False}

    def m_conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        """The thread ``ts`` belongs to (its parent first), within ``oldest``..``latest``."""
        messages = self.history.get(args.get("channel", ""), [])
        wanted = next((m for m in messages if m.get("ts") == args.get("ts")), None)
        if wanted is None:
            return {"ok": False, "error": "thread_not_found"}
        root = wanted.get("thread_ts") or wanted["ts"]
        thread = [m for m in messages if m["ts"] == root or m.get("thread_ts") == root]
        return {"messages": thread[:1] + [m for m in thread[1:] if m["ts"] == args.get("latest")]}

    def m_users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        """https://docs.slack.dev/reference/methods/users.list: ``members``, paged by cursor."""
        members = list(self.users.values())
        start = int(args.get("cursor") or 0)
        more = start + self.page_size < len(members)
        return {
            "members": members[start : start + self.page_size],
            "response_metadata": {"next_cursor": str(start + self.page_size) if more else ""},
        }

    def m_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(args.get("user", ""))
        return {"user": user} if user else {"ok": False, "error": "user_not_found"}

    def m_chat_getPermalink(self, args: dict[str, Any]) -> dict[str, Any]:
        ts = str(args.get("message_ts", "")).replace(".", "")
        return {
            "channel": args.get("channel"),
            "permalink": f"https://{self.team_domain}.slack.com/archives/{args.get('channel')}/p{ts}",
        }

    def _posting(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel", ""))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        if not channel["is_member"]:
            return {"ok": False, "error": "not_in_channel"}
        return {}

    def m_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        problem = self._posting(args)
        if problem:
            return problem
        ts = self._next_ts()
        self.posted.append((args["channel"], ts))
        return {"channel": args["channel"], "ts": ts, "message": {"text": args.get("text"), "ts": ts}}

    def m_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        problem = self._posting(args)
        return problem or {"message_ts": self._next_ts()}

    def m_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        problem = self._posting(args)
        return problem or {"channel": args["channel"], "ts": args["ts"], "text": args.get("text")}

    def m_chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"channel": args["channel"], "ts": args["ts"]}

    def m_files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        # https://docs.slack.dev/reference/methods/files.getUploadURLExternal: filename and length
        if not args.get("filename") or not str(args.get("length") or "").isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._ts):08d}"
        assert self.server is not None
        return {"upload_url": str(self.server.make_url(f"/upload/{file_id}")), "file_id": file_id}

    def m_files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        # https://docs.slack.dev/reference/methods/files.completeUploadExternal: files, channel_id
        # (an id, not a name), thread_ts (the parent's ts)
        files = args.get("files")
        files = json.loads(files) if isinstance(files, str) else files or []
        if not files:
            return {"ok": False, "error": "invalid_arguments"}
        if args.get("channel_id"):
            problem = self._posting({"channel": args["channel_id"]})
            if problem:
                return problem
        return {"files": [{"id": f["id"], "title": f.get("title", "")} for f in files]}

    def m_files_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"file": {"id": args.get("file"), "name": "chart.png"}}


def make_fake() -> FakeSlack:
    fake = FakeSlack()
    for cid, name in (
        (COMMUNITY, "community"),
        (QUESTIONS, "questions"),
        (DEPT_PRODUCT, "dept-product"),
        (DEPT_MARKETING, "dept-marketing"),
        (DEPT_PR, "dept-pr"),
        (RANDOM, "random"),
        (ADMIN, "kakehashi-admin"),
    ):
        fake.add_channel(cid, name)
    fake.add_channel(DEPT_CS, "dept-cs", member=False)  # public, bot not yet a member: joins on first post
    fake.add_channel(SECRET_CLUB, "secret-club", private=True)
    fake.add_user("U0MEMBER1", "hana", "Hana Sato")
    fake.add_user("U0MEMBER2", "ken", "Ken Ito")
    fake.add_user("U0ADMIN", "aiko", "Aiko Community")
    fake.add_user("U0STAFF", "taro", "Taro Product")
    return fake
