"""The ``kakehashi`` command line."""

from __future__ import annotations

import logging
import os
import re
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
from bot.cli.errors import CliError, CliUsageError, run, settings_from_env, user_errors
from bot.cli.help_format import localise
from bot.cli.imports import import_group
from bot.cli.init import init_command
from bot.cli.language import h, m, message_locale, mn
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


@click.group(help=h("help.main"), context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kakehashi", help=h("help.option.version"))
def main() -> None:
    pass


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


@main.command(short_help=h("help.demo.short"), help=h("help.demo"))
@click.option(
    "--rules",
    "rules_path",
    type=click.Path(exists=True, dir_okay=False),
    help=h("help.demo.rules"),
)
@click.option("--db", "db_path", default="kakehashi-demo.db", show_default=True, help=h("help.demo.db"))
@click.option("--out", "out_dir", default="kakehashi-out", show_default=True, help=h("help.demo.out"))
@click.option("--verbose", "-v", is_flag=True, help=h("help.demo.verbose"))
def demo(rules_path: str | None, db_path: str, out_dir: str, verbose: bool) -> None:
    from bot.cli.demo import run_demo
    from bot.settings import sample_company_rules_path

    _logging("WARNING")
    path = Path(rules_path) if rules_path else sample_company_rules_path()
    # the sample company's rules are Japanese, but nobody chose them: without --rules the demo
    # speaks the command line's language (KAKEHASHI_LOCALE, ./rules.yaml, LANG), the reasons too
    locale = None if rules_path else message_locale()
    if locale is not None and locale != "ja":
        path = _sample_rules_in(locale, Path(out_dir))
    console = Console()
    result = run(
        lambda: run_demo(
            rules_path=path,
            db_path=Path(db_path),
            out_dir=Path(out_dir),
            console=console,
            verbose=verbose,
            locale=locale,
        )
    )
    if result["dead"]:
        raise CliError(m("cli.demo.dead", count=result["dead"]))


def _sample_rules_in(locale: str, out_dir: Path) -> Path:
    """A copy of the sample company's rules with ``locale:`` changed (its keywords read both)."""
    from bot.settings import sample_company_rules_path

    text = sample_company_rules_path().read_text(encoding="utf-8")
    out_dir.mkdir(parents=True, exist_ok=True)
    copy = out_dir / f"sample-company-{locale}.yaml"
    copy.write_text(
        re.sub(r"^locale: ja\b", f"locale: {locale}", text, count=1, flags=re.M), encoding="utf-8"
    )
    return copy


LISTEN_BACKLOG = 2048  # connections the kernel queues before the server accepts them (somaxconn caps it)


@main.command(short_help=h("help.serve.short"), help=h("help.serve"))
def serve() -> None:
    settings = settings_from_env()
    with user_errors():
        rules_path_from_env()  # a KAKEHASHI_RULES that points nowhere is named as such
    _logging(settings.log_level)
    run(lambda: _serve(settings))


async def _serve(settings: Settings) -> None:
    import asyncio  # here, not at the top: `kakehashi --help` does not load it

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
        error = os.strerror(exc.errno).lower() if exc.errno else str(exc)
        raise SettingsError(
            m("cli.serve.port", port=settings.port, host=settings.host, error=error)
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


@main.group(help=h("help.db"))
def db() -> None:
    pass


@db.command("upgrade", help=h("help.db.upgrade"))
def db_upgrade() -> None:
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
    click.echo(m("cli.db.revision", revision=revision))


@main.group(help=h("help.outbox"))
def outbox() -> None:
    pass


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


@outbox.command("list", help=h("help.outbox.list"))
@click.option(
    "--status",
    type=click.Choice(["pending", "sent", "dead", "cancelled"]),
    default=None,
    help=h("help.outbox.status"),
)
@click.option("--limit", default=50, show_default=True, help=h("help.limit"))
def outbox_list(status: str | None, limit: int) -> None:

    async def go(store: Any) -> tuple[Any, Any]:
        return await store.outbox_rows(status=status, limit=limit), await store.outbox_counts()

    rows, counts = run(lambda: _with_store(go))
    table = Table(
        title="outbox " + "  ".join(f"{k}={v}" for k, v in sorted(counts.items())), title_justify="left"
    )
    for col in ("id", "kind", "destination", "status", "attempts", "next", "error"):
        table.add_column(m(f"cli.outbox.col.{col}"), overflow="fold")
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


@outbox.command("retry", help=h("help.outbox.retry"))
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "all_", is_flag=True, help=h("help.outbox.all"))
def outbox_retry(ids: tuple[int, ...], all_: bool) -> None:
    if not ids and not all_:
        raise CliUsageError(m("cli.outbox.need_ids"))

    async def go(store: Any) -> tuple[int, list[str]]:
        skipped = []
        for row_id in ids:  # say why an id given by hand was not queued
            row = await store.get_row(row_id)
            if row is None:
                skipped.append(m("cli.outbox.no_row", row=row_id))
            elif row.status != "dead":
                skipped.append(m("cli.outbox.not_dead", row=row_id, status=row.status))
        return int(await store.retry_dead(list(ids) or None)), skipped

    count, skipped = run(lambda: _with_store(go))
    for line in skipped:
        click.echo(line, err=True)
    click.echo(mn("cli.outbox.queued", count))


@main.command(short_help=h("help.quarantine.short"), help=h("help.quarantine"))
@click.option("--limit", default=50, show_default=True, help=h("help.limit"))
def quarantine(limit: int) -> None:

    async def go(store: Any) -> tuple[Any, int]:
        return await store.quarantined(limit=limit), await store.quarantine_count()

    rows, count = run(lambda: _with_store(go))
    table = Table(title=mn("cli.quarantine.title", count), title_justify="left")
    for col in ("id", "received", "platform", "key", "reason"):
        table.add_column(m(f"cli.quarantine.col.{col}"), overflow="fold")
    for row in rows:
        table.add_row(
            str(row.id), row.received_at.strftime("%Y-%m-%d %H:%M:%S"), row.platform, row.key, row.reason
        )
    console = Console()
    if not console.is_terminal:
        console = Console(width=1000)
    console.print(table)


localise(main)  # every command's help screen says "Usage:", "Options" … in the command line's language

if __name__ == "__main__":  # pragma: no cover
    main()
