"""``/dashboard``: the shared, read-only dashboard behind a sign-in with a shared secret.

Mounted by ``kakehashi serve`` only when ``DASHBOARD_TOKEN`` is set (otherwise every path here is a
404).  Signing in posts the token to ``/dashboard/login``; it is compared in constant time, and a
session cookie (``HttpOnly``, ``SameSite=Strict``, ``Secure`` over https) signed with itsdangerous
with a key derived from the token (changing the token signs everyone out) lets the browser in for
``SESSION_MAX_AGE``.  Not signed in: ``/dashboard`` answers 401 with the sign-in form.

Figures come from ``bot.reports.board`` (the recaps' own queries); the page is rendered server-side
with Jinja2 (autoescaped) and the charts are inline SVG: no script, no CDN.  Items from a private
channel are counted but never shown: whoever holds the shared token may not be able to read them.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from aiohttp import web
from itsdangerous import BadSignature, URLSafeTimedSerializer
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from bot.core.errors import KakehashiError
from bot.core.texts import t, tag_label
from bot.reports.board import WEEKS, build_board
from bot.reports.data import tags_data
from bot.reports.recap import period_text
from bot.reports.report import delta, excerpt
from bot.reports.report import tn as tn_
from bot.reports.value import duration_text
from bot.runtime.slack_signin import STATE_COOKIE, SignInError, SlackSignIn

if TYPE_CHECKING:
    from bot.pipeline.services import Services

log = logging.getLogger("kakehashi.dashboard")

COOKIE = "kakehashi_dashboard"
SESSION_MAX_AGE = 7 * 24 * 3600  # seconds a sign-in lasts
PRESETS = ("last-week", "this-week", "last-month", "this-month")
HEADERS = {
    # no script at all; inline styles and the inline SVG charts only; forms post to us
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # a link followed to Slack does not carry the dashboard's URL
    "Cache-Control": "no-store",
}


@functools.cache
def templates() -> Environment:
    return Environment(
        loader=PackageLoader("bot", "data/dashboard"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


class Dashboard:
    """The dashboard's routes for one app: what it reads (``services``) and its secret."""

    def __init__(self, services: Services, *, token: str) -> None:
        self.services = services
        self.token = token
        # a key of its own, derived from the token: the cookie never carries anything the token opens
        key = hmac.new(token.encode(), b"kakehashi dashboard session", hashlib.sha256).hexdigest()
        self.sessions = URLSafeTimedSerializer(key, salt="kakehashi-dashboard")
        settings = services.settings
        # Sign in with Slack: only with the app's client id and secret and the bot's token (which
        # says which workspace's members may sign in)
        self.slack = (
            SlackSignIn(
                client_id=settings.slack_client_id,
                client_secret=settings.slack_client_secret,
                bot_token=settings.slack_bot_token,
                api_url=settings.slack_api_url,
                secret_key=key,
            )
            if settings.slack_client_id and settings.slack_client_secret and settings.slack_bot_token
            else None
        )

    def mount(self, web_app: web.Application) -> None:
        web_app.router.add_get("/dashboard", self.page)
        web_app.router.add_get("/dashboard/login", self.login_form)
        web_app.router.add_post("/dashboard/login", self.login)
        web_app.router.add_post("/dashboard/logout", self.logout)
        if self.slack is not None:
            web_app.router.add_get("/dashboard/login/slack", self.slack_start)
            web_app.router.add_get("/dashboard/login/slack/callback", self.slack_callback)

    # -- sign-in --------------------------------------------------------------------------------

    def signed_in(self, request: web.Request) -> bool:
        cookie = request.cookies.get(COOKIE)
        if not cookie:
            return False
        try:
            self.sessions.loads(cookie, max_age=SESSION_MAX_AGE)
        except BadSignature:  # tampered, expired, or signed with an earlier token
            return False
        return True

    def render(self, name: str, *, status: int = 200, **context: Any) -> web.Response:
        locale = self.services.rules.current.locale
        html = templates().get_template(name).render(locale=locale, t=functools.partial(t, locale), **context)
        return web.Response(text=html, status=status, content_type="text/html", headers=HEADERS)

    def sign_in_page(self, *, status: int, message: str, next_path: str = "/dashboard") -> web.Response:
        slack = "/dashboard/login/slack?" + urlencode({"next": next_path}) if self.slack is not None else ""
        return self.render("login.html", status=status, message=message, next_path=next_path, slack=slack)

    def _session(self, request: web.Request, next_path: str, who: dict[str, Any]) -> web.HTTPSeeOther:
        response = web.HTTPSeeOther(next_path, headers=HEADERS)
        response.set_cookie(
            COOKIE,
            self.sessions.dumps({"v": 1, **who}),
            max_age=SESSION_MAX_AGE,
            path="/dashboard",
            httponly=True,
            samesite="Strict",
            secure=_https(request),
        )
        return response

    async def slack_start(self, request: web.Request) -> web.Response:
        assert self.slack is not None
        raise self.slack.start(request, _next(request.query.get("next")))

    async def slack_callback(self, request: web.Request) -> web.Response:
        assert self.slack is not None
        locale = self.services.rules.current.locale
        try:
            user, next_path = await self.slack.finish(request)
        except SignInError as exc:
            log.warning(
                "dashboard: Slack sign-in refused (%s %s) from %s", exc.code, exc.detail, request.remote
            )
            return self.sign_in_page(status=401, message=t(locale, f"dashboard.slack.{exc.code}"))
        log.info("dashboard: %s (%s) signed in with Slack", user.name, user.user_id)
        response = self._session(request, _next(next_path), {"slack": user.user_id, "name": user.name})
        response.del_cookie(STATE_COOKIE, path="/dashboard/login/slack")
        raise response

    async def login_form(self, request: web.Request) -> web.Response:
        return self.sign_in_page(status=200, message="", next_path=_next(request.query.get("next")))

    async def login(self, request: web.Request) -> web.Response:
        locale = self.services.rules.current.locale
        form = await request.post()
        given = form.get("token")
        next_path = _next(str(form.get("next") or ""))
        if not isinstance(given, str) or not given.strip():
            return self.sign_in_page(status=400, message=t(locale, "dashboard.signin.bad_form"))
        if not hmac.compare_digest(given.strip().encode(), self.token.encode()):
            log.warning("dashboard: a sign-in with a wrong token from %s", request.remote)
            return self.sign_in_page(
                status=401, message=t(locale, "dashboard.signin.wrong"), next_path=next_path
            )
        raise self._session(request, next_path, {"by": "token"})

    async def logout(self, request: web.Request) -> web.Response:
        response = web.HTTPSeeOther("/dashboard/login", headers=HEADERS)
        response.del_cookie(COOKIE, path="/dashboard")
        raise response

    # -- the page -------------------------------------------------------------------------------

    async def page(self, request: web.Request) -> web.Response:
        rules = self.services.rules.current
        locale = rules.locale
        if not self.signed_in(request):
            return self.sign_in_page(
                status=401, message=t(locale, "dashboard.signin.required"), next_path=request.path_qs
            )
        chosen = request.query.get("period", "").strip() or "last-week"
        department = request.query.get("department", "").strip() or None
        try:
            board = await build_board(self.services, chosen, department)
        except KakehashiError as exc:
            return self.render(
                "error.html", status=400, message=t(locale, "dashboard.bad_request", reason=str(exc))
            )

        def link(**query: str | None) -> str:
            return "/dashboard?" + urlencode({k: v for k, v in query.items() if v})

        return self.render(
            "dashboard.html",
            board=board,
            reposts=board.reposts,
            chosen=chosen,
            custom="" if chosen in PRESETS else chosen,
            department=department,
            presets=PRESETS,
            weeks=WEEKS,
            link=link,
            period_label=period_text(board.period, locale),
            as_of=board.now.astimezone(rules.timezone).strftime("%Y-%m-%d %H:%M"),
            tag_label=functools.partial(tag_label, locale),
            tag_rows=lambda recap: tags_data(recap, locale),
            status_label=lambda status: t(locale, f"status.{status}"),
            tn=functools.partial(tn_, locale),
            delta=delta,
            duration=lambda seconds: duration_text(seconds, locale),
            excerpt=excerpt,
            svg=Markup,  # matplotlib's SVG: it escapes the labels it draws
        )


def _https(request: web.Request) -> bool:
    return request.secure or request.headers.get("X-Forwarded-Proto", "").lower() == "https"


def _next(path: str | None) -> str:
    """Where to go after signing in: a dashboard path on this site, never elsewhere."""
    if path and path.startswith("/dashboard") and not path.startswith("//") and "\\" not in path:
        return path
    return "/dashboard"
