"""``kakehashi stats``: what the store holds (per department, tag, status and source platform) and
what the community brought each department in a period: response and close times, answers back,
questions the community answered, testimonials, flags and each route's precision."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.table import Table

from bot.cli import params
from bot.cli.language import h, message_locale
from bot.cli.recap import _run
from bot.core.texts import t

if TYPE_CHECKING:  # SQLAlchemy loads when the command runs, not for --help
    from storage.store import Store


async def collect(store: Store) -> dict[str, Any]:
    return await store.overview()


def render(stats: dict[str, Any], console: Console, locale: str = "en") -> None:
    """What the store holds, labelled in the rules' ``locale``."""
    from storage.items import STATUSES

    def col(key: str) -> str:
        return t(locale, f"stats.col.{key}")

    span = f"  ({stats['first'][:10]} .. {stats['last'][:10]})" if stats["first"] else ""
    console.print(
        t(locale, "stats.summary", messages=stats["messages"], items=stats["items"]) + span, highlight=False
    )
    present = {s for counts in stats["departments"].values() for s in counts}
    # the workflow's order (open first, imported history last), then any other status by name
    statuses = [s for s in STATUSES if s in present] + sorted(present - set(STATUSES))
    table = Table(title=t(locale, "stats.by_department"), title_justify="left")
    table.add_column(col("department"))
    for status in statuses:
        table.add_column(status if locale == "en" else t(locale, f"status.{status}"), justify="right")
    table.add_column(col("total"), justify="right")
    for dept, counts in stats["departments"].items():
        table.add_row(dept, *(str(counts.get(s, 0)) for s in statuses), str(sum(counts.values())))
    console.print(table)
    tags = Table(title=t(locale, "stats.by_tag"), title_justify="left")
    tags.add_column(col("tag"))
    tags.add_column(col("items"), justify="right")
    for tag, count in stats["tags"].items():
        tags.add_row(tag, str(count))
    console.print(tags)
    platforms = Table(title=t(locale, "stats.by_platform"), title_justify="left")
    for key in ("platform", "messages", "items"):
        platforms.add_column(col(key), justify="left" if key == "platform" else "right")
    for platform, counts in stats["platforms"].items():
        platforms.add_row(platform, str(counts["messages"]), str(counts["items"]))
    console.print(platforms)


def _cell(value: Any) -> str:
    return "—" if value is None else str(value)


def render_value(value: dict[str, Any], title: str, locale: str, console: Console) -> None:
    from storage.figures import ALL

    """The value figures as tables, labelled in the rules' locale, then what each figure means."""
    from bot.reports.value import duration_text, emoji_text

    def col(key: str) -> str:
        return t(locale, f"value.col.{key}")

    rows = list(value["departments"].items())
    if value["department"] is None:
        rows.append((ALL, value["total"]))

    def label(name: str, d: dict[str, Any]) -> str:
        return t(locale, "value.all_departments") if name == ALL else f"{d['label'] or name} ({name})"

    console.print(f"[bold]{title}[/]", highlight=False)
    times = Table()
    for key in (
        "department",
        "items",
        "response_median",
        "response_p90",
        "waiting",
        "close_median",
        "close_p90",
    ):
        times.add_column(col(key), justify="left" if key == "department" else "right")
    outcomes = Table()
    for key in ("department", "done", "declined", "answered_back", "deflection", "testimonials", "votes"):
        outcomes.add_column(col(key), justify="left" if key == "department" else "right")
    for name, d in rows:
        first, close = d["first_response"], d["time_to_close"]
        times.add_row(
            label(name, d),
            str(d["items"]),
            duration_text(first["median_seconds"], locale),
            duration_text(first["p90_seconds"], locale),
            str(first["waiting"]),
            duration_text(close["median_seconds"], locale),
            duration_text(close["p90_seconds"], locale),
        )
        outcomes.add_row(
            label(name, d),
            str(d["closed"]["done"]),
            str(d["closed"]["declined"]),
            str(d["answered_back"]),
            f"{d['questions']['answered_by_community']}/{d['questions']['total']}",
            str(d["testimonials"]["granted"]),
            str(d["votes"]),
        )
    console.print(times)
    console.print(outcomes)
    routes = Table(title=t(locale, "value.routes"), title_justify="left")
    for key in ("route", "department", "hits", "withdrawn", "forwarded", "misrouted", "precision"):
        routes.add_column(col(key), justify="left" if key in ("route", "department") else "right")
    for r in value["routes"]:
        precision = None if r["precision"] is None else f"{round(100 * r['precision'])}%"
        routes.add_row(
            r["route"],
            r["department"],
            str(r["hits"]),
            str(r["withdrawn"]),
            str(r["forwarded"]),
            str(r["misrouted"]),
            _cell(precision),
        )
    console.print(routes)
    if value["flags"]:
        flags = Table(title=t(locale, "value.flags"), title_justify="left")
        for key in ("emoji", "department", "flags", "posts"):
            flags.add_column(col(key), justify="left" if key in ("emoji", "department") else "right")
        for f in value["flags"]:
            flags.add_row(emoji_text(f["emoji"]), _cell(f["department"]), str(f["flags"]), str(f["posts"]))
        console.print(flags)
    console.print(f"[bold]{t(locale, 'value.definitions')}[/]")
    for text in value["definitions"].values():
        console.print(f"- {text}", highlight=False)


@click.command("stats", short_help=h("help.stats.short"), help=h("help.stats"))
@click.option(
    "--period",
    default=None,
    help=h("help.stats.period"),
)
@click.option("--department", default=None, help=h("help.stats.department"))
@click.option(
    "--format",
    "fmt",
    type=params.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help=h("help.stats.format"),
)
@click.option("--json", "as_json", is_flag=True, help=h("help.stats.json"))
def stats_command(period: str | None, department: str | None, fmt: str, as_json: bool) -> None:
    from bot.reports.recap import resolve_department
    from bot.reports.value import stats_period, value_data, value_figures, value_title

    async def go(app: Any) -> tuple[dict[str, Any], dict[str, Any], str, str]:
        rules = app.rules.current
        window = stats_period(rules, period, now=app.clock())
        dept = resolve_department(rules, department) if department else None
        figures = await value_figures(app.store, rules, period=window, department=dept)
        overview = await collect(app.store)
        title = value_title(rules, figures, window)
        return overview, value_data(figures, rules, window), title, message_locale(rules.locale)

    overview, value, title, locale = _run(go)
    if as_json or fmt == "json":
        click.echo(json.dumps({**overview, "value": value}, ensure_ascii=False, indent=2))
    else:
        console = Console(width=100)
        render(overview, console, locale)
        render_value(value, title, locale, console)
