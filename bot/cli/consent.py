"""``kakehashi consent export``: the proof of every reuse permission an author answered.

One record per answered request: the post (item, department, text, link), its author, the exact
words they were shown, their answer (``granted``, ``anonymous``: granted without their name, or
``declined``), who answered and when, who asked, when and where (the DM or 1:1 chat it went to).
CSV for a spreadsheet, JSON for the marketing site; ``--period`` bounds the answer's time.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from bot.cli import params
from bot.cli.errors import run, settings_from_env
from bot.cli.language import h

if TYPE_CHECKING:  # SQLAlchemy loads when the command runs, not for --help
    from storage.consents import ConsentRecord

FIELDS = (
    "item_id",
    "department",
    "answer",
    "reusable",
    "anonymous",
    "author",
    "author_id",
    "answered_by",
    "answered_by_id",
    "answered_at",
    "agreed_text",
    "post_text",
    "link",
    "platform",
    "asked_by",
    "asked_at",
    "asked_in",
    "request_sent_at",
)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def record(entry: ConsentRecord) -> dict[str, Any]:
    consent, message = entry.consent, entry.message
    return {
        "item_id": consent.item_id,
        "department": entry.department,
        "answer": consent.answer,
        "reusable": consent.answer in ("granted", "anonymous"),
        "anonymous": consent.answer == "anonymous",
        "author": consent.author,
        "author_id": consent.author_id,
        "answered_by": consent.answered_by,
        "answered_by_id": consent.answered_by_id,
        "answered_at": _iso(consent.answered_at),
        "agreed_text": consent.text,
        "post_text": message.text,
        "link": message.link,
        "platform": consent.platform,
        "asked_by": consent.asked_by,
        "asked_at": _iso(consent.asked_at),
        "asked_in": entry.asked_in,
        "request_sent_at": _iso(entry.request_sent_at),
    }


def as_csv(records: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in records:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return out.getvalue()


async def collect(period_text: str | None, *, reusable_only: bool = False) -> list[dict[str, Any]]:
    from bot.reports.recap import read_period
    from bot.runtime.app import App

    settings = settings_from_env()
    app = await App.build(replace(settings, instance_id=f"cli-{settings.instance_id}"), plugins=[])
    try:
        start = end = None
        if period_text:
            period = read_period(app.rules.current, period_text, now=app.clock())
            start, end = period.start, period.end
        records = [record(entry) for entry in await app.store.consents(start=start, end=end)]
        return [r for r in records if r["reusable"]] if reusable_only else records
    finally:
        await app.stop()


@click.group("consent", short_help=h("help.consent.short"), help=h("help.consent"))
def consent_group() -> None:
    pass


@consent_group.command("export", short_help=h("help.consent.export.short"), help=h("help.consent.export"))
@click.option(
    "--format",
    "fmt",
    type=params.Choice(["csv", "json"]),
    default="csv",
    show_default=True,
    help=h("help.consent.format"),
)
@click.option(
    "--period",
    "period_text",
    default=None,
    help=h("help.consent.period"),
)
@click.option(
    "--reusable",
    "reusable_only",
    is_flag=True,
    help=h("help.consent.reusable"),
)
def export_command(fmt: str, period_text: str | None, reusable_only: bool) -> None:
    records = run(lambda: collect(period_text, reusable_only=reusable_only))
    if fmt == "json":
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
    else:
        click.echo(as_csv(records), nl=False)
