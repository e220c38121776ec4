"""Sign in with Slack (OpenID Connect) for the dashboard, with slack_sdk's URL generator and client.

``/dashboard/login/slack`` sends the browser to Slack's authorize page with a signed ``state``
(also kept in a short-lived cookie, so a callback carries it only for the browser that started it);
``/dashboard/login/slack/callback`` exchanges the code (``openid.connect.token``), asks who signed
in (``openid.connect.userInfo``) and accepts only a member of the workspace the bot is installed in
(``auth.test``'s ``team_id``).  https://docs.slack.dev/authentication/sign-in-with-slack/
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from aiohttp import web
from itsdangerous import BadSignature, URLSafeTimedSerializer
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth import OpenIDConnectAuthorizeUrlGenerator
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger("kakehashi.dashboard")

AUTHORIZE_URL = "https://slack.com/openid/connect/authorize"
STATE_COOKIE = "kakehashi_oidc"
STATE_MAX_AGE = 600  # seconds between leaving for Slack and coming back
SCOPES = ("openid", "profile")


@dataclass(frozen=True, slots=True)
class SlackUser:
    user_id: str
    name: str
    team_id: str


class SignInError(Exception):
    """Why a Slack sign-in was refused (said to the person, in English or Japanese by the caller)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


class SlackSignIn:
    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        bot_token: str | None,
        api_url: str | None,
        secret_key: str,
        authorize_url: str = AUTHORIZE_URL,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.bot_token = bot_token
        self.api_url = (api_url or "https://slack.com/api").rstrip("/") + "/"
        self.authorize_url = authorize_url
        self.states = URLSafeTimedSerializer(secret_key, salt="kakehashi-dashboard-oidc")
        self._team: str | None = None

    @staticmethod
    def redirect_uri(request: web.Request) -> str:
        scheme = request.headers.get("X-Forwarded-Proto", request.scheme).split(",")[0].strip()
        return f"{scheme}://{request.host}/dashboard/login/slack/callback"

    def start(self, request: web.Request, next_path: str) -> web.HTTPFound:
        """The redirect to Slack, with the state cookie set."""
        nonce = secrets.token_urlsafe(16)
        state = self.states.dumps({"next": next_path, "nonce": nonce})
        url = OpenIDConnectAuthorizeUrlGenerator(
            client_id=self.client_id,
            redirect_uri=self.redirect_uri(request),
            scopes=list(SCOPES),
            authorization_url=self.authorize_url,
        ).generate(state=state, nonce=nonce)
        response = web.HTTPFound(url)
        # Lax, not Strict: the callback is a top-level navigation coming back from slack.com
        response.set_cookie(
            STATE_COOKIE,
            state,
            max_age=STATE_MAX_AGE,
            path="/dashboard/login/slack",
            httponly=True,
            samesite="Lax",
            secure=request.headers.get("X-Forwarded-Proto", request.scheme).startswith("https"),
        )
        return response

    async def finish(self, request: web.Request) -> tuple[SlackUser, str]:
        """The user who signed in and where they were going; ``SignInError`` when refused."""
        query = request.query
        if query.get("error"):
            raise SignInError("denied", str(query.get("error")))
        state, code = query.get("state", ""), query.get("code", "")
        if not state or not code or state != request.cookies.get(STATE_COOKIE):
            raise SignInError("state")
        try:
            data = self.states.loads(state, max_age=STATE_MAX_AGE)
        except BadSignature:
            raise SignInError("state") from None
        try:
            token = await AsyncWebClient(base_url=self.api_url).openid_connect_token(
                client_id=self.client_id,
                client_secret=self.client_secret,
                code=code,
                redirect_uri=self.redirect_uri(request),
            )
            info = await AsyncWebClient(
                token=str(token["access_token"]), base_url=self.api_url
            ).openid_connect_userInfo()
        except SlackApiError as exc:
            raise SignInError("slack", str(exc.response.get("error", ""))) from None
        user = SlackUser(
            user_id=str(info.get("https://slack.com/user_id") or info.get("sub") or ""),
            name=str(info.get("name") or info.get("given_name") or ""),
            team_id=str(info.get("https://slack.com/team_id") or ""),
        )
        workspace = await self.workspace()
        if not user.user_id or workspace is None or user.team_id != workspace:
            log.warning(
                "dashboard: Slack sign-in from team %s refused (workspace %s)", user.team_id, workspace
            )
            raise SignInError("team")
        return user, str(data.get("next") or "/dashboard")

    async def workspace(self) -> str | None:
        """The team the bot is installed in (auth.test), remembered; None without a bot token."""
        if self._team is None and self.bot_token:
            answer = await AsyncWebClient(token=self.bot_token, base_url=self.api_url).auth_test()
            self._team = str(answer.get("team_id") or "") or None
        return self._team
