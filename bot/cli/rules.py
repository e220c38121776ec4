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

from bot.cli import params
from bot.cli.errors import CliError, CliUsageError, user_errors
from bot.cli.invocation import command_prefix
from bot.cli.language import h, m, message_locale
from bot.cli.wrap import fit
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
        click.echo(fit(exc.text(message_locale())), err=True)
        sys.exit(2)


def _load_or_exit(path: Path) -> RuleSet:
    from rules import RulesError, load_rules

    try:
        return load_rules(path)
    except RulesError as exc:  # each problem's place as it is, its sentence in the command line's language
        click.echo(fit(exc.text(message_locale())), err=True)
        sys.exit(2)


@click.group("rules", help=h("help.rules"))
def rules_group() -> None:
    pass


@rules_group.command("init", short_help=h("help.rules.init.short"), help=h("help.rules.init"))
@click.argument("path", required=False, default="rules.yaml", type=params.Path(dir_okay=False))
def init(path: str) -> None:
    from bot.settings import bundled_rules_path

    target = Path(path)
    if target.exists() or target.is_symlink():
        raise CliError(m("cli.rules.init.exists", path=target))
    target.write_text(bundled_rules_path().read_text(encoding="utf-8"), encoding="utf-8")
    click.echo(m("cli.rules.init.wrote", path=target, cmd=command_prefix()))


@rules_group.command("check", short_help=h("help.rules.check.short"), help=h("help.rules.check"))
@click.argument("path", required=False, type=params.Path(dir_okay=False))
def check(path: str | None) -> None:
    rules_path = _rules_path(path)
    rs = _load_or_exit(rules_path)
    routes = sum(len(route.walk()) for route in rs.routes)
    click.echo(
        t(
            message_locale(rs.locale),
            "cli.rules.ok",
            path=rules_path,
            departments=len(rs.departments),
            routes=routes,
            reactions=len(rs.reactions),
            schedules=len(rs.schedules),
        )
    )


@rules_group.command("test", short_help=h("help.rules.test.short"), help=h("help.rules.test"))
@click.argument("text", required=False)
@click.option(
    "--file", "file_", type=params.Path(exists=True, dir_okay=False), help=h("help.rules.test.file")
)
@click.option(
    "--channel",
    default="#community",
    show_default=True,
    help=h("help.rules.test.channel"),
)
@click.option(
    "--platform",
    type=params.Choice(get_args(Platform)),
    default="slack",
    show_default=True,
    help=h("help.rules.test.platform"),
)
@click.option(
    "--author",
    default="someone",
    show_default=True,
    help=h("help.rules.test.author"),
)
@click.option("--rules", "rules_path", type=params.Path(dir_okay=False), help=h("help.rules.test.rules"))
@click.option("--json", "as_json", is_flag=True, help=h("help.rules.test.json"))
def test(
    text: str | None,
    file_: str | None,
    channel: str,
    platform: str,
    author: str,
    rules_path: str | None,
    as_json: bool,
) -> None:
    from bot.chat.rules_eval import explanation_json, match_json, probe_message
    from bot.pipeline.dispatcher import channel_ignore_reason
    from bot.pipeline.reasons import why_not

    rs = _load_or_exit(_rules_path(rules_path))
    if file_:
        _test_file(rs, Path(file_), as_json=as_json, channel=channel, platform=platform)
        return
    if text is None:
        raise CliUsageError(m("cli.rules.test.need_text"))
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
    locale = message_locale(rs.locale)
    if ignored:
        where = t(locale, f"cli.ignored.{ignored}")
        note = t(locale, "cli.rules.test.ignored", platform=platform, channel=channel, reason=where)
        console.print(note, highlight=False, markup=False)
    if not matches:
        console.print(t(rs.locale, "explain.stored_only"), highlight=False, soft_wrap=True)
    nowhere = t(locale, "cli.rules.test.nowhere")
    for match in matches:
        console.print(
            f"[bold]{escape(match.route)}[/] → {escape(', '.join(match.departments) or nowhere)}  "
            f"tag={escape(match.tag or '-')}",
            highlight=False,
        )
        for reason in match.reasons:
            span = (
                t(locale, "cli.rules.test.span", start=reason.span[0], end=reason.span[1])
                if reason.span
                else ""
            )
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
    locale = message_locale(rs.locale)

    def m(key: str, **values: object) -> str:
        return t(locale, key, **values)

    console = Console()
    for title, counts in (("route", ev.by_route), ("department", ev.by_department)):
        table = Table(title=m(f"cli.eval.per.{title}"), title_justify="left")
        table.add_column(m(f"cli.eval.col.{title}"))
        table.add_column(m("cli.eval.col.count"), justify="right")
        for key, value in counts.most_common():
            table.add_row(key, str(value))
        console.print(table)
    if not ev.labelled:
        return
    table = Table(title=m("cli.eval.scores"), title_justify="left")
    for column in ("department", "right", "noise", "missed", "precision", "recall"):
        table.add_column(m(f"cli.eval.col.{column}"), justify="left" if column == "department" else "right")
    for name, scores in sorted(ev.scores.items()):
        table.add_row(
            name, str(scores.tp), str(scores.fp), str(scores.fn), _pct(scores.precision), _pct(scores.recall)
        )
    console.print(table)
    if ev.by_source:
        table = Table(title=m("cli.eval.by_source"), title_justify="left")
        for column in ("source", "right", "of", "accuracy"):
            table.add_column(m(f"cli.eval.col.{column}"), justify="left" if column == "source" else "right")
        for name, tally in sorted(ev.by_source.items()):
            table.add_row(name, str(tally.correct), str(tally.labelled), f"{100 * tally.ratio:.0f}%")
        console.print(table)
    pct = f"{100 * ev.correct / ev.labelled:.1f}"
    console.print(m("cli.eval.accuracy", correct=ev.correct, labelled=ev.labelled, pct=pct), highlight=False)
    if ev.tag_labelled:
        pct = f"{100 * ev.tag_correct / ev.tag_labelled:.1f}"
        console.print(
            m("cli.eval.tags", correct=ev.tag_correct, labelled=ev.tag_labelled, pct=pct), highlight=False
        )
    wrong = [r for r in ev.results if r["ok"] is False]
    for r in wrong[:MISSES_SHOWN]:
        line = m(
            "cli.eval.wrong",
            line=r["line"],
            expected=r["expected"],
            got=r["departments"],
            text=r["text"][:70],
        )
        console.print(line, highlight=False, markup=False)
    if len(wrong) > MISSES_SHOWN:
        console.print(m("cli.eval.more", count=len(wrong) - MISSES_SHOWN), highlight=False)
