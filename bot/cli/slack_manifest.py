"""``kakehashi slack-manifest``: the Slack app manifest with this server's request URLs filled in.

The template is ``bot/data/slack-manifest.yml`` (``slack-manifest.yml`` at the repository root
links to it), bundled with the package; its comments stay in the output.  ``--socket-mode``
writes a manifest for Socket Mode instead (no URLs, ``socket_mode_enabled: true``).
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

import click
import yaml

from bot.cli import params
from bot.cli.errors import CliError, CliUsageError
from bot.cli.language import h, m

PLACEHOLDER = "https://YOUR-HOST"


def template() -> str:
    return (resources.files("bot") / "data" / "slack-manifest.yml").read_text(encoding="utf-8")


def render(text: str, *, url: str | None, command: str = "/kakehashi") -> str:
    """The manifest for HTTP mode at ``url`` (https://host[/prefix]), or Socket Mode when None."""
    if url is None:
        text = re.sub(
            r"^[ \t]*(?:url|request_url): " + re.escape(PLACEHOLDER) + r".*\n", "", text, flags=re.M
        )
        text = text.replace("socket_mode_enabled: false", "socket_mode_enabled: true")
    else:
        text = text.replace(PLACEHOLDER, url.rstrip("/"))
    text = text.replace("- command: /kakehashi ", f"- command: {command} ")
    yaml.safe_load(text)  # what Slack will parse: never hand out a broken manifest
    return text


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc:
        raise CliUsageError("--url: " + m("cli.slack_manifest.bad_url", url=url))
    return url


@click.command("slack-manifest", short_help=h("help.slack_manifest.short"), help=h("help.slack_manifest"))
@click.option("--url", help=h("help.slack_manifest.url"))
@click.option("--socket-mode", is_flag=True, help=h("help.slack_manifest.socket"))
@click.option(
    "--command", "slash", default="/kakehashi", show_default=True, help=h("help.slack_manifest.command")
)
@click.option("--out", type=params.Path(dir_okay=False), help=h("help.slack_manifest.out"))
@click.option("--force", is_flag=True, help=h("help.slack_manifest.force"))
def slack_manifest_command(
    url: str | None, socket_mode: bool, slash: str, out: str | None, force: bool
) -> None:
    if bool(url) == socket_mode:
        raise CliUsageError(m("cli.slack_manifest.need_mode"))
    if not slash.startswith("/") or " " in slash:
        raise CliUsageError("--command: " + m("cli.slack_manifest.bad_command", slash=slash))
    text = render(template(), url=_check_url(url) if url else None, command=slash)
    if out is None:
        click.echo(text, nl=False)
        return
    target = Path(out)
    if target.exists() and not force:
        raise CliError(m("cli.exists", path=target))
    target.write_text(text, encoding="utf-8")
    click.echo(m("cli.slack_manifest.wrote", path=target))
