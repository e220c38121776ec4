"""Settings from the environment.  Every variable is listed in ``.env.example``.

``./.env`` (``cp .env.example .env``) is read too when kakehashi starts in its folder; a variable
set in the environment wins over the file.  A bad value raises ``SettingsError`` naming the
variable and the expected form.
"""

from __future__ import annotations

import math
import os
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from bot.core.errors import SettingsError
from storage.urls import DEFAULT_URL, normalise_url

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# Bot Framework's own names (Azure's "Download app settings", the samples' .env) mean the same as ours.
ALIASES = {
    "MicrosoftAppId": "MICROSOFT_APP_ID",
    "MicrosoftAppPassword": "MICROSOFT_APP_PASSWORD",
    "MicrosoftAppType": "MICROSOFT_APP_TYPE",
    "MicrosoftAppTenantId": "MICROSOFT_APP_TENANT_ID",
}
# Every variable kakehashi reads (``kakehashi doctor`` flags unknown KAKEHASHI_/SLACK_/MICROSOFT_/
# DISCOURSE_ names against this list, so a typo such as SLACK_BOT_TOKEM does not pass silently).
KNOWN_VARIABLES = (
    "KAKEHASHI_RULES",
    "KAKEHASHI_LOCALE",
    "DATABASE_URL",
    "HOST",
    "PORT",
    "LOG_LEVEL",
    "KAKEHASHI_ENV",
    "KAKEHASHI_INSTANCE_ID",
    "KAKEHASHI_OUTBOX_MAX_ATTEMPTS",
    "KAKEHASHI_OUTBOX_POLL_SECONDS",
    "KAKEHASHI_OUTBOX_LEASE_SECONDS",
    "KAKEHASHI_MAX_CONCURRENT_REQUESTS",
    "KAKEHASHI_BODY_TIMEOUT_SECONDS",
    "KAKEHASHI_HEALTH_PORT",
    "KAKEHASHI_DATA_DIR",
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "SLACK_COMMAND",
    "MICROSOFT_APP_ID",
    "MICROSOFT_APP_PASSWORD",
    "MICROSOFT_APP_TENANT_ID",
    "MICROSOFT_APP_TYPE",
    "MICROSOFT_LOGIN_URL",
    "DISCOURSE_WEBHOOK_SECRET",
    "DISCOURSE_URL",
    "DISCOURSE_API_KEY",
    "DISCOURSE_API_USERNAME",
    "DISCOURSE_POLL_SECONDS",
    "KAKEHASHI_INBOUND_SECRET",
    "DASHBOARD_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
)
DASHBOARD_TOKEN_MIN = 16  # a shared secret people type or paste: long enough not to be guessed
MICROSOFT_LOGIN_URL = "https://login.microsoftonline.com"


