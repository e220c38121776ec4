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
        raise click.BadParameter(
            f"{url!r}: expected the public https:// address of `kakehashi serve` (Slack only calls https), "
            "e.g. https://kakehashi.example.com",
            param_hint="--url",
        )
    return url


@click.command("slack-manifest", short_help="Write the Slack app manifest with your server's URLs.")
@click.option("--url", help="Public https:// address of `kakehashi serve` (HTTP mode).")
@click.option("--socket-mode", is_flag=True, help="A manifest for Socket Mode (no public address).")
@click.option(
    "--command", "slash", default="/kakehashi", show_default=True, help="The slash command (SLACK_COMMAND)."
)
@click.option("--out", type=click.Path(dir_okay=False), help="Write here instead of standard output.")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
def slack_manifest_command(
    url: str | None, socket_mode: bool, slash: str, out: str | None, force: bool
) -> None:
    """Print (or --out) the manifest to paste at api.slack.com/apps → Create New App → From an app manifest."""
    if bool(url) == socket_mode:
        raise click.UsageError("give --url https://your-host (HTTP mode) or --socket-mode")
    if not slash.startswith("/") or " " in slash:
        raise click.BadParameter(
            f"{slash!r}: expected a slash command such as /kakehashi", param_hint="--command"
        )
    text = render(template(), url=_check_url(url) if url else None, command=slash)
    if out is None:
        click.echo(text, nl=False)
        return
    target = Path(out)
    if target.exists() and not force:
        raise click.ClickException(f"{target} already exists: --force to overwrite it")
    target.write_text(text, encoding="utf-8")
    click.echo(
        f"wrote {target}: paste it at https://api.slack.com/apps → Create New App → From an app manifest"
    )
