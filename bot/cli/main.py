"""The ``kakehashi`` command line."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from bot.cli.consent import consent_group
from bot.cli.doctor import doctor_command
from bot.cli.errors import run, settings_from_env, user_errors
from bot.cli.imports import import_group
from bot.cli.init import init_command
from bot.cli.logs import configure_logging
from bot.cli.recap import agenda_command, recap_command
from bot.cli.rules import rules_group
from bot.cli.slack_manifest import slack_manifest_command
from bot.cli.stats import stats_command
from bot.cli.teams import teams_manifest_command
from bot.core.errors import SettingsError
from bot.settings import Settings, rules_path_from_env

T = TypeVar("T")


def _logging(level: str) -> None:
    configure_logging(level, sys.stderr)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kakehashi")
def main() -> None:
    """kakehashi (架け橋): carry your community's voice to the teams that need it."""


# Sub-command groups, one line each.
main.add_command(recap_command)
main.add_command(agenda_command)
main.add_command(rules_group)
main.add_command(import_group)
main.add_command(stats_command)
main.add_command(teams_manifest_command)
main.add_command(doctor_command)
main.add_command(init_command)
main.add_command(slack_manifest_command)
main.add_command(consent_group)


@main.command(short_help="Replay the bundled sample community into local files.")
@click.option(
    "--rules",
    "rules_path",
    type=click.Path(exists=True, dir_okay=False),
    help="rules.yaml to use (default: the sample company's, which the sample community is labelled for).",
)
@click.option(
    "--db", "db_path", default="kakehashi-demo.db", show_default=True, help="SQLite file (recreated)."
)
@click.option("--out", "out_dir", default="kakehashi-out", show_default=True, help="Where posts are written.")
@click.option("--verbose", "-v", is_flag=True, help="Every item, every unmatched message and the recaps.")
def demo(rules_path: str | None, db_path: str, out_dir: str, verbose: bool) -> None:
    """Replay the bundled sample community through the real pipeline, with local sinks."""
    from bot.cli.demo import run_demo
    from bot.settings import sample_company_rules_path

    _logging("WARNING")
    path = Path(rules_path) if rules_path else sample_company_rules_path()
    console = Console()
    result = run(
        lambda: run_demo(
            rules_path=path, db_path=Path(db_path), out_dir=Path(out_dir), console=console, verbose=verbose
        )
    )
    if result["dead"]:
        raise click.ClickException(f"{result['dead']} posts could not be delivered")


LISTEN_BACKLOG = 2048  # connections the kernel queues before the server accepts them (somaxconn caps it)


@main.command(short_help="Run the HTTP server (/healthz, /metrics, every platform).")
def serve() -> None:
    """Run the HTTP server (/healthz, /metrics and every configured platform endpoint)."""
    settings = settings_from_env()
    with user_errors():
        rules_path_from_env()  # a KAKEHASHI_RULES that points nowhere is named as such
    _logging(settings.log_level)
    run(lambda: _serve(settings))


