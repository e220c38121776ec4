"""``kakehashi stats``: what the store holds, per department, tag, status and source platform."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.table import Table

from bot.cli.errors import run, settings_from_env, user_errors

if TYPE_CHECKING:  # SQLAlchemy loads when the command runs, not for --help
    from storage.store import Store


async def collect(store: Store) -> dict[str, Any]:
    return await store.overview()


def render(stats: dict[str, Any], console: Console) -> None:
    span = f"  ({stats['first'][:10]} .. {stats['last'][:10]})" if stats["first"] else ""
    console.print(f"[bold]{stats['messages']}[/] messages, [bold]{stats['items']}[/] routed items{span}")
    from storage.items import STATUSES

    present = {s for counts in stats["departments"].values() for s in counts}
    # the workflow's order (open first, imported history last), then any other status by name
    statuses = [s for s in STATUSES if s in present] + sorted(present - set(STATUSES))
    table = Table(title="items per department", title_justify="left")
    table.add_column("department")
    for status in statuses:
        table.add_column(status, justify="right")
    table.add_column("total", justify="right")
    for dept, counts in stats["departments"].items():
        table.add_row(dept, *(str(counts.get(s, 0)) for s in statuses), str(sum(counts.values())))
    console.print(table)
    tags = Table(title="items per tag", title_justify="left")
    tags.add_column("tag")
    tags.add_column("items", justify="right")
    for tag, count in stats["tags"].items():
        tags.add_row(tag, str(count))
    console.print(tags)
    platforms = Table(title="per source platform", title_justify="left")
    for col in ("platform", "messages", "items"):
        platforms.add_column(col, justify="left" if col == "platform" else "right")
    for platform, counts in stats["platforms"].items():
        platforms.add_row(platform, str(counts["messages"]), str(counts["items"]))
    console.print(platforms)


@click.command("stats", short_help="Totals per department, tag, status and source platform.")
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON.")
def stats_command(as_json: bool) -> None:
    """Totals per department, tag, status and source platform (live and imported history)."""
    from storage.db import create_engine
    from storage.migrate import upgrade
    from storage.store import Store

    settings = settings_from_env()

    async def go() -> dict[str, Any]:
        engine = create_engine(settings.database_url)
        try:
            await upgrade(engine)
            return await collect(Store(engine))
        finally:
            await engine.dispose()

    with user_errors():
        stats = run(go)
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False, indent=2))
    else:
        render(stats, Console(width=100))
