"""``kakehashi rules check`` and ``kakehashi rules test``: explain what the rules decide."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, get_args

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bot.cli.errors import user_errors
from bot.core.domain import Platform
from bot.core.errors import KakehashiError
from bot.core.texts import t
from bot.settings import rules_path_from_env

if TYPE_CHECKING:  # the rule engine (and the pipeline's storage) load when a command runs, not for --help
    from rules import RuleSet

MISSES_SHOWN = 15  # wrong department sets listed after the table; --json has them all


def _rules_path(path: str | None) -> Path:
    if path:
        return Path(path)
    try:
        return rules_path_from_env()
    except KakehashiError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)


def _load_or_exit(path: Path) -> RuleSet:
    from rules import RulesError, load_rules

    try:
        return load_rules(path)
    except RulesError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)


@click.group("rules")
def rules_group() -> None:
    """Check and try out rules.yaml."""


@rules_group.command("init", short_help="Write the short starter rules.yaml (intent-based) to start from.")
@click.argument("path", required=False, default="rules.yaml", type=click.Path(dir_okay=False))
def init(path: str) -> None:
    """Write the bundled starter rules to PATH (default ./rules.yaml) to start from: short, commented,
    routed on intents plus a list of product words (a long worked example is in
    bot/data/examples/sample-company.yaml)."""
    from bot.settings import bundled_rules_path

    target = Path(path)
    if target.exists() or target.is_symlink():
        raise click.ClickException(f"{target} already exists: edit it, or give another PATH")
    target.write_text(bundled_rules_path().read_text(encoding="utf-8"), encoding="utf-8")
    click.echo(
        f"wrote {target}: edit sources, departments, admins and the product words, "
        f"then `kakehashi rules check {target}`"
    )


@rules_group.command("check", short_help="Validate rules.yaml; exit 2 listing every problem.")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
def check(path: str | None) -> None:
    """Validate PATH (default: $KAKEHASHI_RULES or ./rules.yaml); exit 2 with every problem."""
    rules_path = _rules_path(path)
    rs = _load_or_exit(rules_path)
    routes = sum(len(route.walk()) for route in rs.routes)
    click.echo(
        t(
            rs.locale,
            "cli.rules.ok",
            path=rules_path,
            departments=len(rs.departments),
            routes=routes,
            reactions=len(rs.reactions),
            schedules=len(rs.schedules),
        )
    )


@rules_group.command("test", short_help="Which routes, departments and tags a message gets, and why.")
@click.argument("text", required=False)
@click.option("--file", "file_", type=click.Path(exists=True, dir_okay=False), help="JSON lines of messages.")
@click.option(
    "--channel",
    default="#community",
    show_default=True,
    help="Where the message is posted (#name, Team/Channel, discourse:CATEGORY, webhook:SOURCE).",
)
@click.option(
    "--platform",
    type=click.Choice(get_args(Platform)),
    default="slack",
    show_default=True,
    help="The platform it comes from.",
)
@click.option(
    "--author",
    default="someone",
    show_default=True,
    help="Who wrote it (name or id; for `author` and `staff` conditions).",
)
@click.option("--rules", "rules_path", type=click.Path(dir_okay=False), help="rules.yaml to use.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def test(
    text: str | None,
    file_: str | None,
    channel: str,
    platform: str,
    author: str,
    rules_path: str | None,
    as_json: bool,
) -> None:
    """Show which routes, departments and tags TEXT (or each line of --file) gets, and why.

    --file takes JSON lines (or a JSON array) of {"text": ..., "expected": [departments],
    "expected_tag": ..., "channel": ..., "platform": ..., "author": ...}, or of {"text": ..., "must": department
    or "none", "ok": [departments also allowed], "source": ...}; labelled lines give accuracy
    (per source too) and per-department precision and recall.  --channel / --platform are the defaults for lines
    that do not say.
    """
    from bot.chat.rules_eval import explanation_json, match_json, probe_message
    from bot.pipeline.dispatcher import channel_ignore_reason
    from bot.pipeline.reasons import why_not

    rs = _load_or_exit(_rules_path(rules_path))
    if file_:
        _test_file(rs, Path(file_), as_json=as_json, channel=channel, platform=platform)
        return
    if text is None:
        raise click.UsageError("give TEXT or --file MESSAGES.jsonl")
    probe = probe_message(text, channel=channel, platform=platform, author=author)
    explanation = rs.explain(probe)
    matches = explanation.matches
    why = why_not(explanation, text, rs.locale)
    ignored = channel_ignore_reason(rs, probe)  # what the running bot would do before the rules
    if as_json:
        out = {
            "text": text,
            "matches": [match_json(m) for m in matches],
            "ignored": ignored,
            "explanation": explanation_json(explanation, why),
        }
        click.echo(json.dumps(out, ensure_ascii=False))
        return
    console = Console()
    if ignored:
        console.print(
            f"note: {platform} {channel}: {ignored}, so the running bot ignores messages there; "
            "the rules alone would say:",
            highlight=False,
        )
    if not matches:
        console.print(t(rs.locale, "explain.stored_only"), highlight=False, soft_wrap=True)
    for match in matches:
        console.print(
            f"[bold]{escape(match.route)}[/] → {escape(', '.join(match.departments) or '(nowhere)')}  "
            f"tag={escape(match.tag or '-')}",
            highlight=False,
        )
        for reason in match.reasons:
            span = f" at {reason.span[0]}-{reason.span[1]}" if reason.span else ""
            console.print(f"    {reason.path}: {reason.text}{span}", highlight=False, markup=False)
    for line in why.lines:
        console.print(line, highlight=False, markup=False, soft_wrap=True)
    if why.nearest:
        console.print(t(rs.locale, "explain.nearest") + ":", highlight=False, markup=False)
        for line in why.nearest:
            console.print(f"  - {line}", highlight=False, markup=False, soft_wrap=True)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def _test_file(rs: RuleSet, path: Path, *, as_json: bool, channel: str, platform: str) -> None:
    from bot.chat.rules_eval import evaluate, read_records

    with user_errors():
        ev = evaluate(rs, read_records(path), channel=channel, platform=platform)
    summary = ev.summary()
    if as_json:
        click.echo(json.dumps({"summary": summary, "results": ev.results}, ensure_ascii=False))
        return
    console = Console()
    for title, counts in (("route", ev.by_route), ("department", ev.by_department)):
        table = Table(title=f"messages per {title}", title_justify="left")
        table.add_column(title)
        table.add_column("count", justify="right")
        for key, value in counts.most_common():
            table.add_row(key, str(value))
        console.print(table)
    if not ev.labelled:
        return
    table = Table(title="per department (against 'expected')", title_justify="left")
    for column in ("department", "right", "noise (fp)", "missed (fn)", "precision", "recall"):
        table.add_column(column, justify="left" if column == "department" else "right")
    for name, scores in sorted(ev.scores.items()):
        table.add_row(
            name, str(scores.tp), str(scores.fp), str(scores.fn), _pct(scores.precision), _pct(scores.recall)
        )
    console.print(table)
    if ev.by_source:
        table = Table(title="per source", title_justify="left")
        for column in ("source", "right", "of", "accuracy"):
            table.add_column(column, justify="left" if column == "source" else "right")
        for name, tally in sorted(ev.by_source.items()):
            table.add_row(name, str(tally.correct), str(tally.labelled), f"{100 * tally.ratio:.0f}%")
        console.print(table)
    console.print(
        f"accuracy: {ev.correct}/{ev.labelled} ({100 * ev.correct / ev.labelled:.1f}%) right "
        "(exact department sets; must/ok rows: must routed, nothing outside must + ok)"
    )
    if ev.tag_labelled:
        console.print(
            f"tags: {ev.tag_correct}/{ev.tag_labelled} ({100 * ev.tag_correct / ev.tag_labelled:.1f}%) right"
        )
    wrong = [r for r in ev.results if r["ok"] is False]
    for r in wrong[:MISSES_SHOWN]:
        console.print(
            f"  line {r['line']}: expected {r['expected']} got {r['departments']}: {r['text'][:70]!r}",
            highlight=False,
        )
    if len(wrong) > MISSES_SHOWN:
        console.print(f"  … and {len(wrong) - MISSES_SHOWN} more (--json lists every line)", highlight=False)
