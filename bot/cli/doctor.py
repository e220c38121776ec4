"""``kakehashi doctor``: say exactly what is wrong with this install, and how to fix it.

Exit code 0 when nothing is wrong (warnings allowed), 1 when anything is.  Texts are in the
command line's language (``bot.cli.language``: KAKEHASHI_LOCALE, the ``locale:`` of rules.yaml, LANG).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from bot.cli.errors import run, user_errors
from bot.cli.invocation import command_prefix
from bot.cli.language import cli_locale, h
from bot.cli.wrap import is_wide, wrap_cells
from bot.core.texts import t
from bot.settings import ENV_FILE, read_env_file

if TYPE_CHECKING:  # the checks load the rules, SQLAlchemy, Slack's SDK: only when doctor runs
    from bot.cli.diagnose import Finding

MARKS = {"ok": ("✓", "green"), "skip": ("-", "dim"), "warn": ("!", "yellow"), "fail": ("✗", "red")}
SECTIONS = ("settings", "rules", "database", "slack", "teams", "discourse")


async def diagnose(env: dict[str, str], locale: str) -> list[Finding]:
    import asyncio

    from bot.cli.diagnose import Doctor

    doctor = Doctor(env=env, locale=locale, cmd=command_prefix())
    findings, settings = doctor.settings()
    if settings is None:
        return findings
    rule_findings, rules = doctor.rules(settings.rules_path)
    findings += rule_findings
    db_findings, store = await doctor.database(settings)
    findings += db_findings
    try:
        slack, teams, discourse = await asyncio.gather(
            doctor.slack(settings, rules),
            doctor.teams(settings, rules, store),
            doctor.discourse(settings, rules),
        )
    finally:
        if store is not None:
            await store.engine.dispose()
    return findings + slack + teams + discourse


def print_findings(console: Console, locale: str, findings: list[Finding]) -> None:
    console.print(Text(t(locale, "doctor.title"), style="bold"))
    for section in SECTIONS:
        mine = [f for f in findings if f.section == section]
        if not mine:
            continue
        console.print()
        console.print(Text(t(locale, f"doctor.section.{section}"), style="bold"))
        for finding in mine:
            mark, style = MARKS[finding.level]
            lines = _lines(finding.text, console.width - 2)
            line = Text(f"{mark} ", style=style)
            line.append(lines[0])
            console.print(line, highlight=False)
            for more in lines[1:]:
                console.print(Text("  " + more), highlight=False)
            if finding.fix:
                fix = "→ " + t(locale, "doctor.fix", fix=finding.fix)
                if is_wide(fix):
                    for part in _lines(fix, console.width - 4):
                        console.print(Text("    " + part), highlight=False)
                else:
                    console.print(Padding(Text(fix), (0, 0, 0, 4), expand=False), highlight=False)
    failures = sum(f.level == "fail" for f in findings)
    warnings = sum(f.level == "warn" for f in findings)
    console.print()
    if failures:
        summary = t(locale, "doctor.problems", count=failures, warnings=warnings, cmd=command_prefix())
    elif warnings:
        summary = t(locale, "doctor.warnings_only", count=warnings)
    else:
        summary = t(locale, "doctor.ok")
    console.print(Text("\n".join(_lines(summary, console.width))), highlight=False)


def _lines(text: str, width: int) -> list[str]:
    """Japanese wrapped by cells between characters (rich would move a whole sentence without
    spaces to the next line); other text as one line for rich to wrap."""
    return wrap_cells(text, width) or [""] if is_wide(text) else [text]


@click.command("doctor", short_help=h("help.doctor.short"), help=h("help.doctor"))
def doctor_command() -> None:
    with user_errors():  # a .env that cannot be read
        env = {**read_env_file(ENV_FILE), **os.environ}
    locale = cli_locale(env)
    findings = run(lambda: diagnose(env, locale))
    print_findings(Console(highlight=False), locale, findings)
    if any(f.level == "fail" for f in findings):
        raise SystemExit(1)