async def _serve(settings: Settings) -> None:
    from aiohttp import web

    from bot.runtime.app import App
    from bot.runtime.server import NO_PLATFORM

    log = logging.getLogger("kakehashi")
    app = await App.build(settings)
    # A Slack-only community has no use for Teams: the other platforms are a note, not a warning,
    # unless nothing at all is listening.
    listening = [p.name for p in app.plugins if p.name != "scheduler"]
    for hint in settings.missing_for_platforms():
        log.log(logging.INFO if listening else logging.WARNING, "not configured: %s", hint)
    if not listening:
        log.warning("%s; /healthz reports degraded", NO_PLATFORM)
    # lingering_time: after answering (408, 503) a request whose body never came, wait at most a
    # second for the rest before closing, not aiohttp's default 10 s
    runner = web.AppRunner(app.web_app(), handle_signals=False, lingering_time=1.0)
    await runner.setup()
    # backlog: 2,000 clients connecting at once overflow aiohttp's default queue of 128, and a
    # dropped SYN is retried only after a second, so /healthz's own connection would wait that long
    site = web.TCPSite(runner, settings.host, settings.port, backlog=LISTEN_BACKLOG)
    try:
        await site.start()
    except OSError as exc:  # most often a second `kakehashi serve` on the same PORT
        await runner.cleanup()
        await app.stop()
        raise SettingsError(
            f"PORT={settings.port}: cannot listen on {settings.host}:{settings.port}: {os.strerror(exc.errno).lower() if exc.errno else exc}; "
            "is kakehashi (or something else) already running there? Stop it or set another PORT"
        ) from None
    try:
        await app.start()
    except BaseException:  # e.g. a Socket Mode token Slack refuses: release the port and the database
        await runner.cleanup()
        await app.stop()
        raise
    health_port = None
    if settings.health_port:
        from bot.runtime.health_port import HealthPort

        health_port = HealthPort(app, host=settings.host, port=settings.health_port)
        try:
            await asyncio.to_thread(health_port.start)
        except BaseException:
            await runner.cleanup()
            await app.stop()
            raise
    log.info(
        "kakehashi serving on http://%s:%d (rules %s, platforms: %s)",
        settings.host,
        settings.port,
        settings.rules_path,
        ", ".join(p.name for p in app.plugins) or "none",
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        log.info("shutting down")
        if health_port is not None:
            await asyncio.to_thread(health_port.stop)
        await runner.cleanup()
        await app.stop()


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply the migrations (also done automatically on start)."""
    from storage.db import create_engine
    from storage.migrate import upgrade

    settings = settings_from_env()

    async def go() -> str:
        engine = create_engine(settings.database_url)
        try:
            return await upgrade(engine)
        finally:
            await engine.dispose()

    revision = run(go)
    click.echo(f"database at revision {revision}")


@main.group()
def outbox() -> None:
    """Inspect and retry pending or dead-lettered posts."""


async def _with_store(fn: Callable[[Any], Awaitable[T]]) -> T:
    from storage.db import create_engine
    from storage.migrate import upgrade
    from storage.store import Store

    settings = settings_from_env()
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        return await fn(Store(engine))
    finally:
        await engine.dispose()


@outbox.command("list")
@click.option(
    "--status",
    type=click.Choice(["pending", "sent", "dead", "cancelled"]),
    default=None,
    help="Only rows with this status (dead: what could not be delivered, and why).",
)
@click.option("--limit", default=50, show_default=True, help="At most this many rows.")
def outbox_list(status: str | None, limit: int) -> None:
    """Show outbox rows, newest first, with the last error of each."""

    async def go(store: Any) -> tuple[Any, Any]:
        return await store.outbox_rows(status=status, limit=limit), await store.outbox_counts()

    rows, counts = run(lambda: _with_store(go))
    table = Table(
        title="outbox " + "  ".join(f"{k}={v}" for k, v in sorted(counts.items())), title_justify="left"
    )
    for col in ("id", "kind", "destination", "status", "attempts", "next attempt (UTC)", "last error"):
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(
            str(row.id),
            row.kind,
            row.destination,
            row.status,
            str(row.attempts),
            row.next_attempt_at.strftime("%Y-%m-%d %H:%M:%S") if row.status == "pending" else "",
            row.last_error or "",
        )
    console = Console()
    if not console.is_terminal:  # piped or captured: one row per line, so `grep channel_not_found` finds it
        console = Console(width=1000)
    console.print(table)


@outbox.command("retry")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "all_", is_flag=True, help="Retry every dead-lettered row.")
def outbox_retry(ids: tuple[int, ...], all_: bool) -> None:
    """Put dead-lettered rows (IDS, or --all) back in the queue."""
    if not ids and not all_:
        raise click.UsageError("give row ids or --all")

    async def go(store: Any) -> tuple[int, list[str]]:
        skipped = []
        for row_id in ids:  # say why an id given by hand was not queued
            row = await store.get_row(row_id)
            if row is None:
                skipped.append(f"row {row_id}: no such outbox row")
            elif row.status != "dead":
                skipped.append(f"row {row_id}: {row.status}, not dead-lettered")
        return int(await store.retry_dead(list(ids) or None)), skipped

    count, skipped = run(lambda: _with_store(go))
    for line in skipped:
        click.echo(line, err=True)
    click.echo(f"{count} {'row' if count == 1 else 'rows'} queued again")


@main.command(short_help="List messages the database refused (kept in quarantine, not lost).")
@click.option("--limit", default=50, show_default=True, help="At most this many rows.")
def quarantine(limit: int) -> None:
    """Messages the database refused even after cleaning, newest first, with the reason.

    Each row keeps the whole message (``payload``, as JSON) so it can be repaired and sent again.
    """

    async def go(store: Any) -> tuple[Any, int]:
        return await store.quarantined(limit=limit), await store.quarantine_count()

    rows, count = run(lambda: _with_store(go))
    table = Table(
        title=f"quarantine: {count} {'message' if count == 1 else 'messages'}", title_justify="left"
    )
    for col in ("id", "received (UTC)", "platform", "key", "reason"):
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(
            str(row.id), row.received_at.strftime("%Y-%m-%d %H:%M:%S"), row.platform, row.key, row.reason
        )
    console = Console()
    if not console.is_terminal:
        console = Console(width=1000)
    console.print(table)


if __name__ == "__main__":  # pragma: no cover
    main()
