"""``kakehashi recap`` and ``kakehashi agenda``: print what the scheduled posts would say."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import click

from bot.cli import params
from bot.cli.errors import run, settings_from_env, user_errors
from bot.cli.language import h, m

_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def plain(line: str) -> str:
    """A Markdown line as terminal text: ``[text](url)`` -> ``text <url>``, no ``**``."""
    return _BOLD.sub(r"\1", _LINK.sub(r"\1 <\2>", line))


def as_text(payload: dict[str, Any]) -> str:
    out = [plain(str(payload["title"])), ""]
    for section in payload["sections"]:
        out.append(f"■ {plain(section['heading'])}")
        out += [f"  {plain(line)}" for line in section["lines"]]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render(payload: dict[str, Any], fmt: str) -> str:
    """``payload`` is data (``bot.reports.data``) for json, a report payload otherwise."""
    if fmt == "json":
        return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    if fmt == "markdown":
        return str(payload["markdown"])
    return as_text(payload)


async def _with_app(fn: Any, as_of: date | None = None) -> Any:
    from bot.runtime.app import App
    from storage.models import utcnow

    settings = settings_from_env()
    instant: list[datetime] = []  # --as-of: the end of that day in the rules' timezone, once known
    app = await App.build(
        replace(settings, instance_id=f"cli-{settings.instance_id}"),
        plugins=[],
        clock=lambda: instant[0] if instant else utcnow(),
    )
    if as_of is not None:
        tz = app.rules.current.timezone
        end = datetime.combine(as_of + timedelta(days=1), time(), tzinfo=tz) - timedelta(microseconds=1)
        instant.append(end.astimezone(UTC))
    try:
        return await fn(app)
    finally:
        await app.stop()


def _run(fn: Any, as_of: date | None = None) -> Any:
    with user_errors():
        return run(lambda: _with_app(fn, as_of))


AS_OF = click.option(
    "--as-of",
    "as_of",
    type=params.Date(),
    help=h("help.as_of"),
)


async def history_hint(period: Any, store: Any) -> str:
    """When the period holds none of the stored messages (an imported history is usually older
    than last week), say which dates the store covers and how to ask for them.  The count is
    only asked for when the note is shown."""
    first, last = await store.message_span()
    if first is None or last is None or (first < period.end and last >= period.start):
        return ""
    tz = period.tz
    start, end = first.astimezone(tz).date(), last.astimezone(tz).date()
    return m("cli.recap.history", label=period.label, count=await store.message_count(), start=start, end=end)


@click.command("recap", short_help=h("help.recap.short"), help=h("help.recap"))
@click.argument("department", required=False)
@click.option(
    "--period",
    "period_text",
    default="last-week",
    show_default=True,
    help=h("help.recap.period"),
)
@click.option(
    "--format",
    "fmt",
    type=params.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help=h("help.recap.format"),
)
@click.option(
    "--chart",
    "chart_path",
    type=params.Path(dir_okay=False, writable=True),
    help=h("help.recap.chart"),
)
@AS_OF
def recap_command(
    department: str | None, period_text: str, fmt: str, chart_path: str | None, as_of: datetime | None
) -> None:
    from bot.reports.recap import read_period, recap_reply, resolve_department

    async def go(app: Any) -> tuple[dict[str, Any], bytes | None, str]:
        if fmt == "json":
            from bot.reports.data import recap_json

            payload = await recap_json(app, department, period_text)
        else:
            payload = await recap_reply(app, department, period_text)
        rules = app.rules.current
        period = read_period(rules, period_text, now=app.clock())
        png = None
        if chart_path:
            from bot.reports.chart import chart_png  # matplotlib: only when a chart is asked for

            dept = resolve_department(rules, department) if department else None
            drawn = await chart_png(app.store, rules, period, department=dept)
            png = drawn[0] if drawn else None
        return payload, png, await history_hint(period, app.store)

    payload, png, hint = _run(go, as_of.date() if as_of else None)
    click.echo(render(payload, fmt), nl=False)
    if hint:
        click.echo(hint, err=True)
    if chart_path:
        if png is None:
            click.echo(m("cli.recap.no_chart"), err=True)
        else:
            Path(chart_path).write_bytes(png)
            click.echo(m("cli.recap.chart", path=chart_path), err=True)


@click.command("agenda", short_help=h("help.agenda.short"), help=h("help.agenda"))
@click.option(
    "--period",
    "period_text",
    help=h("help.agenda.period"),
)
@click.option(
    "--format",
    "fmt",
    type=params.Choice(["markdown", "text", "json"]),
    default="markdown",
    show_default=True,
    help=h("help.agenda.format"),
)
@AS_OF
def agenda_command(period_text: str | None, fmt: str, as_of: datetime | None) -> None:
    from bot.reports.agenda import agenda_reply
    from bot.reports.data import agenda_json

    async def go(app: Any) -> dict[str, Any]:
        if fmt == "json":
            return await agenda_json(app, period_text)
        return await agenda_reply(app, period_text)

    payload = _run(go, as_of.date() if as_of else None)
    click.echo(render(payload, fmt), nl=False)