def with_aliases(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` with Bot Framework's names (``MicrosoftAppId`` …) copied to ours.

    Both set to different values is an error naming both: which one would win is not obvious.
    """
    merged = dict(env)
    for alias, name in ALIASES.items():
        value = env.get(alias, "").strip()
        if not value:
            continue
        ours = env.get(name, "").strip()
        if ours and ours != value:
            raise SettingsError.of("settings.alias_conflict", alias=alias, name=name)
        merged[name] = value
    return merged


ENV_FILE = Path(".env")
_ENV_LINE = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")


def read_env_file(path: Path) -> dict[str, str]:
    """``NAME=value`` lines as ``docker run --env-file`` and shells read them.

    Blank lines and lines starting with ``#`` are skipped, ``export`` is allowed, and a value in
    matching single or double quotes loses them.  Anything else is an error naming the line.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError.of("settings.env_unreadable", path=path, error=exc) from None
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _ENV_LINE.match(line)
        if match is None:
            raise SettingsError.of("settings.env_line", path=path, line=number, text=line[:60])
        name, value = match.group(1), match.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name] = value
    return values


def bundled_rules_path() -> Path:
    """The default rules.yaml shipped inside the package: the short, intent-based starter that
    ``kakehashi rules init`` writes."""
    return Path(str(resources.files("bot") / "data" / "rules.yaml"))


def rules_path_from_env(env: Mapping[str, str] | None = None, *, must_exist: bool = True) -> Path:
    """``$KAKEHASHI_RULES``, else ``./rules.yaml`` when there is one, else the bundled rules.

    Only this variable is read, so ``kakehashi rules check`` works while another setting is bad;
    commands that never read the rules (``db upgrade``, ``outbox list``) pass ``must_exist=False``.
    """
    if env is None:
        env = {**read_env_file(ENV_FILE), **os.environ}
    raw = env.get("KAKEHASHI_RULES", "").strip()
    if raw:
        path = Path(raw)
        if must_exist and not path.is_file():
            raise SettingsError.of(
                "settings.rules_folder" if path.is_dir() else "settings.rules_missing", raw=raw
            )
        return path
    if Path("rules.yaml").is_file():
        return Path("rules.yaml")
    return bundled_rules_path()


def sample_company_rules_path() -> Path:
    """The long worked example: the sample company's rules, which the bundled sample community's
    labels were written for (``kakehashi demo`` replays the sample with them)."""
    return Path(str(resources.files("bot") / "data" / "examples" / "sample-company.yaml"))


def bundled_sample_path() -> Path:
    return Path(str(resources.files("bot") / "data" / "sample_community.jsonl"))


def _int(env: Mapping[str, str], name: str, default: int, *, low: int = 0, high: int = 1 << 31) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError.of("settings.whole_number", name=name, raw=raw, default=default) from None
    if not low <= value <= high:
        raise SettingsError.of("settings.range", name=name, raw=raw, low=low, high=high)
    return value


def _float(env: Mapping[str, str], name: str, default: float, *, zero_ok: bool = True) -> float:
    """Seconds; ``zero_ok=False`` where 0 would mean a busy loop rather than "off"."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError.of("settings.seconds", name=name, raw=raw, default=default) from None
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero_ok):
        key = "settings.seconds_zero_ok" if zero_ok else "settings.seconds_above_zero"
        raise SettingsError.of(key, name=name, raw=raw, default=default)
    return value


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = env.get(name, "").strip() or default
    for choice in choices:
        if raw.casefold() == choice.casefold():
            return choice
    raise SettingsError.of("settings.choice", name=name, raw=raw, choices=", ".join(choices))


def _url(env: Mapping[str, str], name: str) -> str | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    if not raw.startswith(("http://", "https://")):
        raise SettingsError.of("settings.url", name=name, raw=raw)
    return raw.rstrip("/")


@dataclass(frozen=True, slots=True)
class Settings:
    rules_path: Path
    database_url: str = DEFAULT_URL
    host: str = "0.0.0.0"
    port: int = 3000
    log_level: str = "INFO"
    env: str = "production"
    instance_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    outbox_max_attempts: int = 8
    outbox_poll_interval: float = 1.0
    outbox_lease: float = 120.0
    max_concurrent_requests: int = 64
    body_timeout: float = 10.0
    health_port: int | None = None  # /healthz also on a port of its own, served by its own thread
    # where files that must survive a restart go (the spool of acked events); None: see data_path
    data_dir: Path | None = None
    # Slack
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str | None = None
    slack_command: str = "/kakehashi"
    # Microsoft Teams (Bot Framework)
    microsoft_app_id: str | None = None
    microsoft_app_password: str | None = None
    microsoft_app_tenant_id: str | None = None
    # new multi-tenant Azure bots cannot be created since 2025-07-31: single tenant is the default
    microsoft_app_type: str = "SingleTenant"
    microsoft_login_url: str = MICROSOFT_LOGIN_URL
    # Discourse
    discourse_url: str | None = None
    discourse_api_key: str | None = None
    discourse_api_username: str | None = None
    discourse_webhook_secret: str | None = None
    discourse_poll_interval: float = 300.0
    # Generic inbound webhook
    inbound_webhook_secret: str | None = None
    # The shared dashboard (/dashboard): its sign-in secret; off (404) without one
    dashboard_token: str | None = None
    # Sign in with Slack (OpenID Connect) for the dashboard: the Slack app's client id and secret
    slack_client_id: str | None = None
    slack_client_secret: str | None = None

    @property
    def data_path(self) -> Path:
        """``KAKEHASHI_DATA_DIR``, else the SQLite database's folder, else the current folder."""
        if self.data_dir is not None:
            return self.data_dir
        return _sqlite_folder(self.database_url) or Path(".")

    @property
    def spool_path(self) -> Path:
        """Where acked events wait to be stored (``bot.pipeline.spool``): a folder per database
        name, so that two databases sharing a data folder never replay each other's events."""
        from sqlalchemy.engine import make_url  # on first use, as in storage.urls

        url = make_url(self.database_url)
        name = Path(url.database or "memory").stem if url.get_backend_name() == "sqlite" else url.database
        return self.data_path / "spool" / re.sub(r"[^\w.-]", "_", name or "default")

    @property
    def dev(self) -> bool:
        return self.env == "dev"

    def missing_for_platforms(self) -> list[str]:
        """Human hints for `kakehashi serve` when a platform is not configured."""
        hints = []
        if not self.slack_bot_token:
            hints.append(
                "Slack: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode)"
            )
        elif not (self.slack_signing_secret or self.slack_app_token):
            hints.append("Slack: set SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)")
        if not self.microsoft_app_id and not self.dev:  # dev: Teams runs unauthenticated, and says so
            hints.append(
                "Teams: set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD "
                "and MICROSOFT_APP_TENANT_ID (MICROSOFT_APP_TYPE=SingleTenant, the default)"
            )
        if not (self.discourse_webhook_secret or self.discourse_url):
            hints.append(
                "Discourse: set DISCOURSE_WEBHOOK_SECRET and/or DISCOURSE_URL "
                "(+ DISCOURSE_API_KEY when the forum needs a login)"
            )
        if not self.inbound_webhook_secret:
            hints.append("generic webhook (POST /hooks/inbound/{source}): set KAKEHASHI_INBOUND_SECRET")
        return hints

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        if env is None:
            env = {**read_env_file(ENV_FILE), **os.environ}
        env = with_aliases(env)
        rules_path = rules_path_from_env(env, must_exist=False)
        db_raw = env.get("DATABASE_URL", "").strip()
        database_url = normalise_url(db_raw) if db_raw else DEFAULT_URL
        command = env.get("SLACK_COMMAND", "").strip() or "/kakehashi"
        if not command.startswith("/") or " " in command:
            raise SettingsError.of("settings.slash_command", command=command)
        app_type = _choice(env, "MICROSOFT_APP_TYPE", "SingleTenant", ("SingleTenant", "MultiTenant"))
        tenant = env.get("MICROSOFT_APP_TENANT_ID", "").strip() or None
        if app_type == "SingleTenant" and env.get("MICROSOFT_APP_ID", "").strip() and not tenant:
            raise SettingsError.of("settings.tenant_required")
        if env.get("KAKEHASHI_LOCALE", "").strip():  # the command line's language (bot.cli.language)
            _choice(env, "KAKEHASHI_LOCALE", "", ("ja", "en"))
        app_token = env.get("SLACK_APP_TOKEN", "").strip() or None
        if app_token and not app_token.startswith("xapp-"):
            raise SettingsError.of("settings.app_token")
        return cls(
            rules_path=rules_path,
            database_url=database_url,
            host=env.get("HOST", "").strip() or "0.0.0.0",
            port=_int(env, "PORT", 3000, low=1, high=65535),
            log_level=_choice(env, "LOG_LEVEL", "INFO", LOG_LEVELS),
            env=_choice(env, "KAKEHASHI_ENV", "production", ("production", "dev")),
            instance_id=env.get("KAKEHASHI_INSTANCE_ID", "").strip() or uuid.uuid4().hex[:12],
            outbox_max_attempts=_int(env, "KAKEHASHI_OUTBOX_MAX_ATTEMPTS", 8, low=1, high=100),
            outbox_poll_interval=_float(env, "KAKEHASHI_OUTBOX_POLL_SECONDS", 1.0, zero_ok=False),
            outbox_lease=_float(env, "KAKEHASHI_OUTBOX_LEASE_SECONDS", 120.0, zero_ok=False),
            max_concurrent_requests=_int(env, "KAKEHASHI_MAX_CONCURRENT_REQUESTS", 64, low=1, high=100_000),
            body_timeout=_float(env, "KAKEHASHI_BODY_TIMEOUT_SECONDS", 10.0, zero_ok=False),
            health_port=_int(env, "KAKEHASHI_HEALTH_PORT", 0, low=0, high=65535) or None,
            data_dir=Path(env["KAKEHASHI_DATA_DIR"].strip())
            if env.get("KAKEHASHI_DATA_DIR", "").strip()
            else None,
            slack_bot_token=env.get("SLACK_BOT_TOKEN", "").strip() or None,
            slack_signing_secret=env.get("SLACK_SIGNING_SECRET", "").strip() or None,
            slack_app_token=app_token,
            slack_api_url=_url(env, "SLACK_API_URL"),
            slack_command=command,
            microsoft_app_id=env.get("MICROSOFT_APP_ID", "").strip() or None,
            microsoft_app_password=env.get("MICROSOFT_APP_PASSWORD", "").strip() or None,
            microsoft_app_tenant_id=tenant,
            microsoft_app_type=app_type,
            microsoft_login_url=_url(env, "MICROSOFT_LOGIN_URL") or MICROSOFT_LOGIN_URL,
            discourse_url=_url(env, "DISCOURSE_URL"),
            discourse_api_key=env.get("DISCOURSE_API_KEY", "").strip() or None,
            discourse_api_username=env.get("DISCOURSE_API_USERNAME", "").strip() or None,
            discourse_webhook_secret=env.get("DISCOURSE_WEBHOOK_SECRET", "").strip() or None,
            discourse_poll_interval=_float(env, "DISCOURSE_POLL_SECONDS", 300.0),
            inbound_webhook_secret=env.get("KAKEHASHI_INBOUND_SECRET", "").strip() or None,
            dashboard_token=_dashboard_token(env),
            slack_client_id=env.get("SLACK_CLIENT_ID", "").strip() or None,
            slack_client_secret=env.get("SLACK_CLIENT_SECRET", "").strip() or None,
        )


def _sqlite_folder(database_url: str) -> Path | None:
    """The folder of a SQLite database file (None for PostgreSQL or an in-memory database)."""
    if not database_url.startswith("sqlite"):
        return None
    _, _, file = database_url.partition(":///")
    file = file.split("?", 1)[0]
    return Path(file).parent if file and not file.startswith(":memory:") else None


def _dashboard_token(env: Mapping[str, str]) -> str | None:
    token = env.get("DASHBOARD_TOKEN", "").strip()
    if token and len(token) < DASHBOARD_TOKEN_MIN:
        raise SettingsError.of("settings.dashboard_token", minimum=DASHBOARD_TOKEN_MIN, length=len(token))
    return token or None
