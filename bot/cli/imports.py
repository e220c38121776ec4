"""``kakehashi import``: bring a community's history in (Slack export zip, Discourse API)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from bot.cli import params
from bot.cli.errors import CliError, CliUsageError, run, user_errors
from bot.cli.invocation import command_prefix
from bot.cli.language import h, m
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


@click.group("import", short_help=h("help.import.short"), help=h("help.import"))
def import_group() -> None:
    pass


@import_group.command("slack-export", short_help=h("help.import.slack.short"), help=h("help.import.slack"))
@click.argument("path", type=params.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--repost", is_flag=True, help=h("help.import.repost"))
@click.option("--team", "team_id", default=None, help=h("help.import.team"))
@click.option("--workspace-url", default=None, help=h("help.import.workspace_url"))
def slack_export(path: Path, repost: bool, team_id: str | None, workspace_url: str | None) -> None:
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
                    note = m("cli.import.team_unknown", team=export.team_id)
                    console.print(note, style="yellow", markup=False, highlight=False)
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
        report = run(go)
    parts = ", ".join(
        m("cli.import.outcome", what=_outcome(k), count=v) for k, v in sorted(report.outcomes.items())
    ) or m("cli.import.nothing")
    click.echo(
        m(
            "cli.import.slack.done",
            files=report.files,
            skipped=report.files_skipped,
            seen=report.seen,
            parts=parts,
        )
    )
    if repost and report.stored:
        click.echo(m("cli.import.queued", cmd=command_prefix()))


def _outcome(name: str) -> str:
    key = f"cli.import.outcome.{name}"
    text = m(key)
    return name if text == key else text


def _since(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise CliUsageError("--since: " + m("cli.import.bad_date", value=value)) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


@import_group.command(
    "discourse", short_help=h("help.import.discourse.short"), help=h("help.import.discourse")
)
@click.option("--since", "since_raw", required=True, help=h("help.import.since"))
@click.option("--repost", is_flag=True, help=h("help.import.repost"))
def discourse(since_raw: str, repost: bool) -> None:
    from adapters.discourse import Site
    from adapters.discourse_client import DiscourseClient
    from bot.platforms.discourse.source import DiscourseLookups, import_since
    from bot.runtime.app import App

    since = _since(since_raw)
    settings = _settings()
    if not settings.discourse_url:
        raise CliError(m("cli.import.need_discourse"))
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
                task = bar.add_task(m("cli.import.discourse.progress", date=since.date()), total=None)
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
        seen, stored = run(go)
    click.echo(
        m("cli.import.discourse.done", seen=seen, date=since.date(), stored=stored, other=seen - stored)
    )
