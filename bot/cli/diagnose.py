"""The checks of ``kakehashi doctor``: each returns findings, none changes anything.

Settings are checked one variable at a time (so every bad one is named, not only the first);
each configured platform is asked whether it accepts the credentials, Slack also which scopes
the token has and whether the bot is in each channel of rules.yaml; the rules are compiled and
the database is asked for its schema revision.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import httpx
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import SQLAlchemyError

from adapters.discourse import parse_categories
from adapters.slack.directory import SlackDirectory, api_error
from adapters.slack.scopes import missing_scopes, required_scopes
from bot.core.domain import Destination
from bot.core.errors import KakehashiError, SettingsError
from bot.core.texts import t
from bot.platforms.discourse.checks import named_categories
from bot.settings import ALIASES, KNOWN_VARIABLES, Settings
from rules import RuleSet
from rules.errors import RulesError
from rules.ruleset import load_rules
from storage.db import create_engine
from storage.migrate import current_revision, head_revision
from storage.store import Store

Level = Literal["ok", "skip", "warn", "fail"]
PREFIXES = ("KAKEHASHI_", "SLACK_", "MICROSOFT_", "DISCOURSE_", "DASHBOARD_")
SECRETS = ("TOKEN", "SECRET", "PASSWORD", "KEY")
TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class Finding:
    section: str  # settings | rules | database | slack | teams | discourse
    level: Level
    text: str
    fix: str = ""


class Doctor:
    """Runs every check for one environment, in the rules' locale."""

    def __init__(self, *, env: Mapping[str, str], locale: str, cmd: str = "kakehashi") -> None:
        self.env = env
        self.locale = locale
        self.cmd = cmd  # how `kakehashi` is typed here, for the fixes (bot.cli.invocation)

    def _f(self, section: str, level: Level, key: str, fix: str = "", **values: object) -> Finding:
        return Finding(section, level, t(self.locale, key, **values), fix)

    # -- settings ---------------------------------------------------------------------------

    def settings(self) -> tuple[list[Finding], Settings | None]:
        out: list[Finding] = []
        for name in sorted(self.env):
            if name.startswith(PREFIXES) and name not in KNOWN_VARIABLES:
                close = difflib.get_close_matches(name, KNOWN_VARIABLES, n=1, cutoff=0.6)
                hint = t(self.locale, "doctor.env.did_you_mean", name=close[0]) if close else ""
                fix = t(self.locale, "doctor.env.unknown_fix")
                out.append(self._f("settings", "fail", "doctor.env.unknown", fix, name=name, hint=hint))
        for alias, name in ALIASES.items():
            if self.env.get(alias, "").strip():
                out.append(self._f("settings", "ok", "doctor.env.alias", alias=alias, name=name))
        for name in KNOWN_VARIABLES:
            value = self.env.get(name, "").strip()
            if not value:
                continue
            alone = (
                {name: value}
                if name == "MICROSOFT_APP_TYPE"
                else {name: value, "MICROSOFT_APP_TYPE": "MultiTenant"}
            )
            try:  # one variable alone: its own form, whatever the others say (combinations: below)
                Settings.from_env(alone)
            except SettingsError as exc:
                out.append(Finding("settings", "fail", exc.text(self.locale)))
                continue
            out.append(self._f("settings", "ok", "doctor.env.set", name=name))
        for name, prefix in (("SLACK_BOT_TOKEN", "xoxb-"), ("SLACK_APP_TOKEN", "xapp-")):
            value = self.env.get(name, "").strip()
            if value and not value.startswith(prefix):
                out.append(
                    self._f(
                        "settings",
                        "fail",
                        "doctor.env.bad_token",
                        name=name,
                        expected=prefix,
                        found=value[:5],
                    )
                )
        try:
            settings: Settings | None = Settings.from_env(self.env)
        except SettingsError as exc:  # a combination (SingleTenant without tenant, both alias and name)
            message = exc.text(self.locale)
            if not any(f.text == message for f in out):
                out.append(Finding("settings", "fail", message))
            return out, None
        assert settings is not None
        out.extend(self._platforms(settings))
        return out, settings

    def _platforms(self, settings: Settings) -> Iterator[Finding]:
        configured = (
            settings.slack_bot_token
            or settings.microsoft_app_id
            or settings.discourse_url
            or settings.discourse_webhook_secret
            or settings.inbound_webhook_secret
        )
        if not configured:
            fix = t(self.locale, "doctor.platforms.none_fix", cmd=self.cmd)
            yield self._f("settings", "fail", "doctor.platforms.none", fix)
        if settings.slack_bot_token and not (settings.slack_signing_secret or settings.slack_app_token):
            fix = t(self.locale, "doctor.slack.mode_missing_fix")
            yield self._f("settings", "fail", "doctor.slack.mode_missing", fix)
        if settings.microsoft_app_id and not settings.microsoft_app_password:
            fix = t(self.locale, "doctor.teams.password_missing_fix")
            yield self._f("settings", "fail", "doctor.teams.password_missing", fix)
        if settings.discourse_url and not settings.discourse_api_key:
            yield self._f("settings", "warn", "doctor.discourse.key_missing")
        if settings.dashboard_token:
            yield self._f("settings", "ok", "doctor.dashboard.on")
        else:
            yield self._f("settings", "skip", "doctor.dashboard.off")

    # -- rules ------------------------------------------------------------------------------

    def rules(self, path: Path) -> tuple[list[Finding], RuleSet | None]:
        try:
            rules = load_rules(path)
        except RulesError as exc:
            fix = t(self.locale, "doctor.rules.fix", path=path, cmd=self.cmd)
            return [Finding("rules", "fail", str(problem), fix) for problem in exc.problems], None
        finding = self._f(
            "rules",
            "ok",
            "doctor.rules.ok",
            path=path,
            routes=len(rules.routes),
            departments=len(rules.departments),
            sources=len(rules.sources),
        )
        return [finding], rules

    # -- database ---------------------------------------------------------------------------

    async def database(self, settings: Settings) -> tuple[list[Finding], Store | None]:
        engine = create_engine(settings.database_url)
        where = engine.url.render_as_string(hide_password=True)
        fix = t(self.locale, "doctor.db.fix", cmd=self.cmd)
        database = engine.url.database
        if (
            engine.dialect.name == "sqlite"
            and database
            and database != ":memory:"
            and not Path(database).exists()
        ):
            await engine.dispose()  # connecting would create the file: say so instead
            return [self._f("database", "fail", "doctor.db.missing", fix, url=where)], None
        try:
            current = await current_revision(engine)
        except (SQLAlchemyError, OSError, TimeoutError, KakehashiError) as exc:
            await engine.dispose()
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            error = t(self.locale, "settings.db_unreachable", where=where, reason=reason)
            return [
                self._f(
                    "database",
                    "fail",
                    "doctor.db.unreachable",
                    t(self.locale, "doctor.db.unreachable_fix"),
                    error=error,
                )
            ], None
        head = head_revision()
        store = Store(engine)
        if current != head:
            finding = self._f(
                "database", "fail", "doctor.db.behind", fix, url=where, current=current or "-", head=head
            )
            return [finding], store
        return [self._f("database", "ok", "doctor.db.ok", url=where, revision=head)], store

    # -- Slack ------------------------------------------------------------------------------

    async def slack(self, settings: Settings, rules: RuleSet | None) -> list[Finding]:
        if not settings.slack_bot_token:
            return [self._f("slack", "skip", "doctor.skipped", what="SLACK_BOT_TOKEN")]
        base = (settings.slack_api_url or "https://slack.com/api").rstrip("/") + "/"
        client = AsyncWebClient(token=settings.slack_bot_token, base_url=base, timeout=int(TIMEOUT))
        out: list[Finding] = []
        try:
            auth = await client.auth_test()
        except SlackApiError as exc:
            error = api_error(exc) or f"HTTP {exc.response.status_code}"
            fix = t(self.locale, "doctor.slack.auth_fix")
            return [self._f("slack", "fail", "doctor.slack.auth_failed", fix, error=error)]
        except (OSError, TimeoutError) as exc:  # aiohttp's connection errors are OSErrors
            fix = t(self.locale, "doctor.slack.unreachable_fix")
            error = str(exc) or type(exc).__name__
            return [
                self._f(
                    "slack",
                    "fail",
                    "doctor.slack.unreachable",
                    fix,
                    name="SLACK_BOT_TOKEN",
                    url=base,
                    error=error,
                )
            ]
        bot = str(auth.get("user") or "kakehashi")
        out.append(
            self._f(
                "slack", "ok", "doctor.slack.auth_ok", team=auth.get("team"), user=bot, url=auth.get("url")
            )
        )
        header = next((v for k, v in auth.headers.items() if k.lower() == "x-oauth-scopes"), None)
        if header is None:
            out.append(self._f("slack", "warn", "doctor.slack.scopes_unknown"))
        elif missing := missing_scopes(header if isinstance(header, str) else ",".join(header)):
            fix = t(self.locale, "doctor.slack.scopes_fix", cmd=self.cmd)
            out.append(
                self._f("slack", "fail", "doctor.slack.scopes_missing", fix, scopes=", ".join(missing))
            )
        else:
            out.append(self._f("slack", "ok", "doctor.slack.scopes_ok", count=len(required_scopes())))
        if settings.slack_app_token:
            out.append(await self._slack_app_token(settings.slack_app_token, base))
        if rules is not None:
            out.extend(await self._slack_channels(SlackDirectory(client), rules, bot))
        return out

    async def _slack_app_token(self, token: str, base: str) -> Finding:
        try:
            await AsyncWebClient(base_url=base, timeout=int(TIMEOUT)).apps_connections_open(app_token=token)
        except SlackApiError as exc:
            fix = t(self.locale, "doctor.slack.app_token_fix")
            return self._f(
                "slack", "fail", "doctor.slack.app_token_failed", fix, error=api_error(exc) or "HTTP error"
            )
        return self._f("slack", "ok", "doctor.slack.app_token_ok")

    def _channels(self, rules: RuleSet, platform: str) -> Iterator[tuple[str, str, bool]]:
        """(role, channel, must_be_member) for every channel of ``platform`` in the rules, once each."""
        seen: set[str] = set()
        for source in rules.sources:
            if (
                source.platform == platform
                and not any(c in source.channel for c in "*?[")
                and source.channel not in seen
            ):
                seen.add(source.channel)
                yield t(self.locale, "doctor.role.source"), source.channel, True
        targets: list[tuple[str, Destination]] = []
        for name, dept in rules.departments.items():
            targets += [(t(self.locale, "doctor.role.department", name=name), d) for d in dept.post_to]
        for schedule in rules.schedules:
            targets += [
                (t(self.locale, "doctor.role.schedule", name=schedule.kind), d) for d in schedule.post_to
            ]
        for role, dest in targets:
            if dest.platform == platform and dest.channel not in seen:
                seen.add(dest.channel)
                yield role, dest.channel, False

    async def _slack_channels(self, directory: SlackDirectory, rules: RuleSet, bot: str) -> list[Finding]:
        out = []
        for role, name, must_be_member in self._channels(rules, "slack"):
            shown = name if name.startswith("#") or name[:1] in "CG" else f"#{name}"
            try:
                channel = await directory.channel(name)
            except SlackApiError as exc:
                out.append(
                    self._f(
                        "slack",
                        "fail",
                        "doctor.slack.channel_error",
                        role=role,
                        channel=shown,
                        error=api_error(exc),
                    )
                )
                continue
            if channel is None:
                fix = t(self.locale, "doctor.slack.channel_missing_fix", bot=bot)
                out.append(
                    self._f("slack", "fail", "doctor.slack.channel_missing", fix, role=role, channel=shown)
                )
            elif channel.is_member:
                out.append(self._f("slack", "ok", "doctor.slack.channel_ok", role=role, channel=shown))
            elif not must_be_member and not channel.is_private:
                out.append(self._f("slack", "ok", "doctor.slack.channel_join", role=role, channel=shown))
            else:
                shown = f"#{channel.name}"
                fix = t(self.locale, "doctor.slack.invite_fix", bot=bot, channel=shown)
                out.append(self._f("slack", "fail", "doctor.slack.not_member", fix, role=role, channel=shown))
        return out

    # -- Teams ------------------------------------------------------------------------------

    async def teams(self, settings: Settings, rules: RuleSet | None, store: Store | None) -> list[Finding]:
        if not (settings.microsoft_app_id and settings.microsoft_app_password):
            return [self._f("teams", "skip", "doctor.skipped", what="MICROSOFT_APP_ID")]
        tenant = (
            settings.microsoft_app_tenant_id
            if settings.microsoft_app_type == "SingleTenant" and settings.microsoft_app_tenant_id
            else "botframework.com"
        )
        url = f"{settings.microsoft_login_url.rstrip('/')}/{tenant}/oauth2/v2.0/token"
        form = {
            "grant_type": "client_credentials",
            "client_id": settings.microsoft_app_id,
            "client_secret": settings.microsoft_app_password,
            "scope": "https://api.botframework.com/.default",
        }
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT) as http:
                response = await http.post(url, data=form)
        except httpx.HTTPError as exc:
            return [
                self._f(
                    "teams", "fail", "doctor.teams.unreachable", url=url, error=str(exc) or type(exc).__name__
                )
            ]
        out: list[Finding] = []
        if response.status_code == 200 and "access_token" in _json(response):
            out.append(self._f("teams", "ok", "doctor.teams.token_ok", tenant=tenant))
        else:
            body = _json(response)
            error = str(body.get("error_description") or body.get("error") or f"HTTP {response.status_code}")
            error = error.splitlines()[0]
            fix = t(self.locale, "doctor.teams.token_fix")
            out.append(self._f("teams", "fail", "doctor.teams.token_failed", fix, error=error))
        if rules is not None and store is not None:
            for role, name, _ in self._channels(rules, "teams"):
                team = name.split("/", 1)[0]
                if await store.get_ref("teams", name) is not None:
                    out.append(self._f("teams", "ok", "doctor.teams.channel_ok", role=role, channel=name))
                else:
                    fix = t(self.locale, "doctor.teams.channel_fix", team=team)
                    out.append(
                        self._f(
                            "teams",
                            "fail",
                            "doctor.teams.channel_missing",
                            fix,
                            role=role,
                            channel=name,
                            team=team,
                        )
                    )
        return out

    # -- Discourse --------------------------------------------------------------------------

    async def discourse(self, settings: Settings, rules: RuleSet | None = None) -> list[Finding]:
        if not (settings.discourse_url and settings.discourse_api_key):
            return [self._f("discourse", "skip", "doctor.skipped", what="DISCOURSE_API_KEY")]
        url = f"{settings.discourse_url}/session/current.json"
        headers = {
            "Api-Key": settings.discourse_api_key,
            "Api-Username": settings.discourse_api_username or "system",
        }
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT) as http:
                response = await http.get(url, headers=headers)
        except httpx.HTTPError as exc:
            return [
                self._f(
                    "discourse",
                    "fail",
                    "doctor.discourse.unreachable",
                    url=url,
                    error=str(exc) or type(exc).__name__,
                )
            ]
        user = (_json(response).get("current_user") or {}).get("username")
        if response.status_code == 200 and user:
            found = [self._f("discourse", "ok", "doctor.discourse.ok", url=settings.discourse_url, user=user)]
            if rules is not None:
                found += await self._discourse_categories(settings.discourse_url, headers, rules)
            return found
        errors = _json(response).get("errors") or [response.reason_phrase]
        fix = t(self.locale, "doctor.discourse.refused_fix")
        return [
            self._f(
                "discourse",
                "fail",
                "doctor.discourse.refused",
                fix,
                status=response.status_code,
                error=str(errors[0]),
            )
        ]

    async def _discourse_categories(self, url: str, headers: dict[str, str], rules: RuleSet) -> list[Finding]:
        """Each category of a Discourse source in the forum's ``/site.json`` (slug or id)."""
        wanted = named_categories(rules)
        if not wanted:
            return []
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT) as http:
                response = await http.get(f"{url}/site.json", headers=headers)
        except httpx.HTTPError as exc:
            error = str(exc) or type(exc).__name__
            return [self._f("discourse", "fail", "doctor.discourse.unreachable", url=url, error=error)]
        categories = parse_categories(_json(response))
        if not categories:  # a forum without a category list: nothing to compare with
            return []
        known = {c.slug.casefold() for c in categories.values()} | {str(c) for c in categories}
        slugs = ", ".join(sorted(c.slug for c in categories.values())[:15])
        out = []
        for category in wanted:
            if category.casefold() in known:
                out.append(self._f("discourse", "ok", "doctor.discourse.category_ok", category=category))
            else:
                fix = t(self.locale, "doctor.discourse.category_fix", slugs=slugs)
                out.append(
                    self._f("discourse", "fail", "doctor.discourse.category_missing", fix, category=category)
                )
        return out


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
