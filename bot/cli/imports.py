"""``kakehashi import``: bring a community's history in (Slack export zip, Discourse API)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from bot.cli.errors import user_errors
from bot.settings import Settings


def _settings() -> Settings:
    with user_errors():
        return Settings.from_env()


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


@click.group("import", short_help="Store past community history (Slack export, Discourse).")
def import_group() -> None:
    """Import community history (stored and classified; reposted only with --repost)."""


@import_group.command("slack-export", short_help="Import a Slack workspace export zip (resumable).")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--repost", is_flag=True, help="Also queue reposts to the departments (default: store only).")
@click.option("--team", "team_id", default=None, help="Workspace id (T...) when users.json does not tell.")
@click.option(
    "--workspace-url", default=None, help="e.g. https://example.slack.com, for links back to messages."
)
def slack_export(path: Path, repost: bool, team_id: str | None, workspace_url: str | None) -> None:
    """Read a Slack workspace export zip (PATH) into the store; resumable and idempotent."""
    from adapters.slack_export import SlackExport
    from bot.platforms.slack.history import import_slack_export
    from bot.runtime.app import App

    settings = _settings()
    console = Console(stderr=True)

    async def go() -> Any:
        app = await App.build(settings, plugins=[])
        try:
            with (
                SlackExport(path, team_id=team_id, workspace_url=workspace_url) as export,
                _progress(console) as bar,
            ):
                if export.team_unknown:
                    console.print(
                        "[yellow]note:[/] the export names no workspace id (no team_id in users.json): "
                        f"messages are keyed under {export.team_id!r}; pass --team T… so that live "
                        "Slack events and reactions match the imported history"
                    )
                task = bar.add_task(f"Slack {export.team_id}", total=len(export.day_files()))
                return await import_slack_export(
                    export,
                    dispatcher=app.dispatcher,
                    store=app.store,
                    repost=repost,
                    on_file=lambda day: bar.advance(task),
                )
        finally:
            await app.stop()

    with user_errors():
        report = asyncio.run(go())
    parts = ", ".join(f"{k} {v}" for k, v in sorted(report.outcomes.items())) or "nothing new"
    click.echo(f"{report.files} files ({report.files_skipped} already done), {report.seen} messages: {parts}")
    if repost and report.stored:
        click.echo("reposts are queued; `kakehashi serve` delivers them")


def _since(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r}: expected a date such as 2026-01-31") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


@import_group.command("discourse", short_help="Import a Discourse forum's posts since DATE (its API).")
@click.option("--since", "since_raw", required=True, help="Import posts created on or after this date (UTC).")
@click.option("--repost", is_flag=True, help="Also queue reposts to the departments (default: store only).")
def discourse(since_raw: str, repost: bool) -> None:
    """Read the forum's public posts since DATE through the API (DISCOURSE_URL, DISCOURSE_API_KEY)."""
    from adapters.discourse import Site
    from adapters.discourse_client import DiscourseClient
    from bot.platforms.discourse.source import DiscourseLookups, import_since
    from bot.runtime.app import App

    since = _since(since_raw)
    settings = _settings()
    if not settings.discourse_url:
        raise click.ClickException("DISCOURSE_URL: required for `kakehashi import discourse`")
    console = Console(stderr=True)

    async def go() -> tuple[int, int]:
        app = await App.build(replace(settings), plugins=[])
        client = DiscourseClient(
            base_url=str(settings.discourse_url),
            api_key=settings.discourse_api_key,
            api_username=settings.discourse_api_username,
        )
        lookups = DiscourseLookups(site=Site(str(settings.discourse_url)), client=client)
        try:
            with _progress(console) as bar:
                task = bar.add_task(f"Discourse since {since.date()}", total=None)
                return await import_since(
                    lookups=lookups,
                    client=client,
                    dispatcher=app.dispatcher,
                    store=app.store,
                    since=since,
                    repost=repost,
                    on_page=lambda seen, stored: bar.update(task, completed=seen),
                )
        finally:
            await client.aclose()
            await app.stop()

    with user_errors():
        seen, stored = asyncio.run(go())
    click.echo(
        f"{seen} posts since {since.date()}: {stored} stored, {seen - stored} already known or ignored"
    )
