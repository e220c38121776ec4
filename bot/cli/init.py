"""``kakehashi init``: from a clone to a ``.env`` and a rules.yaml for this community.

Asks for what no flag gave (or takes every answer from flags, for scripts): the platform, its
credentials, the community channels and each department's channel; with a Slack token it lists
the workspace's channels first (``conversations.list``).  Writes nothing over an existing file
without ``--force``, and nothing at all unless the rules it made compile.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli import params
from bot.cli.errors import CliError, run, user_errors
from bot.cli.invocation import command_prefix
from bot.cli.language import cli_locale, h, is_starter
from bot.cli.wrap import fit
from bot.core.errors import KakehashiError
from bot.core.texts import t
from bot.settings import bundled_rules_path

if TYPE_CHECKING:  # Slack's SDK and the rules load when init runs, not for --help
    from adapters.slack.directory import Channel


async def list_channels(token: str, api_url: str | None) -> list[Channel]:
    from slack_sdk.web.async_client import AsyncWebClient

    from adapters.slack.directory import SlackDirectory

    base = (api_url or "https://slack.com/api").rstrip("/") + "/"
    directory = SlackDirectory(AsyncWebClient(token=token, base_url=base, timeout=10))
    await directory.refresh()
    return directory.listed()


def _configured_locale(path: Path) -> str | None:
    """The locale of the rules already there (init then speaks the install's language); None
    for the starter as shipped (a clone's ./rules.yaml links to it)."""
    from rules.ruleset import load_rules_text

    if is_starter(path):
        return None
    try:
        return load_rules_text(path.read_text(encoding="utf-8"), str(path)).locale
    except (OSError, UnicodeDecodeError, KakehashiError):
        return None


def _write(path: Path, text: str) -> None:
    """A new file at ``path``: a link there is replaced, never written through (a clone's
    ./rules.yaml links to the package's starter, which must stay as shipped)."""
    if path.is_symlink():
        path.unlink()
    path.write_text(text, encoding="utf-8")


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.replace("、", ",").split(",") if part.strip())


def _ask(
    locale: str,
    key: str,
    default: str | None = None,
    *,
    secret: bool = False,
    choices: tuple[str, ...] = (),
    **values: object,
) -> str:
    """One question; with ``choices`` the answer is one of them (asked again otherwise, any case).

    The answer is checked here, not by a click type: click's prompt says a refused answer with
    its own English "Error:"."""
    while True:
        answer = click.prompt(
            t(locale, key, **values), default=default, show_default=bool(default), hide_input=secret
        ).strip()
        if not choices:
            return str(answer)
        found = [choice for choice in choices if choice.casefold() == answer.casefold()]
        if found:
            return found[0]
        refused = t(locale, "usage.choice", value=answer, choices=", ".join(repr(c) for c in choices))
        click.echo(fit(t(locale, "cli.error", message=refused)), err=True)


@click.command("init", short_help=h("help.init.short"), help=h("help.init"))
@click.option("--platform", type=params.Choice(["slack", "teams"]), help=h("help.init.platform"))
@click.option("--source", "sources", multiple=True, help=h("help.init.source"))
@click.option("--department", "departments", multiple=True, help=h("help.init.department"))
@click.option("--agenda-channel", help=h("help.init.agenda"))
@click.option("--admin", "admins", multiple=True, help=h("help.init.admin"))
@click.option("--slack-token", help=h("help.init.slack_token"))
@click.option("--slack-signing-secret", help=h("help.init.slack_secret"))
@click.option("--slack-app-token", help=h("help.init.slack_app_token"))
@click.option("--microsoft-app-id", help=h("help.init.app_id"))
@click.option("--microsoft-app-password", help=h("help.init.app_password"))
@click.option("--microsoft-app-tenant-id", help=h("help.init.tenant"))
@click.option("--locale", type=params.Choice(["ja", "en"]), help=h("help.init.locale"))
@click.option(
    "--rules",
    "rules_out",
    default="rules.yaml",
    show_default=True,
    type=params.Path(dir_okay=False),
    help=h("help.init.rules"),
)
@click.option(
    "--env",
    "env_out",
    default=".env",
    show_default=True,
    type=params.Path(dir_okay=False),
    help=h("help.init.env"),
)
@click.option("--no-input", is_flag=True, help=h("help.init.no_input"))
@click.option("--force", is_flag=True, help=h("help.init.force"))
def init_command(
    platform: str | None,
    sources: tuple[str, ...],
    departments: tuple[str, ...],
    agenda_channel: str | None,
    admins: tuple[str, ...],
    slack_token: str | None,
    slack_signing_secret: str | None,
    slack_app_token: str | None,
    microsoft_app_id: str | None,
    microsoft_app_password: str | None,
    microsoft_app_tenant_id: str | None,
    locale: str | None,
    rules_out: str,
    env_out: str,
    no_input: bool,
    force: bool,
) -> None:
    from slack_sdk.errors import SlackApiError

    from adapters.slack.directory import api_error
    from bot.cli.starter import Choices, build_rules, department_channels, department_label, env_text
    from rules.ruleset import load_rules_text

    starter = bundled_rules_path().read_text(encoding="utf-8")
    with user_errors():
        starter_rules = load_rules_text(starter, str(bundled_rules_path()))
    # the language of these questions, and of the recaps: --locale, else the command line's
    # (KAKEHASHI_LOCALE, the rules being replaced, the rules in use, LANG)
    lang = locale or cli_locale(rules_locale=_configured_locale(Path(rules_out)))
    targets = (Path(rules_out), Path(env_out))
    for target in targets:
        # the starter as shipped is nobody's work: a fresh clone's ./rules.yaml (a link to it) is replaced
        if (target.exists() or target.is_symlink()) and not force and not is_starter(target):
            raise CliError(t(lang, "init.exists", path=target))
    ask = not no_input

    platform = platform or (
        _ask(lang, "init.platform", "slack", choices=("slack", "teams")) if ask else "slack"
    )
    env: list[tuple[str, str]] = [
        ("KAKEHASHI_RULES", f"./{rules_out}" if not Path(rules_out).is_absolute() else rules_out)
    ]
    known: dict[str, Channel] = {}
    if platform == "slack":
        token = (
            slack_token
            if slack_token is not None
            else (_ask(lang, "init.slack_token", "", secret=True) if ask else "")
        )
        secret = slack_signing_secret
        if secret is None and ask:
            secret = _ask(lang, "init.slack_secret", "", secret=True)
        app_token = slack_app_token
        if app_token is None and ask and not secret:
            app_token = _ask(lang, "init.slack_app_token", "", secret=True)
        env += [
            ("SLACK_BOT_TOKEN", token or ""),
            ("SLACK_SIGNING_SECRET", secret or ""),
            ("SLACK_APP_TOKEN", app_token or ""),
        ]
        if token:
            try:
                channels = run(lambda: list_channels(token, os.environ.get("SLACK_API_URL")))
            except (SlackApiError, OSError) as exc:
                error = api_error(exc) if isinstance(exc, SlackApiError) else str(exc)
                click.echo(t(lang, "init.channels_failed", error=error), err=True)
            else:
                known = {c.name.casefold(): c for c in channels}
                click.echo(t(lang, "init.channels"))
                click.echo("  " + "  ".join(f"#{c.name}{'*' if c.is_member else ''}" for c in channels))
    else:
        app_id = (
            microsoft_app_id
            if microsoft_app_id is not None
            else (_ask(lang, "init.teams_app_id", "") if ask else "")
        )
        password = microsoft_app_password
        if password is None and ask:
            password = _ask(lang, "init.teams_password", "", secret=True)
        tenant = microsoft_app_tenant_id
        if tenant is None and ask:
            tenant = _ask(lang, "init.teams_tenant", "")
        env += [
            ("MICROSOFT_APP_ID", app_id or ""),
            ("MICROSOFT_APP_PASSWORD", password or ""),
            ("MICROSOFT_APP_TENANT_ID", tenant or ""),
            ("MICROSOFT_APP_TYPE", "SingleTenant"),
        ]

    starter_sources = [s.channel for s in starter_rules.sources if s.platform == platform]
    if known:  # offer the starter's community channels this workspace has (all of them if it has none)
        starter_sources = [s for s in starter_sources if s.lstrip("#").casefold() in known] or starter_sources
    if not sources and ask:
        sources = _split(_ask(lang, "init.sources", ", ".join(starter_sources) or None))
    sources = sources or tuple(starter_sources)
    if not sources:
        raise click.ClickException(t(lang, "init.no_sources"))

    defaults = department_channels(starter)
    chosen: dict[str, str] = {}
    for item in departments:
        name, sep, channel = item.partition("=")
        if not sep or not channel.strip():
            raise click.ClickException(t(lang, "init.bad_department", value=item))
        if name.strip() not in defaults:
            raise click.ClickException(
                t(lang, "init.unknown_department", name=name.strip(), known=", ".join(defaults))
            )
        chosen[name.strip()] = channel.strip()
    for name, default in defaults.items():
        if name in chosen:
            continue
        if platform == "teams":
            default = f"{name.capitalize()}/General"
        if ask:
            label = department_label(starter_rules, name, lang)
            chosen[name] = _ask(lang, "init.department", default, label=label, name=name)
        else:
            chosen[name] = default
    if agenda_channel is None and ask:
        agenda_channel = _ask(
            lang, "init.agenda", "#cross-team-sync" if platform == "slack" else "Community/General"
        )
    if not admins and ask:
        admins = _split(_ask(lang, "init.admins", ""))

    if known:
        for channel in (*sources, *chosen.values(), *([agenda_channel] if agenda_channel else [])):
            if channel.lstrip("#").casefold() not in known and channel[:1] not in "CG":
                click.echo(t(lang, "init.unknown_channel", channel=channel, cmd=command_prefix()), err=True)

    choices = Choices(
        platform=platform,
        sources=sources,
        departments=chosen,
        agenda=agenda_channel or None,
        admins=admins,
        locale=lang,
    )
    with user_errors():
        text, _ = build_rules(starter, choices)
    _write(Path(rules_out), text)
    click.echo(t(lang, "init.wrote", path=rules_out))
    env_path = Path(env_out)
    _write(env_path, env_text(env))
    env_path.chmod(0o600)  # it holds tokens
    click.echo(t(lang, "init.wrote", path=env_out))
    click.echo(t(lang, "init.next" if platform == "slack" else "init.next_teams", cmd=command_prefix()))
