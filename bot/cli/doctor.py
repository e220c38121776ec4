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
from bot.cli.language import cli_locale, h
from bot.core.texts import t
from bot.settings import ENV_FILE, read_env_file

if TYPE_CHECKING:  # the checks load the rules, SQLAlchemy, Slack's SDK: only when doctor runs
    from bot.cli.diagnose import Finding

MARKS = {"ok": ("✓", "green"), "skip": ("-", "dim"), "warn": ("!", "yellow"), "fail": ("✗", "red")}
SECTIONS = ("settings", "rules", "database", "slack", "teams", "discourse")


async def diagnose(env: dict[str, str], locale: str) -> list[Finding]:
    import asyncio

    from bot.cli.diagnose import Doctor

    doctor = Doctor(env=env, locale=locale)
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
            line = Text(f"{mark} ", style=style)
            line.append(finding.text)
            console.print(line, highlight=False)
            if finding.fix:
                fix = Padding(
                    Text("→ " + t(locale, "doctor.fix", fix=finding.fix)), (0, 0, 0, 4), expand=False
                )
                console.print(fix, highlight=False)
    failures = sum(f.level == "fail" for f in findings)
    warnings = sum(f.level == "warn" for f in findings)
    console.print()
    if failures:
        console.print(t(locale, "doctor.problems", count=failures, warnings=warnings), highlight=False)
    elif warnings:
        console.print(t(locale, "doctor.warnings_only", count=warnings), highlight=False)
    else:
        console.print(t(locale, "doctor.ok"), highlight=False)


@click.command("doctor", short_help=h("help.doctor.short"), help=h("help.doctor"))
def doctor_command() -> None:
    with user_errors():  # a .env that cannot be read
        env = {**read_env_file(ENV_FILE), **os.environ}
    locale = cli_locale(env)
    findings = run(lambda: diagnose(env, locale))
    print_findings(Console(highlight=False), locale, findings)
    if any(f.level == "fail" for f in findings):
        raise SystemExit(1)
